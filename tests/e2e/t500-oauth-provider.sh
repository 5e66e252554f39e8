#!/bin/bash
# The OAuth2 provider of JupyterHub's protocol, with Debian's
# jupyterhub-singleuser as the clients: an authorization code goes only to
# the client's registered callback, with the client's state, for one's own
# server; a code works once, only for the client it was given to, with
# that client's secret; the access token is the user's for that server
# only, and logging out of the hub ends it.
. "$(dirname "$0")/lib.sh"
command -v jupyterhub-singleuser >/dev/null ||
	fail "jupyterhub-singleuser is missing (apt-get install jupyterhub)"

rig_user_add alice
rig_user_add bob
# jupyterhub-singleuser imports much: on a loaded machine it takes long.
hub_config "server_cmd = jupyterhub-singleuser" "spawn_timeout = 150"
READY_S=150
hub_start
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
spawn alice "$ALICE"
spawn bob "$BOB"

# secret_of NAME: the server's JUPYTERHUB_API_TOKEN, read as root from
# its environment (the client secret a server holds).
secret_of() {
	tr '\0' '\n' <"/proc/$(server_pid "$1")/environ" | sed -n 's/^JUPYTERHUB_API_TOKEN=//p'
}
SA=$(secret_of alice)
SB=$(secret_of bob)
[ ${#SA} -ge 32 ] && [ ${#SB} -ge 32 ] || fail "no JUPYTERHUB_API_TOKEN in the servers' environments"
API=$(tr '\0' '\n' <"/proc/$(server_pid alice)/environ" | sed -n 's/^JUPYTERHUB_API_URL=//p')
case $API in http://127.0.0.1:*/hub/api) ;; *) fail "JUPYTERHUB_API_URL is '$API'" ;; esac

login alice
login bob
CB=%2Fuser%2Falice%2Foauth_callback

# authorize NAME QUERY: GET /hub/api/oauth2/authorize?QUERY with NAME's
# cookies; prints the status, the Location in $T/loc.
authorize() {
	local code
	code=$(curl -sk -m 10 -b "$T/jar.$1" -D "$T/az.hdr" -o "$T/az.body" -w '%{http_code}' \
		-H 'Accept: text/html' "$URL/hub/api/oauth2/authorize?$2" || true)
	header Location <"$T/az.hdr" >"$T/loc"
	echo "$code"
}
# code_of: the code in the last authorize's Location.
code_of() {
	sed -n 's/.*[?&]code=\([0-9a-f]*\).*/\1/p' "$T/loc"
}
# exchange CLIENT SECRET CODE [REDIRECT]: POST /hub/api/oauth2/token as
# HubOAuth does; prints the status, the body in $T/body.
exchange() {
	curl -sk -m 10 -o "$T/body" -w '%{http_code}' \
		--data-urlencode "client_id=jupyterhub-user-$1" --data-urlencode "client_secret=$2" \
		--data-urlencode grant_type=authorization_code --data-urlencode "code=$3" \
		--data-urlencode "redirect_uri=${4:-/user/$1/oauth_callback}" "$URL/hub/api/oauth2/token" || true
}

# The good case: a code and the client's state back at its callback.
code=$(authorize alice "client_id=jupyterhub-user-alice&redirect_uri=$CB&response_type=code&state=st%2Bx1")
[ "$code" = 302 ] || fail "authorize: $code $(cat "$T/az.body")"
case $(cat "$T/loc") in
/user/alice/oauth_callback\?code=*\&state=st%2Bx1) ;;
*) fail "authorize sent to '$(cat "$T/loc")'" ;;
esac

# An attacker's redirect_uri, another client's, one with more on it: 400,
# and no redirect at all.
for r in https%3A%2F%2Fevil.example%2Fcb //evil.example/user/alice/oauth_callback \
	%2Fuser%2Fbob%2Foauth_callback %2Fuser%2Falice%2Foauth_callback%2F..%2F..%2Fbob \
	%2Fuser%2Falice%2Foauth_callback%3Fx%3D1 ""; do
	code=$(authorize alice "client_id=jupyterhub-user-alice&redirect_uri=$r&response_type=code&state=s")
	[ "$code" = 400 ] || fail "redirect_uri '$r': $code, not 400"
	[ ! -s "$T/loc" ] || fail "redirect_uri '$r': redirected to $(cat "$T/loc")"
done
# No state, an empty one: refused (the client could not tell its own
# answer from a forged one).
for q in "" "&state="; do
	code=$(authorize alice "client_id=jupyterhub-user-alice&redirect_uri=$CB&response_type=code$q")
	[ "$code" = 400 ] && [ ! -s "$T/loc" ] || fail "state '$q': $code $(cat "$T/loc")"
done
# Another's server, an unknown client, another response type.
code=$(authorize alice "client_id=jupyterhub-user-bob&redirect_uri=%2Fuser%2Fbob%2Foauth_callback&response_type=code&state=s")
[ "$code" = 403 ] && [ ! -s "$T/loc" ] || fail "alice for bob's server: $code $(cat "$T/loc")"
code=$(authorize alice "client_id=jupyterhub-user-nobody&redirect_uri=%2Fuser%2Fnobody%2Foauth_callback&response_type=code&state=s")
[ "$code" = 400 ] || fail "unknown client: $code"
code=$(authorize alice "client_id=jupyterhub-user-alice&redirect_uri=$CB&response_type=token&state=s")
[ "$code" = 400 ] && [ ! -s "$T/loc" ] || fail "response_type=token: $code $(cat "$T/loc")"
# Not signed in: to the login page, the whole request kept for after.
code=$(curl -sk -m 10 -D "$T/h" -o /dev/null -w '%{http_code}' -H 'Accept: text/html' \
	"$URL/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&redirect_uri=$CB&response_type=code&state=s" || true)
[ "$code" = 302 ] || fail "authorize without login: $code"
case $(header Location <"$T/h") in
/hub/login?next=/hub/api/oauth2/authorize%3Fclient_id%3Djupyterhub-user-alice%26*) ;;
*) fail "authorize without login sent to $(header Location <"$T/h")" ;;
esac

# The token endpoint. A wrong secret: 401, and the code still stands.
authorize alice "client_id=jupyterhub-user-alice&redirect_uri=$CB&response_type=code&state=s" >/dev/null
C1=$(code_of)
[ -n "$C1" ] || fail "no code"
[ "$(exchange alice wrong-secret "$C1")" = 401 ] || fail "wrong secret: $(body)"
[ "$(exchange alice "$SB" "$C1")" = 401 ] || fail "bob's server's secret as alice's client: $(body)"
# Alice's code presented by bob's server (its own id and secret): refused,
# and burnt: alice's server cannot use it after that.
[ "$(exchange bob "$SB" "$C1")" = 400 ] || fail "alice's code for bob's client: $(body)"
[ "$(json 'd["error"]' <"$T/body")" = invalid_grant ] || fail "code for another client: $(body)"
[ "$(exchange alice "$SA" "$C1")" = 400 ] || fail "a code refused once still worked: $(body)"
# Another redirect_uri than the code's.
authorize alice "client_id=jupyterhub-user-alice&redirect_uri=$CB&response_type=code&state=s" >/dev/null
C2=$(code_of)
[ "$(exchange alice "$SA" "$C2" /user/alice/other)" = 400 ] || fail "other redirect_uri: $(body)"
# The right one, once.
authorize alice "client_id=jupyterhub-user-alice&redirect_uri=$CB&response_type=code&state=s" >/dev/null
C3=$(code_of)
[ "$(exchange alice "$SA" "$C3")" = 200 ] || fail "exchange: $(body)"
TOK=$(json 'd["access_token"]' <"$T/body")
[ "$(json 'd["token_type"]' <"$T/body")" = Bearer ] || fail "token type: $(body)"
[ "$(json 'd["expires_in"] > 0' <"$T/body")" = true ] || fail "expires_in: $(body)"
[ "$(exchange alice "$SA" "$C3")" = 400 ] || fail "a code worked twice: $(body)"
[ "$(json 'd["error"]' <"$T/body")" = invalid_grant ] || fail "reuse: $(body)"
# Stored hashed: neither the token nor the code is in the database.
for s in "$TOK" "$C3"; do
	! grep -qa "$s" "$T/state/rig.db" "$T/state/rig.db-wal" 2>/dev/null || fail "a secret stored in clear"
done
sum=$(printf '%s' "$TOK" | sha256sum | cut -d' ' -f1)
grep -qa "$sum" "$T/state/rig.db" "$T/state/rig.db-wal" 2>/dev/null || fail "the token's hash is not stored"

# The token is alice's, for her server only.
[ "$(TOKEN=$TOK api GET /hub/api/user)" = 200 ] || fail "GET /hub/api/user with the OAuth token: $(body)"
[ "$(json 'd["name"]' <"$T/body")" = alice ] || fail "user: $(body)"
[ "$(json 'd["scopes"]' <"$T/body")" = '["access:servers!server=alice/"]' ] || fail "scopes: $(body)"
[ "$(json 'len(d["session_id"])' <"$T/body")" = 32 ] || fail "session_id: $(body)"
[ "$(TOKEN=$TOK api GET /user/alice/api/status)" = 200 ] || fail "the OAuth token at alice's server: $(body)"
[ "$(TOKEN=$TOK api GET /user/bob/api/status)" = 403 ] || fail "alice's OAuth token at bob's server: $(body)"
[ "$(TOKEN=$TOK api GET /hub/api/users/alice)" = 403 ] || fail "the OAuth token read the user: $(body)"
[ "$(TOKEN=$TOK api POST /hub/api/users/alice/tokens -d '{}')" = 403 ] ||
	fail "the OAuth token made an API token: $(body)"
[ "$(TOKEN=$TOK api POST /hub/api/users/alice/server)" = 403 ] || fail "the OAuth token started a server: $(body)"

# Bob's own code cannot be swapped in for alice's client either.
authorize bob "client_id=jupyterhub-user-bob&redirect_uri=%2Fuser%2Fbob%2Foauth_callback&response_type=code&state=s" >/dev/null
CB1=$(code_of)
[ "$(exchange alice "$SA" "$CB1" /user/bob/oauth_callback)" = 400 ] || fail "bob's code at alice's client: $(body)"

# Logging out of the hub ends the OAuth tokens of that session.
curl -sk -m 10 -b "$T/jar.alice" -c "$T/jar.alice" -o /dev/null "$URL/hub/logout"
for i in $(seq 1 40); do
	[ "$(TOKEN=$TOK api GET /hub/api/user)" = 403 ] && break
	sleep 0.1
done
[ "$(TOKEN=$TOK api GET /hub/api/user)" = 403 ] || fail "the OAuth token outlived the logout"
[ "$(TOKEN=$ALICE api GET /hub/api/user)" = 200 ] || fail "the logout ended alice's API token too"

hub_stop
