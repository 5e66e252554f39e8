#!/bin/bash
# The HTML pages: the admin page (admins only, forms with _xsrf), the token
# page (a new token shown once, then revoked), the home page's start form,
# security headers on every page, and escaping of reflected values.
. "$(dirname "$0")/lib.sh"

# get NAME PATH: GET with NAME's session (or none if NAME is -); prints the
# status; page in $T/page, headers in $T/page.hdr.
get() {
	local jar=()
	[ "$1" = - ] || jar=(-b "$T/jar.$1")
	curl -sk -m 10 "${jar[@]}" -H 'Accept: text/html' -o "$T/page" -D "$T/page.hdr" \
		-w '%{http_code}' "$URL$2" || true
}

# secure_headers PATH: the page just fetched has a CSP and frame protection.
secure_headers() {
	local csp xfo
	csp=$(header Content-Security-Policy <"$T/page.hdr")
	xfo=$(header X-Frame-Options <"$T/page.hdr")
	[ -n "$csp" ] || fail "$1: no Content-Security-Policy"
	case "$csp" in *frame-ancestors*) ;; *) [ -n "$xfo" ] || fail "$1: neither X-Frame-Options nor frame-ancestors" ;; esac
}

rig_user_add alice --admin
rig_user_add bob
hub_config
hub_start
login alice
login bob

# Login page: headers, and next= is escaped.
for next in '%3Cscript%3Ealert(1)%3C/script%3E' '%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E' "'onmouseover='alert(1)"; do
	[ "$(get - "/hub/login?next=$next")" = 200 ] || fail "GET /hub/login?next=$next"
	secure_headers /hub/login
	grep -qi '<script>alert' "$T/page" && fail "next=$next: <script> reflected unescaped"
	grep -qi '<img src=x' "$T/page" && fail "next=$next: <img> reflected unescaped"
	grep -q "'onmouseover='" "$T/page" && fail "next=$next: quote reflected unescaped"
done

# Home: with the server stopped (login started it), a start form with _xsrf.
TOKEN=$(rig_token bob)
code=$(api DELETE /hub/api/users/bob/server)
case $code in 202 | 204) ;; *) fail "DELETE bob's server gave $code: $(body)" ;; esac
for i in $(seq 1 50); do
	[ "$(api GET /hub/api/users/bob)" = 200 ] || fail "GET bob: $(body)"
	[ "$(json 'd["servers"]' <"$T/body")" = '{}' ] && break
	sleep 0.2
done
[ "$(get bob /hub/home)" = 200 ] || fail "GET /hub/home"
secure_headers /hub/home
grep -qiE "<form[^>]*method=[\"']?post[\"']?[^>]*action=[\"']?/hub/spawn" "$T/page" ||
	fail "/hub/home has no start form (POST /hub/spawn): $(cat "$T/page")"
[ -n "$(form_input _xsrf <"$T/page")" ] || fail "/hub/home's form has no _xsrf"

# Admin page: admins only; lists users; its forms carry _xsrf.
[ "$(get alice /hub/admin)" = 200 ] || fail "admin GET /hub/admin"
secure_headers /hub/admin
grep -q bob "$T/page" || fail "/hub/admin does not list bob"
grep -q alice "$T/page" || fail "/hub/admin does not list alice"
# "POST-forms with-_xsrf" of the page.
forms=$($PY -c '
import sys, html.parser
class P(html.parser.HTMLParser):
    forms, with_xsrf, cur = 0, 0, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms += 1; self.cur = False
        elif tag == "input" and self.cur is False and a.get("name") == "_xsrf" and a.get("value"):
            self.cur = True; self.with_xsrf += 1
    def handle_endtag(self, tag):
        if tag == "form": self.cur = None
p = P(); p.feed(sys.stdin.read()); print(p.forms, p.with_xsrf)' <"$T/page")
note "/hub/admin: POST forms, with _xsrf: $forms"
case $forms in "0 "*) fail "/hub/admin has no POST forms" ;; esac
[ "${forms% *}" = "${forms#* }" ] || fail "/hub/admin: not every POST form has an _xsrf ($forms)"
code=$(get bob /hub/admin)
[ "$code" = 403 ] || fail "non-admin GET /hub/admin gave $code, not 403"
code=$(get - /hub/admin)
[ "$code" = 302 ] || fail "anonymous GET /hub/admin gave $code, not 302"

# Token page: a new token is shown once; it works; it is revoked.
[ "$(get bob /hub/token)" = 200 ] || fail "GET /hub/token"
secure_headers /hub/token
xsrf=$(form_input _xsrf <"$T/page")
[ -n "$xsrf" ] || fail "/hub/token has no _xsrf"
code=$(curl -sk -m 10 -L -b "$T/jar.bob" -c "$T/jar.bob" -H "Origin: $URL" -o "$T/page" -D "$T/page.hdr" \
	-w '%{http_code}' --data-urlencode "_xsrf=$xsrf" --data-urlencode "note=from the page" "$URL/hub/token")
[ "$code" = 200 ] || fail "POST /hub/token gave $code"
secure_headers "POST /hub/token"
tok=$(grep -oE '\b[0-9a-f]{64}\b' "$T/page" | head -n 1)
[ -n "$tok" ] || fail "POST /hub/token shows no 64-hex token"
TOKEN=$tok
[ "$(api GET /hub/api/user)" = 200 ] || fail "the page's token does not work: $(body)"
[ "$(json 'd["name"]' <"$T/body")" = bob ] ||
	fail "the page's token is not bob's: $(body)"
[ "$(get bob /hub/token)" = 200 ] || fail "GET /hub/token again"
grep -qF -- "$tok" "$T/page" && fail "/hub/token shows the token a second time"
code=$(curl -sk -m 10 -b "$T/jar.bob" -H "Origin: $URL" -o /dev/null -w '%{http_code}' \
	--data-urlencode "note=no xsrf" "$URL/hub/token")
[ "$code" = 403 ] || fail "POST /hub/token without _xsrf gave $code, not 403"

# Revoke: with the page's revoke form for this token if it has one, else
# as its script would, through the API with the session and X-XSRFToken.
# The token's id, from the API (bob also has the CLI token made above).
TOKEN=$tok
[ "$(api GET /hub/api/users/bob/tokens)" = 200 ] || fail "GET bob's tokens: $(body)"
id=$($PY -c '
import json, sys
d = json.load(sys.stdin)
lists = [v for v in d.values() if isinstance(v, list)] if isinstance(d, dict) else [d]
print(next(str(t["id"]) for l in lists for t in l if t.get("note") == "from the page"))' <"$T/body") ||
	fail "the page's token (note 'from the page') is not in the list: $(body)"
[ "$(get bob /hub/token)" = 200 ] || fail "GET /hub/token"
form=$(ID=$id $PY -c '
import os, re, sys, html.parser, urllib.parse
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.forms = []; self.cur = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.cur = {"action": a.get("action") or "", "fields": [], "text": ""}
        elif self.cur is not None and tag in ("input", "button"):
            if a.get("name"):
                self.cur["fields"].append((a["name"], a.get("value") or ""))
            self.cur["text"] += " " + (a.get("value") or "") + " " + (a.get("name") or "")
    def handle_data(self, data):
        if self.cur is not None: self.cur["text"] += data
    def handle_endtag(self, tag):
        if tag == "form" and self.cur is not None:
            self.forms.append(self.cur); self.cur = None
p = P(); p.feed(sys.stdin.read())
# The API id, or its number alone (JupyterHub ids are "a" + the number).
ids = {os.environ["ID"], re.sub(r"^[a-z]+", "", os.environ["ID"])} - {""}
for f in p.forms:
    mine = ids & set(re.split(r"[/?=&]", f["action"])) or any(v in ids for _, v in f["fields"])
    if mine and "revoke" in (f["action"] + f["text"]).lower():
        print(f["action"]); print(urllib.parse.urlencode(f["fields"])); break
' <"$T/page")
if [ -n "$form" ]; then
	action=$(printf '%s\n' "$form" | sed -n 1p)
	fields=$(printf '%s\n' "$form" | sed -n 2p)
	case $action in /*) ;; *) action=/hub/token ;; esac
	note "revoking token $id with the page's form: POST $action"
	code=$(curl -sk -m 10 -b "$T/jar.bob" -H "Origin: $URL" -o /dev/null -w '%{http_code}' \
		-d "$fields" "$URL$action")
	case $code in 200 | 302 | 303) ;; *) fail "revoke form POST $action gave $code" ;; esac
else
	note "no revoke form for token $id on /hub/token: revoking through the API with the session"
	sx=$(xsrf_of bob)
	code=$(TOKEN="" api DELETE "/hub/api/users/bob/tokens/$id" -b "$T/jar.bob" -H "Origin: $URL" -H "X-XSRFToken: $sx")
	[ "$code" = 204 ] || fail "revoking the page's token gave $code"
fi
TOKEN=$tok
code=$(api GET /hub/api/user)
case $code in 401 | 403) ;; *) fail "the revoked token still works ($code)" ;; esac

hub_stop
