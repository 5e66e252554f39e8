#!/bin/bash
# Managed services (issue 14 item 3): a service written with Debian's
# jupyterhub package (HubOAuth, HubAuth, tornado: tests/helpers/
# hub-service.py) started by the hub as an account of its own with
# JupyterHub's environment; users signed in to it through the hub's OAuth
# with a consent page (deny, then allow); its token kept from other
# accounts; its clients and redirect URIs checked; a killed service
# restarted; stopped with the hub.
. "$(dirname "$0")/lib.sh"
$PY -c 'import jupyterhub.services.auth, tornado' 2>/dev/null ||
	fail "Debian's jupyterhub package is missing (apt-get install jupyterhub)"

rig_user_add alice
rig_user_add bob
rig_user_add boss --admin
SPORT=$(free_port)
ACCT=${PREFIX}whoami
hub_config "[service whoami]" "url = http://127.0.0.1:$SPORT" \
	"command = $PY $HELPERS/hub-service.py" "environment = RIG_T520=marked"
hub_start
BOSS=$(rig_token boss)
ALICE=$(rig_token alice)
BOB=$(rig_token bob)

# svc_pid: the service's process (the oldest of its account).
svc_pid() { pgrep -o -u "$ACCT" 2>/dev/null || true; }
# wait_service: until the service answers through the hub (60 s at most).
wait_service() {
	local i code
	for i in $(seq 1 300); do
		code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SPORT/services/whoami/self" || true)
		[ "$code" = 200 ] && return 0
		sleep 0.2
	done
	fail "the service does not answer (last: $code); see $T/state/logs/service-whoami.log"
}
wait_service
P=$(svc_pid)
[ -n "$P" ] || fail "no process of $ACCT: the service does not run as its own account"

# Its account: its own, neither root nor the hub's 'rig' (which owns the
# database), and made by the hub.
[ "$(stat -c %u "/proc/$P")" = "$(id -u "$ACCT")" ] || fail "the service is not $ACCT's"
[ "$(id -u "$ACCT")" != 0 ] && [ "$ACCT" != rig ] || fail "the service runs as $ACCT"
# JupyterHub's environment (read as root).
envof() { tr '\0' '\n' <"/proc/$P/environ" | sed -n "s/^$1=//p"; }
[ "$(envof JUPYTERHUB_SERVICE_NAME)" = whoami ] || fail "JUPYTERHUB_SERVICE_NAME: '$(envof JUPYTERHUB_SERVICE_NAME)'"
[ "$(envof JUPYTERHUB_SERVICE_PREFIX)" = /services/whoami/ ] || fail "JUPYTERHUB_SERVICE_PREFIX: '$(envof JUPYTERHUB_SERVICE_PREFIX)'"
[ "$(envof JUPYTERHUB_CLIENT_ID)" = service-whoami ] || fail "JUPYTERHUB_CLIENT_ID: '$(envof JUPYTERHUB_CLIENT_ID)'"
[ "$(envof JUPYTERHUB_SERVICE_URL)" = "http://127.0.0.1:$SPORT" ] || fail "JUPYTERHUB_SERVICE_URL: '$(envof JUPYTERHUB_SERVICE_URL)'"
[ "$(envof JUPYTERHUB_OAUTH_CALLBACK_URL)" = /services/whoami/oauth_callback ] || fail "JUPYTERHUB_OAUTH_CALLBACK_URL: '$(envof JUPYTERHUB_OAUTH_CALLBACK_URL)'"
[ "$(envof JUPYTERHUB_OAUTH_ACCESS_SCOPES)" = '["access:services!service=whoami"]' ] || fail "JUPYTERHUB_OAUTH_ACCESS_SCOPES: '$(envof JUPYTERHUB_OAUTH_ACCESS_SCOPES)'"
case $(envof JUPYTERHUB_API_URL) in http://127.0.0.1:*/hub/api) ;; *) fail "JUPYTERHUB_API_URL: '$(envof JUPYTERHUB_API_URL)'" ;; esac
[ "$(envof RIG_T520)" = marked ] || fail "the service's own environment line is missing"
STOK=$(envof JUPYTERHUB_API_TOKEN)
[ ${#STOK} = 64 ] || fail "no JUPYTERHUB_API_TOKEN in the service's environment"

# The token: on no command line, in no file of the hub, and another
# account can neither read the service's environment nor see it in ps.
# (The needle is in a file: on grep's own command line it would be found.)
printf '%s\n' "$STOK" >"$T/needle"
grep -l -a -F -f "$T/needle" /proc/[0-9]*/cmdline 2>/dev/null | grep -q . && fail "the service's token is on a command line"
grep -r -a -l -F -f "$T/needle" "$T/state" 2>/dev/null | grep -q . && fail "the service's token is in a file of the state directory"
setpriv --reuid=nobody --regid=nogroup --clear-groups cat "/proc/$P/environ" >/dev/null 2>&1 &&
	fail "another account reads the service's environment"
setpriv --reuid=nobody --regid=nogroup --clear-groups ps -eww -o args e 2>/dev/null | grep -q -F -f "$T/needle" &&
	fail "another account sees the service's token in ps"

# The API: the service's own token is a service (no user), holding no
# scope it was not given; GET /hub/api/services wants read:services.
code=$(TOKEN=$STOK api GET /hub/api/user)
[ "$code" = 200 ] && [ "$(json 'd["kind"]' <"$T/body")" = service ] && [ "$(json 'd["name"]' <"$T/body")" = whoami ] ||
	fail "GET /hub/api/user with the service's token: $code $(body)"
code=$(TOKEN=$STOK api GET /hub/api/users)
[ "$code" = 403 ] || fail "the service's token without scopes listed users: $code"
code=$(TOKEN=$STOK api GET /hub/api/users/alice/tokens)
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "the service's token read alice's tokens: $code"
code=$(TOKEN=$ALICE api GET /hub/api/services)
[ "$code" = 403 ] || fail "alice listed services without read:services: $code"
code=$(TOKEN=$BOSS api GET /hub/api/services)
[ "$code" = 200 ] || fail "GET /hub/api/services as admin: $code"
[ "$(json '[s["pid"] for s in d if s["name"] == "whoami"][0]' <"$T/body")" = "$P" ] ||
	fail "the services list does not show the service's pid $P: $(body)"
SPEC=$TOP/tests/data/jupyterhub-rest-api.yml
$PY "$HELPERS/apischema.py" "$SPEC" GET /hub/api/services 200 "$T/body" || fail "GET /hub/api/services against rest-api.yml"
code=$(TOKEN=$BOSS api GET /hub/api/services/whoami)
[ "$code" = 200 ] && [ "$(json 'd["prefix"]' <"$T/body")" = /services/whoami/ ] || fail "GET /hub/api/services/whoami: $code $(body)"
$PY "$HELPERS/apischema.py" "$SPEC" GET /hub/api/services/whoami 200 "$T/body" || fail "GET /hub/api/services/whoami against rest-api.yml"
code=$(TOKEN=$BOSS api GET /hub/api/services/nope)
[ "$code" = 404 ] || fail "GET /hub/api/services/nope: $code"

# get NAME PATH: GET $URL$PATH with NAME's cookies, no redirects followed;
# prints the status, the Location in $T/loc, the body in $T/page.
get() {
	local code
	code=$(curl -sk -m 30 -b "$T/jar.$1" -c "$T/jar.$1" -D "$T/get.hdr" -o "$T/page" -w '%{http_code}' \
		-H 'Accept: text/html' "$URL$2" || true)
	header Location <"$T/get.hdr" >"$T/loc"
	echo "$code"
}
# consent NAME DECISION [XSRF]: posts the consent page in $T/page.
consent() {
	local f args=() x=${3-$(form_input _xsrf <"$T/page")}
	for f in client_id redirect_uri response_type state; do
		args+=(--data-urlencode "$f=$(form_input "$f" <"$T/page")")
	done
	curl -sk -m 30 -b "$T/jar.$1" -c "$T/jar.$1" -D "$T/post.hdr" -o /dev/null -w '%{http_code}' \
		-H "Origin: $URL" "${args[@]}" --data-urlencode "_xsrf=$x" --data-urlencode "decision=$2" \
		"$URL/hub/api/oauth2/authorize" || true
	header Location <"$T/post.hdr" >"$T/loc"
}
# to_authorize NAME: the service sends NAME to the hub's authorize URL,
# which asks for consent; leaves the consent page in $T/page.
to_authorize() {
	local code loc
	code=$(get "$1" /services/whoami/)
	loc=$(cat "$T/loc")
	[ "$code" = 302 ] || fail "$1: the service answered $code, not a redirect to the hub"
	case $loc in /hub/api/oauth2/authorize\?*client_id=service-whoami*) ;; *) fail "$1: the service sent to '$loc'" ;; esac
	code=$(get "$1" "$loc")
	[ "$code" = 200 ] && grep -q 'name="decision"' "$T/page" ||
		fail "$1: no consent page for a service without oauth_no_confirm ($code)"
	grep -q "whoami" "$T/page" || fail "the consent page does not name the service"
}

login alice
login bob
to_authorize alice
# A forged decision (no session XSRF token) is refused; so is a denial
# sent back with error=access_denied and the client's state.
code=$(consent alice allow forged)
[ "$code" = 403 ] || fail "a consent without the session's XSRF token: $code"
code=$(consent alice deny)
[ "$code" = 302 ] || fail "denying: $code"
case $(cat "$T/loc") in /services/whoami/oauth_callback\?error=access_denied\&state=?*) ;; *) fail "a denial went to '$(cat "$T/loc")'" ;; esac
grep -q 'code=' "$T/loc" && fail "a denial carried a code"

# Allowed: the code goes to the service's callback, which HubOAuth
# exchanges, and the service knows alice.
to_authorize alice
code=$(consent alice allow)
[ "$code" = 302 ] || fail "allowing: $code"
CB=$(cat "$T/loc")
case $CB in /services/whoami/oauth_callback\?code=*\&state=*) ;; *) fail "the code went to '$CB'" ;; esac
code=$(get alice "$CB")
[ "$code" = 302 ] || fail "the service's callback answered $code: $(head -c 300 "$T/page")"
code=$(get alice /services/whoami/)
[ "$code" = 200 ] && [ "$(json 'd["name"]' <"$T/page")" = alice ] || fail "HubOAuth did not sign alice in: $code $(head -c 300 "$T/page")"
json 'd["scopes"]' <"$T/page" | grep -q 'access:services!service=whoami' || fail "alice's model lacks the service's access scope: $(cat "$T/page")"

# bob signs in as bob, and the service tells them apart.
to_authorize bob
code=$(consent bob allow)
code=$(get bob "$(cat "$T/loc")")
code=$(get bob /services/whoami/)
[ "$(json 'd["name"]' <"$T/page")" = bob ] || fail "bob's sign-in gave $(cat "$T/page")"

# HubAuth: an OAuth access token the service's client got for alice (by
# hand here, with the service's secret) is alice's at the service, and
# nothing more at the hub; bob's own API token is refused by the service
# (it holds no access to it); a code works once; another secret fails.
code=$(get alice "/hub/api/oauth2/authorize?client_id=service-whoami&redirect_uri=%2Fservices%2Fwhoami%2Foauth_callback&response_type=code&state=byhand")
[ "$code" = 200 ] || fail "authorize by hand: $code"
consent alice allow >/dev/null
CODE=$(sed -n 's/.*[?&]code=\([0-9a-f]*\).*/\1/p' "$T/loc")
exchange() {
	curl -sk -m 10 -o "$T/body" -w '%{http_code}' --data-urlencode client_id=service-whoami \
		--data-urlencode "client_secret=$1" --data-urlencode grant_type=authorization_code \
		--data-urlencode "code=$2" --data-urlencode redirect_uri=/services/whoami/oauth_callback \
		"$URL/hub/api/oauth2/token" || true
}
code=$(exchange "$BOB" "$CODE")
[ "$code" = 401 ] || fail "a code exchanged with bob's token as the secret: $code"
code=$(exchange "$STOK" "$CODE")
[ "$code" = 200 ] || fail "the service's exchange: $code $(body)"
AT=$(json 'd["access_token"]' <"$T/body")
code=$(exchange "$STOK" "$CODE")
[ "$code" = 400 ] || fail "a code used twice: $code"
code=$(curl -sk -m 30 -o "$T/page" -w '%{http_code}' -H "Authorization: token $AT" "$URL/services/whoami/token" || true)
[ "$code" = 200 ] && [ "$(json 'd["name"]' <"$T/page")" = alice ] || fail "HubAuth with alice's OAuth token: $code $(cat "$T/page")"
# bob's own API token may do all bob may: the hub does not hand it to
# the service, which then knows no one.
code=$(curl -sk -m 30 -o "$T/page" -w '%{http_code}' -H "Authorization: token $BOB" "$URL/services/whoami/token" || true)
[ "$code" != 200 ] && ! grep -q bob "$T/page" || fail "the service got bob's API token: $code $(cat "$T/page")"
# Nor does it get the service's own, sent by someone who found it.
code=$(curl -sk -m 30 -o "$T/page" -w '%{http_code}' -H "Authorization: token $STOK" "$URL/services/whoami/token" || true)
[ "$code" != 200 ] || fail "the service's own token signed in at the service: $(cat "$T/page")"
code=$(TOKEN=$AT api GET /hub/api/users/alice/tokens)
[ "$code" = 403 ] || fail "alice's OAuth token for the service read her tokens: $code"
code=$(TOKEN=$AT api GET /hub/api/users/bob)
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "alice's OAuth token for the service read bob: $code"

# Forged clients and redirect URIs get no code and no redirect.
S=state123
for q in "client_id=service-nope&redirect_uri=%2Fservices%2Fnope%2Foauth_callback" \
	"client_id=nope&redirect_uri=%2Fservices%2Fwhoami%2Foauth_callback" \
	"client_id=service-whoami&redirect_uri=%2Fservices%2Fother%2Foauth_callback" \
	"client_id=service-whoami&redirect_uri=%2Fservices%2Fwhoami%2F..%2F..%2Fhub%2Fhome" \
	"client_id=service-whoami&redirect_uri=https%3A%2F%2Fevil.example%2Fservices%2Fwhoami%2Foauth_callback"; do
	code=$(get alice "/hub/api/oauth2/authorize?$q&response_type=code&state=$S")
	[ "$code" = 400 ] || fail "authorize with $q: $code"
	[ -s "$T/loc" ] && fail "authorize with $q redirected to $(cat "$T/loc")"
done
# A decision posted with an API token (no browser) is refused.
code=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $ALICE" \
	--data-urlencode client_id=service-whoami --data-urlencode redirect_uri=/services/whoami/oauth_callback \
	--data-urlencode response_type=code --data-urlencode state=x --data-urlencode decision=allow \
	"$URL/hub/api/oauth2/authorize" || true)
[ "$code" = 403 ] || fail "a consent decided with an API token: $code"

# A hub user named like the service would run as its account: no server.
rig_user_add whoami
WTOK=$(rig_token whoami)
TOKEN=$WTOK api POST /hub/api/users/whoami/server >/dev/null
for i in $(seq 1 100); do
	grep -q "server whoami: start failed: the Unix account '$ACCT' is a service's" "$T/hub.log" && break
	sleep 0.1
done
grep -q "is a service's" "$T/hub.log" || fail "the user 'whoami' got a start as the service's account"
[ "$(svc_pid)" = "$P" ] || fail "the service's process changed after the user's start"

# Killed, the service comes back (a new process, answering again).
kill -KILL "$P"
for i in $(seq 1 300); do
	NP=$(svc_pid)
	[ -n "$NP" ] && [ "$NP" != "$P" ] && break
	sleep 0.1
done
[ -n "$NP" ] && [ "$NP" != "$P" ] || fail "the killed service was not restarted"
grep -q "service whoami: killed by signal 9; restarting" "$T/hub.log" || fail "the hub did not say the service was killed"
wait_service

# Stopped with the hub.
NP=$(svc_pid)
hub_stop
for i in $(seq 1 100); do
	pid_alive "$NP" || break
	sleep 0.1
done
pid_alive "$NP" && fail "the service outlived the hub"
exit 0
