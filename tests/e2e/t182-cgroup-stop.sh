#!/bin/bash
# Each user server runs in its own cgroup with the [hub] limits
# (mem_limit, cpu_limit, pids_limit), every process it starts included:
# a `setsid sleep` from a kernel is in it, and is gone after the server
# is stopped, and so is the cgroup. Use shows on /hub/metrics and the
# admin page.
. "$(dirname "$0")/lib.sh"

CG=/sys/fs/cgroup
if [ ! -d $CG/memory ] || [ ! -d $CG/freezer ]; then
	fail "this test wants cgroup v1 memory and freezer hierarchies"
fi
rig_user_add alice
rig_user_add root0 --admin
ALICE=$(rig_token alice)
ADMIN=$(rig_token root0)
hub_config "mem_limit = 1G" "cpu_limit = 1.5" "pids_limit = 500"
hub_start
spawn alice "$ALICE"
A=${PREFIX}alice
M=$CG/memory/rig/$A
[ -d "$M" ] || fail "no cgroup $M"
[ "$(cat "$M/memory.limit_in_bytes")" = 1073741824 ] || fail "memory.limit_in_bytes: $(cat "$M/memory.limit_in_bytes")"
[ "$(cat $CG/cpu/rig/"$A"/cpu.cfs_quota_us)" = 150000 ] || fail "cpu.cfs_quota_us: $(cat $CG/cpu/rig/"$A"/cpu.cfs_quota_us)"
[ "$(cat $CG/cpu/rig/"$A"/cpu.cfs_period_us)" = 100000 ] || fail "cpu.cfs_period_us"
[ "$(cat $CG/pids/rig/"$A"/pids.max)" = 500 ] || fail "pids.max: $(cat $CG/pids/rig/"$A"/pids.max)"
pid=$(server_pid alice)
for h in memory cpu cpuacct pids freezer; do
	grep -qx "$pid" $CG/$h/rig/"$A"/cgroup.procs || fail "server pid $pid not in the $h cgroup"
done

# A kernel starts a daemon of its own, in a new session (made before
# Popen returns: ipykernel ends the children still in its process group
# when runcell shuts the kernel down, which a `setsid` program could be).
out=$($PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" \
	'import subprocess; p = subprocess.Popen(["sleep", "1000"], start_new_session=True); p.pid') ||
	fail "runcell: $out"
sleeper=$(echo "$out" | tail -n 1)
{ [ -n "$sleeper" ] && pid_alive "$sleeper"; } || fail "no sleeper: $out"
sleep 0.5
grep -qx "$sleeper" "$M/cgroup.procs" || fail "the setsid sleep ($sleeper) is not in the cgroup"

# Use is shown.
TOKEN=$ADMIN
[ "$(api GET /hub/metrics)" = 200 ] || fail "metrics: $(body)"
grep -q "^rig_server_memory_bytes{user=\"alice\"} [1-9]" "$T/body" || fail "no memory metric: $(grep rig_server "$T/body")"
grep -q "^rig_server_cpu_seconds_total{user=\"alice\"} " "$T/body" || fail "no cpu metric"
login root0
curl -sk -b "$T/jar.root0" "$URL/hub/admin" >"$T/admin.html"
grep -q 'MiB, [0-9.]* s CPU' "$T/admin.html" || fail "the admin page shows no use"

# Stop: everything goes, then the cgroup.
TOKEN=$ALICE
code=$(api DELETE /hub/api/users/alice/server)
case $code in 202 | 204) ;; *) fail "stop: $code $(body)" ;; esac
for _ in $(seq 1 150); do
	pid_alive "$sleeper" || break
	sleep 0.1
done
pid_alive "$sleeper" && fail "the setsid sleep survived the stop"
for _ in $(seq 1 100); do
	[ -d "$M" ] || break
	sleep 0.1
done
[ -d "$M" ] && fail "cgroup $M left after the stop"
# (Zombies wait for PID 1, which here reaps slowly.)
left=$(ps -u "$A" -o pid=,stat= | awk '$2 !~ /^Z/ {print $1}')
[ -z "$left" ] || fail "processes of $A left: $left"
hub_stop
