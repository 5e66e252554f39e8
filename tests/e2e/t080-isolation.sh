#!/bin/bash
# One user cannot reach another user's server: not with a session, not with
# a token, not over a WebSocket; without credentials a browser is sent to
# the login page and an API client is refused.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
rig_user_add bob
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
hub_config
hub_start
spawn alice "$ALICE"

TOKEN=$ALICE
[ "$(api POST /user/alice/api/kernels -H 'Content-Type: application/json' -d '{"name":"python3"}')" = 201 ] ||
	fail "alice cannot create a kernel: $(body)"
kid=$(json 'd["id"]' <"$T/body")
WS=wss://127.0.0.1:$PORT/user/alice/api/kernels/$kid/channels

# Bob's token.
TOKEN=$BOB
for path in api/status api/contents "api/kernels/$kid" tree; do
	code=$(api GET "/user/alice/$path")
	[ "$code" = 403 ] || fail "bob's token on /user/alice/$path gave $code, not 403"
done
code=$(api POST /user/alice/api/kernels -H 'Content-Type: application/json' -d '{"name":"python3"}')
[ "$code" = 403 ] || fail "bob's token POST /user/alice/api/kernels gave $code, not 403"
code=$($PY "$HELPERS/wsprobe.py" "$WS" -H "Authorization: token $BOB")
[ "$code" = 403 ] || fail "bob's token: WebSocket upgrade to alice's kernel gave $code, not 403"

# Bob's session.
login bob
xsrf=$(xsrf_of bob)
TOKEN=
code=$(api GET /user/alice/api/status -b "$T/jar.bob")
[ "$code" = 403 ] || fail "bob's cookie on /user/alice/api/status gave $code, not 403"
code=$(api GET /user/alice/tree -b "$T/jar.bob" -H 'Accept: text/html')
[ "$code" = 403 ] || fail "bob's cookie on /user/alice/tree gave $code, not 403"
code=$(api POST /user/alice/api/kernels -b "$T/jar.bob" -H "Origin: $URL" -H "X-XSRFToken: $xsrf" \
	-H 'Content-Type: application/json' -d '{"name":"python3"}')
[ "$code" = 403 ] || fail "bob's cookie POST /user/alice/api/kernels gave $code, not 403"
code=$($PY "$HELPERS/wsprobe.py" "$WS" --jar "$T/jar.bob" -H "Origin: $URL")
[ "$code" = 403 ] || fail "bob's cookie: WebSocket upgrade to alice's kernel gave $code, not 403"

# No credentials.
code=$(api GET /user/alice/tree -H 'Accept: text/html')
[ "$code" = 302 ] || fail "anonymous browser GET /user/alice/tree gave $code, not 302"
header Location <"$T/hdr" | grep -q '/hub/login' ||
	fail "anonymous browser sent to '$(header Location <"$T/hdr")', not the login page"
code=$(api GET /user/alice/api/status -H 'Accept: application/json')
case $code in 401 | 403) ;; *) fail "anonymous GET /user/alice/api/status gave $code" ;; esac
code=$(api POST /user/alice/api/kernels -H 'Content-Type: application/json' -d '{"name":"python3"}')
case $code in 401 | 403) ;; *) fail "anonymous POST /user/alice/api/kernels gave $code" ;; esac
code=$($PY "$HELPERS/wsprobe.py" "$WS" -H "Origin: $URL")
case $code in 401 | 403) ;; *) fail "anonymous WebSocket upgrade gave $code" ;; esac
TOKEN=not-a-token
code=$(api GET /user/alice/api/status)
case $code in 401 | 403) ;; *) fail "a bad token on /user/alice/api/status gave $code" ;; esac

# Alice's own access still works (so the refusals above were about bob).
TOKEN=$ALICE
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "alice's own status: $(body)"
code=$($PY "$HELPERS/wsprobe.py" "$WS" -H "Authorization: token $ALICE")
[ "$code" = 101 ] || fail "alice's token: WebSocket upgrade gave $code, not 101"

hub_stop
