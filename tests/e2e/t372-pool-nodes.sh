#!/bin/bash
# rig up of a pool as its hosts change (see t370 for the first rig up): a
# node added to hosts joins and runs jobs; a node removed while it runs a
# job is drained, kept in slurm.conf out of its partition while the job
# runs on, and dropped by the next rig up once it runs none, its slurmd
# stopped; an unreachable node is named and changes nothing.
. "$(dirname "$0")/lib.sh"

pool_hosts_up 4
N2=$(host_addr 2)
N3=$(host_addr 3)
N4=$(host_addr 4)
P=$T/proj
project_init "$P" 1 --user root
pool_root_ssh 1 'useradd -m -s /bin/bash alice' || fail "useradd on the head"
name=alice
sc=$HOSTS_DIR/h1/etc/slurm/slurm.conf
conf() { # HOSTS: rig.conf's pool with [partition cpu] hosts = HOSTS
	sed -i '/^\[pool\]/,$d' "$P/rig.conf"
	printf '[pool]\nengine = slurm\n\n[partition cpu]\nhosts = %s\n' "$1" >>"$P/rig.conf"
}
conf "$N2 $N3"
in_project "$P" "$RIG" up >"$T/up1.out" 2>&1 || fail "rig up of the pool: $(cat "$T/up1.out")"

# A node added to hosts joins; one removed is drained and dropped.
conf "$N2 $N3 $N4"
in_project "$P" "$RIG" up >"$T/up3.out" 2>&1 || fail "rig up with a node added: $(cat "$T/up3.out")"
pool_root_ssh 1 "sinfo -h -N -o '%N %t'" >"$T/sinfo" || fail "sinfo on the head"
grep -q "^${PREFIX}h4 idle" "$T/sinfo" || fail "node h4 did not join: $(cat "$T/sinfo")"
out=$(pool_root_ssh 1 "cd /tmp && runuser -u $name -- srun -w ${PREFIX}h4 hostname" 2>&1) || fail "srun on h4: $out"
[ "$out" = "${PREFIX}h4" ] || fail "srun -w h4 ran on: $out"
# Removed while it runs a job: drained, kept until the job is gone.
jid=$(pool_root_ssh 1 "cd /tmp && runuser -u $name -- sbatch --parsable -w ${PREFIX}h3 -o /dev/null --wrap 'sleep 600'") ||
	fail "sbatch on h3"
for _ in $(seq 1 100); do
	[ "$(pool_root_ssh 1 "squeue -h -j $jid -o %T")" = RUNNING ] && break
	sleep 0.2
done
[ "$(pool_root_ssh 1 "squeue -h -j $jid -o %T")" = RUNNING ] || fail "job $jid on h3 not running"
conf "$N2 $N4"
in_project "$P" "$RIG" up >"$T/up4a.out" 2>&1 || fail "rig up with a busy node removed: $(cat "$T/up4a.out")"
grep -q "leaving .*${PREFIX}h3 drained, runs jobs" "$T/up4a.out" || fail "busy h3 not drained: $(grep '^\[pool\]' "$T/up4a.out")"
grep -q "^NodeName=${PREFIX}h3" "$sc" || fail "busy h3 left slurm.conf with its job running"
grep -q "PartitionName=cpu Nodes=${PREFIX}h2,${PREFIX}h4 " "$sc" || fail "h3 still in the partition: $(grep Partition "$sc")"
[ "$(pool_root_ssh 1 "squeue -h -j $jid -o %T")" = RUNNING ] || fail "job $jid on the leaving h3 did not go on running"
# In no partition now, so sinfo leaves it out; scontrol shows it.
pool_root_ssh 1 "scontrol show node ${PREFIX}h3" | grep -q 'State=[A-Z+]*DRAIN' ||
	fail "h3 not draining: $(pool_root_ssh 1 "scontrol show node ${PREFIX}h3")"
pool_root_ssh 1 "scancel $jid" || fail "scancel $jid"
for _ in $(seq 1 100); do
	[ -z "$(pool_root_ssh 1 "squeue -h -w ${PREFIX}h3 -o %i")" ] && break
	sleep 0.2
done
in_project "$P" "$RIG" up >"$T/up4.out" 2>&1 || fail "rig up with a node removed: $(cat "$T/up4.out")"
grep -q "leaving .*${PREFIX}h3 removed (its slurmd stopped)" "$T/up4.out" || fail "rig up did not remove h3: $(grep '^\[pool\]' "$T/up4.out")"
pool_root_ssh 3 'p=$(cat /run/slurmd.pid 2>/dev/null) && [ -d /proc/$p ]' && fail "h3's slurmd still runs"
grep -q "^NodeName=${PREFIX}h3" "$sc" && fail "h3 still in slurm.conf"
pool_root_ssh 1 "sinfo -h -N -o '%N %t'" >"$T/sinfo" || fail "sinfo on the head"
grep -q "^${PREFIX}h3" "$T/sinfo" && fail "h3 still in the pool: $(cat "$T/sinfo")"
note "a node added and one removed"

# A node that does not answer: rig up says which, and the pool is as it was.
cp "$sc" "$T/sc.before"
conf "$N2 $N4 $HOSTS_NET.99"
in_project "$P" "$RIG" up >"$T/up5.out" 2>&1 && fail "rig up with an unreachable node succeeded"
grep -q "cannot reach $HOSTS_NET.99 port 22" "$T/up5.out" || fail "no message names the unreachable node: $(tail -n 3 "$T/up5.out")"
cmp -s "$sc" "$T/sc.before" || fail "slurm.conf changed by a failed rig up"
note "an unreachable node: $(grep -m 1 "$HOSTS_NET.99" "$T/up5.out")"
