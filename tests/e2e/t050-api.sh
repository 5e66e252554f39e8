#!/bin/bash
# The REST API in JupyterHub's shapes: version, current user, users (list,
# create, read, delete) for admins only, API tokens (create, list without
# the secret, revoke), and XSRF on cookie-authenticated writes.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add carol
ADMIN=$(rig_token alice)
CAROL=$(rig_token carol)
hub_config
hub_start

TOKEN=
[ "$(api GET /hub/api/)" = 200 ] || fail "GET /hub/api/: $(body)"
[ -n "$(json 'd["version"]' <"$T/body")" ] || fail "GET /hub/api/ has no version: $(body)"

TOKEN=$ADMIN
[ "$(api GET /hub/api/user)" = 200 ] || fail "GET /hub/api/user: $(body)"
[ "$(json 'd["name"]' <"$T/body")" = alice ] || fail "GET /hub/api/user: name: $(body)"
[ "$(json 'd["admin"]' <"$T/body")" = true ] || fail "GET /hub/api/user: admin: $(body)"

[ "$(api GET /hub/api/users)" = 200 ] || fail "GET /hub/api/users: $(body)"
names=$(json '" ".join(sorted(u["name"] for u in d))' <"$T/body")
[ "$names" = "alice carol" ] || fail "GET /hub/api/users lists '$names': $(body)"

# Create, read, delete bob.
[ "$(api POST /hub/api/users/bob)" = 201 ] || fail "POST /hub/api/users/bob: $(body)"
[ "$(json 'd["name"]' <"$T/body")" = bob ] || fail "POST bob: not bob's model: $(body)"
[ "$(api GET /hub/api/users/bob)" = 200 ] || fail "GET /hub/api/users/bob: $(body)"
[ "$(json 'd["servers"]' <"$T/body")" = '{}' ] || fail "bob's servers not {}: $(body)"
[ "$(json 'd["kind"]' <"$T/body")" = user ] || fail "bob's kind not user: $(body)"
[ "$(json 'd["admin"]' <"$T/body")" = false ] || fail "bob is admin: $(body)"
code=$(api POST /hub/api/users/bob)
[ "$code" = 409 ] || fail "POST an existing user gave $code, not 409"
[ "$(api DELETE /hub/api/users/bob)" = 204 ] || fail "DELETE /hub/api/users/bob: $(body)"
[ "$(api GET /hub/api/users/bob)" = 404 ] || fail "GET bob after DELETE: $(body)"

# Not an admin: 403; no credentials: 401/403.
TOKEN=$CAROL
[ "$(api GET /hub/api/users)" = 403 ] || fail "non-admin GET /hub/api/users not 403"
[ "$(api POST /hub/api/users/mallory)" = 403 ] || fail "non-admin POST /hub/api/users/mallory not 403"
code=$(api GET /hub/api/users/alice)
case $code in 403 | 404) ;; *) fail "non-admin GET of another user gave $code" ;; esac
[ "$(api GET /hub/api/user)" = 200 ] || fail "carol's GET /hub/api/user: $(body)"
[ "$(json 'd["admin"]' <"$T/body")" = false ] || fail "carol is admin: $(body)"
TOKEN=
code=$(api GET /hub/api/users)
case $code in 401 | 403) ;; *) fail "GET /hub/api/users without a token gave $code" ;; esac
TOKEN=not-a-token
code=$(api GET /hub/api/users)
case $code in 401 | 403) ;; *) fail "GET /hub/api/users with a bad token gave $code" ;; esac

# Tokens: create, list (without the secret), use, revoke.
TOKEN=$ADMIN
code=$(api POST /hub/api/users/alice/tokens -H 'Content-Type: application/json' -d '{"note":"x"}')
[ "$code" = 201 ] || fail "POST tokens gave $code: $(body)"
new=$(json 'd["token"]' <"$T/body")
id=$(json 'd["id"]' <"$T/body")
{ [ -n "$new" ] && [ -n "$id" ]; } || fail "POST tokens: no token or id: $(body)"
[ "$(api GET /hub/api/users/alice/tokens)" = 200 ] || fail "GET tokens: $(body)"
grep -qF -- "$new" "$T/body" && fail "GET tokens shows the secret"
# The list holds the id with its note (JupyterHub: {"api_tokens": [...]}).
found=$(ID=$id $PY -c '
import json, os, sys
d = json.load(sys.stdin)
lists = [v for v in d.values() if isinstance(v, list)] if isinstance(d, dict) else [d]
print(any(isinstance(t, dict) and str(t.get("id")) == os.environ["ID"] and t.get("note") == "x"
          for l in lists for t in l))' <"$T/body" || true)
[ "$found" = True ] || fail "GET tokens does not list id $id with note x: $(body)"
TOKEN=$new
[ "$(api GET /hub/api/user)" = 200 ] || fail "new token rejected"
TOKEN=$ADMIN
[ "$(api DELETE "/hub/api/users/alice/tokens/$id")" = 204 ] || fail "DELETE token: $(body)"
TOKEN=$new
code=$(api GET /hub/api/user)
case $code in 401 | 403) ;; *) fail "revoked token still works ($code)" ;; esac

# Cookie-authenticated writes need X-XSRFToken.
login alice
xsrf=$(xsrf_of alice)
TOKEN=
code=$(api POST /hub/api/users/dave -b "$T/jar.alice" -H "Origin: $URL")
[ "$code" = 403 ] || fail "cookie POST without X-XSRFToken gave $code, not 403"
code=$(api POST /hub/api/users/dave -b "$T/jar.alice" -H "Origin: $URL" -H "X-XSRFToken: wrong$xsrf")
[ "$code" = 403 ] || fail "cookie POST with a wrong X-XSRFToken gave $code, not 403"
TOKEN=$ADMIN
[ "$(api GET /hub/api/users/dave)" = 404 ] || fail "dave was created by a refused request"
TOKEN=
code=$(api POST /hub/api/users/dave -b "$T/jar.alice" -H "Origin: $URL" -H "X-XSRFToken: $xsrf")
[ "$code" = 201 ] || fail "cookie POST with X-XSRFToken gave $code: $(body)"
code=$(api GET /hub/api/users/dave -b "$T/jar.alice")
[ "$code" = 200 ] || fail "cookie GET of dave gave $code"

hub_stop
