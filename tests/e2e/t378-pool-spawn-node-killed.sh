#!/bin/bash
# A server's Slurm job whose node is killed under it (its slurmd and the
# job's processes, by PID): the server ends with NODE_FAIL, and the home
# page says why (serverend.c; t376: a time limit). Slurm's own wait before
# a silent node is down (SlurmdTimeout, 300 s by default) is shortened to
# 10 s in the pool's slurm.conf for the test.
. "$(dirname "$0")/lib.sh"

pool_hub_up 1
for h in 1 2; do
	echo 'SlurmdTimeout=10' >>"$HOSTS_DIR/h$h/etc/slurm/slurm.conf"
done
pool_root_ssh 1 'scontrol reconfigure' || fail "scontrol reconfigure"
. "$(dirname "$0")/lib-serverend.sh"
carol_signed_in

start
# The node killed under the running server.
uid=$(pool_root_ssh 1 'id -u rig-carol')
slurmd=$(cat "$HOSTS_DIR/h2/run/slurmd.pid" 2>/dev/null) || fail "no slurmd pid file on the node"
[ -n "$slurmd" ] && kill -0 "$slurmd" || fail "slurmd of the node not running"
kill -KILL "$slurmd"
# (Only processes in the node's network namespace: other tests' pools
# number their jobs from 1 too.)
nodens=$(stat -L -c %i "/run/netns/${PREFIX}h2")
killed=0
for p in $(pgrep -f "slurmstepd: \[$jid[.]") $(pgrep -u "$uid"); do
	[ "$(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null)" = "$nodens" ] || continue
	kill -KILL "$p" 2>/dev/null && killed=$((killed + 1))
done
[ "$killed" -ge 2 ] || fail "found only $killed of the job's processes on the node"
t0=$(now_ms)
ended NODE_FAIL 'its node failed'
note "node killed: the server ended $(($(now_ms) - t0)) ms after (SlurmdTimeout 10 s)"

in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
