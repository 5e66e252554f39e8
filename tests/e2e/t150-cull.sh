#!/bin/bash
# An idle server is stopped: with idle_timeout = 4 and cull_interval = 1 a
# server nobody uses is gone within 20 s.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config "idle_timeout = 4" "cull_interval = 1"
hub_start
spawn alice "$TOKEN"
pid=$(server_pid alice)
[ -n "$pid" ] || fail "no server process"
t0=$(now_ms)

# Only the hub's own API is asked (that is not activity on the server).
ok=
for i in $(seq 1 100); do
	[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
	if [ "$(json 'd["servers"]' <"$T/body")" = '{}' ] && ! pid_alive "$pid"; then
		ok=1
		break
	fi
	[ $(($(now_ms) - t0)) -lt 20000 ] || break
	sleep 0.2
done
[ -n "$ok" ] || fail "idle server still there after 20 s: $(body)"
note "culled after $(($(now_ms) - t0)) ms"

hub_stop
