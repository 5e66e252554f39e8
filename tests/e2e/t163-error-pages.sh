#!/bin/bash
# Error pages keep the top bar for a signed-in user and link back to the
# page the browser came from; a refused form comes back with what was
# typed in it (the admin page's new user, the token page's note, the login
# form's name); 429 at login is the login form again, with Retry-After,
# and says "1 second", not "1 seconds".
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add bob
hub_config
hub_start
login alice /hub/home
login bob /hub/home

# page NAME METHOD PATH [CURL ARGS...]: status; page in $T/page.
page() {
	local name=$1 method=$2 path=$3
	shift 3
	curl -sk -m 10 -b "$T/jar.$name" -H 'Accept: text/html' -H "Origin: $URL" -X "$method" \
		-o "$T/page" -D "$T/page.hdr" -w '%{http_code}' "$@" "$URL$path" || true
}
has_nav() { # has_nav NAME WHAT
	grep -q "<nav>.*<span class=\"who\">$1</span>" "$T/page" || fail "$2: no top bar for $1: $(cat "$T/page")"
}

for path in /hub/no-such-page /no-such-page; do
	code=$(page bob GET $path -H "Referer: $URL/hub/token")
	[ "$code" = 404 ] || fail "GET $path gave $code"
	has_nav bob "404 at $path"
	grep -q 'href="/hub/token">Back' "$T/page" || fail "404 at $path: no link back to /hub/token"
done
# A link back leads only to this hub.
code=$(page bob GET /hub/no-such-page -H "Referer: https://evil.example/x")
grep -q 'evil.example' "$T/page" && fail "the error page links to another site's Referer"
code=$(page bob GET /hub/admin)
[ "$code" = 403 ] || fail "bob's GET /hub/admin gave $code"
has_nav bob "403 at /hub/admin"

# The admin page's add form: a name too long for its account comes back.
AX=$(xsrf_of alice)
long=$(printf 'n%.0s' $(seq 1 30))
code=$(page alice POST /hub/admin/add --data-urlencode "_xsrf=$AX" --data-urlencode "name=$long" -d admin=yes)
[ "$code" = 400 ] || fail "adding $long gave $code, not 400"
has_nav alice "400 of the admin page"
[ "$(form_input name <"$T/page")" = "$long" ] || fail "the refused add form lost the name typed"
grep -qE '<input type="checkbox" name="admin" value="yes" checked' "$T/page" ||
	fail "the refused add form lost the admin box ticked"
grep -q 'at most' "$T/page" || fail "the refusal does not say why"
code=$(page alice POST /hub/admin/add --data-urlencode "_xsrf=$AX" -d name=bob)
[ "$code" = 409 ] || fail "adding bob again gave $code, not 409"
[ "$(form_input name <"$T/page")" = bob ] || fail "the 409 add form lost the name typed"

# The token page's note: one too long comes back.
BX=$(xsrf_of bob)
note=$(printf 'x%.0s' $(seq 1 201))
code=$(page bob POST /hub/token --data-urlencode "_xsrf=$BX" --data-urlencode "note=$note")
[ "$code" = 400 ] || fail "a 201-character note gave $code, not 400"
has_nav bob "400 of the token page"
[ "$(form_input note <"$T/page")" = "$note" ] || fail "the refused token form lost the note typed"

# Login: a wrong password keeps the name; then the throttle's 429 is the
# form again. Five failures are free, the sixth locks for 2 s: the lock's
# last second says "1 second".
lpost() { # lpost PASSWORD: a login attempt as carol's name; status
	local x
	x=$(curl -sk -m 10 -c "$T/jar.anon" -b "$T/jar.anon" "$URL/hub/login" | form_input _xsrf)
	curl -sk -m 30 -c "$T/jar.anon" -b "$T/jar.anon" -H "Origin: $URL" -o "$T/page" -D "$T/page.hdr" \
		-w '%{http_code}' --data-urlencode "_xsrf=$x" -d username=carol \
		--data-urlencode "password=$1" "$URL/hub/login" || true
}
code=$(lpost wrong)
[ "$code" = 401 ] || fail "a wrong password gave $code"
[ "$(form_input username <"$T/page")" = carol ] || fail "the 401 login form lost the name typed"
# Guess on, through the doubling locks, until a lock's last second (its
# Retry-After 1) has been seen: each 429 must be the form again.
seen= n429=0
for i in $(seq 1 60); do
	code=$(lpost wrong)
	case $code in
	401) continue ;;
	429) ;;
	*) fail "wrong password #$i gave $code" ;;
	esac
	n429=$((n429 + 1))
	ra=$(header Retry-After <"$T/page.hdr")
	[ -n "$ra" ] || fail "429 without Retry-After"
	[ "$(form_input username <"$T/page")" = carol ] || fail "the 429 page is not the login form with the name"
	grep -q 'try again in 1 seconds' "$T/page" && fail "429 says '1 seconds'"
	if [ "$ra" = 1 ]; then
		grep -q 'try again in 1 second\.' "$T/page" || fail "429 with Retry-After 1 does not say '1 second.'"
		seen=1
		break
	fi
	sleep 0.3
done
[ -n "$seen" ] || fail "60 guesses ($n429 refused) never met a lock's last second"
[ -n "$(form_input password <"$T/page")" ] && fail "a login page gives the password back"
hub_stop
