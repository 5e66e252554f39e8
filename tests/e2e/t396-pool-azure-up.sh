#!/bin/bash
# rig up of a pool on an azure head (the ARM double; the "VM" a
# namespace host with a Slurm host's own /etc, /run and state, whose
# login has password-less sudo as Azure's admin has) with a partition of
# azure nodes: rig up gives the head VM's managed identity Virtual
# Machine Contributor on its resource group, the scope where its nodes
# are made, once (a second rig up finds it), and makes the head's key
# for its nodes (root's /etc/rig/pool_ssh_key, 0600) once; the head's slurm.conf has
# the nodes as State=CLOUD and its power configuration the partition, the
# head, its [azure] section and shared_dir, and names the head at its
# private address, where its nodes reach it.
. "${0%/*}/lib.sh"

HOST_MODE_1=pool
azure_host
printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$U" >"$HOSTS_DIR/h1/etc/sudoers.d/azure-admin"
chmod 440 "$HOSTS_DIR/h1/etc/sudoers.d/azure-admin"
# The head's private address on its network (the first the double gives
# on rig's subnet), where slurmctld is for the nodes, is the host's too.
ip -n "$NS" addr add 10.0.0.4/32 dev lo || fail "the head's private address"
azure_project pool1 -e "s|^port = 8000|port = 8000\nuser_prefix = $PREFIX|"
cat >>rig.conf <<EOC

[pool]
engine = slurm

[partition gpu]
provider = azure
size = Standard_D2s_v5
max_nodes = 2
EOC
"$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
grep -q '^\[pool\] azure     the head may make its nodes: Virtual Machine Contributor on rig-pool1$' "$T/up.out" ||
	fail "no role for the nodes: $(cat "$T/up.out")"
curl -s "$AZ_URL/_double/state" >"$T/state.json"
$PY - "$T/state.json" <<'PY' || fail "the head's role: see $T/state.json"
import json, sys
r = json.load(open(sys.argv[1]))["resources"]
vm = [v for k, v in r.items() if k.endswith("/virtualmachines/pool1")][0]["body"]
principal = vm["identity"]["principalId"]
ras = [v["body"]["properties"] for v in r.values() if v["type"] == "Microsoft.Authorization/roleAssignments"]
mine = [a for a in ras if a["roleDefinitionId"].lower().endswith("/roledefinitions/9980e02c-c2be-4d73-94e8-173b1dc7cf3c")]
assert len(mine) == 1, ras
assert mine[0]["principalId"] == principal, mine
assert mine[0]["scope"].lower() == "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rig-pool1", mine[0]["scope"]
PY
[ "$(azure_count 'PUT RoleAssignments_Create')" = 2 ] || fail "role assignments: $(azure_count 'PUT RoleAssignments_Create') (self-stop and nodes)"
conf=$HOSTS_DIR/h1/etc/slurm/slurm.conf
# slurm.conf names the head at its private address (its NIC's), not the
# public one rig reached it at.
priv=$($PY -c '
import json, sys
r = json.load(open(sys.argv[1]))["resources"]
nic = [v for k, v in r.items() if k.endswith("/networkinterfaces/pool1-nic")][0]["body"]
print(nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"])' "$T/state.json")
grep -qx "SlurmctldHost=${PREFIX}h1($priv)" "$conf" || fail "slurmctld not at the head's private address $priv: $(grep Slurmctld "$conf")"
grep -q '^NodeName=gpu-1 NodeAddr=gpu-1 CPUs=2 .*State=CLOUD$' "$conf" || fail "no gpu-1 in slurm.conf: $(cat "$conf")"
# The hub's API for the jobs (their port reports) at that address too:
# the public one is not on the VM's interface.
hubconf=$(find "$HOSTS_DIR/h1" -name hub.conf -path '*/rig/*' | head -n 1)
[ -n "$hubconf" ] && grep -qx "api_address = $priv" "$hubconf" ||
	fail "the hub's API not at the head's private address $priv: $(grep -s api_address "$hubconf")"
pc=$HOSTS_DIR/h1/etc/rig/pool-power.conf
for l in 'shared_dir = /home' '\[partition gpu\]' 'provider = azure' '\[head\]' 'name = pool1' "user = $U" '\[azure\]' 'subscription = 00000000-0000-0000-0000-000000000000' 'gpu-2 = gpu gpu-2'; do
	grep -qx "$l" "$pc" || fail "no '$l' in the power configuration: $(cat "$pc")"
done

# The head's key for its nodes, root's alone, made once.
[ "$(stat -c '%U %a' "$HOSTS_DIR/h1/etc/rig/pool_ssh_key")" = "root 600" ] || fail "no pool key, or not root's 0600"
key1=$(cat "$HOSTS_DIR/h1/etc/rig/pool_ssh_key.pub")
# Again: the role is there, not made twice; the same key.
"$RIG" up >"$T/up2.out" 2>&1 || fail "rig up again: $(cat "$T/up2.out")"
grep -q 'the head may make its nodes: Virtual Machine Contributor on rig-pool1 (exists)$' "$T/up2.out" ||
	fail "second rig up: $(cat "$T/up2.out")"
[ "$(azure_count 'PUT RoleAssignments_Create')" = 2 ] || fail "a role assignment made twice"
[ "$(cat "$HOSTS_DIR/h1/etc/rig/pool_ssh_key.pub")" = "$key1" ] || fail "the pool key made again"
azure_violations
