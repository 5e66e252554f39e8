#!/bin/bash
# A hub restart does not stop the servers: after SIGTERM the user's server
# keeps running, and a new hub on the same state dir and port proxies to
# the same server again.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config
hub_start
spawn alice "$TOKEN"
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "status before the restart: $(body)"
started=$(json 'd["started"]' <"$T/body")
pid=$(server_pid alice)
{ [ -n "$started" ] && [ -n "$pid" ]; } || fail "no started value or no server process"

hub_stop
pid_alive "$pid" || fail "the server (pid $pid) died with the hub"

hub_start
for i in $(seq 1 100); do
	code=$(api GET /user/alice/api/status)
	[ "$code" = 200 ] && break
	sleep 0.2
done
[ "$code" = 200 ] || fail "status after the restart: $code $(body)"
[ "$(json 'd["started"]' <"$T/body")" = "$started" ] ||
	fail "another server after the restart: started $(json 'd["started"]' <"$T/body"), was $started"
[ "$(server_pid alice)" = "$pid" ] || fail "the server process changed across the restart"
[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
[ "$(json 'd["servers"][""]["ready"]' <"$T/body")" = true ] || fail "server not ready after the restart: $(body)"

hub_stop
