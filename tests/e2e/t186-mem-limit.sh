#!/bin/bash
# A kernel that allocates past mem_limit is killed by the kernel's OOM
# killer inside the server's cgroup; the server stays up, and the kill is
# told in the server's log, the hub's log and on /hub/metrics.
. "$(dirname "$0")/lib.sh"

CG=/sys/fs/cgroup
[ -d $CG/memory ] || fail "this test wants the cgroup v1 memory hierarchy"
rig_user_add alice
rig_user_add root0 --admin
ALICE=$(rig_token alice)
ADMIN=$(rig_token root0)
hub_config "mem_limit = 300M"
hub_start
spawn alice "$ALICE"
A=${PREFIX}alice
M=$CG/memory/rig/$A
[ "$(cat "$M/memory.limit_in_bytes")" = $((300 << 20)) ] || fail "memory.limit_in_bytes: $(cat "$M/memory.limit_in_bytes")"
pid=$(server_pid alice)

# The kernel dies mid-cell: runcell fails or times out; either is fine.
# On a loaded machine a kernel can take longer to start than one try
# allows, so try again (at most three times) until the cgroup counts a kill.
export RUNCELL_TIMEOUT=90
for try in 1 2 3; do
	timeout 200 $PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" \
		'b = bytearray(600 << 20); b[::4096] = b"x" * len(b[::4096]); len(b)' >"$T/cell.$try.out" 2>&1 || true
	grep -q '^oom_kill [1-9]' "$M/memory.oom_control" && break
done
grep -q '^oom_kill [1-9]' "$M/memory.oom_control" ||
	fail "no OOM kill in the cgroup: $(cat "$M/memory.oom_control"); $(tail -n 3 "$T"/cell.*.out)"
pid_alive "$pid" || fail "the server died with its kernel"
TOKEN=$ALICE
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "the server does not answer: $(body)"
for _ in $(seq 1 30); do
	grep -q 'killed: it used more than the memory limit' "$T/state/logs/alice.log" && break
	sleep 0.2
done
grep -q '\[rig\] a process of this server was killed: it used more than the memory limit' "$T/state/logs/alice.log" ||
	fail "the server's log does not say: $(tail -n 5 "$T/state/logs/alice.log")"
for _ in $(seq 1 30); do
	grep -q "server alice: [0-9]* process(es) killed" "$T/hub.log" && break
	sleep 0.2
done
grep -q "server alice: [0-9]* process(es) killed for using more than mem_limit" "$T/hub.log" ||
	fail "the hub's log does not say"
TOKEN=$ADMIN
[ "$(api GET /hub/metrics)" = 200 ] || fail "metrics: $(body)"
grep -q '^rig_server_oom_kills_total{user="alice"} [1-9]' "$T/body" || fail "metrics: $(grep oom "$T/body")"
# A new kernel still works.
out=$($PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" '6 * 7') || fail "a new kernel: $out"
echo "$out" | tail -n 1 | grep -q 42 || fail "a new kernel: $out"
hub_stop
