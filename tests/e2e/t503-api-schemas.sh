#!/bin/bash
# The API's JSON against JupyterHub's own description of it: every route
# rig implements, asked as an admin, as a user, with scoped tokens and as
# the callers it refuses, each answer checked against rest-api.yml
# (tests/data/jupyterhub-rest-api.yml, JupyterHub's, BSD-3-Clause; see
# tests/data/SOURCES.md) by tests/helpers/apischema.py: a status the spec
# lists, a body its schemas accept with no keys they do not name (beyond
# JupyterHub 3.0's own), and JupyterHub's error model for refusals.
. "$(dirname "$0")/lib.sh"
SPEC=$TOP/tests/data/jupyterhub-rest-api.yml
$PY -c 'import jsonschema, yaml' 2>/dev/null ||
	fail "python3-jsonschema and python3-yaml are missing (apt-get install python3-jsonschema python3-yaml)"

rig_user_add root1 --admin
rig_user_add alice
rig_user_add bob
hub_config
hub_start
ADMIN=$(rig_token root1)
ALICE=$(rig_token alice)
checked=0

# check WANT METHOD PATH [CURL ARGS...]: the call with $TOKEN answers WANT
# (a status, or several as "201|202"), and its answer is one rest-api.yml
# describes.
check() {
	local want=$1 method=$2 path=$3 code out
	shift 3
	code=$(api "$method" "$path" "$@")
	case "|$want|" in *"|$code|"*) ;; *) fail "$method $path gave $code, not $want: $(body)" ;; esac
	out=$($PY "$HELPERS/apischema.py" "$SPEC" "$method" "$path" "$code" "$T/body" 2>&1) ||
		fail "$method $path ($code) against rest-api.yml: $out
body: $(body)"
	checked=$((checked + 1))
}
JSON=(-H 'Content-Type: application/json')

TOKEN=
check 200 GET /hub/api/
check 403 GET /hub/api/users
check 403 GET /hub/api/user

# Users, as an admin.
TOKEN=$ADMIN
check 200 GET /hub/api/user
check 200 GET /hub/api/users
check 201 POST /hub/api/users/carol
check 409 POST /hub/api/users/carol
check 400 POST /hub/api/users/Not_A_Name
check 200 GET /hub/api/users/carol
check 200 PATCH /hub/api/users/carol "${JSON[@]}" -d '{"admin": true}'
check 200 PATCH /hub/api/users/carol "${JSON[@]}" -d '{"admin": false}'
check 400 PATCH /hub/api/users/carol "${JSON[@]}" -d '{"admin": "yes"}'
check 204 DELETE /hub/api/users/carol
check 404 GET /hub/api/users/carol
check 404 DELETE /hub/api/users/carol
check 400 DELETE /hub/api/users/root1

# A running server in the models.
TOKEN=$ALICE
check '201|202' POST /hub/api/users/alice/server
wait_ready alice "$ALICE"
check 400 POST /hub/api/users/alice/server
check 200 GET /hub/api/users/alice
[ "$(json 'd["servers"][""]["ready"]' <"$T/body")" = true ] || fail "alice's server model: $(body)"
check 200 GET /hub/api/user
TOKEN=$ADMIN
check 200 GET /hub/api/users
check 200 GET '/hub/api/users?state=ready'
[ "$(json '[u["name"] for u in d]' <"$T/body")" = '["alice"]' ] || fail "?state=ready: $(body)"
check 200 GET '/hub/api/users?state=inactive'
check 400 GET '/hub/api/users?state=sleepy'
check 200 GET /hub/api/users/alice
[ "$(json 'd["servers"][""]["state"]' <"$T/body")" = '{}' ] || fail "an admin sees the server's state: $(body)"
# The progress stream is not in the spec: its type only.
code=$(TOKEN=$ALICE api GET /hub/api/users/alice/server/progress -m 10)
[ "$code" = 200 ] && grep -qi '^content-type: text/event-stream' "$T/hdr" || fail "progress: $code $(cat "$T/hdr")"
grep -q '"ready": *true' "$T/body" || fail "progress of a ready server: $(body)"

# Activity.
TOKEN=$ALICE
now=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
check 200 POST /hub/api/users/alice/activity "${JSON[@]}" -d "{\"last_activity\": \"$now\", \"servers\": {\"\": {\"last_activity\": \"$now\"}}}"
check 400 POST /hub/api/users/alice/activity "${JSON[@]}" -d '{"last_activity": "now"}'
check 404 POST /hub/api/users/bob/activity "${JSON[@]}" -d "{\"last_activity\": \"$now\"}"

# Tokens.
check 201 POST /hub/api/users/alice/tokens "${JSON[@]}" -d '{"note": "x", "expires_in": 3600, "scopes": ["read:users!user", "servers!server"]}'
ID=$(json 'd["id"]' <"$T/body")
check 201 POST /hub/api/users/alice/tokens "${JSON[@]}" -d '{"roles": ["server"]}'
check 201 POST /hub/api/users/alice/tokens
check 200 GET /hub/api/users/alice/tokens
check 200 GET "/hub/api/users/alice/tokens/$ID"
check 404 GET /hub/api/users/alice/tokens/a999999
check 404 GET /hub/api/users/alice/tokens/zz
check 400 POST /hub/api/users/alice/tokens "${JSON[@]}" -d '{"scopes": ["admin:users"]}'
check 400 POST /hub/api/users/alice/tokens "${JSON[@]}" -d '[1]'
check 204 DELETE "/hub/api/users/alice/tokens/$ID"
check 404 DELETE "/hub/api/users/alice/tokens/$ID"
TOKEN=$ADMIN
check 200 GET /hub/api/users/alice/tokens
check 403 POST /hub/api/users/alice/tokens
check 201 POST /hub/api/users/alice/tokens "${JSON[@]}" -d '{"scopes": ["read:users!user=alice"]}'

# Scoped tokens: their models, and what they are refused.
TOKEN=$ALICE
check 201 POST /hub/api/users/alice/tokens "${JSON[@]}" -d '{"scopes": ["read:users:activity!user"]}'
ACT=$(json 'd["token"]' <"$T/body")
TOKEN=$ACT
check 200 GET /hub/api/user
check 200 GET /hub/api/users/alice
check 403 GET /hub/api/users
check 404 GET /hub/api/users/bob
check 403 POST /hub/api/users/alice/server
check 403 DELETE /hub/api/users/alice/server
check 403 GET /hub/api/users/alice/tokens
check 403 POST /hub/api/users/alice/tokens
check 403 PATCH /hub/api/users/alice "${JSON[@]}" -d '{"admin": true}'
check 403 DELETE /hub/api/users/alice
TOKEN=$ADMIN
check 201 POST /hub/api/users/root1/tokens "${JSON[@]}" -d '{"scopes": ["list:users", "read:users:name"]}'
NAMES=$(json 'd["token"]' <"$T/body")
TOKEN=$NAMES
check 200 GET /hub/api/users
[ "$(json 'sorted(set(k for u in d for k in u))' <"$T/body")" = '["admin", "kind", "name"]' ] ||
	fail "list:users read:users:name read more than names: $(body)"
check 200 GET /hub/api/users/bob
check 403 DELETE /hub/api/users/alice/server
check 404 GET /hub/api/nothing

# Not an admin.
TOKEN=$ALICE
check 403 GET /hub/api/users
check 403 POST /hub/api/users/mallory
check 404 GET /hub/api/users/bob
check 404 GET /hub/api/users/bob/tokens
check 404 DELETE /hub/api/users/bob/server
check 403 PATCH /hub/api/users/bob "${JSON[@]}" -d '{"admin": true}'
check 405 PUT /hub/api/users/alice
check 404 GET /hub/api/users/alice/nothing

# Stop.
check '202|204' DELETE /hub/api/users/alice/server
for i in $(seq 1 100); do
	[ "$(api GET /hub/api/users/alice)" = 200 ] && [ "$(json 'd["servers"]' <"$T/body")" = '{}' ] && break
	sleep 0.2
done
check 204 DELETE /hub/api/users/alice/server
note "$checked answers valid against rest-api.yml"
hub_stop
