#!/bin/bash
# Times the machine workflow against a test host (an sshd in a network
# namespace on this machine, as the tests make them): rig up from scratch
# and again, and rig sync up of a tree of 10,000 small files (first, again
# with nothing changed, and after 100 files changed), then sync down of
# the same 100 changed on the machine. Needs root. Prints a small table.
#
#   bench/sync-10k.sh                 # the optimized build, build/rig
#   RIG=build/asan/rig bench/sync-10k.sh
#   FILES=50000 bench/sync-10k.sh     # another tree size
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RIG=${RIG:-$TOP/build/rig}
FILES=${FILES:-10000}
# shellcheck source=../tests/e2e/lib.sh
. "$TOP/tests/e2e/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1
cd "$P"

# ms CMD...: runs CMD quietly, prints its wall time in ms.
ms() {
	local t0
	t0=$(now_ms)
	"$@" >"$T/last.out" 2>&1 || fail "$*: $(cat "$T/last.out")"
	echo $(($(now_ms) - t0))
}

# The tree: 100 folders of FILES/100 files of 100-200 bytes, plus
# ignored build output that must not be sent.
dirs=100
per=$((FILES / dirs))
/usr/bin/python3 - "$P" "$dirs" "$per" <<'PY'
import os, sys
root, dirs, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for d in range(dirs):
    p = os.path.join(root, "src", "pkg%03d" % d)
    os.makedirs(p, exist_ok=True)
    for f in range(per):
        with open(os.path.join(p, "mod%04d.py" % f), "w") as fh:
            fh.write("# module %d/%d\n" % (d, f) + "x = %d\n" % f * (1 + f % 8))
    os.makedirs(os.path.join(root, "build", "o%03d" % d), exist_ok=True)
    for f in range(10):
        open(os.path.join(root, "build", "o%03d" % d, "f%d.o" % f), "w").write("o")
open(os.path.join(root, ".gitignore"), "a").write("build/\n*.pyc\n")
PY
n=$(find "$P/src" -type f | wc -l)
bytes=$(find "$P/src" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')

t_up1=$(ms "$RIG" up)
t_up2=$(ms "$RIG" up)
t_s1=$(ms "$RIG" sync up)
line1=$(tail -n 1 "$T/last.out")
t_s2=$(ms "$RIG" sync up)
for d in $(seq 0 9); do
	for f in $(seq 0 9); do
		printf '# changed\n' >>"$P/src/pkg00$d/mod000$f.py"
	done
done
t_s3=$(ms "$RIG" sync up)
R=$(host_home 1)/work/m1
for d in $(seq 0 9); do
	for f in $(seq 0 9); do
		printf '# changed there\n' >>"$R/src/pkg00$d/mod001$f.py"
	done
done
t_d1=$(ms "$RIG" sync down)
sent=$(find "$R" -type f | wc -l)
[ "$sent" = $((n + 1 + 1)) ] || note "the machine has $sent files (expected $n + .gitignore + rig.conf)"

cat <<TAB

rig machine workflow, $(date -u +%Y-%m-%d), $(nproc) cores, build $(basename "$(dirname "$RIG")")/$(basename "$RIG")
test host: sshd in a network namespace on this machine (same disk, veth link)

| what | time |
|---|---|
| rig up, fresh host (rig copied, hub set up and started) | $t_up1 ms |
| rig up again (nothing to do) | $t_up2 ms |
| rig sync up, $n files, $((bytes / 1024)) KiB, first time | $t_s1 ms |
| rig sync up again, nothing changed | $t_s2 ms |
| rig sync up, 100 files changed | $t_s3 ms |
| rig sync down, 100 files changed on the machine | $t_d1 ms |

first sync printed: $line1
TAB
cd /
