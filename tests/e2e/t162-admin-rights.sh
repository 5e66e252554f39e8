#!/bin/bash
# The admin right: no admin takes away their own (another admin must), and
# the last admin keeps theirs, through the admin page and the API alike;
# giving and taking another admin's still works.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add bob
hub_config
hub_start
login alice /hub/home
ATOKEN=$(rig_token alice)
XSRF=$(xsrf_of alice)

# post PATH: a form POST as alice with her _xsrf; prints the status.
post() {
	curl -sk -m 10 -b "$T/jar.alice" -H "Origin: $URL" -H 'Accept: text/html' -o "$T/page" \
		-w '%{http_code}' --data-urlencode "_xsrf=$XSRF" "$URL$1" || true
}
is_admin() {
	TOKEN=$ATOKEN api GET "/hub/api/users/$1" >/dev/null
	json 'd["admin"]' <"$T/body"
}

# alice is the only admin: neither the page nor the API takes it away.
code=$(post /hub/admin/unadmin/alice)
[ "$code" = 409 ] || fail "removing her own admin right (page) gave $code, not 409"
grep -q 'your own admin right' "$T/page" || fail "the refusal does not say why: $(cat "$T/page")"
[ "$(is_admin alice)" = true ] || fail "alice lost her admin right through the page"
code=$(TOKEN=$ATOKEN api PATCH /hub/api/users/alice -d '{"admin": false}')
[ "$code" = 409 ] || fail "removing her own admin right (API) gave $code, not 409: $(body)"
[ "$(is_admin alice)" = true ] || fail "alice lost her admin right through the API"
# Her page offers no button for it.
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/admin" -o "$T/page"
grep -q 'action="/hub/admin/unadmin/alice"' "$T/page" &&
	fail "the admin page offers alice to remove her own admin right"

# Another admin: alice may take bob's right away again, not her own.
code=$(post /hub/admin/admin/bob)
[ "$code" = 302 ] || fail "making bob an admin gave $code"
[ "$(is_admin bob)" = true ] || fail "bob is not an admin"
code=$(post /hub/admin/unadmin/alice)
[ "$code" = 409 ] || fail "removing her own admin right with another admin gave $code, not 409"
[ "$(is_admin alice)" = true ] || fail "alice lost her own admin right"
code=$(post /hub/admin/unadmin/bob)
[ "$code" = 302 ] || fail "removing bob's admin right gave $code"
[ "$(is_admin bob)" = false ] || fail "bob is still an admin"

# bob, an admin again, takes alice's right by the API; then he is the last
# admin and keeps his.
code=$(TOKEN=$ATOKEN api PATCH /hub/api/users/bob -d '{"admin": true}')
[ "$code" = 200 ] || fail "PATCH bob admin: $code $(body)"
BTOKEN=$(rig_token bob)
code=$(TOKEN=$BTOKEN api PATCH /hub/api/users/alice -d '{"admin": false}')
[ "$code" = 200 ] || fail "bob removing alice's admin right gave $code: $(body)"
code=$(TOKEN=$BTOKEN api PATCH /hub/api/users/bob -d '{"admin": false}')
[ "$code" = 409 ] || fail "the last admin removing his own right gave $code, not 409"
[ "$(TOKEN=$BTOKEN api GET /hub/api/users/alice)" = 200 ] || fail "bob cannot use the API's user calls any more"
hub_stop
