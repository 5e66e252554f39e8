#!/bin/bash
# Scale to zero with azure nodes, against the ARM test double (Microsoft's
# oav validates every compute request): a head VM m1 exists in the
# double (its group, vnet, subnet and NIC, made here as rig up would
# have); rig pool power, as root in a mount namespace of its own (its
# /etc/rig and /var/lib/rig are private overlays), powers [partition gpu]
# nodes. Up makes the node's VM from the head's image with a NIC on the
# head's subnet and no public IP, and gives Slurm its private address;
# down deallocates; up again starts the same VM (no second create); a
# node deallocated longer than node_delete_after is deleted (VM, NIC,
# disk) at the next power operation (the deallocation time is a file of
# root's, back-dated here); a create the double fails marks the node down
# with ARM's error. Slurm itself is a stand-in scontrol/squeue that
# records its arguments (the real Slurm side is t390-t392's). The node's
# VM gets the head's own key beside the laptop's and a host key the head
# made, pinned for its address; the head's set-up over SSH then finds no
# VM of that key at the address (the subnet is loopback's here: t394 has
# a VM that answers), marks the node down and deallocates its VM again at
# once (not billed until Slurm's ResumeTimeout).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-azpool.sh"

azure_double_up --polls 1
SUB=00000000-0000-0000-0000-000000000000
RG=/subscriptions/$SUB/resourceGroups/rig-m1
NET=$RG/providers/Microsoft.Network
CV=api-version=2021-03-01
NV=api-version=2020-06-01
TOK=$(curl -s "$AZ_URL/tenant-1/oauth2/v2.0/token" -d grant_type=client_credentials -d client_id=client-1 \
	-d client_secret=secret-1 --data-urlencode scope=https://management.azure.com/.default | json 'd["access_token"]')
[ -n "$TOK" ] || fail "no token from the double"
# settle PATH: az_settle (lib-azpool.sh), then the resource Succeeded.
settle() {
	az_settle "$1"
	[ "$(json 'd["properties"].get("provisioningState")' <"$T/body")" = Succeeded ] || fail "$1 not Succeeded: $(cat "$T/body")"
}

# The head as rig up makes it: group, vnet with its subnet, NIC, VM.
az_arm PUT "/subscriptions/$SUB/resourcegroups/rig-m1?$NV" '{"location":"westeurope"}'
az_arm PUT "$NET/virtualNetworks/m1-vnet?$NV" '{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["127.0.0.0/16"]},"subnets":[{"name":"default","properties":{"addressPrefix":"127.0.0.0/24"}}]}}'
settle "$NET/virtualNetworks/m1-vnet?$NV"
SUBNET=$NET/virtualNetworks/m1-vnet/subnets/default
az_arm PUT "$NET/networkInterfaces/m1-nic?$NV" "{\"location\":\"westeurope\",\"properties\":{\"ipConfigurations\":[{\"name\":\"ipconfig1\",\"properties\":{\"subnet\":{\"id\":\"$SUBNET\"},\"privateIPAllocationMethod\":\"Dynamic\"}}]}}"
settle "$NET/networkInterfaces/m1-nic?$NV"
KEY="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRpZ2h0LWtleS1mb3ItdGhlLWRvdWJsZQ rig@test"
az_arm PUT "$RG/providers/Microsoft.Compute/virtualMachines/m1?$CV" "{\"location\":\"westeurope\",\"properties\":{
 \"hardwareProfile\":{\"vmSize\":\"Standard_D4s_v5\"},
 \"storageProfile\":{\"imageReference\":{\"publisher\":\"microsoft-dsvm\",\"offer\":\"ubuntu-2204\",\"sku\":\"2204-gen2\",\"version\":\"latest\"},
   \"osDisk\":{\"createOption\":\"FromImage\",\"managedDisk\":{\"storageAccountType\":\"StandardSSD_LRS\"}}},
 \"osProfile\":{\"computerName\":\"m1\",\"adminUsername\":\"rig\",
   \"linuxConfiguration\":{\"disablePasswordAuthentication\":true,\"ssh\":{\"publicKeys\":[{\"path\":\"/home/rig/.ssh/authorized_keys\",\"keyData\":\"$KEY\"}]}}},
 \"networkProfile\":{\"networkInterfaces\":[{\"id\":\"$NET/networkInterfaces/m1-nic\"}]}}}"
settle "$RG/providers/Microsoft.Compute/virtualMachines/m1?$CV"
azure_violations

# Slurm's side, recorded: every call's arguments; a node shows as joined.
mkdir -p "$T/bin"
cat >"$T/bin/scontrol" <<EOS
#!/bin/sh
echo "\$*" >>$T/scontrol.log
case "\$*" in "-o show node "*) echo "NodeName=\$5 State=IDLE+CLOUD" ;; esac
exit 0
EOS
printf '#!/bin/sh\nexit 0\n' >"$T/bin/squeue"
chmod 755 "$T/bin/scontrol" "$T/bin/squeue"
: >"$T/scontrol.log"

# The power configuration rig up writes on the head (slurmconf-power.c;
# its text is checked in the unit tests): the azure partition, the head
# and its [azure] settings.
cat >"$T/pool-power.conf" <<EOC
[pool]
node_resume_timeout = 30

[partition gpu]
provider = azure
size = Standard_NC4as_T4_v3
max_nodes = 2
min_nodes = 0
spot = no
node_delete_after = 604800

[head]
name = m1
provider = azure
user = rig

[azure]
subscription = $SUB
resource_group = rig-m1
location = westeurope
arm_endpoint = $AZ_URL
login_endpoint = $AZ_URL
prices_endpoint = $AZ_URL

[nodes]
gpu-1 = gpu gpu-1
gpu-2 = gpu gpu-2
EOC
mkdir -p "$T"/ov/{e,ew,v,vw}
# power ARGS...: rig pool power ARGS as root in the private namespace.
power() {
	unshare -m bash -c '
mount --make-rprivate / &&
mount -t overlay overlay -o lowerdir=/etc,upperdir='"$T"'/ov/e,workdir='"$T"'/ov/ew /etc &&
mount -t overlay overlay -o lowerdir=/var/lib,upperdir='"$T"'/ov/v,workdir='"$T"'/ov/vw /var/lib || exit 99
mkdir -p /etc/rig /etc/slurm && chmod 755 /etc/rig &&
install -m600 '"$T"'/pool-power.conf /etc/rig/pool-power.conf &&
echo "SlurmctldHost=m1(127.0.0.1)" >/etc/slurm/slurm.conf || exit 98
if [ -n "$BUSY" ]; then
	mkdir -p /var/lib/rig/pool/power && rm -f '"$T"'/busy &&
	flock /var/lib/rig/pool/power/$BUSY.lock -c "touch '"$T"'/busy; sleep 2" &
	while [ ! -e '"$T"'/busy ]; do sleep 0.1; done
fi
PATH='"$T"'/bin:$PATH exec ${HOLD:+flock /var/lib/rig/pool/azure-nodes/$HOLD.lock} "$0" pool power "$@"' "$RIG" "$@"
}
MARK=$T/ov/v/rig/pool/azure-nodes
# up_unset NODE OUT: rig pool power up NODE: the VM is made or started,
# the set-up over SSH finds no VM of the pinned key at its address, and
# the VM is deallocated again at once.
up_unset() {
	power up "$1" >"$2" 2>&1 && fail "power up $1 set up a node that is not there: $(cat "$2")"
	grep -q "node $1: not set up: ssh to 127\.0\.0\.[0-9]* failed" "$2" || fail "power up $1: $(cat "$2")"
	grep -q "node $1: not set up: powered down again" "$2" || fail "power up $1: not powered down again: $(cat "$2")"
	[ "$(azure_vm_power "m1-$1")" = deallocated ] || fail "$1's VM left $(azure_vm_power "m1-$1") after its failed set-up: $(cat "$2")"
	[ -f "$MARK/$1.deallocated" ] || fail "$1's deallocation not noted: $(cat "$2")"
}

# Up, first use: the VM is made.
up_unset gpu-1 "$T/up1.out"
curl -s "$AZ_URL/_double/state" >"$T/state.json"
$PY - "$T/state.json" "$SUBNET" <<'PY' >"$T/nic.addr" || fail "the node's NIC: $(cat "$T/nic.addr")"
import json, sys
r = json.load(open(sys.argv[1]))["resources"]
nic = [v for k, v in r.items() if k.endswith("/networkinterfaces/m1-gpu-1-nic")]
assert len(nic) == 1, "no NIC m1-gpu-1-nic"
ipc = nic[0]["body"]["properties"]["ipConfigurations"]
assert len(ipc) == 1
p = ipc[0]["properties"]
assert "publicIPAddress" not in p, "the node's NIC has a public IP"
assert p["subnet"]["id"].lower() == sys.argv[2].lower(), p["subnet"]["id"]
vm = [v for k, v in r.items() if k.endswith("/virtualmachines/m1-gpu-1")][0]["body"]
assert vm["properties"]["hardwareProfile"]["vmSize"] == "Standard_NC4as_T4_v3"
img = vm["properties"]["storageProfile"]["imageReference"]
assert (img["publisher"], img["offer"], img["sku"]) == ("microsoft-dsvm", "ubuntu-2204", "2204-gen2"), img
assert "identity" not in vm, "a node needs no identity"
# Its disk and NIC go with it when it is deleted.
assert vm["properties"]["storageProfile"]["osDisk"].get("deleteOption") == "Delete", vm["properties"]["storageProfile"]
assert vm["properties"]["networkProfile"]["networkInterfaces"][0]["properties"]["deleteOption"] == "Delete"
assert not any(k.endswith("/publicipaddresses/m1-gpu-1-ip") for k in r), "a public IP was made"
print(p["privateIPAddress"])
PY
ADDR=$(cat "$T/nic.addr")
# The head's own key (root's, made now) beside the laptop's; the node's
# host key pinned for its address.
[ "$(stat -c '%U %a' "$T/ov/e/rig/pool_ssh_key")" = "root 600" ] || fail "the head's pool key is not root's alone"
curl -s "$AZ_URL/_double/state" | $PY -c '
import json, sys
r = json.load(sys.stdin)["resources"]
vm = [v for k, v in r.items() if k.endswith("/virtualmachines/m1-gpu-1")][0]["body"]
keys = [k["keyData"].strip() for k in vm["properties"]["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"]]
assert keys == [sys.argv[1], sys.argv[2]], keys' "$KEY" "$(cut -d' ' -f1,2 "$T/ov/e/rig/pool_ssh_key.pub")" ||
	fail "the node's VM has not the laptop's and the head's keys"
NK=$T/ov/v/rig/pool/nodes/gpu-1
grep -qxF "$ADDR $(cut -d' ' -f1,2 "$NK/host_ed25519.pub")" "$NK/known_hosts" || fail "the node's host key not pinned: $(cat "$NK/known_hosts")"
grep -qx "update nodename=gpu-1 nodeaddr=$ADDR nodehostname=gpu-1" "$T/scontrol.log" ||
	fail "Slurm not given gpu-1's address $ADDR: $(cat "$T/scontrol.log")"
[ "$(azure_count 'PUT VirtualMachines_CreateOrUpdate')" = 2 ] || fail "VM creates: $(azure_count 'PUT VirtualMachines_CreateOrUpdate') (the head's and gpu-1's)"
note "power up gpu-1: VM m1-gpu-1 made at $ADDR on the head's subnet, no public IP"

# Down: deallocated, and when noted.
power down gpu-1 >"$T/down1.out" 2>&1 || fail "rig pool power down gpu-1: $(cat "$T/down1.out")"
[ "$(azure_vm_power m1-gpu-1)" = deallocated ] || fail "gpu-1 not deallocated: $(azure_vm_power m1-gpu-1)"
[ -f "$MARK/gpu-1.deallocated" ] || fail "no deallocation noted: $(ls -R "$T/ov/v")"
[ "$(stat -c '%U %a' "$MARK/gpu-1.deallocated")" = "root 600" ] || fail "the mark is not root's alone"

# Up again: started, not made again (and deallocated again, its set-up
# failing: noted anew, not as of the first deallocation). Another power
# operation on gpu-1 under way (its power lock held, as rig pool power by
# hand would hold it through its set-up): this one waits for it.
echo "$(($(date +%s) - 3600)) 604800" >"$MARK/gpu-1.deallocated"
BUSY=gpu-1 up_unset gpu-1 "$T/up2.out"
grep -q "node gpu-1: waiting for another power operation on it" "$T/up2.out" || fail "no wait for the other operation: $(cat "$T/up2.out")"
[ "$(azure_count 'PUT VirtualMachines_CreateOrUpdate')" = 2 ] || fail "a second create of gpu-1"
[ "$(azure_count 'POST VirtualMachines_Start')" = 1 ] || fail "gpu-1 not started: $(azure_count 'POST VirtualMachines_Start')"
[ "$(($(date +%s) - $(cut -d' ' -f1 "$MARK/gpu-1.deallocated")))" -lt 600 ] || fail "gpu-1's deallocation is the old one: $(cat "$MARK/gpu-1.deallocated")"

# A create that fails: gpu-2 down with ARM's error as the reason.
azure_faults '[{"match":{"method":"PUT","path":"/virtualMachines/m1-gpu-2$"},"kind":"error","status":409,"code":"QuotaExceeded","message":"Operation could not be completed as it results in exceeding approved quota."}]'
power up gpu-2 >"$T/up3.out" 2>&1 && fail "power up gpu-2 succeeded under a QuotaExceeded fault"
grep -q "update nodename=gpu-2 state=down reason=rig: azure: VM m1-gpu-2: .*QuotaExceeded" "$T/scontrol.log" ||
	fail "gpu-2 not down with the reason: $(cat "$T/scontrol.log")"
grep -q "update nodename=gpu-2 nodeaddr" "$T/scontrol.log" && fail "an address given for a node that failed"
curl -s -X DELETE "$AZ_URL/_double/faults" >/dev/null

# Deallocated longer than node_delete_after (7 days): deleted at the
# next power operation, its NIC and disk too; one deallocated a day ago
# is kept.
power down gpu-1 >"$T/down2.out" 2>&1 || fail "power down gpu-1: $(cat "$T/down2.out")"
echo "$(($(date +%s) - 86400)) 604800" >"$MARK/gpu-1.deallocated"
power down gpu-2 >"$T/down3.out" 2>&1 || fail "power down gpu-2: $(cat "$T/down3.out")"
[ "$(azure_vm_power m1-gpu-1)" = deallocated ] || fail "gpu-1 deleted after one day"
echo "$(($(date +%s) - 8 * 86400)) 604800" >"$MARK/gpu-1.deallocated"
# A racing power operation on gpu-1 (its lock held, as rig pool power up
# gpu-1 would hold it): the sweep leaves it alone.
HOLD=gpu-1 power down gpu-2 >"$T/down4a.out" 2>&1 || fail "power down gpu-2 (gpu-1 locked): $(cat "$T/down4a.out")"
[ "$(azure_vm_power m1-gpu-1)" = deallocated ] || fail "gpu-1 deleted while being powered: $(cat "$T/down4a.out")"
grep -q "node gpu-1: being powered: not deleted now" "$T/down4a.out" || fail "no word of the skipped node: $(cat "$T/down4a.out")"
power down gpu-2 >"$T/down4.out" 2>&1 || fail "power down gpu-2: $(cat "$T/down4.out")"
curl -s "$AZ_URL/_double/state" >"$T/state2.json"
$PY - "$T/state2.json" <<'PY' || fail "gpu-1 not deleted: see $T/state2.json; $(cat "$T/down4.out")"
import json, sys
r = json.load(open(sys.argv[1]))["resources"]
left = [k for k in r if "m1-gpu-1" in k.lower()]
assert not left, left
assert any(k.endswith("/virtualmachines/m1") for k in r), "the head went too"
PY
[ ! -f "$MARK/gpu-1.deallocated" ] || fail "a deleted node still marked"
note "gpu-1 deleted after 8 days deallocated, kept after 1"

# spot = yes: the node's VM is a Spot VM, deallocated when evicted.
sed -i 's/^spot = no$/spot = yes/' "$T/pool-power.conf"
up_unset gpu-2 "$T/up4.out"
curl -s "$AZ_URL/_double/state" >"$T/state3.json"
$PY - "$T/state3.json" <<'PY' || fail "gpu-2 not a Spot VM"
import json, sys
r = json.load(open(sys.argv[1]))["resources"]
p = [v for k, v in r.items() if k.endswith("/virtualmachines/m1-gpu-2")][0]["body"]["properties"]
assert p["priority"] == "Spot" and p["evictionPolicy"] == "Deallocate", p
PY
sed -i 's/^spot = yes$/spot = no/' "$T/pool-power.conf"

# Names are checked before anything: shell characters refused.
out=$(power up 'gpu-1;touch /tmp/pwned' 2>&1) && fail "a node name with ';' taken: $out"
grep -q "not a node" <<<"$out" || fail "no message for a bad name: $out"
# No key of a partition asks for a public IP: refused whole, nothing done.
n0=$(wc -l <"$AZ_LOG")
sed -i 's/^spot = no$/spot = no\npublic_ip = yes/' "$T/pool-power.conf"
out=$(power up gpu-2 2>&1) && fail "a partition with public_ip taken: $out"
grep -q "unknown setting 'public_ip' in \[partition gpu\]" <<<"$out" || fail "no message for public_ip: $out"
[ "$(wc -l <"$AZ_LOG")" = "$n0" ] || fail "Azure was called with a refused configuration"
azure_violations
note "the double saw $(wc -l <"$AZ_LOG") requests, none invalid"
