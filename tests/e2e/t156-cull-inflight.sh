#!/bin/bash
# A request in flight is use, however long it takes: with idle_timeout = 4
# and a response that takes 14 s (the server sends a byte a second, and
# nothing else touches it), the server is not culled under the request,
# which ends whole; once it is answered, the idle server is culled.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config "server_cmd = $PY $HELPERS/echoserver.py {port} alice" \
	"idle_timeout = 4" "cull_interval = 1"
hub_start
spawn alice "$TOKEN"
pid=$(server_pid alice)
[ -n "$pid" ] || fail "no server process"

t0=$(now_ms)
code=$(api GET /user/alice/slow/14)
took=$(($(now_ms) - t0))
note "slow request: $code, $(wc -c <"$T/body") bytes in $took ms"
[ "$code" = 200 ] || fail "the slow request gave $code"
[ "$(wc -c <"$T/body")" = 14 ] || fail "the slow request ended after $(wc -c <"$T/body") of 14 bytes (culled under it?)"
pid_alive "$pid" || fail "the server was culled while it answered"
grep -q 'server alice: idle for' "$T/hub.log" && fail "culled during the request: $(grep 'idle for' "$T/hub.log")"

# Nothing in flight now: culled once idle_timeout passes.
for i in $(seq 1 150); do
	grep -q 'server alice: idle for' "$T/hub.log" && break
	sleep 0.2
done
grep -q 'server alice: idle for' "$T/hub.log" || fail "the idle server was not culled after the request"
hub_stop
