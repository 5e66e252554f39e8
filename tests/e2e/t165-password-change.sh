#!/bin/bash
# Passwords in the pages. A user changes their own with the current one;
# the old one stops working, their other sessions end, this one goes on.
# Attacks: a wrong current password (refused, counted by the throttle), no
# _xsrf, another user's _xsrf, another site's origin, a form naming another
# user (only one's own changes), a non-admin's reset of another's (403), an admin's reset of
# their own (refused: that needs the current one). An admin sets another
# user's; the CLI's rule (not empty) holds in the pages too.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add bob
rig_user_add carol
hub_config
hub_start
login alice /hub/home
login bob /hub/home
cp "$T/jar.bob" "$T/jar.bob2" # a second session of bob's
login carol /hub/home

# post NAME PATH FIELDS...: a form POST with NAME's _xsrf; status.
post() {
	local name=$1 path=$2 args=() f
	shift 2
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	curl -sk -m 30 -b "$T/jar.$name" -c "$T/jar.$name" -H "Origin: $URL" -H 'Accept: text/html' \
		-o "$T/page" -D "$T/page.hdr" -w '%{http_code}' \
		--data-urlencode "_xsrf=$(xsrf_of "$name")" "${args[@]}" "$URL$path" || true
}
# can_login NAME PASSWORD: whether the login form takes it.
can_login() {
	local x code
	rm -f "$T/jar.try"
	x=$(curl -sk -m 10 -c "$T/jar.try" -b "$T/jar.try" "$URL/hub/login" | form_input _xsrf)
	code=$(curl -sk -m 30 -c "$T/jar.try" -b "$T/jar.try" -H "Origin: $URL" -o /dev/null \
		-w '%{http_code}' --data-urlencode "_xsrf=$x" --data-urlencode "username=$1" \
		--data-urlencode "password=$2" "$URL/hub/login?next=/hub/home" || true)
	case $code in
	302) return 0 ;;
	401) return 1 ;;
	*) fail "can_login $1: the login form gave $code" ;;
	esac
}
BOLD=$(cat "$T/pw.bob")

[ "$(curl -sk -m 10 -b "$T/jar.bob" -o "$T/page" -w '%{http_code}' "$URL/hub/password")" = 200 ] ||
	fail "GET /hub/password"
grep -q 'name="current"' "$T/page" || fail "the password page asks no current password"

# Wrong current password: 403, nothing changes.
code=$(post bob /hub/password current=wrong-one new=bob-new-pw-1 new2=bob-new-pw-1)
[ "$code" = 403 ] || fail "a wrong current password gave $code, not 403"
can_login bob "$BOLD" || fail "bob's password changed with a wrong current one"
can_login bob bob-new-pw-1 && fail "the new password works after a wrong current one"
# No _xsrf, or another site: 403.
code=$(curl -sk -m 10 -b "$T/jar.bob" -H "Origin: $URL" -o /dev/null -w '%{http_code}' \
	--data-urlencode "current=$BOLD" -d new=bob-new-pw-2 -d new2=bob-new-pw-2 "$URL/hub/password")
[ "$code" = 403 ] || fail "a change without _xsrf gave $code, not 403"
code=$(curl -sk -m 10 -b "$T/jar.bob" -H "Origin: https://evil.example" -H 'Sec-Fetch-Site: cross-site' \
	-o /dev/null -w '%{http_code}' --data-urlencode "_xsrf=$(xsrf_of bob)" \
	--data-urlencode "current=$BOLD" -d new=bob-new-pw-2 -d new2=bob-new-pw-2 "$URL/hub/password")
[ "$code" = 403 ] || fail "a cross-site change gave $code, not 403"
# bob's session with another user's form (alice's _xsrf): 403.
code=$(curl -sk -m 10 -b "$T/jar.bob" -H "Origin: $URL" -o /dev/null -w '%{http_code}' \
	--data-urlencode "_xsrf=$(xsrf_of alice)" --data-urlencode "current=$BOLD" \
	-d new=bob-new-pw-2 -d new2=bob-new-pw-2 "$URL/hub/password")
[ "$code" = 403 ] || fail "a change with alice's _xsrf in bob's session gave $code, not 403"
can_login bob bob-new-pw-2 && fail "a refused change took effect"
# The two new ones differ; an empty one: 400.
code=$(post bob /hub/password "current=$BOLD" new=bob-new-pw-3 new2=bob-new-pw-4)
[ "$code" = 400 ] || fail "two different new passwords gave $code, not 400"
code=$(post bob /hub/password "current=$BOLD" new= new2=)
[ "$code" = 400 ] || fail "an empty new password gave $code, not 400"

# A form naming another user changes the requester's own password only.
code=$(post bob /hub/password "current=$BOLD" new=bob-new-pw-5 new2=bob-new-pw-5 \
	username=carol user=carol name=carol)
[ "$code" = 302 ] || fail "bob's change gave $code"
can_login carol "$(cat "$T/pw.carol")" || fail "bob's form changed carol's password"
can_login bob bob-new-pw-5 || fail "bob's new password does not work"
can_login bob "$BOLD" && fail "bob's old password still works"
# This session goes on (a new cookie); bob's other session ended.
[ "$(curl -sk -m 10 -b "$T/jar.bob" -o "$T/page" -w '%{http_code}' "$URL/hub/password")" = 200 ] ||
	fail "the session that changed the password ended"
grep -q 'Your password is changed' "$T/page" || fail "no word that it changed"
code=$(curl -sk -m 10 -b "$T/jar.bob2" -o /dev/null -w '%{http_code}' "$URL/hub/home")
[ "$code" = 302 ] || fail "bob's other session still works after the change ($code)"

# Resets: bob is no admin; alice cannot reset her own here.
code=$(post bob /hub/admin/password/carol new=carol-by-bob new2=carol-by-bob)
[ "$code" = 403 ] || fail "a non-admin's reset gave $code, not 403"
can_login carol carol-by-bob && fail "bob reset carol's password"
code=$(post alice /hub/admin/password/alice new=alice-new new2=alice-new)
[ "$code" = 400 ] || fail "an admin resetting her own password gave $code, not 400"
can_login alice alice-new && fail "alice reset her own password without the current one"
code=$(post alice /hub/admin/password/nobody new=x-new-pw new2=x-new-pw)
[ "$code" = 404 ] || fail "resetting an unknown user gave $code, not 404"
# alice sets carol's: it works, carol's sessions end.
code=$(post alice /hub/admin/password/carol new=carol-by-alice new2=carol-by-alice)
[ "$code" = 302 ] || fail "alice's reset of carol gave $code"
can_login carol carol-by-alice || fail "carol's new password does not work"
code=$(curl -sk -m 10 -b "$T/jar.carol" -o /dev/null -w '%{http_code}' "$URL/hub/home")
[ "$code" = 302 ] || fail "carol's session still works after the reset ($code)"

# Guessing the current password through the form meets the login throttle:
# five wrong guesses are free, then locks that double (2 s, 4 s, ...) and
# 429, the form again, even for the right one. Guessing goes on until a
# lock has at least 6 s to run, so that the right password's one request
# meets it on a loaded machine too.
AX=$(xsrf_of alice)
pw_post() { # pw_post CURRENT: alice's change to alice-guess; status
	curl -sk -m 30 -b "$T/jar.alice" -H "Origin: $URL" -H 'Accept: text/html' \
		-o "$T/page" -D "$T/page.hdr" -w '%{http_code}' --data-urlencode "_xsrf=$AX" \
		--data-urlencode "current=$1" -d new=alice-guess -d new2=alice-guess "$URL/hub/password" || true
}
locked=
for i in $(seq 1 16); do
	code=$(pw_post "guess-$i")
	case $code in
	403) ;;
	429)
		ra=$(header Retry-After <"$T/page.hdr")
		[ "$ra" -ge 6 ] && { locked=1; break; }
		sleep "$ra" # a short lock: guess again after it, for a longer one
		;;
	*) fail "wrong current password #$i gave $code" ;;
	esac
done
[ -n "$locked" ] || fail "16 wrong current passwords met no lock of 6 s or more"
code=$(pw_post "$(cat "$T/pw.alice")")
[ "$code" = 429 ] || fail "the right current password during the lock gave $code, not 429"
grep -q 'name="current"' "$T/page" || fail "the 429 is not the password form again"
hub_stop
