#!/bin/bash
# The admin right: no admin takes away their own (another admin must), and
# the last admin keeps theirs, through the admin page, the API and the CLI;
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
is_admin() { # is_admin NAME [TOKEN]: asked by alice, or by TOKEN's owner
	TOKEN=${2:-$ATOKEN} api GET "/hub/api/users/$1" >/dev/null
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
# Nor does the CLI take the last admin's right; another's, it does.
rig_cli user admin bob off 2>"$T/err" && fail "rig user admin bob off took the last admin's right"
grep -q 'last admin' "$T/err" || fail "rig user admin did not say why: $(cat "$T/err")"
[ "$(is_admin bob "$BTOKEN")" = true ] || fail "bob is no admin after the refused rig user admin"
rig_cli user admin alice on || fail "rig user admin alice on"
rig_cli user admin bob off || fail "rig user admin bob off with alice an admin too"
# (the hub sees a CLI change within a second: its credentials cache)
for _ in $(seq 1 30); do
	[ "$(is_admin bob)" = false ] && break
	sleep 0.2
done
[ "$(is_admin bob)" = false ] || fail "bob is still an admin after rig user admin bob off"
hub_stop
