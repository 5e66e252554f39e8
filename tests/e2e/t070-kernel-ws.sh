#!/bin/bash
# A cell runs in a kernel through the hub's proxy, WebSocket included, with
# a hub token and with a browser session (cookie + XSRF).
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config
hub_start
spawn alice "$TOKEN"

out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$TOKEN" '1+1' 2>&1) ||
	fail "runcell with the token failed: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = 2 ] || fail "runcell with the token printed: $out"

login alice
xsrf=$(xsrf_of alice)
out=$(XSRF=$xsrf timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/alice/" "cookie:$T/jar.alice" \
	'import os; print(os.getuid()); 1+1' 2>&1) || fail "runcell with the cookie failed: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = 2 ] || fail "runcell with the cookie printed: $out"
# The kernel runs as alice's account too.
[ "$(printf '%s\n' "$out" | head -n 1)" = "$(id -u "${PREFIX}alice")" ] ||
	fail "the kernel does not run as ${PREFIX}alice: $out"

hub_stop
