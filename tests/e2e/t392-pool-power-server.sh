#!/bin/bash
# A user's server through the hub on a pool scaled to zero (lib-power.sh
# makes it; spawner slurm, rig up's choice): with every node powered down,
# a server's start powers one up (the progress stream says so), the real
# Jupyter server runs on that node and answers through the hub (a kernel
# reports the node's host name); stopped, the node is powered down again
# once idle.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-power.sh"

# People's uids below 60000 (the hub's helper runs servers as no other).
POOL_UID_MIN=$(pool_uid_min)
POWER_HUB='mem_limit = 512M
spawn_timeout = 150'
power_up_pool
H=$(host_addr 1)
HUBDIR=$HOSTS_DIR/h1/root/.local/share/rig
grep -qx 'spawner = slurm' "$HUBDIR/hub.conf" || fail "rig up did not choose spawner slurm: $(cat "$HUBDIR/hub.conf")"
R=/root/.local/bin/rig
S=/root/.local/share/rig/state
pool_root_ssh 1 "$R user add carol --state-dir $S" >/dev/null || fail "rig user add carol"
TOKEN=$(pool_root_ssh 1 "$R token create carol --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1)
[ -n "$TOKEN" ] || fail "no token for carol"
URL=https://$H:8000
export URL
wait_powered_down
: >"$PLOG"

t0=$(now_ms)
code=$(TOKEN=$TOKEN api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || fail "POST server: $code $(body)"
: >"$T/progress"
curl -sk -N -m 200 -H "Authorization: token $TOKEN" "$URL/hub/api/users/carol/server/progress" \
	>"$T/progress" 2>/dev/null &
bg_track $!
READY_S=150 wait_ready carol "$TOKEN"
t1=$(now_ms)
for _ in $(seq 1 50); do grep -q '"ready":true' "$T/progress" && break; sleep 0.1; done
grep -q 'powering up node' "$T/progress" || fail "no powering-up event: $(cat "$T/progress")"
node=$(grep -o 'is running on [a-z0-9-]*' "$T/progress" | head -n 1)
node=${node##* }
case $node in "${PREFIX}h2" | "${PREFIX}h3") ;; *) fail "no running-on-node event: $(cat "$T/progress")" ;; esac
grep -q "^on $(host_addr "${node##*h}") 0$" "$PLOG" || fail "no power_on for $node: $(cat "$PLOG")"
note "server ready $((t1 - t0)) ms after the request on a powered down pool: $(grep -o 'powering up node [^"]*' "$T/progress" | head -n 1), then on $node"

out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/carol/" "token:$TOKEN" \
	'import socket; socket.gethostname()' 2>&1) || fail "runcell: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "'$node'" ] || fail "the kernel did not run on $node: $out"

# Stopped: the job is cancelled, the node idles and is powered down.
code=$(TOKEN=$TOKEN api DELETE /hub/api/users/carol/server)
case $code in 202 | 204) ;; *) fail "DELETE server: $code $(body)" ;; esac
wait_powered_down
grep -q "^off $(host_addr "${node##*h}") 0$" "$PLOG" || fail "no power_off for $node after the stop: $(cat "$PLOG")"
note "stopped: $node powered down again"
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
