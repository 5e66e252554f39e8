#!/bin/bash
# rig up --provider azure all the way, against the ARM test double
# (tests/azure: Microsoft's oav validates every request against the
# compute spec, network/resources/DevTestLab calls are held to recorded
# shapes) whose public IP is a network-namespace host with a real sshd:
# the resource chain in dependency order, the SSH key rig made put on the
# "VM" by the double (the cloud's provisioning agent), then the SSH
# provider's real install and a login to the hub over HTTPS. Then status
# (power state, prices, hours), a second up that changes nothing, stop
# (deallocate seen by the double), start, and down deleting the group.
. "${0%/*}/lib.sh"

# The VM gets only the key rig sends in the VM's osProfile.
azure_host
KEYS=$H/.ssh/authorized_keys
azure_project dsvm1
grep -q '^\[azure\]' rig.conf || fail "no [azure] section: $(cat rig.conf)"
grep -q '^idle_stop = 1h' rig.conf || fail "idle_stop default not written"

t0=$(now_ms)
umask 022
RIG_AZURE_RECORD=$T/rec.jsonl "$RIG" up >"$T/up1.out" 2>&1 ||
	fail "rig up (azure): $(cat "$T/up1.out"; tail -5 "$T/double.log")"
t_up=$(($(now_ms) - t0))
# The recording is the user's alone, whatever the umask (issue 16).
[ "$(stat -c %a "$T/rec.jsonl")" = 600 ] || fail "RIG_AZURE_RECORD file has mode $(stat -c %a "$T/rec.jsonl")"
cat "$T/up1.out"
calls=$(wc -l <"$AZ_LOG")
note "rig up --provider azure against the double: $t_up ms, $calls HTTP calls to it"
for i in 1 2 3 4 5 6 7 8; do
	grep -q "^azure \[$i/8\] .*created.*([0-9.]* s)$\|^azure \[$i/8\] .*read and deallocate, on the VM only ([0-9.]* s)$" "$T/up1.out" ||
		fail "azure step $i not shown as made, with its time"
done
[ -f .rig/id_ed25519 ] || fail "rig made no SSH key in .rig/"
grep -qF "$(cut -d' ' -f2 .rig/id_ed25519.pub)" "$KEYS" || fail "the VM did not get rig's key"
grep -qx "hub: *https://$A:8000/" "$T/up1.out" || fail "no hub URL on the VM's address"
fqdn=$(sed -n 's|^dns name: *https://\([^:]*\):8000/.*|\1|p' "$T/up1.out")
case $fqdn in dsvm1-*.westeurope.cloudapp.azure.com) ;; *) fail "no DNS name URL: $(cat "$T/up1.out")" ;; esac
openssl s_client -connect "$A:8000" </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName >"$T/san" ||
	fail "no certificate"
grep -q "DNS:$fqdn" "$T/san" || fail "the certificate does not name $fqdn: $(cat "$T/san")"
pw=$(sed -n 's/^password: *\([^ ]*\).*/\1/p' "$T/up1.out")
[ -n "$pw" ] || fail "no password printed"
URL=https://$A:8000
export URL
printf '%s' "$pw" >"$T/pw.$U"
login "$U"
azure_violations

# The recording of rig's own traffic (for the live smoke test): every
# call, in oav's live-traffic shape, with no credentials in it.
$PY - "$T/rec.jsonl" "$AZ_LOG" <<'PY' || fail "recording: see $T/rec.jsonl"
import json, re, sys
rec = [json.loads(l) for l in open(sys.argv[1])]
log = [json.loads(l) for l in open(sys.argv[2])]
assert len(rec) == len(log), (len(rec), len(log))
text = open(sys.argv[1]).read()
for bad in ("secret-1", "client_secret=", "eyJ"):
    assert bad not in text, bad
assert not re.search(r"Bearer [A-Za-z0-9]", text)
for r in rec:
    assert r["liveRequest"]["method"] and r["liveResponse"]["statusCode"].isdigit(), r
    assert "Authorization" not in r["liveRequest"]["headers"], r
tok = [r for r in rec if "oauth2" in r["liveRequest"]["url"]]
assert tok and all(r["liveResponse"]["body"]["access_token"] == "REDACTED" for r in tok), tok
vm = [r for r in rec if r["liveRequest"]["method"] == "PUT" and r["liveRequest"]["url"].split("?")[0].endswith("/virtualMachines/dsvm1")]
assert vm[0]["liveRequest"]["body"]["properties"]["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"][0]["keyData"] == "REDACTED"
# The VM's host key (cloud-init customData) is never recorded.
assert vm[0]["liveRequest"]["body"]["properties"]["osProfile"]["customData"] == "REDACTED"
assert "OPENSSH PRIVATE KEY" not in text and "ssh_keys" not in text
PY

# What the double holds: every resource, the VM running, its identity
# allowed on the VM alone, the daily stop at 20:00 UTC.
curl -s "$AZ_URL/_double/state" >"$T/state.json"
$PY - "$T/state.json" <<'PY' || fail "double's state: see $T/state.json"
import json, sys
s = json.load(open(sys.argv[1]))["resources"]
def one(part):
    m = [v for k, v in s.items() if k.endswith(part) or (part.endswith("/") and part in k)]
    assert len(m) == 1, (part, list(s))
    return m[0]
one("/resourcegroups/rig-dsvm1")
nsg = one("networksecuritygroups/dsvm1-nsg")["body"]["properties"]["securityRules"]
assert sorted(r["properties"]["destinationPortRange"] for r in nsg) == ["22", "8000"], nsg
vm = one("virtualmachines/dsvm1")
assert vm["powerState"] == "running", vm["powerState"]
b = vm["body"]
assert b["identity"]["type"] == "SystemAssigned"
assert b["properties"]["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"] is True
ra = one("roleassignments/")
assert ra["body"]["properties"]["principalId"] == b["identity"]["principalId"]
# The identity's role: read and deallocate this VM, nothing else.
rd = one("roledefinitions/")["body"]["properties"]
assert rd["type"] == "CustomRole", rd
assert rd["permissions"] == [{"actions": ["Microsoft.Compute/virtualMachines/read",
    "Microsoft.Compute/virtualMachines/deallocate/action"], "notActions": []}], rd
assert [s.lower() for s in rd["assignableScopes"]] == [vm["body"]["id"].lower()], rd
assert ra["body"]["properties"]["roleDefinitionId"].lower().endswith(one("roledefinitions/")["body"]["name"].lower())
sch = one("schedules/shutdown-computevm-dsvm1")["body"]["properties"]
assert sch["dailyRecurrence"]["time"] == "2000" and sch["timeZoneId"] == "UTC", sch
PY

# status: power state, billed, prices from the price list, hours run.
"$RIG" status >"$T/st.out" 2>&1 || fail "rig status exit $?: $(cat "$T/st.out")"
cat "$T/st.out"
grep -q '^azure: *VM running (billed), Standard_D4s_v5 in westeurope, group rig-dsvm1' "$T/st.out" ||
	fail "status: no power line"
grep -q '^price: .*USD/hour for the VM.*USD/month for the disk (E10' "$T/st.out" || fail "status: no prices"
grep -q '^month: .*hours run.*not the bill' "$T/st.out" || fail "status: no month estimate"
grep -q '^idle: .*stops if still idle in' "$T/st.out" || fail "status: no idle timer"
"$RIG" status --json >"$T/st.json" || fail "status --json"
[ "$(json 'd["azure"]["vm"]' <"$T/st.json")" = running ] || fail "json: $(cat "$T/st.json")"
[ "$(json 'd["azure"]["price"]["vm_hour"] > 0' <"$T/st.json")" = true ] || fail "json price: $(cat "$T/st.json")"
[ "$(json 'd["up"]' <"$T/st.json")" = true ] || fail "json up"

# rig allow: laptops move. The "what is my address" service is a static
# file here; allow_from = auto takes the address it names.
mkdir -p "$T/myip"
echo 198.51.100.7 >"$T/myip/ip"
ipport=$(free_port)
$PY -m http.server --bind 127.0.0.1 --directory "$T/myip" "$ipport" >/dev/null 2>&1 &
bg_track $!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$ipport/ip" >/dev/null && break; sleep 0.05; done
sed -i -e "s|^allow_from = .*|allow_from = auto|" \
	-e "s|^; myip_endpoint = .*|myip_endpoint = http://127.0.0.1:$ipport/ip|" rig.conf
nsg_sources() {
	curl -s "$AZ_URL/_double/state" | $PY -c '
import json, sys
r = json.load(sys.stdin)["resources"]
n = [v for k, v in r.items() if k.endswith("/networksecuritygroups/dsvm1-nsg")][0]
rules = n["body"]["properties"]["securityRules"]
print(" ".join(sorted(set(p for x in rules if x["name"].startswith("rig-")
                          for p in x["properties"]["sourceAddressPrefixes"]))))
print(" ".join(sorted(x["name"] for x in rules if not x["name"].startswith("rig-"))))' | head -n "${1:-1}" | tail -n 1
}
"$RIG" allow >"$T/allow1.out" 2>&1 || fail "rig allow: $(cat "$T/allow1.out")"
[ "$(nsg_sources)" = 198.51.100.7/32 ] || fail "allow auto: NSG has $(nsg_sources)"
# A rule someone added by hand survives rig's updates.
tok=$(curl -s -d grant_type=client_credentials -d client_id=client-1 -d client_secret=secret-1 \
	--data-urlencode scope=https://management.azure.com/.default "$AZ_URL/tenant-1/oauth2/v2.0/token" |
	json 'd["access_token"]')
code=$(curl -s -o "$T/rule.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $tok" \
	-H 'Content-Type: application/json' \
	-d '{"properties":{"protocol":"Tcp","sourcePortRange":"*","destinationPortRange":"3389","sourceAddressPrefix":"192.0.2.9/32","destinationAddressPrefix":"*","access":"Allow","priority":2000,"direction":"Inbound"}}' \
	"$AZ_URL/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rig-dsvm1/providers/Microsoft.Network/networkSecurityGroups/dsvm1-nsg/securityRules/my-rdp?api-version=2020-06-01")
case $code in 200 | 201) ;; *) fail "adding a rule by hand: $code $(cat "$T/rule.out")" ;; esac
echo 203.0.113.99 >"$T/myip/ip"
"$RIG" status >"$T/st-moved.out" 2>&1 || true
grep -q "^access: *your address 203.0.113.99 is not in allow_from (198.51.100.7/32)" "$T/st-moved.out" ||
	fail "status does not say the caller is outside: $(cat "$T/st-moved.out")"
"$RIG" allow >/dev/null 2>&1 || fail "rig allow after a move"
[ "$(nsg_sources)" = 203.0.113.99/32 ] || fail "allow after a move: NSG has $(nsg_sources)"
[ "$(nsg_sources 2)" = my-rdp ] || fail "rig allow dropped a rule added by hand: $(nsg_sources 2)"
"$RIG" status >"$T/st-back.out" 2>&1 || true
grep -q '^access:' "$T/st-back.out" && fail "status still says outside: $(cat "$T/st-back.out")"
"$RIG" allow "$HOSTS_NET.0/24" 192.0.2.0/24 >"$T/allow3.out" 2>&1 || fail "rig allow CIDRs: $(cat "$T/allow3.out")"
[ "$(nsg_sources)" = "$HOSTS_NET.0/24 192.0.2.0/24" ] || fail "allow CIDRs: NSG has $(nsg_sources)"
grep -qx "allow_from = $HOSTS_NET.0/24,192.0.2.0/24" rig.conf || fail "rig.conf: $(grep allow_from rig.conf)"
rc=0
"$RIG" allow 10.0.0.0/33 >"$T/allow4.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "not an address or CIDR" "$T/allow4.out" || fail "bad CIDR: $(cat "$T/allow4.out")"
grep -qx "allow_from = $HOSTS_NET.0/24,192.0.2.0/24" rig.conf || fail "a bad CIDR changed rig.conf"

# A second up changes nothing: GETs only, no PUT, no POST to ARM.
: >"$AZ_LOG"
"$RIG" up >"$T/up2.out" 2>&1 || fail "second up: $(cat "$T/up2.out")"
writes=$(grep '"url":"/subscriptions/' "$AZ_LOG" | grep -c '"method":"\(PUT\|POST\|DELETE\|PATCH\)"' || true)
[ "$writes" = 0 ] || fail "second up wrote $writes times: $(grep -v '"GET"' "$AZ_LOG")"
[ "$(grep -c 'exists' "$T/up2.out")" -ge 7 ] || fail "second up: $(cat "$T/up2.out")"
grep -q '^password:' "$T/up2.out" && fail "second up printed a password"

# stop deallocates (never a power-off); the hub is gone with the VM.
# (The double does not stop the namespace's processes; the test does
# what the cloud would: end the host's hub.)
: >"$AZ_LOG"
"$RIG" stop >"$T/stop.out" 2>&1 || fail "rig stop: $(cat "$T/stop.out")"
grep -q '"method":"POST".*/deallocate' "$AZ_LOG" || fail "no deallocate: $(cat "$AZ_LOG")"
grep -q '/powerOff' "$AZ_LOG" && fail "rig stop powered off (still billed)"
grep -q 'deallocated' "$T/stop.out" || fail "stop said: $(cat "$T/stop.out")"
rc=0
"$RIG" status >"$T/st2.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "status after stop: exit $rc: $(cat "$T/st2.out")"
grep -q 'VM deallocated (not billed)' "$T/st2.out" || fail "status after stop: $(cat "$T/st2.out")"
"$RIG" stop >"$T/stop2.out" 2>&1 || fail "second stop"
grep -q 'deallocated already' "$T/stop2.out" || fail "second stop: $(cat "$T/stop2.out")"

# A new size in rig.conf: refused while the VM runs (see above, before
# stop), applied by up to the deallocated VM, which up then starts.
sed -i 's|^size = .*|size = Standard_D2s_v3|' rig.conf
"$RIG" up >"$T/resize.out" 2>&1 || fail "rig up with a new size: $(cat "$T/resize.out")"
grep -q 'virtual machine: resizing Standard_D4s_v5 to Standard_D2s_v3 ... resized' "$T/resize.out" ||
	fail "resize: $(cat "$T/resize.out")"
[ "$(azure_vm_power dsvm1)" = running ] || fail "not running after the resizing up"
curl -s "$AZ_URL/_double/state" | grep -q '"vmSize":"Standard_D2s_v3"' || fail "the double's VM was not resized"
sed -i 's|^size = .*|size = Standard_D4s_v5|' rig.conf
rc=0
"$RIG" up >"$T/resize2.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "Azure resizes a deallocated VM, so 'rig stop'" "$T/resize2.out" ||
	fail "a new size for a running VM: $(cat "$T/resize2.out")"
"$RIG" stop >/dev/null 2>&1 || fail "stop before start"

# start: the VM starts, SSH answers, the hub runs on the same address.
"$RIG" start >"$T/start.out" 2>&1 || fail "rig start: $(cat "$T/start.out")"
grep -q "hub running at $URL/" "$T/start.out" || fail "start said: $(cat "$T/start.out")"
login "$U"

# down: asks (no terminal: refuses without --yes), then deletes the
# group rig made and forgets the machine.
rc=0
"$RIG" down </dev/null >"$T/down0.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q -- '--yes' "$T/down0.out" || fail "down without --yes: $(cat "$T/down0.out")"
"$RIG" down --yes >"$T/down.out" 2>&1 || fail "rig down: $(cat "$T/down.out")"
grep -q 'deleting resource group rig-dsvm1' "$T/down.out" || fail "down said: $(cat "$T/down.out")"
[ "$(curl -s "$AZ_URL/_double/state" | json 'len(d["resources"])')" = 0 ] ||
	fail "resources left after down: $(curl -s "$AZ_URL/_double/state" | head -c 2000)"
[ ! -e "$P/.rig" ] || fail ".rig/ kept after down"
azure_violations
cd /
