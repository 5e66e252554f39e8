#!/bin/bash
# An admin acting as another user: with admin_access = no (the default) an
# admin cannot make an API token for another user (a token acts as its
# user, so it would hand the admin that user's server); with admin_access =
# yes it can, and the hub logs who made it. An admin's own tokens, and
# listing and revoking others', stay open to admins either way.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add bob
ADMIN=$(rig_token alice)
hub_config
hub_start

TOKEN=$ADMIN
code=$(api POST /hub/api/users/bob/tokens -H 'Content-Type: application/json' -d '{"note":"as bob"}')
[ "$code" = 403 ] || fail "admin_access = no: an admin made a token for bob ($code): $(body)"
[ -z "$(json 'd.get("token", "")' <"$T/body")" ] || fail "a token came back with the refusal"
code=$(api POST /hub/api/users/alice/tokens -H 'Content-Type: application/json' -d '{"note":"own"}')
[ "$code" = 201 ] || fail "an admin's own token: $code: $(body)"
[ "$(api GET /hub/api/users/bob/tokens)" = 200 ] || fail "an admin listing bob's tokens: $(body)"
note "admin_access = no: token for bob refused, own token made"
hub_stop

hub_config "admin_access = yes"
hub_start
code=$(api POST /hub/api/users/bob/tokens -H 'Content-Type: application/json' -d '{"note":"as bob"}')
[ "$code" = 201 ] || fail "admin_access = yes: token for bob: $code: $(body)"
BOBTOK=$(json 'd["token"]' <"$T/body")
id=$(json 'd["id"]' <"$T/body")
TOKEN=$BOBTOK
[ "$(api GET /hub/api/user)" = 200 ] || fail "bob's new token: $(body)"
[ "$(json 'd["name"]' <"$T/body")" = bob ] || fail "the token is not bob's: $(body)"
grep -q "token ${id#a} for bob created by admin alice" "$T/hub.log" ||
	fail "the hub did not log the admin's token for bob"
hub_stop
note "admin_access = yes: token for bob made and logged"
