#!/bin/bash
# A named server run by Debian's jupyterhub-singleuser, unchanged: its
# JupyterHub environment (JUPYTERHUB_SERVER_NAME, the service prefix
# /user/NAME/SRV/, the OAuth client jupyterhub-user-NAME-SRV and its
# callback), a browser's OAuth sign-in to it and a kernel over its
# cookies; its token and OAuth client its own (not the default server's);
# scopes with !server=NAME/SRV filters; the named-server routes' answers
# against rest-api.yml; and a hub without allow_named_servers refusing them
# with JupyterHub's 400.
. "$(dirname "$0")/lib.sh"
command -v jupyterhub-singleuser >/dev/null ||
	fail "jupyterhub-singleuser is missing (apt-get install jupyterhub)"
SPEC=$TOP/tests/data/jupyterhub-rest-api.yml
$PY -c 'import jsonschema, yaml' 2>/dev/null ||
	fail "python3-jsonschema and python3-yaml are missing (apt-get install python3-jsonschema python3-yaml)"

rig_user_add alice
rig_user_add bob

# Named servers off (the default): JupyterHub's 400, nothing started.
hub_config
hub_start
ALICE=$(rig_token alice)
[ "$(TOKEN=$ALICE api POST /hub/api/users/alice/servers/gpu)" = 400 ] || fail "named servers while off: $(body)"
grep -q 'Named servers are not enabled.' "$T/body" || fail "the refusal's message: $(body)"
[ -z "$(server_pid alice)" ] || fail "a server started while named servers are off"
login alice
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/home" >"$T/home"
! grep -q 'named-servers' "$T/home" || fail "the home page offers named servers while off"
hub_stop

hub_config "server_cmd =" "spawn_timeout = 150" "allow_named_servers = yes"
READY_S=150
hub_start
code=$(TOKEN=$ALICE api POST /hub/api/users/alice/servers/gpu)
case $code in 201 | 202) ;; *) fail "POST servers/gpu: $code $(body)" ;; esac
for i in $(seq 1 $((READY_S * 5))); do
	TOKEN=$ALICE api GET /hub/api/users/alice >/dev/null
	[ "$(json 'd["servers"].get("gpu", {}).get("ready")' <"$T/body")" = true ] && break
	sleep 0.2
done
[ "$(json 'd["servers"]["gpu"]["ready"]' <"$T/body")" = true ] || fail "gpu not ready: $(body)"

pid=$(ss -xlpH | grep -F "/run/rig/${PREFIX}alice/jupyter-gpu.sock" | sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -n 1)
[ -n "$pid" ] || fail "nothing listens on gpu's socket"
tr '\0' '\n' <"/proc/$pid/environ" >"$T/env"
API=$(sed -n 's/^JUPYTERHUB_API_URL=//p' "$T/env")
for want in JUPYTERHUB_SERVER_NAME=gpu JUPYTERHUB_USER=alice JUPYTERHUB_SERVICE_PREFIX=/user/alice/gpu/ \
	JUPYTERHUB_CLIENT_ID=jupyterhub-user-alice-gpu JUPYTERHUB_OAUTH_CALLBACK_URL=/user/alice/gpu/oauth_callback \
	'JUPYTERHUB_OAUTH_ACCESS_SCOPES=["access:servers!server=alice/gpu","access:servers!user=alice"]' \
	"JUPYTERHUB_ACTIVITY_URL=$API/users/alice/activity"; do
	grep -qxF -- "$want" "$T/env" || fail "not in gpu's environment: $want"
done
SG=$(sed -n 's/^JUPYTERHUB_API_TOKEN=//p' "$T/env")

# Its token: the server role on gpu alone.
URL0=$URL
URL=${API%/hub/api}
[ "$(TOKEN=$SG api GET /hub/api/user)" = 200 ] || fail "gpu's token at /hub/api/user: $(body)"
[ "$(json '"access:servers!server=alice/gpu" in d["scopes"] and "access:servers!server=alice/" not in d["scopes"]' <"$T/body")" = true ] ||
	fail "gpu's token's scopes: $(body)"
now=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
[ "$(TOKEN=$SG api POST /hub/api/users/alice/activity -d "{\"servers\": {\"gpu\": {\"last_activity\": \"$now\"}}, \"last_activity\": \"$now\"}")" = 200 ] ||
	fail "gpu's activity: $(body)"
URL=$URL0
code=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $SG" "$URL/user/alice/gpu/api/status" || true)
[ "$code" = 200 ] || fail "gpu's token at gpu: $code"
code=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $SG" "$URL/user/alice/api/status" || true)
[ "$code" = 403 ] || fail "gpu's token at alice's default server: $code"

# OAuth: gpu's client with the default server's callback, or another
# server's client, is refused; a browser signs in to gpu.
code=$(curl -sk -m 10 -b "$T/jar.alice" -o /dev/null -w '%{http_code}' \
	"$URL/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice-gpu&redirect_uri=/user/alice/oauth_callback&response_type=code&state=x" || true)
[ "$code" = 400 ] || fail "gpu's client with another redirect_uri: $code"
code=$(curl -sk -m 10 -b "$T/jar.alice" -o /dev/null -w '%{http_code}' \
	"$URL/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice-nope&redirect_uri=/user/alice/nope/oauth_callback&response_type=code&state=x" || true)
[ "$code" = 400 ] || fail "a client of no server: $code"
visit() {
	local u=$1 i code
	: >"$T/locs"
	for i in $(seq 1 10); do
		code=$(curl -sk -m 30 -b "$T/jar.alice" -c "$T/jar.alice" -D "$T/v.hdr" -o "$T/page" \
			-w '%{http_code}' -H 'Accept: text/html' "$URL$u" || true)
		[ "$code" = 302 ] || break
		u=$(header Location <"$T/v.hdr")
		echo "$u" >>"$T/locs"
	done
	echo "$code $u"
}
out=$(visit /user/alice/gpu/tree)
[ "$out" = "200 /user/alice/gpu/tree" ] || fail "first visit to gpu ended at $out: $(cat "$T/locs")"
grep -q '^/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice-gpu&' "$T/locs" || fail "no OAuth for gpu: $(cat "$T/locs")"
grep -q '^/user/alice/gpu/oauth_callback?code=' "$T/locs" || fail "no callback to gpu: $(cat "$T/locs")"
! grep -qF "$SG" "$T/page" "$T/locs" "$T/jar.alice" || fail "gpu's secret reached the browser"
xsrf=$(awk '$6 == "_xsrf" {print $7}' "$T/jar.alice" | tail -n 1)
out=$(XSRF=$xsrf timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/alice/gpu/" "cookie:$T/jar.alice" \
	'import os; print(os.environ["JUPYTERHUB_SERVER_NAME"]); 6*7' 2>&1) || fail "runcell in gpu: $out"
printf '%s\n' "$out" | grep -qx gpu || fail "the kernel is not gpu's: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = 42 ] || fail "runcell in gpu printed: $out"
# Bob's session: not his to sign in to.
login bob
code=$(curl -sk -m 10 -b "$T/jar.bob" -o /dev/null -w '%{http_code}' \
	"$URL/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice-gpu&redirect_uri=/user/alice/gpu/oauth_callback&response_type=code&state=x" || true)
[ "$code" = 403 ] || fail "bob through gpu's OAuth: $code"

# Scopes filtered to one server: a token of alice's for gpu alone reaches
# gpu and reads it, but not the default server.
[ "$(TOKEN=$ALICE api POST /hub/api/users/alice/tokens -H 'Content-Type: application/json' \
	-d '{"scopes": ["access:servers!server=alice/gpu", "read:servers!server=alice/gpu"]}')" = 201 ] ||
	fail "a token for gpu alone: $(body)"
NARROW=$(json 'd["token"]' <"$T/body")
code=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $NARROW" "$URL/user/alice/gpu/api/status" || true)
[ "$code" = 200 ] || fail "the narrow token at gpu: $code"
code=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $NARROW" "$URL/user/alice/api/status" || true)
[ "$code" = 403 ] || fail "the narrow token at the default server: $code"
[ "$(TOKEN=$NARROW api GET /hub/api/users/alice/servers/gpu/progress -m 10)" = 200 ] ||
	fail "the narrow token at gpu's progress: $(body)"
[ "$(TOKEN=$NARROW api DELETE /hub/api/users/alice/servers/gpu)" = 403 ] || fail "the narrow token stopped gpu: $(body)"

# The named-server routes against rest-api.yml.
check() {
	local want=$1 method=$2 path=$3 code out
	shift 3
	code=$(api "$method" "$path" "$@")
	[ "$code" = "$want" ] || fail "$method $path gave $code, not $want: $(body)"
	out=$($PY "$HELPERS/apischema.py" "$SPEC" "$method" "$path" "$code" "$T/body" 2>&1) ||
		fail "$method $path ($code) against rest-api.yml: $out
body: $(body)"
}
TOKEN=$ALICE
check 200 GET /hub/api/users/alice
check 200 GET '/hub/api/users/alice?include_stopped_servers'
check 400 POST /hub/api/users/alice/servers/gpu
check 400 POST /hub/api/users/alice/servers/Bad
check 404 DELETE /hub/api/users/alice/servers/nope
check 202 DELETE /hub/api/users/alice/servers/gpu
for i in $(seq 1 150); do
	TOKEN=$ALICE api GET '/hub/api/users/alice?include_stopped_servers' >/dev/null
	[ "$(json 'd["servers"]["gpu"]["stopped"]' <"$T/body")" = true ] && break
	sleep 0.2
done
check 200 GET '/hub/api/users/alice?include_stopped_servers'
[ "$(json 'd["servers"]["gpu"]["stopped"]' <"$T/body")" = true ] || fail "gpu not stopped: $(body)"
check 204 DELETE /hub/api/users/alice/servers/gpu -d '{"remove": true}'
check 200 GET '/hub/api/users/alice?include_stopped_servers'
[ "$(json '"gpu" in d["servers"]' <"$T/body")" = false ] || fail "gpu not removed: $(body)"

hub_stop
