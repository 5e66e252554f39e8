#!/bin/bash
# Small things of the pages: an icon the hub serves and browsers may cache,
# linked from every page; times as <time datetime> in UTC (rig.js shows
# them in the browser's zone), "never" when there is none; no button inside
# a link on any page (HTML forbids it); and a user name whose Unix account
# (user_prefix + NAME) would be over 32 characters is refused when the user
# is made, by the CLI, the admin page, the API and a new hub's first_admin
# alike (it could never have a server), while the longest that fits is
# taken.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add bob
hub_config
hub_start
login alice # her server starts: home shows "Open my server"
ATOKEN=$(rig_token alice)
wait_ready alice "$ATOKEN"

# The icon.
for p in /hub/static/favicon.svg /favicon.ico; do
	code=$(curl -sk -m 10 -o "$T/icon" -D "$T/icon.hdr" -w '%{http_code}' "$URL$p")
	[ "$code" = 200 ] || fail "GET $p gave $code"
	case $(header Content-Type <"$T/icon.hdr") in image/*) ;; *) fail "$p is not an image" ;; esac
	cc=$(header Cache-Control <"$T/icon.hdr")
	case $cc in *max-age=[1-9]*) ;; *) fail "$p is not cacheable (Cache-Control: $cc)" ;; esac
	case $cc in *no-store*) fail "$p: Cache-Control: $cc" ;; esac
	grep -q '<svg' "$T/icon" || fail "$p is no SVG"
done
# Pages still are not cached.
curl -sk -m 10 -b "$T/jar.alice" -D "$T/p.hdr" -o /dev/null "$URL/hub/home"
case $(header Cache-Control <"$T/p.hdr") in *no-store*) ;; *) fail "/hub/home may be cached" ;; esac

# Every page: the icon linked, no button inside a link.
check_page() { # check_page FILE WHAT
	$PY - "$1" "$2" <<'PYEOF' || fail "$2: see above"
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.in_a = 0; self.bad = []; self.icon = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a": self.in_a += 1
        if tag in ("button", "input", "select", "textarea") and self.in_a: self.bad.append(tag)
        if tag == "link" and "icon" in (a.get("rel") or "").split(): self.icon = True
    def handle_endtag(self, tag):
        if tag == "a" and self.in_a: self.in_a -= 1
p = P(); p.feed(open(sys.argv[1]).read())
if p.bad: print(sys.argv[2] + ": a " + p.bad[0] + " inside a link"); sys.exit(1)
if not p.icon: print(sys.argv[2] + ": no icon linked"); sys.exit(1)
PYEOF
}
# (bob has no server: his spawn-pending page offers to start it.)
for p in /hub/home /hub/admin /hub/token /hub/password /hub/spawn-pending/bob /hub/admin/delete/bob /hub/admin/password/bob /hub/no-such-page; do
	curl -sk -m 10 -b "$T/jar.alice" -H 'Accept: text/html' -o "$T/page" "$URL$p"
	check_page "$T/page" "$p"
done
curl -sk -m 10 -o "$T/page" "$URL/hub/login"
check_page "$T/page" /hub/login
curl -sk -m 10 -b "$T/jar.alice" -o "$T/page" "$URL/hub/home"
grep -q 'Open my server' "$T/page" || fail "home does not offer to open the ready server"

# Times: <time datetime="...Z" title="... UTC">, the text in UTC too.
curl -sk -m 10 -b "$T/jar.alice" -o "$T/page" "$URL/hub/admin"
grep -qE '<time datetime="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z" title="[0-9-]{10} [0-9:]{8} UTC">[0-9-]{10} [0-9:]{8} UTC</time>' "$T/page" ||
	fail "the admin page has no <time> with UTC: $(grep -o 'Last activity.\{0,300\}' "$T/page")"

# Names: the test's prefix is ${#PREFIX} characters, so 32 - ${#PREFIX} fit.
max=$((32 - ${#PREFIX}))
name_of() { printf 'u%.0s' $(seq 1 "$1"); }
long=$(name_of $((max + 1)))
fits=$(name_of "$max")
# The CLI reads the prefix the hub saved (as root) in the state directory.
if printf 'pw-long-1\n' | rig_cli user add "$long" --password-stdin 2>"$T/err"; then
	fail "rig user add took $long (${#long} characters; the account would be $((${#PREFIX} + ${#long})))"
fi
grep -q 'at most' "$T/err" || fail "rig user add did not say why: $(cat "$T/err")"
code=$(TOKEN=$ATOKEN api POST "/hub/api/users/$long" -d '{}')
[ "$code" = 400 ] || fail "the API took $long ($code)"
code=$(curl -sk -m 10 -b "$T/jar.alice" -H "Origin: $URL" -o /dev/null -w '%{http_code}' \
	--data-urlencode "_xsrf=$(xsrf_of alice)" -d "name=$long" "$URL/hub/admin/add")
[ "$code" = 400 ] || fail "the admin page took $long ($code)"
rig_cli user list | grep -q "^$long" && fail "$long was made"
printf 'pw-fits-1\n' | rig_cli user add "$fits" --password-stdin || fail "rig user add refused $fits (${#fits})"
# The first admin a new hub makes: the same rule, at start.
printf '[hub]\nuser_prefix = %s\nfirst_admin = %s\n' "$PREFIX" "$long" >"$T/long.conf"
if timeout 30 "$RIG" hub --state-dir "$T/state-long" --listen "127.0.0.1:$(free_port)" \
	--config "$T/long.conf" >"$T/long.log" 2>&1; then
	fail "a hub started with first_admin = $long"
fi
grep -q "first_admin '$long'.*at most $max" "$T/long.log" ||
	fail "a hub with first_admin = $long did not refuse it: $(tail -n 3 "$T/long.log")"
# The admin page's own check says the same: maxlength.
curl -sk -m 10 -b "$T/jar.alice" -o "$T/page" "$URL/hub/admin"
grep -q "maxlength=\"$max\"" "$T/page" || fail "the add form's maxlength is not $max"
hub_stop
