#!/bin/bash
# The differential test of rig sync up against git itself (issue 17): on
# git's own wildmatch and ignore cases (tests/data) and seeded random
# trees (nested .gitignore files, negations under ignored folders,
# escapes, spaces, brackets, unicode, BOM and CRLF, files added with git
# add -f, tracked files deleted), what "rig sync up" delivers with a real
# rsync to a local folder equals "git ls-files --cached --others
# --exclude-standard": with git (rig sends git's list) and with git
# hidden from rig (RIG_GIT=: rig's own rules, as rsync filters); and
# what "rig sync down" brings back of a tree only the machine has. The
# harness is tests/helpers/syncdiff.py; bench/sync-diff runs it longer.
. "$(dirname "$0")/lib.sh"

command -v git >/dev/null || fail "git is missing: run scripts/install-deps.sh"
export HOME=$T/home
mkdir -p "$HOME"

# The harness must see a difference when there is one: a "git" that
# lists nothing makes rig send nothing, and the case is shrunk.
rc=0
RIG_GIT=/bin/true $PY "$HELPERS/syncdiff.py" --rig "$RIG" --modes git \
	--random 2 --seed 7 >"$T/selfcheck.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a rig that sends nothing passed: $(tail -5 "$T/selfcheck.out")"
grep -q '^SMALLEST (git)' "$T/selfcheck.out" ||
	fail "no smallest case printed: $(tail -5 "$T/selfcheck.out")"

t0=$(now_ms)
$PY "$HELPERS/syncdiff.py" --rig "$RIG" --data "$TOP/tests/data" \
	--random "${SYNCDIFF_RANDOM:-60}" --seed "${SYNCDIFF_SEED:-1}" \
	>"$T/diff.out" 2>&1 || fail "rig and git differ: $(cat "$T/diff.out")"
note "$(tail -1 "$T/diff.out") (wall $(($(now_ms) - t0)) ms)"
grep -q '^[1-9][0-9][0-9]* cases, 0 mismatches' "$T/diff.out" ||
	fail "summary: $(tail -1 "$T/diff.out")"

# "sync down" goes by the same rule: the whole tree only on the machine,
# what comes back is git's list (the ignore cases and random trees).
$PY "$HELPERS/syncdiff.py" --rig "$RIG" --data "$TOP/tests/data" \
	--no-wildmatch --modes down-git,down-nogit --random 40 \
	--seed "${SYNCDIFF_SEED:-1}" >"$T/down-diff.out" 2>&1 ||
	fail "sync down and git differ: $(cat "$T/down-diff.out")"
note "down: $(tail -1 "$T/down-diff.out")"
grep -q '^73 cases, 0 mismatches' "$T/down-diff.out" ||
	fail "summary: $(tail -1 "$T/down-diff.out")"

# down's view of the project is the same: a tracked file under an ignored
# folder comes back from the machine, the rest of that folder does not;
# with git hidden, rig's own rules decide and it stays there.
P=$T/proj R=$T/remote
mkdir -p "$P/data" && cd "$P"
printf '[machine]\nprovider = local\n[sync]\nremote_dir = %s\n' "$R" >rig.conf
git init -q .
printf 'data/\n' >.gitignore
printf 'sample\n' >data/sample.csv
printf 'big\n' >data/big.csv
git add -f data/sample.csv
"$RIG" sync up >"$T/up.out" 2>&1 || fail "sync up: $(cat "$T/up.out")"
[ -f "$R/data/sample.csv" ] || fail "a tracked file under an ignored folder was not sent"
[ ! -e "$R/data/big.csv" ] || fail "an ignored file was sent"
printf 'changed there\n' >"$R/data/sample.csv"
touch -d '2030-01-01 00:00:00' "$R/data/sample.csv"
printf 'made there\n' >"$R/data/new.csv"
"$RIG" sync down >"$T/down.out" 2>&1 || fail "sync down: $(cat "$T/down.out")"
[ "$(cat data/sample.csv)" = "changed there" ] || fail "down did not bring the tracked data/sample.csv"
[ ! -e data/new.csv ] || fail "down brought a file of an ignored folder"
tr '\0' '\n' <.rig/sync-manifest | grep -q ' data/sample.csv$' ||
	fail "the records miss the tracked file: $(tr '\0' '\n' <.rig/sync-manifest)"
# up --delete: gone here, deleted there; the machine's ignored file stays.
printf 'x\n' >"$R/stale.txt"
"$RIG" sync up --delete >"$T/del.out" 2>&1 || fail "sync up --delete: $(cat "$T/del.out")"
[ ! -e "$R/stale.txt" ] || fail "up --delete kept a file that is not here"
[ -f "$R/data/new.csv" ] || fail "up --delete deleted a file the rules ignore there"
[ -f "$R/data/sample.csv" ] || fail "up --delete deleted the tracked file"

# A rule rsync cannot be given (more than 10 separate "**" parts) is
# refused with a message without git; git's list needs no rules.
printf 'a/**/b/**/c/**/d/**/e/**/f/**/g/**/h/**/i/**/j/**/k/**/l\n' >>.gitignore
rc=0
RIG_GIT= "$RIG" sync up >"$T/many.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "sync up with 11 '**' parts: exit $rc: $(cat "$T/many.out")"
grep -q "more than 10 '\*\*/' parts" "$T/many.out" || fail "no message: $(cat "$T/many.out")"
"$RIG" sync up >"$T/many-git.out" 2>&1 || fail "sync up with git: $(cat "$T/many-git.out")"
cd /
