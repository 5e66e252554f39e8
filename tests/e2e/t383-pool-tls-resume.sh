#!/bin/bash
# The hub speaks TLS to a Slurm job's server itself (tlspeer.c, uptls.c:
# no tunnel process), resumes the server's TLS 1.3 session on its next
# connections, and the pin still holds: once the server is gone, an
# impostor on its port with a key of its own (root on the node: it
# accepts any client, and is offered the old session's ticket) gets
# handshakes and no request, and the mismatch is logged. Counted in
# /hub/metrics: rig_upstream_tls_handshakes_total{kind=full|resumed|failed}.
# The server is bench/ws-echo (TLS as a job's server, --certfile, --keyfile,
# --client-ca), not Jupyter: Jupyter's tornado makes a new TLS context for
# every connection, so its tickets never resume (the hub then stops
# offering them: tests/unit/test-uptls.c).
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2046 # pkg-config output is word-split on purpose
gcc -O2 -std=c17 -D_GNU_SOURCE -o "$T/ws-echo" "$TOP/bench/ws-echo.c" $(pkg-config --cflags --libs libuv openssl) ||
	fail "cannot build bench/ws-echo"
chmod 711 "$T"
chmod 755 "$T/ws-echo"
POOL_HUB_CONF="server_cmd = $T/ws-echo -a 0.0.0.0 --port {port}"
pool_hub_up 1
pool_root_ssh 1 "$R user add admin --admin --state-dir $S" >/dev/null 2>&1 || fail "rig user add admin"
ADMIN=$(pool_root_ssh 1 "$R token create admin --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1)
TOKEN=$(pool_token carol)
[ -n "$TOKEN" ] && [ -n "$ADMIN" ] || fail "no token for carol or admin"
pool_server_up carol "$TOKEN"
pgrep -f "tls-tunnel" >/dev/null && fail "a tls-tunnel process runs: $(pgrep -af tls-tunnel)"

# metric KIND: the proxy's TLS handshakes of that kind so far.
metric() {
	curl -sk -m 10 -H "Authorization: token $ADMIN" "$URL/hub/metrics" |
		sed -n "s/^rig_upstream_tls_handshakes_total{kind=\"$1\"} //p"
}

# Waves of requests at once: each wave needs more connections than the
# pool holds, so new ones are made after the first handshake's ticket.
for wave in 2 6 12; do
	pids=
	for i in $(seq 1 "$wave"); do
		curl -sk -m 60 -o /dev/null -w '%{http_code}' -H "Authorization: token $TOKEN" \
			"$URL/user/carol/api/status" >"$T/code.$wave.$i" 2>&1 &
		pids="$pids $!"
	done
	# Only these: the test's hosts run in the background too.
	wait $pids
	for i in $(seq 1 "$wave"); do
		[ "$(cat "$T/code.$wave.$i")" = 200 ] || fail "wave $wave request $i: $(cat "$T/code.$wave.$i")"
	done
done
full=$(metric full)
resumed=$(metric resumed)
note "handshakes: full $full, resumed $resumed"
# (The probe's full handshake, which gave the first ticket, is not the
# proxy's: every proxied connection may resume.)
[ -n "$full" ] || fail "no handshakes counted in /hub/metrics"
[ "${resumed:-0}" -ge 1 ] || fail "no session resumed: full $full resumed $resumed"
[ "$(metric failed)" = 0 ] || fail "failed handshakes with the real server: $(metric failed)"

# The server dies (its job's script held, so the job is not seen to end);
# root's impostor takes its port with another key.
uid=$(pool_root_ssh 1 'id -u rig-carol')
jpid=$(pgrep_in "${PREFIX}h2" -u "$uid" -f -- "ws-echo -a 0.0.0.0 --port $port" | head -n 1)
spid=$(pgrep_in "${PREFIX}h2" -u "$uid" -f 'slurm_script' | head -n 1)
[ -n "$jpid" ] && [ -n "$spid" ] || fail "no server ($jpid) or job script ($spid) of rig-carol"
server_kill_held "$spid" "$jpid" "$port"
impostor_start "${PREFIX}h2" "$port"
for _ in $(seq 1 10); do
	code=$(TOKEN=$TOKEN api GET /user/carol/api/status)
	[ "$code" = 200 ] && fail "the impostor answered for carol: $(body)"
	grep -q . "$F/out" 2>/dev/null && break
	sleep 0.3
done
note "the impostor got: $(tr '\n' ';' <"$F/out" 2>/dev/null | head -c 300)"
grep -q '^HANDSHAKE' "$F/out" || fail "the hub never reached the impostor: $(cat "$F/out" 2>/dev/null)"
grep -q '^TLS' "$F/out" && fail "TLS completed with the impostor: $(cat "$F/out")"
grep -q "proxy: tls:.*:$port: TLS handshake" "$HUBDIR/hub.log" ||
	fail "the mismatch is not logged: $(tail -n 5 "$HUBDIR/hub.log")"
[ "$(metric failed)" -ge 1 ] || fail "no failed handshake counted"

kill -CONT "$spid"
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
exit 0
