#!/bin/bash
# Auto-stop that really stops: the hub on the "VM" (a network-namespace
# host made with rig up --provider azure against the ARM double) watches
# the whole machine. A command run over SSH (rig exec) keeps it busy, and
# rig status says why; once everything is idle for idle_stop the hub
# warns on its pages, then runs rig self-stop, which asks the instance
# metadata service (169.254.169.254 inside the host, forwarded to the
# double) for the VM's id and its managed identity's token, and
# deallocates the VM through ARM: the double sees the deallocate.
. "${0%/*}/lib.sh"

azure_host
azure_imds_in_host
azure_project idle1 -e "s|^idle_stop = .*|idle_stop = 20s|" \
	-e "s|^port = 8000|port = 8000\nautostop_warn = 8|"
"$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
grep -q '^autostop_after = 20$' "$H/.local/share/rig/hub.conf" || fail "hub.conf: $(cat "$H/.local/share/rig/hub.conf")"

# The VM's identity is the hub's alone: a user's kernel cannot reach IMDS
# (rig sandbox: Landlock closes TCP port 80 to user servers, and its
# socket filter refuses MPTCP sockets), while the hub's own self-stop
# below can.
pw=$(sed -n 's/^password: *\([^ ]*\).*/\1/p' "$T/up.out")
printf '%s' "$pw" >"$T/pw.$U"
URL=https://$A:8000
export URL
login "$U"
TOKEN=$("$RIG" ssh -- .local/bin/rig token create "$U" --state-dir .local/share/rig/state |
	grep -oE '[0-9a-f]{64}' | head -n 1)
spawn "$U" "$TOKEN"
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/$U/" "token:$TOKEN" '
import socket
def probe(host, port, proto=0):
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    except PermissionError:
        return "refused"
    s.settimeout(5)
    try:
        s.connect((host, port))
        return "connected"
    except PermissionError:
        return "refused"
    except OSError as e:
        return "error %s" % e
# MPTCP (262), which the Landlock TCP rule missed on some kernels, too.
probe("169.254.169.254", 80) + " " + probe("169.254.169.254", 80, 262) + " " + probe("127.0.0.1", 8000)' 2>&1) ||
	fail "runcell: $out"
note "a user's kernel: IMDS and the hub's port: $(printf '%s\n' "$out" | tail -n 1)"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "'refused refused connected'" ] || fail "kernel and IMDS: $out"

# Busy while a command runs over SSH.
"$RIG" exec -- sleep 25 >/dev/null 2>&1 &
ex=$!
busy=
for _ in $(seq 1 40); do
	"$RIG" status --json >"$T/st.json" 2>/dev/null || true
	why=$(json 'd["hub"]["autostop"]["why"]' <"$T/st.json")
	if [ "$(json 'd["hub"]["autostop"]["busy"]' <"$T/st.json")" = true ]; then
		case $why in *SSH*) busy=1; break ;; esac
	fi
	sleep 0.5
done
[ -n "$busy" ] || fail "a running rig exec did not count as use: $(cat "$T/st.json")"
note "while rig exec runs: $why"
wait "$ex"
[ "$(azure_vm_power idle1)" = running ] ||
	fail "the VM stopped while it was in use"

# Idle: the warning on the hub's pages, then the deallocate.
page_shows "https://$A:8000/hub/login" 'stops (deallocates) in' ||
	fail "no warning on the hub's pages: $(tail -5 "$H/.local/share/rig/hub.log")"
azure_wait_power idle1 deallocated ||
	fail "the VM was not deallocated: $(grep autostop "$H/.local/share/rig/hub.log")"
grep 'autostop' "$H/.local/share/rig/hub.log" | sed 's/^/# hub: /'
grep -q 'autostop: idle for .* stopping the machine' "$H/.local/share/rig/hub.log" || fail "the hub did not log why"
grep -q 'accepted by Azure' "$H/.local/share/rig/hub.log" || fail "self-stop did not report the deallocate"
# It used the VM's managed identity (IMDS), not a person's login.
grep -q '"url":"/metadata/identity/oauth2/token' "$AZ_LOG" || fail "no IMDS token asked for"
# The identity that stopped it can do nothing else: not delete the VM,
# not run commands on it (its role lists read and deallocate only).
itok=$(curl -s -H Metadata:true "$AZ_URL/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/" |
	json 'd["access_token"]')
vmid=/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rig-idle1/providers/Microsoft.Compute/virtualMachines/idle1
code=$(curl -s -o "$T/del.out" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $itok" "$AZ_URL$vmid?api-version=2021-03-01")
[ "$code" = 403 ] && grep -q AuthorizationFailed "$T/del.out" || fail "the VM's identity could delete the VM: $code $(cat "$T/del.out")"
code=$(curl -s -o "$T/run.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $itok" \
	-H 'Content-Type: application/json' -d '{"commandId":"RunShellScript","script":["id"]}' \
	"$AZ_URL$vmid/runCommand?api-version=2021-03-01")
[ "$code" = 403 ] || fail "the VM's identity could run a command: $code $(cat "$T/run.out")"
# (Those two refusals are the test's probes, recorded as violations.)
curl -s -X DELETE "$AZ_URL/_double/violations" >/dev/null

# rig status from here: deallocated, not billed; the log of hours knows.
rc=0
"$RIG" status >"$T/st2.out" 2>&1 || rc=$?
grep -q 'VM deallocated (not billed)' "$T/st2.out" || fail "status: $(cat "$T/st2.out")"
tail -n 1 .rig/azure-power.log | grep -q ' stop$' || fail "power log: $(cat .rig/azure-power.log)"
cd /
