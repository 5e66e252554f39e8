#!/bin/bash
# A hub without root runs every server as its own account, so it serves one
# user (issue 16, item 3): a second user is refused by 'rig user add', the
# admin page and the API, each saying why and what to do. A database that
# already has several users (here one written as an older rig would have)
# is served to its first admin alone: the others are refused at login with
# the reason, their tokens no longer work and an admin cannot start their
# servers; the hub says so in its log at start.
. "$(dirname "$0")/lib.sh"

hubuser=${PREFIX}hub
useradd -M -s /usr/sbin/nologin "$hubuser" || fail "useradd $hubuser"
AS="setpriv --reuid=$hubuser --regid=$hubuser --init-groups"
chmod 755 "$T"
mkdir -p "$T/state"
chown "$hubuser:" "$T/state"
chmod 700 "$T/state"
why="runs without root"

printf 'pw-alice-one-user' >"$T/pw.alice"
$AS "$RIG" user add alice --admin --state-dir "$T/state" --password-stdin <"$T/pw.alice" ||
	fail "the first user is refused"
TOKEN=$($AS "$RIG" token create alice --state-dir "$T/state" | grep -oE '[0-9a-f]{64}') ||
	fail "token create"
hub_config
chmod 644 "$T/rig.conf"
HUB_WRAP=$AS hub_start
grep -q "First admin" "$T/hub.log" && fail "the hub made a second user, its first admin"

# The CLI: refused with the reason, whoever runs it (root too: the hub
# recorded that it runs without root).
for who in "$AS" ""; do
	rc=0
	echo pw-bob-123456 | $who "$RIG" user add bob --state-dir "$T/state" --password-stdin \
		>"$T/out" 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "rig user add bob ${who:+as $hubuser }: exit $rc: $(cat "$T/out")"
	grep -q "cannot add 'bob': this hub $why.*run as root" "$T/out" ||
		fail "rig user add bob did not say why: $(cat "$T/out")"
done

# The API.
[ "$(api POST /hub/api/users/bob -d '{}')" = 403 ] || fail "API added bob: $(body)"
grep -q "$why" "$T/body" || fail "the API did not say why: $(body)"

# The admin page.
login alice
xsrf=$(xsrf_of alice)
code=$(curl -sk -m 10 -b "$T/jar.alice" -o "$T/page" -w '%{http_code}' -H "Origin: $URL" \
	--data-urlencode name=bob --data-urlencode "_xsrf=$xsrf" "$URL/hub/admin/add")
[ "$code" = 403 ] || fail "the admin page added bob: $code $(cat "$T/page")"
grep -q "$why" "$T/page" || fail "the admin page did not say why: $(cat "$T/page")"
$AS "$RIG" user list --state-dir "$T/state" | grep -q '^bob' && fail "bob exists"
hub_stop

# Several users already: bob and carol as an older rig (or a hub run as
# root) left them, with bob's password and token.
$AS "$RIG" token create alice --state-dir "$T/state" >/dev/null || fail "token create"
$PY - "$T/state/rig.db" <<'PY' || fail "cannot add users to the database"
import crypt, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
h = crypt.crypt("pw-bob-123456", crypt.mksalt(crypt.METHOD_SHA512))
for name in ("bob", "carol"):
    db.execute("INSERT INTO users (name, pwhash, admin, created) VALUES (?, ?, 0, ?)",
               (name, h, int(time.time())))
db.commit()
PY
printf 'pw-bob-123456' >"$T/pw.bob"
HUB_WRAP=$AS hub_start
grep -q "running without root with 3 users.*serves only its first admin, alice" "$T/hub.log" ||
	fail "the hub did not log whom it serves"
page=$(curl -sk -m 10 -c "$T/jar.bob" -b "$T/jar.bob" "$URL/hub/login")
xsrf=$(printf '%s' "$page" | form_input _xsrf)
code=$(curl -sk -m 30 -c "$T/jar.bob" -b "$T/jar.bob" -o "$T/page" -w '%{http_code}' \
	-H "Origin: $URL" --data-urlencode username=bob --data-urlencode "password@$T/pw.bob" \
	--data-urlencode "_xsrf=$xsrf" "$URL/hub/login")
[ "$code" = 403 ] || fail "bob logged in: $code"
grep -q "without root and serves its first admin alone" "$T/page" ||
	fail "the login page did not say why: $(cat "$T/page")"
grep -q "rig-session" "$T/jar.bob" && fail "bob got a session"
code=$(curl -sk -m 30 -o /dev/null -w '%{http_code}' -H "Origin: $URL" \
	--data-urlencode username=bob --data-urlencode "password=wrong-password" \
	--data-urlencode "_xsrf=$xsrf" -b "$T/jar.bob" "$URL/hub/login")
[ "$code" = 401 ] || fail "a wrong password for bob gave $code, not 401"
BOBTOKEN=$($AS "$RIG" token create bob --state-dir "$T/state" | grep -oE '[0-9a-f]{64}') ||
	fail "token create bob"
case $(TOKEN=$BOBTOKEN api GET /hub/api/user) in 401 | 403) ;; *) fail "bob's token works: $(body)" ;; esac
[ "$(api POST /hub/api/users/carol/server)" = 400 ] || fail "alice started carol's server: $(body)"
grep -q "without root and serves its first admin alone" "$T/body" || fail "no reason: $(body)"
pgrep -u "$hubuser" -f "base_url=/user/carol/" && fail "carol's server runs"
[ "$(api GET /hub/api/user)" = 200 ] || fail "alice's token refused: $(body)"
login alice
hub_stop
