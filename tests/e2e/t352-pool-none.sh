#!/bin/bash
# A hub without a pool (spawner local) has no pool view: GET
# /hub/api/pool is 404 for an admin (403 for a user, as any admin's
# route), and the admin page has no pool section.
. "$(dirname "$0")/lib.sh"

rig_user_add boss --admin
rig_user_add bob
hub_config
hub_start
TA=$(rig_token boss)
TB=$(rig_token bob)
code=$(TOKEN=$TA api GET /hub/api/pool)
[ "$code" = 404 ] || fail "GET /hub/api/pool without a pool: $code $(body)"
code=$(TOKEN=$TB api GET /hub/api/pool)
[ "$code" = 403 ] || fail "bob's GET /hub/api/pool: $code $(body)"
code=$(TOKEN=$TA api GET /hub/admin)
[ "$code" = 200 ] || fail "GET /hub/admin: $code"
grep -q '<h1>Users</h1>' "$T/body" || fail "not the admin page: $(body | head -c 300)"
grep -q 'id="pool"' "$T/body" && fail "a pool section without a pool"
hub_stop
