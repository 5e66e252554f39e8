#!/bin/bash
# Debian's jupyterhub-singleuser under rig, unchanged: its environment, its
# token's narrow powers at the hub, activity reports, the servers' loopback
# API listener, a browser's sign-in through OAuth to the classic notebook
# with its Control Panel link, a kernel over the browser's cookies, the
# notebook's Logout ending the hub session, the secret never in a page or
# a Location, and a hub restart keeping all of it.
. "$(dirname "$0")/lib.sh"
command -v jupyterhub-singleuser >/dev/null ||
	fail "jupyterhub-singleuser is missing (apt-get install jupyterhub)"

rig_user_add alice
rig_user_add bob
# The default server_cmd where jupyterhub-singleuser is installed.
# jupyterhub-singleuser imports much: on a loaded machine it takes long.
hub_config "server_cmd =" "spawn_timeout = 150"
READY_S=150
hub_start
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
spawn alice "$ALICE"
spawn bob "$BOB"

env_of() {
	tr '\0' '\n' <"/proc/$(server_pid "$1")/environ"
}
env_of alice >"$T/env.alice"
SA=$(sed -n 's/^JUPYTERHUB_API_TOKEN=//p' "$T/env.alice")
API=$(sed -n 's/^JUPYTERHUB_API_URL=//p' "$T/env.alice")
for want in JUPYTERHUB_CLIENT_ID=jupyterhub-user-alice JUPYTERHUB_USER=alice \
	JUPYTERHUB_SERVICE_PREFIX=/user/alice/ JUPYTERHUB_OAUTH_CALLBACK_URL=/user/alice/oauth_callback \
	"JUPYTERHUB_ACTIVITY_URL=$API/users/alice/activity" JUPYTERHUB_BASE_URL=/ JUPYTERHUB_SERVER_NAME= \
	'JUPYTERHUB_OAUTH_ACCESS_SCOPES=["access:servers!server=alice/","access:servers!user=alice"]' \
	"JUPYTERHUB_ROOT_DIR=$(getent passwd "${PREFIX}alice" | cut -d: -f6)" \
	JUPYTERHUB_SINGLEUSER_APP=notebook.notebookapp.NotebookApp; do
	grep -qxF -- "$want" "$T/env.alice" || fail "not in alice's server's environment: $want"
done
# It listens on its Unix socket (the default command's --sock), so no port
# in a service URL: no port for another account to take first.
! grep -q '^JUPYTERHUB_SERVICE_URL=' "$T/env.alice" ||
	fail "a JUPYTERHUB_SERVICE_URL beside the socket: $(grep SERVICE_URL "$T/env.alice")"
grep -qx "RIG_SERVER_SOCK=/run/rig/${PREFIX}alice/jupyter.sock" "$T/env.alice" ||
	fail "not on its socket: $(grep RIG_SERVER "$T/env.alice")"
pid=$(server_pid alice)
ss -xlp | grep -F "/run/rig/${PREFIX}alice/jupyter.sock" | grep -q "pid=$pid," ||
	fail "alice's singleuser ($pid) does not listen on its socket: $(ss -xlp | grep -F "${PREFIX}alice")"
! grep -q '^JUPYTER_TOKEN=' "$T/env.alice" || fail "JUPYTER_TOKEN set for jupyterhub-singleuser"

# The servers' API listener: the API alone, plain HTTP on loopback, tokens
# only, with the version header singleuser checks.
curl -s -m 10 -D "$T/h" -o /dev/null "$API/" || fail "no API at $API"
[ "$(header X-JupyterHub-Version <"$T/h")" = 3.0.0 ] || fail "X-JupyterHub-Version: $(cat "$T/h")"
base=${API%/hub/api}
for p in /hub/login /hub/home /user/alice/api/status /; do
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$base$p" || true)
	[ "$code" = 404 ] || fail "the API listener answered $p with $code"
done
login alice
code=$(curl -s -m 10 -b "$T/jar.alice" -o /dev/null -w '%{http_code}' "$API/user" || true)
[ "$code" = 403 ] || fail "a cookie authenticated on the API listener: $code"

# The server's token: who it is, and nothing more than its role.
URL0=$URL
URL=$base
[ "$(TOKEN=$SA api GET /hub/api/user)" = 200 ] || fail "the server's token at /hub/api/user: $(body)"
[ "$(json 'd["name"]' <"$T/body")" = alice ] || fail "user: $(body)"
[ "$(json '"users:activity!user=alice" in d["scopes"] and "access:servers!server=alice/" in d["scopes"]' <"$T/body")" = true ] ||
	fail "the server's scopes: $(body)"
# Its role's users:activity holds read:users:activity: of its user, that
# alone (as JupyterHub's server role).
[ "$(TOKEN=$SA api GET /hub/api/users/alice)" = 200 ] || fail "the server's token cannot read its activity: $(body)"
[ "$(json 'sorted(d)' <"$T/body")" = '["kind", "last_activity", "name"]' ] ||
	fail "the server's token read more of its user than the activity: $(body)"
[ "$(TOKEN=$SA api GET /hub/api/users)" = 403 ] || fail "the server's token listed users: $(body)"
[ "$(TOKEN=$SA api POST /hub/api/users/alice/tokens -d '{}')" = 403 ] ||
	fail "the server's token made an API token: $(body)"
[ "$(TOKEN=$SA api DELETE /hub/api/users/alice/server)" = 403 ] || fail "the server's token stopped it: $(body)"
now=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
[ "$(TOKEN=$SA api POST /hub/api/users/alice/activity -H 'Content-Type: application/json' \
	-d "{\"servers\": {\"\": {\"last_activity\": \"$now\"}}, \"last_activity\": \"$now\"}")" = 200 ] ||
	fail "activity: $(body)"
# Another user's: not found, as JupyterHub answers.
[ "$(TOKEN=$SA api POST /hub/api/users/bob/activity -d "{\"last_activity\": \"$now\"}")" = 404 ] ||
	fail "alice's server reported bob's activity: $(body)"
[ "$(TOKEN=$SA api POST /hub/api/users/alice/activity -d '{"last_activity": "yesterday"}')" = 400 ] ||
	fail "a malformed time: $(body)"
URL=$URL0
[ "$(TOKEN=$SA api GET /user/bob/api/status)" = 403 ] || fail "alice's server's token at bob's server: $(body)"

# A browser: the first visit goes through OAuth and lands on the tree.
# visit PATH: GET with alice's cookies, following the hub's and the
# server's redirects one by one; every Location is kept in $T/locs.
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
out=$(visit /user/alice/tree)
[ "$out" = "200 /user/alice/tree" ] || fail "first visit ended at $out: $(cat "$T/locs")"
grep -q '^/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&' "$T/locs" || fail "no OAuth: $(cat "$T/locs")"
grep -q '^/user/alice/oauth_callback?code=' "$T/locs" || fail "no callback: $(cat "$T/locs")"
grep -q "id='jupyterhub-control-panel-link'" "$T/page" || fail "no Control Panel link on the tree page"
grep -q "href='/hub/home'" "$T/page" || fail "the Control Panel link is not /hub/home"
! grep -qF "$SA" "$T/page" "$T/locs" "$T/jar.alice" || fail "the server's secret reached the browser"
# The second visit needs no OAuth: the server's cookie stands.
out=$(visit /user/alice/tree)
[ "$out" = "200 /user/alice/tree" ] && [ ! -s "$T/locs" ] || fail "second visit: $out $(cat "$T/locs")"

# A kernel over the browser's cookies, the server's _xsrf with them.
xsrf=$(awk '$6 == "_xsrf" {print $7}' "$T/jar.alice" | tail -n 1)
[ -n "$xsrf" ] || fail "no _xsrf cookie from the notebook"
out=$(XSRF=$xsrf timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/alice/" "cookie:$T/jar.alice" \
	'import os; print(os.environ.get("JUPYTERHUB_USER")); 6*7' 2>&1) || fail "runcell with cookies: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = 42 ] || fail "runcell printed: $out"
# And with an API token of alice's.
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" '1+1' 2>&1) ||
	fail "runcell with a token: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = 2 ] || fail "runcell with a token printed: $out"

# Bob's cookies at alice's server: the hub refuses before the server.
login bob
code=$(curl -sk -m 10 -b "$T/jar.bob" -o /dev/null -w '%{http_code}' "$URL/user/alice/api/status" || true)
[ "$code" = 403 ] || fail "bob's cookies at alice's server: $code"

# A restart: the server is taken over, its API port and token still work.
hub_stop
hub_start
[ "$(sed -n 's/^JUPYTERHUB_API_URL=//p' "$T/env.alice")" = "http://127.0.0.1:$(cat "$T/state/api-port")/hub/api" ] ||
	fail "the API port changed over a restart"
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $SA" "$API/user" || true)
[ "$code" = 200 ] || fail "the server's token after a restart: $code"
out=$(visit /user/alice/tree)
[ "$out" = "200 /user/alice/tree" ] || fail "after a restart: $out $(cat "$T/locs")"

# The notebook's Logout: the server's cookie goes, then the hub's session.
out=$(visit /user/alice/logout)
case $out in "200 /hub/login"*) ;; *) fail "notebook logout ended at $out: $(cat "$T/locs")" ;; esac
grep -qx /hub/logout "$T/locs" || fail "the notebook's logout did not go to /hub/logout: $(cat "$T/locs")"
out=$(visit /hub/home)
case $out in "200 /hub/login"*) ;; *) fail "after logout /hub/home gave $out" ;; esac
code=$(curl -sk -m 10 -b "$T/jar.alice" -o /dev/null -w '%{http_code}' "$URL/user/alice/api/status" || true)
[ "$code" = 403 ] || fail "the server still answered after logout: $code"

hub_stop
