#!/bin/bash
# OAuth access tokens as JupyterHub lists them: a service with
# oauth_no_confirm signs alice in without a consent page; her token list
# shows that token with its oauth_client (and session), she revokes it and
# the service's sign-in with it ends; bob neither sees nor revokes it; and
# `rig token create --scopes --expires-in` makes a narrow token that works
# for what it holds, is refused the rest, and stops at its expiry. And an
# admin with admin_access signing in to another user's server is asked
# first (the owner is not; another user is refused).
. "$(dirname "$0")/lib.sh"
$PY -c 'import jupyterhub.services.auth, tornado' 2>/dev/null ||
	fail "Debian's jupyterhub package is missing (apt-get install jupyterhub)"

rig_user_add alice
rig_user_add bob
rig_user_add boss --admin
SPORT=$(free_port)
hub_config "admin_access = yes" "[service quick]" "url = http://127.0.0.1:$SPORT" \
	"command = $PY $HELPERS/hub-service.py" "oauth_no_confirm = yes"
hub_start
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
for i in $(seq 1 300); do
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SPORT/services/quick/self" || true)
	[ "$code" = 200 ] && break
	sleep 0.2
done
[ "$code" = 200 ] || fail "the service does not answer; see $T/state/logs/service-quick.log"

# No consent page: the authorize request goes straight to the callback.
login alice
code=$(curl -sk -m 30 -b "$T/jar.alice" -c "$T/jar.alice" -o "$T/page" -w '%{http_code}' -L \
	--max-redirs 10 -H 'Accept: text/html' "$URL/services/quick/" || true)
[ "$code" = 200 ] && [ "$(json 'd["name"]' <"$T/page")" = alice ] ||
	fail "oauth_no_confirm: alice not signed in at once: $code $(head -c 300 "$T/page")"

# A second sign-in by hand, with the service's secret (read as root
# from its environment), gives a token this test holds.
SP=$(pgrep -o -u "${PREFIX}quick")
STOK=$(tr '\0' '\n' <"/proc/$SP/environ" | sed -n 's/^JUPYTERHUB_API_TOKEN=//p')
curl -sk -m 30 -b "$T/jar.alice" -D "$T/az.hdr" -o /dev/null \
	"$URL/hub/api/oauth2/authorize?client_id=service-quick&redirect_uri=%2Fservices%2Fquick%2Foauth_callback&response_type=code&state=s1" || true
CODE=$(header Location <"$T/az.hdr" | sed -n 's/.*[?&]code=\([0-9a-f]*\).*/\1/p')
[ -n "$CODE" ] || fail "no code for the service without a consent page: $(cat "$T/az.hdr")"
code=$(curl -sk -m 10 -o "$T/body" -w '%{http_code}' --data-urlencode client_id=service-quick \
	--data-urlencode "client_secret=$STOK" --data-urlencode grant_type=authorization_code \
	--data-urlencode "code=$CODE" --data-urlencode redirect_uri=/services/quick/oauth_callback \
	"$URL/hub/api/oauth2/token" || true)
[ "$code" = 200 ] || fail "the exchange: $code $(body)"
AT=$(json 'd["access_token"]' <"$T/body")
code=$(TOKEN=$AT api GET /hub/api/user)
[ "$code" = 200 ] && [ "$(json 'd["name"]' <"$T/body")" = alice ] || fail "the OAuth token at /hub/api/user: $code"

# Listed, as JupyterHub lists OAuth tokens: one per client and login
# session, ours now (it replaced the one the service got first).
code=$(TOKEN=$ALICE api GET /hub/api/users/alice/tokens)
[ "$code" = 200 ] || fail "GET alice's tokens: $code"
[ "$(json 'len([t for t in d["api_tokens"] if t["oauth_client"] == "service-quick"])' <"$T/body")" = 1 ] ||
	fail "alice's token list has not her token of client service-quick: $(body)"
ID=$(json '[t["id"] for t in d["api_tokens"] if t["oauth_client"] == "service-quick"][-1]' <"$T/body")
[ "$(json '[t for t in d["api_tokens"] if t["id"] == "'"$ID"'"][0]["session_id"] is not None' <"$T/body")" = true ] ||
	fail "the OAuth token has no session_id: $(body)"
json '[t for t in d["api_tokens"] if t["id"] == "'"$ID"'"][0]["scopes"]' <"$T/body" | grep -q 'access:services!service=quick' ||
	fail "the OAuth token's scopes: $(body)"
$PY "$HELPERS/apischema.py" "$TOP/tests/data/jupyterhub-rest-api.yml" GET /hub/api/users/alice/tokens 200 "$T/body" ||
	fail "the token list against rest-api.yml"
code=$(TOKEN=$ALICE api GET "/hub/api/users/alice/tokens/$ID")
[ "$code" = 200 ] || fail "GET the OAuth token: $code"
# bob can neither see nor revoke it.
code=$(TOKEN=$BOB api GET "/hub/api/users/alice/tokens/$ID")
[ "$code" = 404 ] || [ "$code" = 403 ] || fail "bob read alice's OAuth token: $code"
code=$(TOKEN=$BOB api DELETE "/hub/api/users/alice/tokens/$ID")
[ "$code" = 404 ] || [ "$code" = 403 ] || fail "bob revoked alice's OAuth token: $code"
"$RIG" token list alice --state-dir "$T/state" | grep -q "^${ID#a}[[:space:]]" || fail "rig token list does not show the OAuth token"

# Revoked, it stops working at once.
code=$(TOKEN=$ALICE api DELETE "/hub/api/users/alice/tokens/$ID")
[ "$code" = 204 ] || fail "alice revoking her OAuth token: $code"
code=$(TOKEN=$ALICE api GET "/hub/api/users/alice/tokens/$ID")
[ "$code" = 404 ] || fail "the revoked token is still there: $code"
code=$(TOKEN=$AT api GET /hub/api/user)
[ "$code" = 403 ] || [ "$code" = 401 ] || fail "the revoked OAuth token still works: $code"

# The CLI's narrow, expiring token: reads alice's activity, nothing else.
NARROW=$("$RIG" token create alice --state-dir "$T/state" --scopes 'read:users:activity!user' --expires-in 4 | grep -oE '^[0-9a-f]{64}$')
[ ${#NARROW} = 64 ] || fail "rig token create --scopes printed no token"
code=$(TOKEN=$NARROW api GET /hub/api/users/alice)
[ "$code" = 200 ] && [ -n "$(json 'd["last_activity"]' <"$T/body")" ] || fail "the narrow token reading alice: $code $(body)"
[ "$(json '"admin" in d' <"$T/body")" = false ] || fail "the narrow token read more than activity: $(body)"
code=$(TOKEN=$NARROW api GET /hub/api/users/alice/tokens)
[ "$code" = 403 ] || fail "the narrow token read alice's tokens: $code"
code=$(TOKEN=$NARROW api POST /hub/api/users/alice/server)
[ "$code" = 403 ] || fail "the narrow token started a server: $code"
code=$(TOKEN=$NARROW api GET /hub/api/users/bob)
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "the narrow token read bob: $code"
"$RIG" token create alice --state-dir "$T/state" --scopes admin:users >/dev/null 2>&1 &&
	fail "rig token create gave alice admin:users"
"$RIG" token create alice --state-dir "$T/state" --scopes nope >/dev/null 2>&1 &&
	fail "rig token create took a scope that is none"
for i in $(seq 1 150); do
	code=$(TOKEN=$NARROW api GET /hub/api/users/alice)
	[ "$code" = 403 ] && break
	sleep 0.2
done
[ "$code" = 403 ] || fail "the token made with --expires-in 4 still works: $code"
# Another user's server: consent for the admin, none for the owner, 403
# for bob; the consent's "allow" gives the admin a code for that server.
login boss
AZ="/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&redirect_uri=%2Fuser%2Falice%2Foauth_callback&response_type=code&state=adm"
code=$(curl -sk -m 30 -b "$T/jar.boss" -o "$T/page" -w '%{http_code}' "$URL$AZ" || true)
[ "$code" = 200 ] && grep -q 'name="decision"' "$T/page" && grep -q 'server of alice' "$T/page" ||
	fail "an admin's sign-in to alice's server asked no consent: $code"
X=$(form_input _xsrf <"$T/page")
code=$(curl -sk -m 30 -b "$T/jar.boss" -D "$T/post.hdr" -o /dev/null -w '%{http_code}' -H "Origin: $URL" \
	--data-urlencode client_id=jupyterhub-user-alice --data-urlencode redirect_uri=/user/alice/oauth_callback \
	--data-urlencode response_type=code --data-urlencode state=adm --data-urlencode "_xsrf=$X" \
	--data-urlencode decision=allow "$URL/hub/api/oauth2/authorize" || true)
[ "$code" = 302 ] && header Location <"$T/post.hdr" | grep -q '^/user/alice/oauth_callback?code=[0-9a-f]*&state=adm$' ||
	fail "the admin's consent: $code $(header Location <"$T/post.hdr")"
code=$(curl -sk -m 30 -b "$T/jar.alice" -D "$T/az.hdr" -o /dev/null -w '%{http_code}' "$URL$AZ" || true)
[ "$code" = 302 ] && header Location <"$T/az.hdr" | grep -q 'code=' || fail "alice was asked for consent to her own server: $code"
login bob
code=$(curl -sk -m 30 -b "$T/jar.bob" -o /dev/null -w '%{http_code}' "$URL$AZ" || true)
[ "$code" = 403 ] || fail "bob signing in to alice's server: $code"
hub_stop
exit 0
