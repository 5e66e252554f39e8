#!/bin/bash
# A logged-in user's cookie does not work from another origin: writes to
# her server and WebSocket upgrades with a foreign Origin (another site, or
# the same host on another port) or marked cross-site are refused; from the
# hub's own origin they work.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
ALICE=$(rig_token alice)
hub_config
hub_start
spawn alice "$ALICE"
login alice
xsrf=$(xsrf_of alice)
other=$(free_port)

# post_kernel ORIGIN [HEADER...]: cookie POST /user/alice/api/kernels.
post_kernel() {
	local origin=$1
	shift
	TOKEN="" api POST /user/alice/api/kernels -b "$T/jar.alice" -H "Origin: $origin" \
		-H "X-XSRFToken: $xsrf" -H 'Content-Type: application/json' -d '{"name":"python3"}' "$@"
}

code=$(post_kernel https://evil.example)
[ "$code" = 403 ] || fail "cookie POST with Origin https://evil.example gave $code, not 403"
code=$(post_kernel "https://127.0.0.1:$other")
[ "$code" = 403 ] || fail "cookie POST with Origin https://127.0.0.1:$other gave $code, not 403"
code=$(post_kernel "$URL" -H 'Sec-Fetch-Site: cross-site')
[ "$code" = 403 ] || fail "cookie POST with Sec-Fetch-Site: cross-site gave $code, not 403"
code=$(post_kernel null)
[ "$code" = 403 ] || fail "cookie POST with Origin null gave $code, not 403"

# From the hub's own origin the same request works.
code=$(post_kernel "$URL" -H 'Sec-Fetch-Site: same-origin')
[ "$code" = 201 ] || fail "cookie POST from the hub's origin gave $code: $(body)"
kid=$(json 'd["id"]' <"$T/body")
[ -n "$kid" ] || fail "no kernel id: $(body)"
WS=wss://127.0.0.1:$PORT/user/alice/api/kernels/$kid/channels

for origin in https://evil.example "https://127.0.0.1:$other" "http://127.0.0.1:$PORT" \
	"https://127.0.0.1:$PORT.evil.example"; do
	code=$($PY "$HELPERS/wsprobe.py" "$WS" --jar "$T/jar.alice" -H "Origin: $origin")
	[ "$code" = 403 ] || fail "cookie WebSocket upgrade with Origin $origin gave $code, not 403"
done
code=$($PY "$HELPERS/wsprobe.py" "$WS" --jar "$T/jar.alice" -H "Origin: $URL")
[ "$code" = 101 ] || fail "cookie WebSocket upgrade from the hub's origin gave $code, not 101"

hub_stop
