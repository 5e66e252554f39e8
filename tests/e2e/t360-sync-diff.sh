#!/bin/bash
# The differential test of rig sync up against git itself (issue 17): on
# git's own wildmatch and ignore cases (tests/data) and seeded random
# trees (nested .gitignore files, negations under ignored folders,
# escapes, spaces, brackets, unicode, BOM and CRLF, files added with git
# add -f, tracked files deleted), what "rig sync up" delivers with a real
# rsync to a local folder equals "git ls-files --cached --others
# --exclude-standard": with git (rig sends git's list) and with git
# hidden from rig (RIG_GIT=: rig's own rules, as rsync filters). The
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
