#!/bin/bash
# GET /hub/login by a signed-in user starts their server only when the
# user navigated there themselves (Sec-Fetch-Site same-origin or none, or
# else an Origin or Referer of the hub): a link or redirect from another
# site, which carries the cookie too, leads to the spawn-pending page and
# its Start button, and starts nothing.
. "$(dirname "$0")/lib.sh"

rig_user_add bob
hub_config
hub_start
login bob /hub/home
TOKEN=$(rig_token bob)

# state: "none" when bob has no server, else pending/ready.
state() {
	[ "$(api GET /hub/api/users/bob)" = 200 ] || fail "GET bob: $(body)"
	$PY -c '
import json, sys
d = json.load(sys.stdin)
s = d["servers"].get("")
print("none" if s is None else "ready" if s["ready"] else "pending")' <"$T/body"
}

# visit HEADER...: GET /hub/login as bob with these headers; prints the
# status, Location in $T/loc.
visit() {
	local args=() h
	for h in "$@"; do args+=(-H "$h"); done
	curl -sk -m 10 -b "$T/jar.bob" -H 'Accept: text/html' "${args[@]}" -o /dev/null \
		-D "$T/visit.hdr" -w '%{http_code}' "$URL/hub/login" || true
	header Location <"$T/visit.hdr" >"$T/loc"
}

[ "$(state)" = none ] || fail "bob's server runs before any visit"
for hs in "Sec-Fetch-Site: cross-site" "Sec-Fetch-Site: same-site" \
	"Referer: https://evil.example/page" "Origin: https://evil.example" \
	"Referer: $URL.evil.example/" ""; do
	code=$(visit "$hs" "Sec-Fetch-Mode: navigate")
	[ "$code" = 302 ] || fail "GET /hub/login [$hs] gave $code"
	case $(cat "$T/loc") in
	/hub/spawn-pending/bob*) ;;
	*) fail "GET /hub/login [$hs] led to $(cat "$T/loc"), not the spawn-pending page" ;;
	esac
	sleep 0.3
	s=$(state)
	[ "$s" = none ] || fail "GET /hub/login [$hs] (another site's link) started bob's server ($s)"
done
# The spawn-pending page offers to start it: a POST form, with _xsrf.
page=$(curl -sk -m 10 -b "$T/jar.bob" "$URL$(cat "$T/loc")")
grep -qE '<form[^>]*action="/hub/spawn/bob"' <<<"$page" || fail "spawn-pending has no start form: $page"

# The user's own navigation starts it, as before.
for hs in "Sec-Fetch-Site: same-origin" "Sec-Fetch-Site: none" "Referer: $URL/hub/home"; do
	code=$(visit "$hs")
	[ "$code" = 302 ] || fail "GET /hub/login [$hs] gave $code"
	s=$(state)
	case $s in pending | ready) break ;; esac
	fail "GET /hub/login [$hs] did not start bob's server ($s)"
done
note "started by: $hs"
hub_stop
