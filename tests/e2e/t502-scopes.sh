#!/bin/bash
# Roles and scopes as JupyterHub 2+ defines them, as attacks on them: a
# token made with read:users:activity alone cannot list users, read their
# servers or start one; a token scoped !user=alice cannot touch bob (404,
# as JupyterHub: another user's resource is not to be seen); a token may
# not be given more than its owner holds (400, as JupyterHub 3.0), nor more
# than the credential asking for it (403), so a narrow token cannot make a
# wide one; an expired token is refused and no longer listed; a token's
# admin scopes go with its owner's admin right; and the JSON carries
# roles, scopes, expires_at and session_id.
. "$(dirname "$0")/lib.sh"

rig_user_add root1 --admin
rig_user_add alice
rig_user_add bob
hub_config
hub_start
ADMIN=$(rig_token root1)
ALICE=$(rig_token alice)

# mktoken WHO_TOKEN NAME BODY: POST /hub/api/users/NAME/tokens; prints the
# status, the body in $T/body.
mktoken() {
	TOKEN=$1 api POST "/hub/api/users/$2/tokens" -H 'Content-Type: application/json' -d "$3"
}
# scopes_of: the last body's "scopes", sorted, by spaces.
scopes_of() {
	json '" ".join(sorted(d["scopes"]))' <"$T/body"
}

# --- The models: roles, scopes, expires_at, session_id. ---
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice)" = 200 ] || fail "alice reads herself: $(body)"
[ "$(json 'd["roles"]' <"$T/body")" = '["user"]' ] || fail "alice's roles: $(body)"
[ "$(TOKEN=$ADMIN api GET /hub/api/users/root1)" = 200 ] || fail "root1 reads itself: $(body)"
[ "$(json 'sorted(d["roles"])' <"$T/body")" = '["admin", "user"]' ] || fail "an admin's roles: $(body)"
[ "$(json 'd["auth_state"]' <"$T/body")" = null ] || fail "an admin sees no auth_state key: $(body)"
[ "$(TOKEN=$ALICE api GET /hub/api/user)" = 200 ] || fail "GET /hub/api/user: $(body)"
want="access:servers!user=alice delete:servers!user=alice read:servers!user=alice read:tokens!user=alice read:users!user=alice read:users:activity!user=alice read:users:groups!user=alice read:users:name!user=alice servers!user=alice tokens!user=alice users:activity!user=alice"
[ "$(scopes_of)" = "$want" ] || fail "alice's scopes (the user role's, expanded): $(body)"
[ "$(json 'd["session_id"]' <"$T/body")" = null ] || fail "an API token's session_id: $(body)"
[ "$(mktoken "$ALICE" alice '{"note": "all"}')" = 201 ] || fail "a default token: $(body)"
[ "$(scopes_of)" = "$want" ] || fail "a default token inherits its owner's scopes: $(body)"
[ "$(json 'd["kind"]' <"$T/body")" = api_token ] && [ "$(json 'd["user"]' <"$T/body")" = alice ] ||
	fail "a token's kind and user: $(body)"
[ "$(json 'd["roles"]' <"$T/body")" = '[]' ] || fail "a token's roles: $(body)"
[ "$(json 'd["expires_at"]' <"$T/body")" = null ] || fail "a token without expires_in expires: $(body)"
[ "$(json '"session_id" in d and d["session_id"] is None' <"$T/body")" = true ] || fail "a token's session_id: $(body)"
note "models carry roles, scopes, expires_at and session_id"

# --- A token with read:users:activity alone. ---
# Everyone's activity is more than alice holds: refused, not cut
# (JupyterHub 3.0 answers 400 too); her own, with !user.
[ "$(mktoken "$ALICE" alice '{"scopes": ["read:users:activity"]}')" = 400 ] ||
	fail "alice got everyone's read:users:activity: $(body)"
[ "$(mktoken "$ALICE" alice '{"scopes": ["read:users:activity!user"]}')" = 201 ] || fail "read:users:activity token: $(body)"
[ "$(scopes_of)" = "read:users:activity!user=alice" ] || fail "!user is alice: $(body)"
ACT=$(json 'd["token"]' <"$T/body")
TOKEN=$ACT
[ "$(api GET /hub/api/users)" = 403 ] || fail "read:users:activity listed users: $(body)"
grep -q 'list:users' "$T/body" || fail "the 403 does not name the scope it needs: $(body)"
[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "read:users:activity cannot read alice's activity: $(body)"
[ "$(json 'sorted(d)' <"$T/body")" = '["kind", "last_activity", "name"]' ] ||
	fail "read:users:activity read more than the activity: $(body)"
[ "$(api GET /hub/api/users/bob)" = 404 ] || fail "read:users:activity read bob: $(body)"
[ "$(api GET /hub/api/users/nobody)" = 404 ] || fail "an unknown user is not 404 as bob is: $(body)"
[ "$(api POST /hub/api/users/alice/server)" = 403 ] || fail "read:users:activity started a server: $(body)"
[ -z "$(server_pid alice)" ] || fail "a server started for alice"
[ "$(api DELETE /hub/api/users/alice/server)" = 403 ] || fail "read:users:activity stopped a server: $(body)"
[ "$(api GET /hub/api/users/alice/server/progress)" = 403 ] || fail "read:users:activity read the progress: $(body)"
[ "$(api GET /hub/api/users/alice/tokens)" = 403 ] || fail "read:users:activity listed tokens: $(body)"
[ "$(api POST /hub/api/users/alice/tokens -d '{}')" = 403 ] || fail "read:users:activity made a token: $(body)"
[ "$(api POST /hub/api/users/alice/activity -d '{"last_activity": "2020-01-01T00:00:00Z"}')" = 403 ] ||
	fail "read:users:activity reported activity: $(body)"
[ "$(api GET /hub/api/user)" = 200 ] || fail "read:users:activity cannot say who it is: $(body)"
[ "$(json 'd["name"]' <"$T/body")" = alice ] || fail "who: $(body)"
[ "$(json 'd["scopes"]' <"$T/body")" = '["read:users:activity!user=alice"]' ] || fail "its scopes: $(body)"
[ "$(api GET /hub/home)" = 403 ] || fail "a scoped token used the pages: $(body)"
[ "$(api GET /user/alice/api/status)" = 403 ] || fail "a scoped token reached the server's proxy: $(body)"
[ "$(api GET /hub/metrics)" = 403 ] || fail "a scoped token read the metrics: $(body)"
TOKEN=
note "read:users:activity: its user's activity, nothing else"

# --- !user=alice cannot touch bob. ---
[ "$(mktoken "$ADMIN" root1 '{"scopes": ["admin:users!user=alice", "admin:servers!user=alice", "tokens!user=alice"]}')" = 201 ] ||
	fail "an admin's token for alice alone: $(body)"
ONLY=$(json 'd["token"]' <"$T/body")
TOKEN=$ONLY
[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "!user=alice reads alice: $(body)"
[ "$(api GET /hub/api/users)" = 200 ] || fail "!user=alice lists users: $(body)"
[ "$(json '[u["name"] for u in d]' <"$T/body")" = '["alice"]' ] || fail "!user=alice listed more than alice: $(body)"
for req in "GET /hub/api/users/bob" "POST /hub/api/users/bob/server" "DELETE /hub/api/users/bob/server" \
	"GET /hub/api/users/bob/server/progress" "GET /hub/api/users/bob/tokens" "POST /hub/api/users/bob/tokens" \
	"GET /hub/api/users/bob/tokens/a1" "DELETE /hub/api/users/bob/tokens/a1" \
	"POST /hub/api/users/bob/activity" "PATCH /hub/api/users/bob" "DELETE /hub/api/users/bob" \
	"PUT /hub/api/users/bob" "GET /hub/api/users/bob/nothing"; do
	# shellcheck disable=SC2086 # METHOD PATH
	code=$(api $req -H 'Content-Type: application/json' -d '{}')
	[ "$code" = 404 ] || fail "!user=alice: $req gave $code: $(body)"
	grep -q 'No access to resources or resources not found' "$T/body" || fail "$req: $(body)"
done
[ "$(api GET /hub/api/users/bob)" = 404 ] && [ "$(api GET /hub/api/users/nobody)" = 404 ] ||
	fail "bob and a user who does not exist must look the same"
# What it does not hold at all is 403.
[ "$(api GET /hub/metrics)" = 403 ] || fail "!user=alice read the metrics: $(body)"
[ "$(api POST /hub/api/users/carol)" = 404 ] || fail "!user=alice made carol: $(body)"
[ "$(api GET /hub/api/users/bob)" = 404 ] || fail "bob still unseen"
# It may act on alice: a token of hers, limited to what it holds itself.
[ "$(api POST /hub/api/users/alice/tokens -d '{"scopes": ["read:users:name!user"]}')" = 201 ] ||
	fail "!user=alice made alice a token: $(body)"
[ "$(api POST /hub/api/users/alice/tokens -d '{}')" = 403 ] ||
	fail "!user=alice gave alice a token reaching her server: $(body)"
TOKEN=
# A server filter: alice's server, not bob's.
[ "$(mktoken "$ADMIN" root1 '{"scopes": ["servers!server=alice/"]}')" = 201 ] || fail "server filter: $(body)"
SRV=$(json 'd["token"]' <"$T/body")
[ "$(TOKEN=$SRV api DELETE /hub/api/users/alice/server)" = 204 ] || fail "!server=alice/ stops alice's: $(body)"
[ "$(TOKEN=$SRV api DELETE /hub/api/users/bob/server)" = 404 ] || fail "!server=alice/ stopped bob's: $(body)"
[ "$(TOKEN=$SRV api GET /hub/api/users/alice)" = 200 ] || fail "!server=alice/ reads alice's name: $(body)"
[ "$(json 'sorted(d)' <"$T/body")" = '["admin", "kind", "name", "servers"]' ] || fail "!server=alice/ read: $(body)"
# A session: another's resource is not found either.
login alice
[ "$(api GET /hub/api/users/bob -b "$T/jar.alice")" = 404 ] || fail "alice's cookie read bob: $(body)"
xsrf=$(xsrf_of alice)
[ "$(api POST /hub/api/users/bob/server -b "$T/jar.alice" -H "Origin: $URL" -H "X-XSRFToken: $xsrf")" = 404 ] ||
	fail "alice's cookie started bob's server: $(body)"
note "!user=alice and !server=alice/ do not reach bob: 404"

# --- No more than the owner holds (400), nor than the caller (403). ---
for s in '["admin:users"]' '["read:users"]' '["list:users"]' '["read:users!user=bob"]' '["access:servers"]' \
	'["read:metrics"]' '["tokens!user=bob"]'; do
	[ "$(mktoken "$ALICE" alice "{\"scopes\": $s}")" = 400 ] || fail "alice got $s: $(body)"
	grep -q 'Not assigning requested scopes' "$T/body" || fail "$s: $(body)"
	[ -z "$(json 'd.get("token", "")' <"$T/body")" ] || fail "a token came with the refusal"
done
[ "$(mktoken "$ALICE" alice '{"roles": ["admin"]}')" = 400 ] || fail "alice got the admin role: $(body)"
[ "$(mktoken "$ALICE" alice '{"roles": ["root"]}')" = 400 ] || fail "an unknown role: $(body)"
[ "$(mktoken "$ALICE" alice '{"scopes": ["read:everything"]}')" = 400 ] || fail "an unknown scope: $(body)"
[ "$(mktoken "$ALICE" alice '{"scopes": ["read:users!name=alice"]}')" = 400 ] || fail "an unknown filter: $(body)"
[ "$(mktoken "$ALICE" alice '{"scopes": ["self"], "roles": ["user"]}')" = 400 ] || fail "scopes and roles: $(body)"
[ "$(mktoken "$ALICE" alice '{"scopes": "self"}')" = 400 ] || fail "scopes not a list: $(body)"
[ "$(mktoken "$ALICE" alice '{"scopes": ["read:users read:tokens"]}')" = 400 ] || fail "a scope with a space: $(body)"
[ "$(mktoken "$ALICE" alice '{"roles": ["user"]}')" = 201 ] || fail "the user role: $(body)"
[ "$(scopes_of)" = "$want" ] || fail "the user role's scopes: $(body)"
[ "$(mktoken "$ALICE" alice '{"roles": ["server"]}')" = 201 ] || fail "the server role: $(body)"
[ "$(scopes_of)" = "access:servers!user=alice read:users:activity!user=alice users:activity!user=alice" ] ||
	fail "the server role's scopes: $(body)"
[ "$(mktoken "$ALICE" alice '{"scopes": []}')" = 201 ] || fail "no scopes: $(body)"
NONE=$(json 'd["token"]' <"$T/body")
[ "$(json 'd["scopes"]' <"$T/body")" = '[]' ] || fail "a token with no scopes holds: $(body)"
[ "$(TOKEN=$NONE api GET /hub/api/user)" = 200 ] || fail "a token with no scopes cannot say who it is: $(body)"
[ "$(json 'sorted(d)' <"$T/body")" = '["admin", "groups", "kind", "name", "scopes", "session_id"]' ] ||
	fail "a token with no scopes read more than who it is: $(body)"
[ "$(TOKEN=$NONE api GET /hub/api/users/alice)" = 403 ] || fail "a token with no scopes read alice: $(body)"
# A narrow token cannot make a wider one.
[ "$(mktoken "$ALICE" alice '{"scopes": ["tokens!user=alice"]}')" = 201 ] || fail "a tokens token: $(body)"
TOK=$(json 'd["token"]' <"$T/body")
[ "$(mktoken "$TOK" alice '{}')" = 403 ] || fail "a tokens-only token made an inheriting one: $(body)"
[ "$(mktoken "$TOK" alice '{"scopes": ["servers!user"]}')" = 403 ] || fail "a tokens-only token made a servers one: $(body)"
[ "$(mktoken "$TOK" alice '{"roles": ["user"]}')" = 403 ] || fail "a tokens-only token made a user-role one: $(body)"
[ "$(mktoken "$TOK" alice '{"scopes": ["read:tokens!user=alice"]}')" = 201 ] || fail "a tokens-only token made a read:tokens one: $(body)"
# An admin without admin_access: no token that reaches alice's server.
[ "$(mktoken "$ADMIN" alice '{"scopes": ["access:servers!user=alice"]}')" = 403 ] ||
	fail "an admin without admin_access made a token into alice's server: $(body)"
[ "$(mktoken "$ADMIN" alice '{"scopes": ["read:users!user=alice"]}')" = 201 ] ||
	fail "an admin made alice a reading token: $(body)"
grep -q "token .* for alice created by admin root1" "$T/hub.log" || fail "not logged: another's token"
note "no token beyond its owner's scopes (400) or its maker's (403)"

# --- Expiry. ---
[ "$(mktoken "$ALICE" alice '{"expires_in": -1}')" = 400 ] || fail "a negative expires_in: $(body)"
[ "$(mktoken "$ALICE" alice '{"expires_in": "soon"}')" = 400 ] || fail "expires_in not a number: $(body)"
[ "$(mktoken "$ALICE" alice '{"expires_in": 0}')" = 201 ] || fail "expires_in 0: $(body)"
[ "$(json 'd["expires_at"]' <"$T/body")" = null ] || fail "expires_in 0 expires: $(body)"
[ "$(mktoken "$ALICE" alice '{"expires_in": 2, "note": "short"}')" = 201 ] || fail "expires_in 2: $(body)"
SHORT=$(json 'd["token"]' <"$T/body")
SID=$(json 'd["id"]' <"$T/body")
left=$(json 'd["expires_at"]' <"$T/body" | $PY -c '
import datetime, sys
t = datetime.datetime.strptime(sys.stdin.read().strip()[:19], "%Y-%m-%dT%H:%M:%S")
print(int((t - datetime.datetime.utcnow()).total_seconds()))')
[ "$left" -ge 0 ] && [ "$left" -le 3 ] || fail "expires_at is not in 2 s: $left s: $(body)"
[ "$(TOKEN=$SHORT api GET /hub/api/user)" = 200 ] || fail "a token before its expiry: $(body)"
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice/tokens)" = 200 ] || fail "list: $(body)"
[ "$(SID=$SID json '[t["id"] for t in d["api_tokens"] if t["expires_at"]]' <"$T/body")" = "[\"$SID\"]" ] ||
	fail "the expiring token is not listed with its expires_at: $(body)"
sleep 3.2
code=$(TOKEN=$SHORT api GET /hub/api/user)
[ "$code" = 403 ] || fail "an expired token worked ($code): $(body)"
[ "$(TOKEN=$SHORT api GET /user/alice/api/status)" = 403 ] || fail "an expired token at the proxy"
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice/tokens)" = 200 ] || fail "list: $(body)"
! grep -q "\"$SID\"" "$T/body" || fail "an expired token is still listed: $(body)"
[ "$(TOKEN=$ALICE api GET "/hub/api/users/alice/tokens/$SID")" = 404 ] || fail "an expired token's model: $(body)"
note "a token with expires_in expires: refused, unlisted"

# --- A token's admin scopes go with its owner's admin right. ---
[ "$(TOKEN=$ADMIN api PATCH /hub/api/users/bob -d '{"admin": true}')" = 200 ] || fail "bob made admin: $(body)"
BOB=$(rig_token bob)
[ "$(mktoken "$BOB" bob '{"scopes": ["admin:users", "list:users"]}')" = 201 ] || fail "bob's admin token: $(body)"
BOBADM=$(json 'd["token"]' <"$T/body")
[ "$(TOKEN=$BOBADM api POST /hub/api/users/dave)" = 201 ] || fail "bob's admin token made dave: $(body)"
[ "$(TOKEN=$ADMIN api PATCH /hub/api/users/bob -d '{"admin": false}')" = 200 ] || fail "bob no longer admin: $(body)"
[ "$(TOKEN=$BOBADM api POST /hub/api/users/erin)" = 403 ] || fail "bob's token kept its admin scopes: $(body)"
# What is left is what the user role holds of it: reading himself.
[ "$(TOKEN=$BOBADM api GET /hub/api/users)" = 403 ] || fail "bob's token still lists users: $(body)"
[ "$(TOKEN=$BOBADM api GET /hub/api/users/bob)" = 200 ] || fail "bob's token reads bob: $(body)"
[ "$(TOKEN=$BOBADM api GET /hub/api/users/alice)" = 404 ] || fail "bob's token read alice: $(body)"
note "a token's admin scopes end with its owner's admin right"

# --- access:servers is admin_access. ---
hub_stop
hub_config "admin_access = yes"
hub_start
[ "$(mktoken "$ADMIN" alice '{"scopes": ["access:servers!user=alice"]}')" = 201 ] ||
	fail "admin_access = yes: a token into alice's server: $(body)"
[ "$(TOKEN=$ADMIN api GET /hub/api/user)" = 200 ] || fail "root1: $(body)"
json 'd["scopes"]' <"$T/body" | grep -q '"access:servers"' || fail "admin_access gives no access:servers: $(body)"
# Still no more than alice holds.
[ "$(mktoken "$ADMIN" alice '{"scopes": ["access:servers"]}')" = 400 ] || fail "alice given all servers: $(body)"
note "admin_access = yes: access:servers"
hub_stop
