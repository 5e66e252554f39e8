#!/bin/bash
# On a Data Science VM the image's own JupyterHub service holds port 8000:
# rig up stops and disables it (with sudo) before its hub starts, once.
# The host stands in for the DSVM with a jupyterhub service that only logs
# and pretends, and a real password-less sudo that logs (lib.sh,
# HOST_MODE_1=dsvm). This machine is made with hub_access = tunnel: its
# firewall opens SSH alone, and the hub listens on its loopback. Its
# login has password-less sudo, so the hub is a root service through sudo
# (issue 16, item 3): every 'rig service' and 'rig user' call goes
# through it, and later commands remember it.
. "${0%/*}/lib.sh"

HOST_MODE_1=dsvm
azure_host
azure_project dsvm2 -e "s|^hub_access = .*|hub_access = tunnel|"
"$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
grep -q "^hub: .*on the machine only (hub_access = tunnel): 'rig tunnel'" "$T/up.out" ||
	fail "tunnel not said: $(cat "$T/up.out")"
grep -qx 'listen = 127.0.0.1:8000' "$T/hosts/h1/home/$U/.local/share/rig/hub.conf" ||
	fail "the hub does not listen on loopback alone"
curl -s "$AZ_URL/_double/state" | $PY -c '
import json, sys
r = json.load(sys.stdin)["resources"]
n = [v for k, v in r.items() if k.endswith("/networksecuritygroups/dsvm2-nsg")][0]
ports = [x["properties"]["destinationPortRange"] for x in n["body"]["properties"]["securityRules"]]
assert ports == ["22"], ports' || fail "hub_access = tunnel: the NSG opens more than SSH"
grep -q "image's JupyterHub stopped and disabled" "$T/up.out" || fail "up said: $(cat "$T/up.out")"
log=$T/hosts/h1/systemctl.log
grep -qx 'disable --now jupyterhub' "$log" || fail "not disabled: $(cat "$log")"
"$RIG" up >"$T/up2.out" 2>&1 || fail "second rig up: $(cat "$T/up2.out")"
grep -q "image's JupyterHub" "$T/up2.out" && fail "second up stopped it again"
[ "$(grep -c 'disable' "$log")" = 1 ] || fail "disabled more than once: $(cat "$log")"
sudolog=$T/hosts/h1/sudo.log
for c in 'service setup' 'user list' 'user add' 'service start' 'service status'; do
	grep -q "/.local/bin/rig $c " "$sudolog" || fail "'rig $c' not through sudo: $(cat "$sudolog")"
done
grep -q '^tee .*/admin-shown$' "$sudolog" || fail "the marker not written through sudo: $(cat "$sudolog")"
grep -qx 'service.sudo = yes' .rig/state || fail "not noted in .rig/state"
: >"$sudolog"
"$RIG" status >"$T/st.out" 2>&1 || fail "rig status: $(cat "$T/st.out")"
grep -q "/.local/bin/rig service status " "$sudolog" || fail "rig status did not ask through sudo"
azure_violations
cd /
