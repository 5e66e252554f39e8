#!/bin/bash
# POST/redirect/GET: creating a token or a user answers with a redirect
# (a browser's reload repeats the GET, not the POST), the page it leads to
# shows the new secret once, and the secret is never in a URL; another
# session does not get it. A request by API token, without a session to
# keep it for, gets it at once.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
hub_config
hub_start
login alice /hub/home
cp "$T/jar.alice" "$T/jar.other"
login alice /hub/home # jar.other is an older session of alice's
ATOKEN=$(rig_token alice)
X=$(xsrf_of alice)

tokens() {
	TOKEN=$ATOKEN api GET /hub/api/users/alice/tokens >/dev/null
	json 'len(d["api_tokens"])' <"$T/body"
}

# A token.
before=$(tokens)
code=$(curl -sk -m 10 -b "$T/jar.alice" -H "Origin: $URL" -o "$T/page" -D "$T/page.hdr" -w '%{http_code}' \
	--data-urlencode "_xsrf=$X" --data-urlencode "note=prg" "$URL/hub/token")
case $code in 302 | 303) ;; *) fail "POST /hub/token gave $code, not a redirect" ;; esac
loc=$(header Location <"$T/page.hdr")
[ "$loc" = /hub/token ] || fail "POST /hub/token led to '$loc'"
grep -qE '[0-9a-f]{64}' "$T/page.hdr" && fail "the redirect carries the token"
[ "$(tokens)" = $((before + 1)) ] || fail "one POST made $(($(tokens) - before)) tokens"
# Another session of alice's does not see it.
curl -sk -m 10 -b "$T/jar.other" "$URL/hub/token" -o "$T/page"
grep -qE '\b[0-9a-f]{64}\b' "$T/page" && fail "another session was shown the new token"
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/token" -o "$T/page"
tok=$(grep -oE '\b[0-9a-f]{64}\b' "$T/page" | head -n 1)
[ -n "$tok" ] || fail "the token page after the redirect shows no token"
[ "$(TOKEN=$tok api GET /hub/api/user)" = 200 ] || fail "the token shown does not work"
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/token" -o "$T/page"
grep -qF "$tok" "$T/page" && fail "a reload shows the token again"
[ "$(tokens)" = $((before + 1)) ] || fail "a reload made a token"

# By an API token there is no session to keep it for: shown at once.
code=$(curl -sk -m 10 -H "Authorization: token $ATOKEN" -o "$T/page" -w '%{http_code}' \
	--data-urlencode "note=by token" "$URL/hub/token")
[ "$code" = 200 ] || fail "POST /hub/token by a token gave $code"
grep -qE '\b[0-9a-f]{64}\b' "$T/page" || fail "POST /hub/token by a token lost the new token"

# A user.
code=$(curl -sk -m 30 -b "$T/jar.alice" -H "Origin: $URL" -o "$T/page" -D "$T/page.hdr" -w '%{http_code}' \
	--data-urlencode "_xsrf=$X" -d name=dave "$URL/hub/admin/add")
case $code in 302 | 303) ;; *) fail "POST /hub/admin/add gave $code, not a redirect" ;; esac
[ "$(header Location <"$T/page.hdr")" = /hub/admin ] || fail "adding a user led elsewhere"
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/admin" -o "$T/page"
pw=$($PY -c '
import re, sys
m = re.search(r"id=\"secret\">([^<]+)<", sys.stdin.read())
print(m.group(1) if m else "")' <"$T/page")
[ -n "$pw" ] || fail "the admin page after the redirect shows no password"
x=$(curl -sk -m 10 -c "$T/jar.dave" -b "$T/jar.dave" "$URL/hub/login" | form_input _xsrf)
code=$(curl -sk -m 30 -c "$T/jar.dave" -b "$T/jar.dave" -H "Origin: $URL" -o /dev/null -w '%{http_code}' \
	--data-urlencode "_xsrf=$x" -d username=dave --data-urlencode "password=$pw" \
	"$URL/hub/login?next=/hub/home")
[ "$code" = 302 ] || fail "dave cannot log in with the password shown ($code)"
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/admin" -o "$T/page"
grep -qF "$pw" "$T/page" && fail "a reload shows dave's password again"
grep -q 'id="secret"' "$T/page" && fail "a reload shows a password again"
hub_stop
