#!/bin/bash
# Scale to zero with ssh nodes (Slurm's power saving through rig pool
# power; lib-power.sh makes the pool): the partition's nodes are
# State=CLOUD; idle for node_idle_stop they are powered down (power_off
# run as root, slurmd stopped), rig up again while a node is off keeps
# it as it was, a job powers one up (power_on, rig waits
# for its slurmd to join) and runs on it, and the head's idle stop counts
# a running job and the powered node as use. t391: a failed power_on,
# and the rights.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-power.sh"

power_up_pool
sc=$HOSTS_DIR/h1/etc/slurm/slurm.conf
grep -q "^NodeName=${PREFIX}h2 .* State=CLOUD" "$sc" || fail "h2 not State=CLOUD: $(grep NodeName "$sc")"
grep -q "^SuspendTime=5$" "$sc" || fail "no SuspendTime=5: $(cat "$sc")"
grep -q "^ResumeProgram=/etc/slurm/rig-resume$" "$sc" || fail "no ResumeProgram"

# Idle, both are powered down: their slurmd stopped.
wait_powered_down
grep -q "^off $N2 0$" "$PLOG" && grep -q "^off $N3 0$" "$PLOG" || fail "power_off not run as root for both: $(cat "$PLOG")"
pool_root_ssh 2 'p=$(cat /run/slurmd.pid 2>/dev/null) && [ -d /proc/$p ]' && fail "h2's slurmd runs, powered down"
note "powered down after idle: $(sinfo_n | tr '\n' ' ')"

# rig up again while h3 is off (its link down, as a machine powered off):
# h3 kept in slurm.conf as it was, in its partition.
grep "^NodeName=${PREFIX}h3 " "$sc" >"$T/h3.line"
ip link set "${PREFIX}v3" down
in_project "$P" "$RIG" up >"$T/up2.out" 2>&1
rc=$?
ip link set "${PREFIX}v3" up
[ $rc = 0 ] || fail "rig up with a node powered off: $(cat "$T/up2.out")"
grep -q "$N3: powered down (not reached), kept as it was" "$T/up2.out" || fail "no message for h3: $(grep '^\[pool\]' "$T/up2.out")"
grep -qxF "$(cat "$T/h3.line")" "$sc" || fail "h3's line changed: $(grep "${PREFIX}h3" "$sc")"
grep -q "^PartitionName=cpu Nodes=${PREFIX}h2,${PREFIX}h3 " "$sc" || fail "h3 left its partition: $(grep Partition "$sc")"
wait_powered_down
note "rig up with h3 off: $(grep -o "$N3: powered down[^;]*" "$T/up2.out")"

# A job powers a node up: rig runs power_on, waits for its slurmd, and
# the job runs there.
t0=$(now_ms)
out=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- srun -p cpu -N1 hostname" 2>&1) || fail "srun on a powered down pool: $out; $(cat "$RLOG")"
t1=$(now_ms)
case $out in "${PREFIX}h2" | "${PREFIX}h3") ;; *) fail "the job ran on: $out" ;; esac
grep -q "^on $(host_addr "${out##*h}") 0$" "$PLOG" || fail "no power_on for $out: $(cat "$PLOG")"
# rig polls scontrol every 0.5 s: the job may be done before it saw.
for _ in $(seq 1 100); do grep -q "node $out: joined" "$RLOG" && break; sleep 0.1; done
grep -q "node $out: joined" "$RLOG" || fail "rig did not see $out join: $(cat "$RLOG")"
note "srun on a powered down node: ran on $out in $((t1 - t0)) ms"
# The spend's record (rig pool status reads it): the idle nodes powered
# down, then this one up.
PW=$HOSTS_DIR/h1/var/lib/slurm/rig-power.log
grep -qE "^[0-9]+ down ${PREFIX}h2$" "$PW" || fail "h2's power-down not in the power log: $(cat "$PW" 2>&1)"
grep -qE "^[0-9]+ up $out$" "$PW" || fail "$out's power-up not in the power log: $(cat "$PW" 2>&1)"

# The head's idle stop counts a running job and the powered node as use
# (it samples every 10 s).
jid=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- sbatch --parsable -p cpu -w $out -o /dev/null --wrap 'sleep 300'") || fail "sbatch"
AS=$HOSTS_DIR/h1/root/.local/share/rig/state/autostop.json
want='"why":"busy: Slurm jobs on 1 node, 1 pool node powered up"'
for _ in $(seq 1 120); do
	grep -q "$want" "$AS" 2>/dev/null && break
	sleep 0.5
done
grep -q "$want" "$AS" || fail "the head's idle stop does not count the job: $(cat "$AS" 2>&1); $(sinfo_n)"
note "the head's idle stop: $(grep -o '"why":"[^"]*"' "$AS")"
pool_root_ssh 1 "scancel $jid"
