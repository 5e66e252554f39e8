#!/bin/bash
# The login form: a redirect to it, a session cookie with the right flags,
# refusals of a wrong password and of a missing _xsrf, throttling after
# repeated failures, and logout.
. "$(dirname "$0")/lib.sh"

# try_login NAME PASSWORD_FILE [no-xsrf]: a fresh login form and a POST;
# prints the status; headers in $T/try.hdr.
try_login() {
	local jar=$T/jar.try xsrf field
	rm -f "$jar"
	xsrf=$(curl -sk -m 10 -c "$jar" -b "$jar" "$URL/hub/login" | form_input _xsrf)
	[ -n "$xsrf" ] || fail "no _xsrf input on /hub/login"
	field=(--data-urlencode "_xsrf=$xsrf")
	[ "${3:-}" = no-xsrf ] && field=()
	curl -sk -m 30 -c "$jar" -b "$jar" -o "$T/try.body" -D "$T/try.hdr" -w '%{http_code}' \
		-H "Origin: $URL" --data-urlencode "username=$1" --data-urlencode "password@$2" \
		"${field[@]}" "$URL/hub/login" || true
}

# session_cookie HEADERS: the Set-Cookie line that sets a non-empty rig-session.
session_cookie() {
	tr -d '\r' <"$1" | grep -i '^set-cookie: *rig-session=[^;]' || true
}

rig_user_add alice
hub_config
hub_start

# Not logged in: / leads to the login page.
code=$(curl -sk -m 10 -o /dev/null -D "$T/h" -w '%{http_code}' -H 'Accept: text/html' "$URL/")
[ "$code" = 302 ] || fail "GET / gave $code, not 302"
header Location <"$T/h" | grep -q '/hub/login' || fail "GET / redirects to $(header Location <"$T/h")"
code=$(curl -sk -m 10 -o "$T/page" -w '%{http_code}' "$URL/hub/login")
[ "$code" = 200 ] || fail "GET /hub/login gave $code"
grep -q 'name="username"' "$T/page" || fail "login form has no username input"
grep -q 'name="password"' "$T/page" || fail "login form has no password input"

# Right password: 302 and a session cookie that is HttpOnly, Secure, SameSite=Lax.
login alice
cookie=$(session_cookie "$T/login.hdr")
[ -n "$cookie" ] || fail "no rig-session cookie after login"
printf '%s' "$cookie" | grep -qi 'HttpOnly' || fail "session cookie not HttpOnly: $cookie"
printf '%s' "$cookie" | grep -qi 'Secure' || fail "session cookie not Secure: $cookie"
printf '%s' "$cookie" | grep -qi 'SameSite=Lax' || fail "session cookie not SameSite=Lax: $cookie"
code=$(curl -sk -m 10 -b "$T/jar.alice" -o "$T/page" -w '%{http_code}' "$URL/hub/home")
[ "$code" = 200 ] || fail "GET /hub/home logged in gave $code"
grep -q alice "$T/page" || fail "/hub/home does not show the username"

# Logout ends the session: home sends to the login page again.
code=$(curl -sk -m 10 -b "$T/jar.alice" -c "$T/jar.alice" -o /dev/null -w '%{http_code}' "$URL/hub/logout")
case $code in 200 | 302 | 303) ;; *) fail "GET /hub/logout gave $code" ;; esac
code=$(curl -sk -m 10 -b "$T/jar.alice" -o /dev/null -D "$T/h" -w '%{http_code}' "$URL/hub/home")
[ "$code" = 302 ] || fail "home after logout gave $code, not 302"
header Location <"$T/h" | grep -q '/hub/login' || fail "home after logout redirects to $(header Location <"$T/h")"

# Wrong password: refused, no session.
printf 'wrong-password' >"$T/pw.wrong"
code=$(try_login alice "$T/pw.wrong")
case $code in 401 | 403) ;; *) fail "wrong password gave $code, not 401/403" ;; esac
[ -z "$(session_cookie "$T/try.hdr")" ] || fail "wrong password set a session cookie"

# No _xsrf in the form: 403, even with the right password.
code=$(try_login alice "$T/pw.alice" no-xsrf)
[ "$code" = 403 ] || fail "login without _xsrf gave $code, not 403"
[ -z "$(session_cookie "$T/try.hdr")" ] || fail "login without _xsrf set a session cookie"

# Throttling: wrong passwords until the throttle refuses one (429), then
# even the right one gets 429. The lock is 2 s after the sixth failure and
# grows with each further try, so a loaded machine's slow tries still meet
# it.
fails=0
for i in $(seq 1 20); do
	code=$(try_login alice "$T/pw.wrong")
	case $code in 401 | 403) fails=$((fails + 1)) ;; 429) break ;; *) fail "wrong password #$i gave $code" ;; esac
done
[ "$code" = 429 ] || fail "20 wrong passwords, none refused by the throttle"
[ "$fails" -ge 5 ] || fail "the throttle refused after only $fails failures"
code=$(try_login alice "$T/pw.alice")
[ "$code" = 429 ] || fail "right password after $fails failures gave $code, not 429"
[ -z "$(session_cookie "$T/try.hdr")" ] || fail "a throttled login set a session cookie"

hub_stop
