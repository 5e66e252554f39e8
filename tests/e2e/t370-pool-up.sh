#!/bin/bash
# rig up of a pool: a head and two nodes (pool_hosts_up: network, hostname,
# /etc, /run, root and Slurm/munge folders their own; /home shared). Through
# rig only: the head's munge key reaches the nodes, slurm.conf comes from
# the partitions with what slurmd -C saw, the head's accounts appear on the
# nodes with their uids, a job runs on a node as a real user, the NFS export
# and fstab lines are written (and their use skipped: no kernel NFS here),
# a second rig up changes nothing, an added node joins, a removed one is
# drained and dropped, and bad [pool]/[partition] settings are refused.
. "$(dirname "$0")/lib.sh"

pool_hosts_up 4
H=$(host_addr 1)
N2=$(host_addr 2)
N3=$(host_addr 3)
N4=$(host_addr 4)
P=$T/proj
project_init "$P" 1 --user root
# People with accounts on the head; on node 3 a 'bob' of another uid
# (the one alice has on the head: the hosts start with one passwd).
pool_root_ssh 1 'useradd -m -s /bin/bash alice && useradd -m -s /bin/bash bob' || fail "useradd on the head"
pool_root_ssh 3 'useradd -M bob' || fail "useradd bob on node 3"
# An account on the head whose home is shell code: never run on a node.
pool_root_ssh 1 "useradd -M -d '/home/e\$(touch $T/pwned)' evil" || fail "useradd evil on the head"
conf() { # HOSTS: rig.conf's pool with [partition cpu] hosts = HOSTS
	sed -i '/^\[pool\]/,$d' "$P/rig.conf"
	printf '[pool]\nengine = slurm\nshared_dir = /home\n\n[partition cpu]\nhosts = %s\n' "$1" >>"$P/rig.conf"
}

# Settings first: nothing is touched when they are wrong.
conf "$N2 $N3"
printf 'hostz = x\n' >>"$P/rig.conf"
out=$(in_project "$P" "$RIG" up 2>&1) && fail "rig up took an unknown partition key"
grep -q "unknown setting 'hostz' in \[partition cpu\] (did you mean 'hosts'?)" <<<"$out" ||
	fail "no 'did you mean' for a mistyped partition key: $out"
conf "$N2 $N2"
out=$(in_project "$P" "$RIG" up 2>&1) && fail "rig up took a host twice"
grep -q "is in \[partition cpu\] twice" <<<"$out" || fail "no message for a host twice: $out"
conf "$H"
out=$(in_project "$P" "$RIG" up 2>&1) && fail "rig up took the head as a node"
grep -q "is the head" <<<"$out" || fail "no message for the head as a node: $out"
conf "'$N2;reboot'"
out=$(in_project "$P" "$RIG" up 2>&1) && fail "rig up took a host with a ;"
grep -q "is not a host name or address" <<<"$out" || fail "no message for a bad host: $out"
printf '[pool]\nshared_dir = /home/../etc\n' >"$T/bad.conf"
sed -i '/^\[pool\]/,$d' "$P/rig.conf"
cat "$T/bad.conf" >>"$P/rig.conf"
out=$(in_project "$P" "$RIG" up 2>&1) && fail "rig up took shared_dir /home/../etc"
grep -q "shared_dir" <<<"$out" || fail "no message for a bad shared_dir: $out"
[ ! -e "$HOSTS_DIR/h1/etc/slurm/slurm.conf" ] || fail "a refused rig up wrote slurm.conf"

# The nodes' munge keys differ from the head's until rig up copies it.
k1=$(sha256sum <"$HOSTS_DIR/h1/etc/munge/munge.key")
[ "$k1" != "$(sha256sum <"$HOSTS_DIR/h2/etc/munge/munge.key")" ] || fail "the hosts start with one munge key"

conf "$N2 $N3"
in_project "$P" "$RIG" up >"$T/up0.out" 2>&1 && fail "rig up took a node where bob has another uid"
grep -q "node ${PREFIX}h3: account \(alice\|bob\) has another uid there" "$T/up0.out" || fail "no message for bob's uid: $(cat "$T/up0.out")"
pool_root_ssh 3 'userdel -f bob' || fail "userdel bob on node 3"
t0=$(now_ms)
in_project "$P" "$RIG" up >"$T/up1.out" 2>&1 || fail "rig up of the pool: $(cat "$T/up1.out")"
note "rig up of the head and 2 nodes: $(($(now_ms) - t0)) ms"
[ ! -e "$T/pwned" ] || fail "an account's home ran as shell code"
grep -q "account 'evil' is not copied" "$T/up1.out" || fail "no warning for the account evil"
pool_root_ssh 2 'getent passwd evil' && fail "evil was copied to a node"
note "$(grep '^\[pool\]' "$T/up1.out")"
for i in 2 3; do
	[ "$(sha256sum <"$HOSTS_DIR/h$i/etc/munge/munge.key")" = "$k1" ] || fail "node $i has not the head's munge key"
	[ "$(stat -c '%a %U' "$HOSTS_DIR/h$i/etc/munge/munge.key")" = "400 munge" ] ||
		fail "node $i's munge key is $(stat -c '%a %U' "$HOSTS_DIR/h$i/etc/munge/munge.key"), not 400 munge"
	cmp -s "$HOSTS_DIR/h1/etc/slurm/slurm.conf" "$HOSTS_DIR/h$i/etc/slurm/slurm.conf" ||
		fail "node $i's slurm.conf is not the head's"
	grep -qF "$H:/home /home nfs4 " "$HOSTS_DIR/h$i/etc/fstab" || fail "node $i: no fstab line for /home"
done
sc=$HOSTS_DIR/h1/etc/slurm/slurm.conf
grep -q "^SlurmctldHost=${PREFIX}h1($H)$" "$sc" || fail "slurm.conf: no SlurmctldHost for the head: $(cat "$sc")"
cpus=$(pool_root_ssh 2 'slurmd -C' | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -n 1)
grep -q "^NodeName=${PREFIX}h2 NodeAddr=$N2 CPUs=$cpus " "$sc" || fail "slurm.conf: node h2 not as slurmd -C says: $(cat "$sc")"
grep -q "^PartitionName=cpu Nodes=${PREFIX}h2,${PREFIX}h3 Default=YES" "$sc" || fail "slurm.conf: partition cpu: $(cat "$sc")"
[ -f "$HOSTS_DIR/h1/etc/slurm/cgroup.conf" ] || fail "no cgroup.conf on the head"
grep -q "^/home $N2(rw,sync,no_subtree_check,root_squash) $N3(rw," "$HOSTS_DIR/h1/etc/exports.d/rig-pool.exports" ||
	fail "export line: $(cat "$HOSTS_DIR/h1/etc/exports.d/rig-pool.exports")"
grep -q "NFS export written, not applied: this kernel has no NFS server" "$T/up1.out" || fail "rig up did not say the export is not applied"
grep -q "fstab written, not mounted" "$T/up1.out" || fail "rig up did not say the mount was skipped"

# The head's accounts are on the nodes with the same uids, and run jobs
# there.
name=alice
admin=$(pool_root_ssh 1 "getent passwd $name" | cut -d: -f1,3)
cat "$T/up0.out" "$T/up1.out" | grep -q "account $name added" || fail "rig up did not say it added $name to the nodes"
[ "$(pool_root_ssh 3 'getent passwd bob' | cut -d: -f3)" = "$(pool_root_ssh 1 'getent passwd bob' | cut -d: -f3)" ] ||
	fail "bob on node 3 has not the head's uid" 
for i in 2 3; do
	[ "$(pool_root_ssh "$i" "getent passwd $name" | cut -d: -f3)" = "${admin#*:}" ] ||
		fail "account $name is not on node $i with uid ${admin#*:}"
done
pool_root_ssh 1 "sinfo -h -N -o '%N %t'" >"$T/sinfo" || fail "sinfo on the head"
grep -q "^${PREFIX}h2 idle" "$T/sinfo" && grep -q "^${PREFIX}h3 idle" "$T/sinfo" || fail "nodes not idle: $(cat "$T/sinfo")"
out=$(pool_root_ssh 1 "cd /tmp && runuser -u $name -- srun -N2 -l sh -c 'echo \$(hostname) \$(id -un)'" 2>&1) ||
	fail "srun as $name: $out"
grep -q "${PREFIX}h2 $name" <<<"$out" && grep -q "${PREFIX}h3 $name" <<<"$out" || fail "srun did not run on both nodes as $name: $out"
jid=$(pool_root_ssh 1 "cd /home/$name && runuser -u $name -- sbatch --parsable -o /home/$name/job.out --wrap 'hostname; id -un'") ||
	fail "sbatch as $name"
for _ in $(seq 1 100); do [ -s "$POOL_HOME/$name/job.out" ] && break; sleep 0.2; done
grep -q "^${PREFIX}h[23]$" "$POOL_HOME/$name/job.out" && grep -q "^$name$" "$POOL_HOME/$name/job.out" ||
	fail "batch job $jid: $(cat "$POOL_HOME/$name/job.out" 2>&1)"

# Again: nothing changes (no file written, no daemon restarted).
pid_ctld=$(pool_root_ssh 1 'cat /run/slurmctld.pid')
pid_d2=$(pool_root_ssh 2 'cat /run/slurmd.pid')
t0=$(now_ms)
in_project "$P" "$RIG" up >"$T/up2.out" 2>&1 || fail "second rig up: $(cat "$T/up2.out")"
note "rig up again, nothing to change: $(($(now_ms) - t0)) ms"
grep -q "slurm.conf unchanged; slurmctld running" "$T/up2.out" || fail "second rig up changed the head: $(grep '^\[pool\]' "$T/up2.out")"
grep "^\[pool\] node" "$T/up2.out" | grep -q "(re)started\|key copied\|added" && fail "second rig up changed a node: $(grep '^\[pool\]' "$T/up2.out")"
[ "$(pool_root_ssh 1 'cat /run/slurmctld.pid')" = "$pid_ctld" ] || fail "slurmctld restarted by a second rig up"
[ "$(pool_root_ssh 2 'cat /run/slurmd.pid')" = "$pid_d2" ] || fail "slurmd restarted by a second rig up"

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
note "pool up, again unchanged, a node added and one removed"

# A node that does not answer: rig up says which, and the pool is as it was.
cp "$sc" "$T/sc.before"
conf "$N2 $N4 $HOSTS_NET.99"
in_project "$P" "$RIG" up >"$T/up5.out" 2>&1 && fail "rig up with an unreachable node succeeded"
grep -q "cannot reach $HOSTS_NET.99 port 22" "$T/up5.out" || fail "no message names the unreachable node: $(tail -n 3 "$T/up5.out")"
cmp -s "$sc" "$T/sc.before" || fail "slurm.conf changed by a failed rig up"
note "an unreachable node: $(grep -m 1 "$HOSTS_NET.99" "$T/up5.out")"
