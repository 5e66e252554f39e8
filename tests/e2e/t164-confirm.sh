#!/bin/bash
# Deleting a user and revoking a token ask first: a POST with the
# session's _xsrf alone (what a one-click form sends) shows the question
# and changes nothing; the confirmation page's own token does it, and that
# token is bound to its action (another user's or token's does not do).
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add bob
rig_user_add carol
hub_config
hub_start
login alice /hub/home
login bob /hub/home
ATOKEN=$(rig_token alice)

# post NAME PATH FIELDS...: a form POST with NAME's _xsrf; status.
post() {
	local name=$1 path=$2 args=() f
	shift 2
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	curl -sk -m 10 -b "$T/jar.$name" -H "Origin: $URL" -H 'Accept: text/html' -o "$T/page" \
		-w '%{http_code}' --data-urlencode "_xsrf=$(xsrf_of "$name")" "${args[@]}" "$URL$path" || true
}
exists() { [ "$(TOKEN=$ATOKEN api GET "/hub/api/users/$1")" = 200 ]; }

# Deleting bob: the admin page links to the question, which needs no script.
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/admin" -o "$T/page"
grep -q 'href="/hub/admin/delete/bob"' "$T/page" || fail "the admin page has no Delete link for bob"
code=$(post alice /hub/admin/delete/bob)
[ "$code" = 200 ] || fail "POST delete/bob without confirmation gave $code, not 200 (the question)"
exists bob || fail "bob was deleted on one click"
grep -q 'name="confirm"' "$T/page" || fail "the question has no confirmation field"
code=$(curl -sk -m 10 -b "$T/jar.alice" -o "$T/page" -w '%{http_code}' "$URL/hub/admin/delete/bob")
[ "$code" = 200 ] || fail "GET the question gave $code"
exists bob || fail "bob was deleted by a GET"
confirm_bob=$(form_input confirm <"$T/page")
[ -n "$confirm_bob" ] || fail "no confirmation token on the page"
[ "$(form_input _xsrf <"$T/page")" = "$(xsrf_of alice)" ] || fail "the question's form has no _xsrf"
# carol's confirmation does not delete bob, nor does bob's without _xsrf.
curl -sk -m 10 -b "$T/jar.alice" -o "$T/page" "$URL/hub/admin/delete/carol"
confirm_carol=$(form_input confirm <"$T/page")
code=$(post alice /hub/admin/delete/bob "confirm=$confirm_carol")
exists bob || fail "carol's confirmation deleted bob ($code)"
code=$(curl -sk -m 10 -b "$T/jar.alice" -H "Origin: $URL" -o /dev/null -w '%{http_code}' \
	--data-urlencode "confirm=$confirm_bob" "$URL/hub/admin/delete/bob")
[ "$code" = 403 ] || fail "the confirmation without _xsrf gave $code, not 403"
exists bob || fail "bob was deleted without _xsrf"
code=$(post alice /hub/admin/delete/bob "confirm=$confirm_bob")
[ "$code" = 302 ] || fail "the confirmed delete gave $code"
exists bob && fail "bob is still there after the confirmed delete"
exists carol || fail "carol went with bob"

# Revoking a token of carol's: the same.
login carol /hub/home
CTOKEN=$(rig_token carol)
TOKEN=$CTOKEN api GET /hub/api/users/carol/tokens >/dev/null
id=$(json '[t["id"] for t in d["api_tokens"]][0]' <"$T/body")
n=${id#a}
[ -n "$n" ] || fail "no token id: $(body)"
code=$(post carol "/hub/token/revoke/$n")
[ "$code" = 200 ] || fail "POST revoke without confirmation gave $code, not 200"
[ "$(TOKEN=$CTOKEN api GET /hub/api/user)" = 200 ] || fail "the token was revoked on one click"
curl -sk -m 10 -b "$T/jar.carol" -o "$T/page" "$URL/hub/token/revoke/$n"
c=$(form_input confirm <"$T/page")
[ -n "$c" ] || fail "no confirmation on the revoke question"
# alice's session cannot use carol's confirmation (bound to carol's session).
code=$(post alice "/hub/token/revoke/$n" "confirm=$c")
[ "$(TOKEN=$CTOKEN api GET /hub/api/user)" = 200 ] || fail "alice revoked carol's token ($code)"
code=$(post carol "/hub/token/revoke/$n" "confirm=$c")
[ "$code" = 302 ] || fail "the confirmed revoke gave $code"
code=$(TOKEN=$CTOKEN api GET /hub/api/user)
case $code in 401 | 403) ;; *) fail "the revoked token still works ($code)" ;; esac
hub_stop
