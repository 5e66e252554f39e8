# Shared by the azure node tests (t394, t395; t393 its ARM calls), sourced after lib.sh.
#
# azpool_up [cloud-init]: a real Slurm head whose azure partition's
# nodes are made in the ARM test double. Hosts (pool_hosts_up 4): h1 the
# head, h2 the node of a [partition cpu] (power_on/power_off that do
# nothing: rig up writes power saving's files, sudoers rule and root's
# rig only for a pool with powered nodes), h3 stands for the head's own
# NIC address in the double, h4 plays the VM the double makes for node
# $NODE: the double hands NICs .4, .5, ... of the subnet
# (arm-network.js assignAddresses), and the test makes the subnet the
# hosts' own /24, so the first node's NIC is h4's address. As Azure's
# provisioning agent would, the double writes the VM's publicKeys to
# h4's login ($HOST_USER, who may sudo there, as Azure's admin may) and,
# as cloud-init would, the host key of its customData to h4's sshd key
# (with 'cloud-init'; without, h4's sshd keeps its own key); h4's host name is the node's, as
# computerName makes it. rig pool power runs on the head as root from
# slurmctld's ResumeProgram and reaches the double as the head's managed
# identity through IMDS (forwarded into h1), with a role on the head's
# group (as rig up gives it).
#
# The head's pool is set up by rig up (slurmctld, munge, accounts, the
# power configuration); then the azure partition is added to its
# slurm.conf and power configuration as rig up writes them for an azure
# head (slurmconf.c, slurmconf-power.c: checked in the unit tests), and
# slurmctld restarted: rig up of an azure pool is t396 and t397.
# Sets H, P, PART (the partition), NODE (its node), NA (h4's address),
# RLOG (the power log on the head), SUB, RG.
azpool_up() {
	local h4 port sshpid
	POOL_UID_MIN=$(pool_uid_min)
	pool_hosts_up 4
	H=$(host_addr 1)
	NA=$(host_addr 4)
	PART=${PREFIX}gpu
	NODE=$PART-1
	h4=$HOSTS_DIR/h4
	RLOG=$HOSTS_DIR/h1/var/log/slurm/rig-power.log
	# The head's root state (POOL_POWER_STATE) its own, not this
	# machine's /var/lib/rig.
	mkdir -p /var/lib/rig "$HOSTS_DIR/h1/var/lib/rig"
	chmod 700 "$HOSTS_DIR/h1/var/lib/rig"
	nsenter -t "$(cat "$HOSTS_DIR/h1/sshd.pid")" -m mount --bind "$HOSTS_DIR/h1/var/lib/rig" /var/lib/rig ||
		fail "bind /var/lib/rig on the head"
	# The VM: its admin may sudo; its host name the node's; its slurmd
	# says it booted now (slurmctld waits for a node it powers up to
	# have booted since: these hosts share the kernel's uptime).
	printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$HOST_USER" >"$h4/etc/sudoers.d/azure-admin"
	chmod 440 "$h4/etc/sudoers.d/azure-admin"
	mkdir -p "$h4/real"
	cp /usr/sbin/slurmd "$h4/real/slurmd"
	printf '#!/bin/sh\nexec %s/real/slurmd -b "$@"\n' "$h4" >"$h4/slurmd"
	chmod 755 "$h4/slurmd"
	sshpid=$(cat "$h4/sshd.pid")
	nsenter -t "$sshpid" -m -u sh -c "mount --bind $h4/slurmd /usr/sbin/slurmd && hostname $NODE" ||
		fail "h4 as the node's VM"

	azure_double_up --polls 1 --imds-vm m1 --authorized-keys "$h4/home/$HOST_USER/.ssh/authorized_keys" \
		${1:+--host-key "$h4/hostkey"}
	NS=${PREFIX}h1
	azure_imds_in_host
	SUB=00000000-0000-0000-0000-000000000000
	RG=/subscriptions/$SUB/resourceGroups/rig-m1
	local net=$RG/providers/Microsoft.Network nv=api-version=2020-06-01 cv=api-version=2021-03-01
	TOK=$(curl -s "$AZ_URL/tenant-1/oauth2/v2.0/token" -d grant_type=client_credentials -d client_id=client-1 \
		-d client_secret=secret-1 --data-urlencode scope=https://management.azure.com/.default | json 'd["access_token"]')
	[ -n "$TOK" ] || fail "no token from the double"
	# The head as rig up makes it: group, vnet and subnet (the hosts'
	# /24), NIC, VM with a managed identity and the laptop's key.
	az_arm PUT "/subscriptions/$SUB/resourcegroups/rig-m1?$nv" '{"location":"westeurope"}'
	az_arm PUT "$net/virtualNetworks/m1-vnet?$nv" "{\"location\":\"westeurope\",\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"$HOSTS_NET.0/24\"]},\"subnets\":[{\"name\":\"default\",\"properties\":{\"addressPrefix\":\"$HOSTS_NET.0/24\"}}]}}"
	az_settle "$net/virtualNetworks/m1-vnet?$nv"
	az_arm PUT "$net/networkInterfaces/m1-nic?$nv" "{\"location\":\"westeurope\",\"properties\":{\"ipConfigurations\":[{\"name\":\"ipconfig1\",\"properties\":{\"subnet\":{\"id\":\"$net/virtualNetworks/m1-vnet/subnets/default\"},\"privateIPAllocationMethod\":\"Dynamic\"}}]}}"
	az_settle "$net/networkInterfaces/m1-nic?$nv"
	az_arm PUT "$RG/providers/Microsoft.Compute/virtualMachines/m1?$cv" "{\"location\":\"westeurope\",\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":{
 \"hardwareProfile\":{\"vmSize\":\"Standard_D4s_v5\"},
 \"storageProfile\":{\"imageReference\":{\"publisher\":\"microsoft-dsvm\",\"offer\":\"ubuntu-2204\",\"sku\":\"2204-gen2\",\"version\":\"latest\"},
   \"osDisk\":{\"createOption\":\"FromImage\",\"managedDisk\":{\"storageAccountType\":\"StandardSSD_LRS\"}}},
 \"osProfile\":{\"computerName\":\"m1\",\"adminUsername\":\"$HOST_USER\",
   \"linuxConfiguration\":{\"disablePasswordAuthentication\":true,\"ssh\":{\"publicKeys\":[{\"path\":\"/home/$HOST_USER/.ssh/authorized_keys\",\"keyData\":\"$(cat "$HOST_KEY.pub")\"}]}}},
 \"networkProfile\":{\"networkInterfaces\":[{\"id\":\"$net/networkInterfaces/m1-nic\"}]}}}"
	az_settle "$RG/providers/Microsoft.Compute/virtualMachines/m1?$cv"
	local principal
	principal=$(json 'd["identity"]["principalId"]' <"$T/body")
	# Contributor on the head's group, for its nodes.
	az_arm PUT "$RG/providers/Microsoft.Authorization/roleAssignments/$(cat /proc/sys/kernel/random/uuid)?api-version=2022-04-01" \
		"{\"properties\":{\"roleDefinitionId\":\"/subscriptions/$SUB/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c\",\"principalId\":\"$principal\",\"principalType\":\"ServicePrincipal\"}}"

	P=$T/proj
	project_init "$P" 1 --user root
	pool_root_ssh 1 'useradd -m -s /bin/bash alice' || fail "useradd on the head"
	sed -i '/^\[pool\]/,$d' "$P/rig.conf"
	cat >>"$P/rig.conf" <<EOC
[pool]
engine = slurm
node_idle_stop = 5s
node_suspend_timeout = 5s
node_resume_timeout = 120s

[partition cpu]
hosts = $(host_addr 2)
power_on = /bin/true {host}
power_off = /bin/true {host}
EOC
	in_project "$P" "$RIG" up >"$T/up.out" 2>&1 || fail "rig up of the pool: $(cat "$T/up.out")"
	# The azure partition as rig up writes it for an azure head.
	local conf=$HOSTS_DIR/h1/etc/rig/pool-power.conf
	grep -q '^shared_dir = /home$' "$conf" || fail "no shared_dir in the power configuration: $(cat "$conf")"
	$PY - "$conf" <<PY || fail "power configuration"
import sys
p = sys.argv[1]
s = open(p).read()
add = """[partition $PART]
provider = azure
size = Standard_D2s_v5
max_nodes = 1
min_nodes = 0
spot = no
node_delete_after = 604800

[head]
name = m1
provider = azure
user = $HOST_USER

[azure]
subscription = $SUB
resource_group = rig-m1
location = westeurope
arm_endpoint = $AZ_URL
login_endpoint = $AZ_URL
prices_endpoint = $AZ_URL

"""
s = s.replace("\n[nodes]\n", "\n" + add + "[nodes]\n") + "$NODE = $PART $NODE\n"
open(p, "w").write(s)
PY
	printf 'NodeName=%s NodeAddr=%s CPUs=1 RealMemory=100 State=CLOUD\nPartitionName=%s Nodes=%s MaxTime=INFINITE State=UP\n' \
		"$NODE" "$NODE" "$PART" "$NODE" >>"$HOSTS_DIR/h1/etc/slurm/slurm.conf"
	pool_root_ssh 1 'kill $(cat /run/slurmctld.pid); for i in $(seq 1 100); do [ -e /run/slurmctld.pid ] || break; kill -0 $(cat /run/slurmctld.pid) 2>/dev/null || break; sleep 0.1; done
		/usr/sbin/slurmctld </dev/null >/dev/null 2>&1' || fail "slurmctld restart"
	for _ in $(seq 1 100); do
		pool_root_ssh 1 "sinfo -h -N -o '%N %t'" 2>/dev/null | grep -q "^$NODE " && return 0
		sleep 0.2
	done
	fail "slurmctld does not show $NODE: $(pool_root_ssh 1 "sinfo -N; tail -5 /var/log/slurm/slurmctld.log")"
}

# az_arm METHOD PATH [JSON]: an ARM call as the test's service principal.
az_arm() {
	local code
	code=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOK" \
		-H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$AZ_URL$2")
	case $code in 200 | 201 | 202) ;; *) fail "$1 $2: $code $(cat "$T/body")" ;; esac
}

# az_settle PATH: polls the last PUT's operation until it succeeds.
az_settle() {
	local op
	op=$(header Azure-AsyncOperation <"$T/hdr")
	[ -n "$op" ] || fail "$1: no Azure-AsyncOperation"
	for _ in $(seq 1 20); do
		az_arm GET "${op#"$AZ_URL"}"
		[ "$(json 'd.get("status")' <"$T/body")" = Succeeded ] && break
		sleep 0.1
	done
	az_arm GET "$1"
}

# az_submit: alice's job on the azure partition (prints its hostname
# into ~/out-JOB.txt on the shared home); its id on standard output.
az_submit() {
	pool_root_ssh 1 "su - alice -c 'sbatch --parsable -p $PART -o /home/alice/out-%j.txt --wrap hostname'" ||
		fail "sbatch"
}
