#!/bin/bash
# rig up of a pool: a head and two nodes (pool_hosts_up: network, hostname,
# /etc, /run, root and Slurm/munge folders their own; /home shared). Through
# rig only: the head's munge key reaches the nodes, slurm.conf comes from
# the partitions with what slurmd -C saw, the head's accounts appear on the
# nodes with their uids, a job runs on a node as a real user, the NFS export
# and fstab lines are written (and their use skipped: no kernel NFS here),
# a second rig up changes nothing, and bad [pool]/[partition] settings are
# refused. t372: nodes joining and leaving.
. "$(dirname "$0")/lib.sh"

pool_hosts_up 3
H=$(host_addr 1)
N2=$(host_addr 2)
N3=$(host_addr 3)
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
note "pool up, again unchanged"
