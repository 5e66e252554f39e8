#!/bin/bash
# A server as a Slurm job, and another account on its node standing in
# for it (spawn-slurm-tunnel.c): carol's server runs on the node; its
# Jupyter dies while its job has not yet been seen to end (the job's
# script is held with SIGSTOP, so the window stays open), and alice, an
# account logged in on the same node (a process of hers in the node's
# network namespace), listens on the freed port with a TLS certificate of
# her own. Requests for carol then go through the hub's tunnel to alice's
# listener, which gets a TLS hello and nothing else: no request, no
# secret (the hub pins the job's certificate before sending a byte). The
# old hub sent the request, carol's secret in it, in the clear. Then the
# job's end (the script let go) shows as carol's server stopped. The
# hub's API is kept on loopback (a hand-written api_address, which rig
# up leaves alone): the job cannot report its port, and the hub reads it
# from the job's comment, the fallback.
. "$(dirname "$0")/lib.sh"

POOL_HUB_CONF='api_address = 127.0.0.1' pool_hub_up 1
grep -q "servers reach the hub's API at http://127.0.0.1:" "$HUBDIR/hub.log" ||
	fail "rig up changed a hand-written api_address: $(grep "hub's API" "$HUBDIR/hub.log")"
TOKEN=$(pool_token carol)
[ -n "$TOKEN" ] || fail "no token for carol"
pool_server_up carol "$TOKEN"
grep -q "reports its server on port" "$HUBDIR/hub.log" &&
	fail "a job reported its port to an API on loopback: $(grep 'reports its server' "$HUBDIR/hub.log")"
uid=$(pool_root_ssh 1 'id -u rig-carol')
jpid=$(pgrep_in "${PREFIX}h2" -u "$uid" -f -- --NotebookApp.port="$port" | head -n 1)
spid=$(pgrep_in "${PREFIX}h2" -u "$uid" -f 'slurm_script' | head -n 1)
[ -n "$jpid" ] && [ -n "$spid" ] || fail "no Jupyter ($jpid) or job script ($spid) of rig-carol"
secret=$(tr '\0' '\n' <"/proc/$jpid/environ" | sed -n 's/^JUPYTER_TOKEN=//p')
[ ${#secret} = 64 ] || fail "the server has no 64-character JUPYTER_TOKEN"
[ "$(TOKEN=$TOKEN api GET /user/carol/api/contents)" = 200 ] || fail "carol's server through the hub: $(body)"

# Jupyter dies; its job's script, held, does not see it.
server_kill_held "$spid" "$jpid" "$port"

# alice's listener on the port, with a certificate of her own.
auid=$(pool_root_ssh 1 'id -u alice')
agid=$(pool_root_ssh 1 'id -g alice')
impostor_start "${PREFIX}h2" "$port" "$auid" "$agid"

# carol's requests through the hub reach alice's port, and nothing of
# them goes out.
for _ in $(seq 1 50); do
	code=$(TOKEN=$TOKEN api GET /user/carol/api/contents)
	[ "$code" = 200 ] && fail "a request for carol was answered by alice's listener: $(body)"
	grep -q '^CONN' "$F/out" 2>/dev/null && break
	sleep 0.2
done
grep -q '^CONN 16' "$F/out" 2>/dev/null || fail "the hub's tunnel never reached alice's port (test setup): $(cat "$F/out" 2>/dev/null)"
grep -q '^PLAIN' "$F/out" && fail "the hub spoke to alice's listener in the clear: $(cat "$F/out")"
grep -q '^TLS ' "$F/out" && fail "the hub completed TLS with alice's certificate and sent: $(cat "$F/out")"
printf '%s\n' "$secret" >"$T/secret"
grep -qFf "$T/secret" "$F/out" && fail "carol's secret reached alice's listener"
grep -q 'Authorization' "$F/out" && fail "a request reached alice's listener"
note "alice's listener on carol's port got: $(tr '\n' ' ' <"$F/out" | head -c 200)"

# The job's script let go: it sees Jupyter gone and ends; so does the
# server, with the job's state.
kill -CONT "$spid"
for _ in $(seq 1 150); do
	grep -q "server carol: ended with its Slurm job $jid" "$HUBDIR/hub.log" && break
	sleep 0.2
done
grep -q "server carol: ended with its Slurm job $jid" "$HUBDIR/hub.log" ||
	fail "the job's end did not end the server: $(tail -n 5 "$HUBDIR/hub.log")"
[ "$(TOKEN=$TOKEN api GET /hub/api/users/carol)" = 200 ] || fail "GET user: $(body)"
[ "$(json 'd["servers"]' <"$T/body")" = "{}" ] || fail "the server is still listed: $(body)"
pool_root_ssh 1 "test ! -e $S/slurm/$jid.keys && test ! -e $S/slurm/$jid.sock" ||
	fail "the job's keys or tunnel socket outlived it"

in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
