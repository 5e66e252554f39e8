#!/bin/bash
# An impostor at an azure node's address gets no secret of the pool
# (lib-azpool.sh; the ARM double does not play cloud-init here, so h4,
# at the address the node's NIC gets, keeps an sshd key of its own, as a
# machine that took the address would): rig pool power up makes the VM
# and pins the host key it made for it, then refuses h4's key before
# anything is sent: h4 keeps its own munge key and gets no account nor
# slurmd, the node is marked down with the reason, its VM deallocated
# again at once, and alice's job stays pending. The head's key for its nodes is root's alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-azpool.sh"

azpool_up
cp "$HOSTS_DIR/h4/etc/munge/munge.key" "$T/h4-munge.key"
JOB=$(az_submit)
for _ in $(seq 1 240); do
	s=$(pool_root_ssh 1 "sinfo -h -N -o '%N %t %E'" | grep "^$NODE ")
	grep -q "^$NODE down" <<<"$s" && break
	sleep 0.5
done
grep -q "^$NODE down.* rig: not set up: ssh to $NA failed" <<<"$s" ||
	fail "$NODE not down with the reason: $s; $(cat "$RLOG")"
grep -q "host key of $NA is not the one seen before" "$RLOG" || fail "no word of the changed key: $(cat "$RLOG")"
note "$NODE: $s"
# Not left running (and billed) until Slurm's ResumeTimeout (120 s here)
# gives up on it: deallocated at once.
azure_wait_power "m1-$NODE" deallocated || fail "$NODE's VM not deallocated after its failed set-up: $(azure_vm_power "m1-$NODE"); $(cat "$RLOG")"
grep -q "node $NODE: not set up: powered down again" "$RLOG" || fail "no word of the power down: $(cat "$RLOG")"
# The host key the head made is pinned, and is not h4's.
NK=$HOSTS_DIR/h1/var/lib/rig/pool/nodes/$NODE
grep -qxF "$NA $(cut -d' ' -f1,2 "$NK/host_ed25519.pub")" "$NK/known_hosts" || fail "no pin: $(cat "$NK/known_hosts")"
[ "$(ssh-keygen -y -f "$HOSTS_DIR/h4/hostkey" | cut -d' ' -f2)" != "$(cut -d' ' -f2 "$NK/host_ed25519.pub")" ] ||
	fail "h4 has the node's key: not an impostor"
# Nothing reached the impostor.
cmp -s "$T/h4-munge.key" "$HOSTS_DIR/h4/etc/munge/munge.key" || fail "the impostor's munge key was changed"
cmp -s "$HOSTS_DIR/h1/etc/munge/munge.key" "$HOSTS_DIR/h4/etc/munge/munge.key" && fail "the impostor has the pool's munge key"
grep -q '^alice:' "$HOSTS_DIR/h4/etc/passwd" && fail "alice's account made on the impostor"
[ -e "$HOSTS_DIR/h4/etc/slurm/slurm.conf" ] && grep -q "$NODE" "$HOSTS_DIR/h4/etc/slurm/slurm.conf" && fail "slurm.conf sent to the impostor"
[ -s "$HOSTS_DIR/h4/run/slurmd.pid" ] && fail "slurmd started on the impostor"
# alice's job waits: its node is down.
st=$(pool_root_ssh 1 "squeue -h -j $JOB -o '%T'")
[ "$st" = PENDING ] || fail "job $JOB is $st, not pending"
[ ! -e "$POOL_HOME/alice/out-$JOB.txt" ] || fail "job $JOB ran: $(cat "$POOL_HOME/alice/out-$JOB.txt")"

# The head's key for its nodes: root's, 0600, not alice's to read.
[ "$(stat -c '%U %a' "$HOSTS_DIR/h1/etc/rig/pool_ssh_key")" = "root 600" ] || fail "the pool key is not root's 0600"
out=$(pool_root_ssh 1 "su - alice -c 'cat /etc/rig/pool_ssh_key'" 2>&1) && fail "alice read the pool key: $out"
grep -q "Permission denied" <<<"$out" || fail "alice's read of the pool key: $out"
# A pool key someone else could read is not used: no login with it.
chmod 644 "$HOSTS_DIR/h1/etc/rig/pool_ssh_key"
pool_root_ssh 1 "scontrol update nodename=$NODE state=resume" >/dev/null 2>&1
out=$(pool_root_ssh 1 "/usr/local/lib/rig/rig pool power up $NODE" 2>&1) && fail "power up with a readable pool key: $out"
grep -q "pool_ssh_key is not root's alone" <<<"$out" || fail "no word of the readable key: $out"
azure_violations
