#!/bin/bash
# rig sync against a real sshd and rsync in a network namespace: up sends
# exactly the files git would track (nested .gitignore files, negations,
# .git/info/exclude, no .git/); down brings the machine's changes back
# and never overwrites a local change: a file changed on both sides is a
# conflict and both copies are kept; --delete deletes, but not ignored
# files on the other side; --dry-run changes nothing.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1
R=$(host_home 1)/work/m1 # the machine's remote_dir, seen from here

# A tree with every kind of rule.
cd "$P"
git init -q .
mkdir -p src/pkg/deep build data/keep logs docs/out 'we ird' notes
printf 'print(1)\n' >src/main.py
printf 'x\n' >src/pkg/mod.py
printf 'x\n' >src/pkg/mod.pyc
printf 'x\n' >src/pkg/deep/gen.tmp
printf 'x\n' >src/pkg/deep/keep.tmp
printf 'x\n' >build/out.o
printf 'x\n' >data/big.bin
printf 'x\n' >data/keep/small.bin
printf 'x\n' >logs/a.log
printf 'x\n' >docs/readme.md
printf 'x\n' >docs/out/page.html
printf 'x\n' >'we ird/file [1].txt'
printf 'x\n' >'we ird/skip me.txt'
printf 'x\n' >notes/secret.txt
printf 'x\n' >notes/todo.txt
printf 'x\n' >top.tmp
cat >>.gitignore <<'GI'
# comments and blank lines

*.pyc
/build/
data/*
!data/keep/
logs
**/out/
we ird/skip*
GI
printf '*.tmp\n!keep.tmp\n' >src/.gitignore
printf 'secret.txt\n' >notes/.gitignore
printf 'top.tmp\n' >.git/info/exclude
# Wildcards: zero or more folders for "**", classes, '?', escapes, and
# no way back into an ignored folder.
mkdir -p doc/a/b cache x/cache sub/x ign
for f in doc/x.txt doc/a/b/y.txt doc/a/keep.md cache/c x/cache/c '#hash' \
	sub/only-top sub/x/only-top ign/keep file1.dat file2.dat file3.dat \
	xa.q xab.q; do
	printf 'x\n' >"$f"
done
cat >>.gitignore <<'GI'
doc/**/*.txt
\#hash
**/cache
ign/
!ign/keep
file[12].dat
x?.q
GI
printf '/only-top\n' >sub/.gitignore

# What git would track, as a sorted list.
git ls-files --cached --others --exclude-standard | sort >"$T/git.list"
grep -q 'src/pkg/deep/keep.tmp' "$T/git.list" || fail "test setup: git ignores keep.tmp"

t0=$(now_ms)
"$RIG" sync up >"$T/up.out" 2>&1 || fail "sync up: $(cat "$T/up.out")"
note "sync up: $(cat "$T/up.out") ($(($(now_ms) - t0)) ms)"
grep -q '^sync up: [0-9]* files (.*) in [0-9.]* s$' "$T/up.out" || fail "sync up printed: $(cat "$T/up.out")"
(cd "$R" && find . -type f -o -type l | sed 's|^\./||' | sort) >"$T/remote.list"
diff "$T/git.list" "$T/remote.list" >"$T/diff" || fail "the machine's files are not git's: $(cat "$T/diff")"
# rig's own walk (its records of the sync) sees the same files.
tr '\0' '\n' <.rig/sync-manifest | tail -n +2 | cut -d' ' -f4- | sort >"$T/walk.list"
diff "$T/git.list" "$T/walk.list" >"$T/diff" || fail "rig's walk is not git's: $(cat "$T/diff")"
[ ! -e "$R/.git" ] || fail ".git/ was sent"
[ ! -e "$R/.rig" ] || fail ".rig/ was sent"

# Again: nothing to send.
"$RIG" sync up >"$T/up2.out" 2>&1 || fail "second sync up"
grep -q '^sync up: 0 files' "$T/up2.out" || fail "second sync up sent files: $(cat "$T/up2.out")"

# down: the machine's changes come back, ignored files there stay there.
printf 'changed there\n' >"$R/src/main.py"
touch -d '2030-01-01 00:00:00' "$R/src/main.py"
printf 'new there\n' >"$R/src/new.py"
mkdir -p "$R/build" "$R/logs"
printf 'output\n' >"$R/build/result.o"
printf 'x\n' >"$R/logs/run.log"
"$RIG" sync down >"$T/down.out" 2>&1 || fail "sync down: $(cat "$T/down.out")"
[ "$(cat src/main.py)" = "changed there" ] || fail "down did not bring src/main.py"
[ "$(cat src/new.py)" = "new there" ] || fail "down did not bring src/new.py"
[ ! -e build/result.o ] || fail "down brought an ignored file"
[ ! -e logs/run.log ] || fail "down brought an ignored log"

# A conflict: changed on both sides since the last sync.
printf 'mine\n' >docs/readme.md
printf 'theirs\n' >"$R/docs/readme.md"
touch -d '2030-01-02 00:00:00' "$R/docs/readme.md"
# Changed here only: left alone, no conflict.
printf 'local edit\n' >src/pkg/mod.py
"$RIG" sync down >"$T/down2.out" 2>&1 || fail "sync down (conflict): $(cat "$T/down2.out")"
[ "$(cat docs/readme.md)" = mine ] || fail "down overwrote a local change"
[ -f docs/readme.remote-conflict.md ] || fail "no conflict copy: $(ls docs) / $(cat "$T/down2.out")"
[ "$(cat docs/readme.remote-conflict.md)" = theirs ] || fail "conflict copy is not the machine's"
grep -q 'conflict: docs/readme.md' "$T/down2.out" || fail "conflict not reported: $(cat "$T/down2.out")"
[ "$(cat src/pkg/mod.py)" = "local edit" ] || fail "down overwrote a change made here only"
grep -q 'kept: src/pkg/mod.py' "$T/down2.out" || fail "kept file not reported: $(cat "$T/down2.out")"
grep -q '1 conflict' "$T/down2.out" || fail "summary: $(cat "$T/down2.out")"
# The conflict stays one until resolved; up resolves it (mine wins).
"$RIG" sync up >/dev/null 2>&1 || fail "sync up after conflict"
[ "$(cat "$R/docs/readme.md")" = mine ] || fail "up did not send the local version"
"$RIG" sync down >"$T/down3.out" 2>&1 || fail "sync down after resolve"
grep -q conflict "$T/down3.out" && fail "still a conflict after up: $(cat "$T/down3.out")"

# --dry-run changes nothing, either way.
rm docs/readme.remote-conflict.md
printf 'dry\n' >"$R/src/dry.py"
"$RIG" sync down --dry-run >"$T/dry.out" 2>&1 || fail "sync down --dry-run"
[ ! -e src/dry.py ] || fail "--dry-run brought a file"
grep -q 'src/dry.py' "$T/dry.out" || fail "--dry-run did not list src/dry.py: $(cat "$T/dry.out")"
# Its summary counts what would come; rsync's stats are not items.
grep -q '^sync down (dry run): [1-9][0-9]* files\{0,1\} ' "$T/dry.out" ||
	fail "--dry-run counted no file: $(cat "$T/dry.out")"
grep -q '^sent ' "$T/dry.out" && fail "--dry-run listed rsync's stats: $(cat "$T/dry.out")"
printf 'dry up\n' >src/dryup.py
"$RIG" sync up --dry-run >"$T/dryup.out" 2>&1 || fail "sync up --dry-run"
[ ! -e "$R/src/dryup.py" ] || fail "up --dry-run sent a file"

# Nothing local is deleted without --delete; with it, only what is gone
# there and unchanged here (ignored files here stay).
rm "$R/src/new.py" "$R/src/dry.py" "$R/src/dryup.py" 2>/dev/null || true
"$RIG" sync down >/dev/null 2>&1 || fail "sync down (deleted there)"
[ -f src/new.py ] || fail "down deleted a file without --delete"
"$RIG" sync down --delete >"$T/del.out" 2>&1 || fail "sync down --delete: $(cat "$T/del.out")"
[ ! -e src/new.py ] || fail "down --delete kept a file deleted there"
[ -f src/dryup.py ] || fail "down --delete deleted a new local file"
[ -f build/out.o ] || fail "down --delete deleted an ignored local file"

# up --delete: deletes there what is gone here, but not the machine's
# ignored files (build output made there).
rm src/main.py
"$RIG" sync up --delete >"$T/updel.out" 2>&1 || fail "sync up --delete: $(cat "$T/updel.out")"
[ ! -e "$R/src/main.py" ] || fail "up --delete kept a file deleted here"
[ -f "$R/build/result.o" ] || fail "up --delete deleted an ignored file there"
[ -f "$R/logs/run.log" ] || fail "up --delete deleted an ignored log there"
grep -q '1 deleted' "$T/updel.out" || fail "up --delete summary: $(cat "$T/updel.out")"
cd /
