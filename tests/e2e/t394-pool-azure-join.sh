#!/bin/bash
# An azure node joins Slurm (lib-azpool.sh: a real slurmctld on a
# namespace head, the ARM double for Azure, namespace host h4 for the
# VM). alice's job on the azure partition makes slurmctld run rig pool
# power up: the VM is made in the double with the head's own key (root's
# /etc/rig/pool_ssh_key, made then) beside the laptop's, and a host key
# the head made in its customData, pinned in the head's known_hosts for
# the node's address; the head sets the node up over SSH (munge key,
# accounts, slurm.conf, slurmd) and the job runs there, printing the
# node's host name. Idle, the node is powered down: its VM deallocated;
# the next job starts it again, set up again harmlessly.
# The double plays cloud-init (--host-key: the key of customData becomes
# h4's sshd key), which nothing in a namespace host would read.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-azpool.sh"

azpool_up cloud-init
note "head up; $NODE in the double's hands"

JOB=$(az_submit)
OUT=$POOL_HOME/alice/out-$JOB.txt
for _ in $(seq 1 300); do
	[ -s "$OUT" ] && break
	sleep 0.5
done
[ -s "$OUT" ] || fail "job $JOB did not run on $NODE: $(pool_root_ssh 1 "squeue; sinfo -N -o '%N %t %E'"); $(cat "$RLOG")"
[ "$(cat "$OUT")" = "$NODE" ] || fail "job $JOB ran on $(cat "$OUT"), not $NODE"
note "job $JOB ran on $NODE: $(grep -c . "$RLOG") lines of power log"
grep -q "node $NODE: set up at $NA" "$RLOG" || fail "no set-up in the power log: $(cat "$RLOG")"

# The VM: the laptop's key and the head's, and a host key of its own.
curl -s "$AZ_URL/_double/state" >"$T/state.json"
$PY - "$T/state.json" "$NODE" "$(cat "$HOST_KEY.pub")" "$(cut -d' ' -f1,2 "$HOSTS_DIR/h1/etc/rig/pool_ssh_key.pub")" <<'PY' || fail "the node's VM: see $T/state.json"
import json, sys
r = json.load(open(sys.argv[1]))["resources"]
vm = [v for k, v in r.items() if k.endswith("/virtualmachines/m1-" + sys.argv[2].lower())]
assert len(vm) == 1, "no VM m1-" + sys.argv[2]
keys = [k["keyData"].strip() for k in vm[0]["body"]["properties"]["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"]]
assert keys == [sys.argv[3].strip(), sys.argv[4].strip()], keys
PY
[ "$(stat -c '%U %a' "$HOSTS_DIR/h1/etc/rig/pool_ssh_key")" = "root 600" ] || fail "the pool key is not root's 0600"
# The node's host key is the one pinned, and it is h4's sshd's.
KH=$HOSTS_DIR/h1/var/lib/rig/pool/nodes/$NODE/known_hosts
grep -qF "$NA $(cut -d' ' -f1,2 "$HOSTS_DIR/h1/var/lib/rig/pool/nodes/$NODE/host_ed25519.pub")" "$KH" ||
	fail "the node's host key is not pinned: $(cat "$KH")"
[ "$(ssh-keygen -y -f "$HOSTS_DIR/h4/hostkey" | cut -d' ' -f2)" = "$(cut -d' ' -f2 "$HOSTS_DIR/h1/var/lib/rig/pool/nodes/$NODE/host_ed25519.pub")" ] ||
	fail "h4's sshd does not have the key the head made"
cmp -s "$HOSTS_DIR/h1/etc/munge/munge.key" "$HOSTS_DIR/h4/etc/munge/munge.key" || fail "the node has not the head's munge key"
grep -q '^alice:' "$HOSTS_DIR/h4/etc/passwd" || fail "alice not on the node"
[ "$(grep '^alice:' "$HOSTS_DIR/h4/etc/passwd" | cut -d: -f3)" = "$(grep '^alice:' "$HOSTS_DIR/h1/etc/passwd" | cut -d: -f3)" ] ||
	fail "alice has another uid on the node"

# Idle: powered down, the VM deallocated.
azure_wait_power "m1-$NODE" deallocated || azure_wait_power "m1-$NODE" deallocated ||
	fail "$NODE's VM not deallocated after idle: $(azure_vm_power "m1-$NODE"); $(cat "$RLOG")"
note "$NODE idle: VM deallocated"

# A deallocated VM has no processes: its slurmd ends as h4's "power"
# goes. The next job starts the same VM (no second create), whose set-up
# runs again harmlessly (the key, accounts and files are there) and
# starts slurmd, and the job runs there.
p=$(cat "$HOSTS_DIR/h4/run/slurmd.pid") && kill "$p"
for _ in $(seq 1 100); do [ -d "/proc/$p" ] || break; sleep 0.1; done
JOB2=$(az_submit)
OUT2=$POOL_HOME/alice/out-$JOB2.txt
for _ in $(seq 1 300); do
	[ -s "$OUT2" ] && break
	sleep 0.5
done
[ "$(cat "$OUT2" 2>/dev/null)" = "$NODE" ] || fail "job $JOB2 did not run on the restarted $NODE: $(cat "$RLOG")"
[ "$(azure_count 'POST VirtualMachines_Start')" = 1 ] || fail "the VM not started again: $(azure_count 'POST VirtualMachines_Start')"
[ "$(azure_count 'PUT VirtualMachines_CreateOrUpdate')" = 2 ] || fail "a second create (the head's and the node's only)"
[ "$(grep -c "node $NODE: set up at $NA" "$RLOG")" = 2 ] || fail "not set up again: $(cat "$RLOG")"
note "job $JOB2 ran on $NODE started again"
azure_violations
