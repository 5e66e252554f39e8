#!/bin/bash
# When a user's server dies (kill -9), the hub notices within 10 s: the
# user model shows no ready server and the proxy no longer sends requests
# to it.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config
hub_start
spawn alice "$TOKEN"

pid=$(pgrep -o -u "${PREFIX}alice" -f 'jupyter|notebook' || true)
[ -n "$pid" ] || pid=$(server_pid alice)
[ -n "$pid" ] || fail "no server process of ${PREFIX}alice"
kill -9 "$pid"

ok=
for i in $(seq 1 50); do
	[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
	if [ "$(json 'd["servers"].get("", {}).get("ready", False)' <"$T/body")" = false ]; then
		ok=1
		break
	fi
	sleep 0.2
done
[ -n "$ok" ] || fail "10 s after kill -9 the server still shows as ready: $(body)"
code=$(api GET /user/alice/api/status)
[ "$code" != 200 ] || fail "/user/alice/api/status is 200 with the server dead"
note "status with the server dead: $code"

# The hub can start it again.
spawn alice "$TOKEN"
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "status after a new start: $(body)"

hub_stop
