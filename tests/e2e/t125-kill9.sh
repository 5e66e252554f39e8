#!/bin/bash
# A hub killed with SIGKILL in the middle of a request loses nothing: the
# user's server keeps running, and the next hub on the same state takes it
# over, its users, tokens and sessions intact.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config
hub_start
spawn alice "$TOKEN"
login alice
pid=$(server_pid alice)
[ -n "$pid" ] || fail "no server process"

# A request in flight (a slow download through the proxy) when the hub dies.
dd if=/dev/urandom of="/home/${PREFIX}alice/big.bin" bs=1M count=64 status=none
curl -sk --limit-rate 2M -o /dev/null -H "Authorization: token $TOKEN" \
	"$URL/user/alice/files/big.bin" &
bg_track $!
sleep 1
kill -KILL "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
HUB_PID=
pid_alive "$pid" || fail "the server died with the hub"

hub_start
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "server not reachable after the restart: $(body)"
code=$(curl -sk -o /dev/null -w '%{http_code}' -b "$T/jar.alice" "$URL/hub/home")
[ "$code" = 200 ] || fail "the session did not survive: /hub/home gave $code"
rig_cli user list | grep -q '^alice' || fail "alice is gone from the user list"
hub_stop
