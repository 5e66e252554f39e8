#!/bin/bash
# The ARM double itself (tests/azure/armdouble.js, a TEST DOUBLE), driven
# with curl only, so it is checked before rig's Azure provider is tested
# against it: a token, then a whole machine's resource chain (group, NSG,
# vnet, public IP, NIC, VM, auto-shutdown schedule, role assignment) with
# its LRO polls, the instance view, deallocate/start through the VM's own
# IMDS token, prices paging and the group delete that takes everything with
# it, all without a violation. Then that it can fail: a VM body oav rejects,
# a wrong api-version, an unknown path, a NIC pointing at a subnet nobody
# made, IMDS without "Metadata: true" (each a violation naming why), and the
# scripted faults (429 with Retry-After, expired token, failed LRO, a
# foreign NextPageLink, a dropped connection), which are not violations.
. "${0%/*}/lib.sh"

DOUBLE=$TOP/tests/azure/armdouble.js
for m in oav yaml; do
	[ -d "$TOP/tests/azure/node_modules/$m" ] || fail "$m missing in tests/azure: run scripts/install-deps.sh"
done

t0=$(now_ms)
node "$DOUBLE" --port-file "$T/port" --log "$T/requests.jsonl" --polls 2 \
	--public-ip 10.201.3.2 --authorized-keys "$T/authorized_keys" \
	2>"$T/double.log" &
bg_track $!
for _ in $(seq 1 300); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "the ARM double did not start within 15 s: $(tail -n 5 "$T/double.log")"
note "double ready in $(($(now_ms) - t0)) ms: $(grep -o 'cassettes.*' "$T/double.log")"
D=http://127.0.0.1:$(cat "$T/port")
SUB=00000000-0000-0000-0000-000000000000
S=/subscriptions/$SUB
RG=$S/resourceGroups/rig-m1
NET=$RG/providers/Microsoft.Network
VM=$RG/providers/Microsoft.Compute/virtualMachines/m1
CV=api-version=2021-03-01
NV=api-version=2020-06-01

# req METHOD URL [CURL ARGS...]: prints the status; body in $T/body,
# headers in $T/hdr. Sends $TOK as the bearer token if set.
req() {
	local m=$1 u=$2
	shift 2
	local a=()
	[ -n "${TOK:-}" ] && a=(-H "Authorization: Bearer $TOK")
	curl -s -m 10 -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" "${a[@]}" "$@" "$u" || true
}
# arm METHOD PATH [JSON]: an ARM request to the double.
arm() {
	if [ $# -ge 3 ]; then
		req "$1" "$D$2" -H 'Content-Type: application/json' --data-binary "$3"
	else
		req "$1" "$D$2"
	fi
}
expect() { # expect WANT GOT WHAT
	[ "$2" = "$1" ] || fail "$3: status $2, expected $1: $(head -c 600 "$T/body")"
}
j() { json "$1" <"$T/body"; }
hdr() { header "$1" <"$T/hdr"; }
violations() { curl -s "$D/_double/violations" | json 'len(d)'; }
no_violations() {
	local n
	n=$(violations)
	[ "$n" = 0 ] || fail "$1: $n violation(s): $(curl -s "$D/_double/violations" | head -c 1500)"
}
# last_violation EXPR: EXPR over the newest violation (as v).
last_violation() {
	curl -s "$D/_double/violations" | json "(lambda v: $1)(d[-1])"
}
# settle URL N: polls an Azure-AsyncOperation URL; the first N answers must
# be InProgress with Retry-After, the next one the end (its status printed).
settle() {
	local url=$1 n=$2 i st
	for i in $(seq 1 "$n"); do
		expect 200 "$(req GET "$url")" "poll $i of $url"
		st=$(j 'd["status"]')
		[ "$st" = InProgress ] || fail "poll $i of $url: $st, expected InProgress"
		[ "$(hdr Retry-After)" = 0 ] || fail "poll $i: no Retry-After: 0"
	done
	expect 200 "$(req GET "$url")" "last poll of $url"
	j 'd["status"]'
}

# --- AAD: wrong secret, wrong tenant, then a token ---
FORM=(-d grant_type=client_credentials -d client_id=client-1 --data-urlencode scope=https://management.azure.com/.default)
expect 401 "$(req POST "$D/tenant-1/oauth2/v2.0/token" "${FORM[@]}" -d client_secret=nope)" "wrong secret"
[ "$(j 'd["error"]')" = invalid_client ] || fail "wrong secret: $(cat "$T/body")"
expect 400 "$(req POST "$D/tenant-2/oauth2/v2.0/token" "${FORM[@]}" -d client_secret=secret-1)" "wrong tenant"
expect 200 "$(req POST "$D/tenant-1/oauth2/v2.0/token" "${FORM[@]}" -d client_secret=secret-1)" "token"
[ "$(j 'type(d["expires_in"]).__name__')" = int ] || fail "AAD expires_in must be a number: $(cat "$T/body")"
TOK=$(j 'd["access_token"]')
expect 401 "$(TOK=made-up arm GET "$RG?$NV")" "a token the double never issued"
[ "$(last_violation 'v["kind"]')" = auth ] || fail "a made-up token is an auth violation"
curl -s -X DELETE "$D/_double/violations" >/dev/null

# --- The chain: group ---
expect 201 "$(arm PUT "$S/resourcegroups/rig-m1?$NV" '{"location":"westeurope","tags":{"rig":"m1"}}')" "group PUT"
expect 200 "$(arm PUT "$S/resourceGroups/rig-m1?$NV" '{"location":"westeurope","tags":{"rig":"m1"}}')" "group PUT again"
expect 200 "$(arm GET "$S/RESOURCEGROUPS/RIG-M1?$NV")" "group GET, other casing"
[ "$(j 'd["properties"]["provisioningState"]')" = Succeeded ] || fail "group: $(cat "$T/body")"

# --- NSG, vnet, public IP, NIC: 201 Updating, two InProgress polls, Succeeded ---
net_put() { # net_put TYPE/NAME JSON
	expect 201 "$(arm PUT "$NET/$1?$NV" "$2")" "PUT $1"
	[ "$(j 'd["properties"]["provisioningState"]')" = Updating ] || fail "PUT $1: not Updating"
	local op
	op=$(hdr Azure-AsyncOperation)
	case $op in "$D$S/providers/Microsoft.Network/locations/westeurope/operations/"*) ;; *) fail "PUT $1: Azure-AsyncOperation $op" ;; esac
	[ "$(settle "$op" 2)" = Succeeded ] || fail "PUT $1: the operation did not succeed"
	expect 200 "$(arm GET "$NET/$1?$NV")" "GET $1"
	[ "$(j 'd["properties"]["provisioningState"]')" = Succeeded ] || fail "GET $1: $(head -c 300 "$T/body")"
}
expect 404 "$(arm GET "$NET/networkSecurityGroups/m1-nsg?$NV")" "NSG before"
[ "$(j 'd["error"]["code"]')" = ResourceNotFound ] || fail "NSG 404 body: $(cat "$T/body")"
net_put networkSecurityGroups/m1-nsg '{"location":"westeurope","tags":{"rig":"m1"},"properties":{"securityRules":[
 {"name":"ssh","properties":{"protocol":"Tcp","sourcePortRange":"*","destinationPortRange":"22","sourceAddressPrefix":"198.51.100.7/32","destinationAddressPrefix":"*","access":"Allow","priority":100,"direction":"Inbound"}},
 {"name":"hub","properties":{"protocol":"Tcp","sourcePortRange":"*","destinationPortRanges":["443","8000"],"sourceAddressPrefixes":["198.51.100.7/32"],"destinationAddressPrefix":"*","access":"Allow","priority":110,"direction":"Inbound"}}]}}'
[ "$(j 'len(d["properties"]["defaultSecurityRules"])')" = 6 ] || fail "NSG: the recorded default rules are missing"
grep -q $'\r' "$T/body" || fail "network bodies are \\r\\n pretty-printed as recorded"
net_put virtualNetworks/m1-vnet "{\"location\":\"westeurope\",\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},\"subnets\":[{\"name\":\"default\",\"properties\":{\"addressPrefix\":\"10.0.0.0/24\",\"networkSecurityGroup\":{\"id\":\"$NET/networkSecurityGroups/m1-nsg\"}}}]}}"
net_put publicIPAddresses/m1-ip '{"location":"westeurope","sku":{"name":"Standard"},"properties":{"publicIPAllocationMethod":"Static","dnsSettings":{"domainNameLabel":"rig-m1-abc"}}}'
[ "$(j 'd["properties"]["ipAddress"]')" = 10.201.3.2 ] || fail "public IP: $(cat "$T/body")"
[ "$(j 'd["properties"]["dnsSettings"]["fqdn"]')" = rig-m1-abc.westeurope.cloudapp.azure.com ] || fail "fqdn"
NIC_BODY="{\"location\":\"westeurope\",\"properties\":{\"ipConfigurations\":[{\"name\":\"ipconfig1\",\"properties\":{\"subnet\":{\"id\":\"$NET/virtualNetworks/m1-vnet/subnets/default\"},\"publicIPAddress\":{\"id\":\"$NET/publicIPAddresses/m1-ip\"},\"privateIPAllocationMethod\":\"Dynamic\"}}],\"networkSecurityGroup\":{\"id\":\"$NET/networkSecurityGroups/m1-nsg\"}}}"
net_put networkInterfaces/m1-nic "$NIC_BODY"
[ "$(j 'd["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]')" = 10.0.0.4 ] || fail "NIC address"

# --- VM: oav-valid body, 201 Creating, compute polls, keys written ---
KEY="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRpZ2h0LWtleS1mb3ItdGhlLWRvdWJsZQ rig@test"
VM_BODY="{\"location\":\"westeurope\",\"tags\":{\"rig\":\"m1\"},\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":{
 \"hardwareProfile\":{\"vmSize\":\"Standard_D4s_v5\"},
 \"storageProfile\":{\"imageReference\":{\"publisher\":\"microsoft-dsvm\",\"offer\":\"ubuntu-2204\",\"sku\":\"2204-gen2\",\"version\":\"latest\"},
   \"osDisk\":{\"createOption\":\"FromImage\",\"managedDisk\":{\"storageAccountType\":\"StandardSSD_LRS\"},\"diskSizeGB\":128}},
 \"osProfile\":{\"computerName\":\"m1\",\"adminUsername\":\"rig\",\"customData\":\"I2Nsb3VkLWNvbmZpZwo=\",
   \"linuxConfiguration\":{\"disablePasswordAuthentication\":true,\"ssh\":{\"publicKeys\":[{\"path\":\"/home/rig/.ssh/authorized_keys\",\"keyData\":\"$KEY\"}]}}},
 \"networkProfile\":{\"networkInterfaces\":[{\"id\":\"$NET/networkInterfaces/m1-nic\"}]}}}"
expect 404 "$(arm GET "$VM?\$expand=instanceView&$CV")" "VM before"
expect 201 "$(arm PUT "$VM?$CV" "$VM_BODY")" "VM PUT"
[ "$(j 'd["properties"]["provisioningState"]')" = Creating ] || fail "VM PUT: not Creating"
[ "$(j '"customData" in d["properties"]["osProfile"]')" = false ] || fail "customData must not come back"
OP=$(hdr Azure-AsyncOperation)
case $OP in "$D$S/providers/Microsoft.Compute/locations/westeurope/operations/"*"?$CV") ;; *) fail "VM PUT: Azure-AsyncOperation $OP" ;; esac
[ "$(cat "$T/authorized_keys")" = "$KEY" ] || fail "authorized_keys: $(cat "$T/authorized_keys")"
[ "$(stat -c %a "$T/authorized_keys")" = 600 ] || fail "authorized_keys mode $(stat -c %a "$T/authorized_keys")"
[ "$(settle "$OP" 2)" = Succeeded ] || fail "VM create did not succeed"
[ -n "$(j 'd["endTime"]')" ] || fail "the last compute poll has no endTime"
expect 200 "$(arm GET "$VM?\$expand=instanceView&$CV")" "VM GET expanded"
power() { j '[s["code"] for s in d["properties"]["instanceView"]["statuses"] if s["code"].startswith("PowerState/")][0]'; }
[ "$(power)" = PowerState/running ] || fail "VM not running: $(power)"
PRINCIPAL=$(j 'd["identity"]["principalId"]')
VMID=$(j 'd["id"]')
expect 200 "$(arm GET "$VM/instanceView?$CV")" "instanceView"
first1=$(j 'd["statuses"][0]["code"]')
expect 200 "$(arm GET "$VM/instanceView?$CV")" "instanceView again"
first2=$(j 'd["statuses"][0]["code"]')
[ "$first1" != "$first2" ] || fail "instanceView statuses always in the same order ($first1)"

# --- auto-shutdown schedule: 201 synchronous, the lower-cased id ---
SCHED=$RG/providers/Microsoft.DevTestLab/schedules/shutdown-computevm-m1
expect 201 "$(arm PUT "$SCHED?api-version=2018-09-15" "{\"location\":\"westeurope\",\"properties\":{\"status\":\"Enabled\",\"taskType\":\"ComputeVmShutdownTask\",\"dailyRecurrence\":{\"time\":\"1900\"},\"timeZoneId\":\"UTC\",\"notificationSettings\":{\"status\":\"Disabled\",\"timeInMinutes\":30},\"targetResourceId\":\"$VMID\"}}")" "schedule PUT"
case $(j 'd["id"]') in */resourcegroups/rig-m1/providers/microsoft.devtestlab/schedules/*) ;; *) fail "schedule id quirk: $(j 'd["id"]')" ;; esac
[ "$(j 'd["properties"]["provisioningState"]')" = Succeeded ] || fail "schedule"

# --- role assignment for the VM's identity on the VM ---
RA=$VMID/providers/Microsoft.Authorization/roleAssignments/6f2a1d0e-7b1c-4c8e-9a55-0c1f1e0b7a11
RAV=api-version=2022-04-01
expect 404 "$(arm GET "$RA?$RAV")" "role assignment before"
[ "$(j 'd["error"]["code"]')" = RoleAssignmentNotFound ] || fail "role assignment 404: $(cat "$T/body")"
expect 201 "$(arm PUT "$RA?$RAV" "{\"properties\":{\"roleDefinitionId\":\"$S/providers/Microsoft.Authorization/roleDefinitions/9980e02c-c2be-4d73-94e8-173b1dc7cf3c\",\"principalId\":\"$PRINCIPAL\",\"principalType\":\"ServicePrincipal\"}}")" "role assignment PUT"

# --- IMDS from "inside the VM": its token deallocates and starts it ---
expect 200 "$(req GET "$D/metadata/instance?api-version=2021-02-01" -H 'Metadata: true')" "IMDS instance"
[ "$(j 'd["compute"]["resourceId"]')" = "$VMID" ] || fail "IMDS resourceId: $(j 'd["compute"]["resourceId"]')"
expect 200 "$(req GET "$D/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/" -H 'Metadata: true')" "IMDS token"
[ "$(j 'type(d["expires_in"]).__name__ + type(d["expires_on"]).__name__')" = strstr ] || fail "IMDS expires_* must be strings"
SPTOK=$TOK
TOK=$(j 'd["access_token"]')
expect 202 "$(arm POST "$VM/deallocate?$CV")" "deallocate with the IMDS token"
OP=$(hdr Azure-AsyncOperation)
case $(hdr Location) in *"?monitor=true&$CV") ;; *) fail "deallocate: Location $(hdr Location)" ;; esac
[ "$(settle "$OP" 2)" = Succeeded ] || fail "deallocate did not succeed"
expect 200 "$(arm GET "$VM?\$expand=instanceView&$CV")" "VM after deallocate"
[ "$(power)" = PowerState/deallocated ] || fail "VM not deallocated: $(power)"
expect 403 "$(arm GET "$RG?$NV")" "the IMDS token outside its role's scope"
curl -s -X DELETE "$D/_double/violations" >/dev/null # that 403 was one
TOK=$SPTOK
expect 202 "$(arm POST "$VM/start?$CV")" "start"
[ "$(settle "$(hdr Azure-AsyncOperation)" 2)" = Succeeded ] || fail "start did not succeed"
expect 202 "$(arm POST "$VM/powerOff?$CV")" "powerOff"
[ "$(settle "$(hdr Azure-AsyncOperation)" 2)" = Succeeded ] || fail "powerOff did not succeed"
expect 200 "$(arm GET "$VM?\$expand=instanceView&$CV")" "VM after powerOff"
[ "$(power)" = PowerState/stopped ] || fail "VM not stopped: $(power)"
curl -s -X POST -d '{"name":"m1","power":"running"}' "$D/_double/vm-power" >/dev/null
expect 200 "$(arm GET "$VM/instanceView?$CV")" "instanceView after vm-power"
[ "$(j '[s["code"] for s in d["statuses"] if s["code"].startswith("PowerState/")][0]')" = PowerState/running ] || fail "vm-power"

# --- prices: pages of 2 on the double's own host, until null ---
F="\$filter=serviceName%20eq%20%27Virtual%20Machines%27%20and%20armRegionName%20eq%20%27westeurope%27%20and%20armSkuName%20eq%20%27Standard_D4s_v5%27%20and%20priceType%20eq%20%27Consumption%27"
url="$D/api/retail/prices?$F"
rows=0 pages=0 linux=
while [ -n "$url" ] && [ "$url" != null ]; do
	expect 200 "$(req GET "$url")" "prices page $pages"
	[ "$(j 'len(d["Items"]) <= 2 and d["Count"] == len(d["Items"])')" = true ] || fail "prices page: $(head -c 300 "$T/body")"
	rows=$((rows + $(j 'd["Count"]')))
	pages=$((pages + 1))
	linux=$linux$(j '"".join(str(i["retailPrice"]) for i in d["Items"] if " Windows" not in i["productName"] and not i["skuName"].endswith(("Spot", "Low Priority")))')
	url=$(j 'd["NextPageLink"]')
	case $url in "" | null | "$D/api/retail/prices?"*"&\$skip="*) ;; *) fail "NextPageLink off the double: $url" ;; esac
done
[ "$rows $pages" = "6 3" ] || fail "prices: $rows rows in $pages pages, expected 6 in 3"
[ -n "$linux" ] || fail "no Linux pay-as-you-go row"
expect 200 "$(req GET "$D/api/retail/prices?\$filter=serviceName%20eq%20%27Storage%27%20and%20armRegionName%20eq%20%27westeurope%27%20and%20skuName%20eq%20%27E10%20LRS%27")" "disk price"
[ "$(j 'd["Items"][0]["unitOfMeasure"]')" = 1/Month ] || fail "disk price: $(cat "$T/body")"

no_violations "the valid chain"

# --- It refuses what is wrong, and says why ---
BAD=$(printf '%s' "$VM_BODY" | $PY -c 'import json,sys; b=json.load(sys.stdin); del b["location"]; b["properties"]["hardwareProfile"]["vmSize"]=42; print(json.dumps(b))')
expect 400 "$(arm PUT "$RG/providers/Microsoft.Compute/virtualMachines/m2?$CV" "$BAD")" "VM without location, vmSize 42"
codes=$(last_violation '" ".join(sorted(e["code"] for e in v["errors"]))')
[ "$codes" = "INVALID_TYPE OBJECT_MISSING_REQUIRED_PROPERTY" ] || fail "oav errors: $codes"
[ "$(last_violation 'v["operationId"]')" = VirtualMachines_CreateOrUpdate ] || fail "violation operation"
expect 400 "$(arm GET "$VM?api-version=2020-06-01")" "compute with the network's api-version"
[ "$(j 'd["error"]["code"]')" = NoRegisteredProviderFound ] || fail "api-version: $(cat "$T/body")"
[ "$(last_violation 'v["kind"]')" = api-version ] || fail "api-version violation"
expect 400 "$(arm POST "$VM/dealocate?$CV")" "a misspelt action"
[ "$(last_violation 'v["kind"]')" = unknown-operation ] || fail "unknown compute operation"
expect 400 "$(arm GET "/nowhere")" "an unknown path"
[ "$(last_violation 'v["kind"]')" = unknown-operation ] || fail "unknown path"
expect 400 "$(arm PUT "$NET/networkInterfaces/m1-nic2?$NV" "${NIC_BODY/subnets\/default/subnets\/nope}")" "NIC in a subnet nobody made"
[ "$(j 'd["error"]["code"]')" = InvalidResourceReference ] || fail "NIC reference: $(cat "$T/body")"
expect 400 "$(arm PUT "$NET/networkSecurityGroups/m1-nsg2?$NV" '{"location":"westeurope","properties":{"securityRules":[{"name":"x","properties":{"protocol":"Tcp","sourcePortRange":"*","destinationPortRange":"22","sourceAddressPrefix":"*","destinationAddressPrefix":"*","access":"Allow","priority":"100","direction":"Inbound","colour":"red"}}]}}')" "NSG rule off the recorded shape"
[ "$(last_violation '" ".join(sorted(set(e["code"] for e in v["errors"])))')" = "INVALID_TYPE NOT_IN_RECORDING" ] || fail "NSG shape: $(last_violation 'v["errors"]')"
expect 400 "$(req GET "$D/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")" "IMDS without Metadata"
[ "$(j 'd["error"]')" = invalid_request ] || fail "IMDS 400 body: $(cat "$T/body")"
[ "$(violations)" = 7 ] || fail "expected 7 violations, got $(violations)"
curl -s -X DELETE "$D/_double/violations" >/dev/null

# --- Scripted faults (answers rig must cope with; not violations) ---
faults() { curl -s -X POST -d "$1" "$D/_double/faults" >/dev/null; }
faults '[{"match":{"method":"GET","path":"/virtualMachines/m1$"},"kind":"429","retry_after":3}]'
expect 429 "$(arm GET "$VM?$CV")" "429 fault"
[ "$(hdr Retry-After) $(j 'd["error"]["code"]')" = "3 TooManyRequests" ] || fail "429: $(hdr Retry-After) $(cat "$T/body")"
expect 200 "$(arm GET "$VM?$CV")" "after the 429"
faults '[{"match":{"path":"/resourcegroups/rig-m1$"},"kind":"expire-token"}]'
expect 401 "$(arm GET "$S/resourcegroups/rig-m1?$NV")" "expired token"
[ "$(j 'd["error"]["code"]')" = ExpiredAuthenticationToken ] || fail "expiry: $(cat "$T/body")"
case $(hdr WWW-Authenticate) in *'error="invalid_token"'*) ;; *) fail "no WWW-Authenticate: $(hdr WWW-Authenticate)" ;; esac
expect 401 "$(arm GET "$VM?$CV")" "the expired token again"
expect 200 "$(req POST "$D/tenant-1/oauth2/v2.0/token" "${FORM[@]}" -d client_secret=secret-1)" "a new token"
TOK=$(j 'd["access_token"]')
faults '[{"match":{"method":"POST","path":"/start$"},"kind":"fail-lro","code":"AllocationFailed"}]'
expect 202 "$(arm POST "$VM/start?$CV")" "start that will fail"
[ "$(settle "$(hdr Azure-AsyncOperation)" 2)" = Failed ] || fail "fail-lro did not fail"
[ "$(j 'd["error"]["code"]')" = AllocationFailed ] || fail "failed LRO body: $(cat "$T/body")"
faults '[{"match":{"path":"/api/retail/prices"},"kind":"foreign-nextpage"}]'
expect 200 "$(req GET "$D/api/retail/prices?$F")" "prices with a foreign link"
case $(j 'd["NextPageLink"]') in http://evil.example/*) ;; *) fail "foreign-nextpage: $(j 'd["NextPageLink"]')" ;; esac
faults '[{"match":{"path":"/networkInterfaces/"},"kind":"drop"},{"match":{"path":"/networkInterfaces/"},"nth":2,"kind":"503"}]'
expect 000 "$(arm GET "$NET/networkInterfaces/m1-nic?$NV")" "dropped connection"
expect 503 "$(arm GET "$NET/networkInterfaces/m1-nic?$NV")" "503 fault"
expect 200 "$(arm GET "$NET/networkInterfaces/m1-nic?$NV")" "after the faults"
curl -s -X DELETE "$D/_double/faults" >/dev/null
no_violations "the faults"

# --- Group delete: 202 + Location, polled to 200; everything in it gone ---
expect 202 "$(arm DELETE "$S/resourcegroups/rig-m1?$NV")" "group DELETE"
LOC=$(hdr Location)
case $LOC in "$D$S/operationresults/"*"?$NV") ;; *) fail "group DELETE Location: $LOC" ;; esac
expect 200 "$(arm GET "$S/resourcegroups/rig-m1?$NV")" "group while deleting"
[ "$(j 'd["properties"]["provisioningState"]')" = Deleting ] || fail "group not Deleting"
expect 202 "$(req GET "$LOC")" "delete poll 1"
expect 202 "$(req GET "$LOC")" "delete poll 2"
expect 200 "$(req GET "$LOC")" "delete poll 3"
expect 404 "$(arm GET "$S/resourcegroups/rig-m1?$NV")" "group after delete"
[ "$(j 'd["error"]["code"]')" = ResourceGroupNotFound ] || fail "group 404: $(cat "$T/body")"
n=$(curl -s "$D/_double/state" | json 'len(d["resources"])')
[ "$n" = 0 ] || fail "$n resource(s) left after the group delete"

no_violations "the end"
grep -c . "$T/requests.jsonl" | sed 's/^/# requests logged: /'
note "t425 took $(($(now_ms) - t0)) ms"
