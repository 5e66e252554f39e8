#!/bin/bash
# rig up of a pool puts the hub's API listener on the head's address
# (api_address) without being asked, so that a server's job reports its
# port there at once (spawn-slurm-report.c) rather than through its
# comment and two squeue polls. That plain listener is then on the pool's
# network, where another account of a node reaches it: from the node's
# network namespace, as alice (a head account, no hub user), each request
# gets on the API listener the answer it gets on the hub's own TLS
# listener (no token, a wrong one, dave's token for carol's server, jobs
# and tokens; carol's own token as the control), and the listener answers
# nothing but /hub/api/...: the login page, the static files and a
# server through it are 404, a session cookie counts for nothing there.
# carol's server, started by her sign-in, comes up: her job reports its
# port to that listener. The old rig up left the API on loopback for a
# default pool.
. "$(dirname "$0")/lib.sh"

pool_hub_up 1
grep -qx "api_address = $H" "$HUBDIR/hub.conf" ||
	fail "rig up did not set api_address to the head's address: $(cat "$HUBDIR/hub.conf")"
API=$(sed -n "s|.*servers reach the hub's API at \(http://$H:[0-9]*\)/hub/api.*|\1|p" "$HUBDIR/hub.log" | tail -n 1)
[ -n "$API" ] || fail "the API listener is not on $H: $(grep "hub's API" "$HUBDIR/hub.log")"
CTOK=$(pool_token carol)
DTOK=$(pool_token dave)
[ -n "$CTOK" ] && [ -n "$DTOK" ] || fail "no tokens for carol and dave"
NS=/run/netns/${PREFIX}h2
auid=$(pool_root_ssh 1 'id -u alice')
agid=$(pool_root_ssh 1 'id -g alice')
[ -n "$auid" ] || fail "no uid for alice"

cat >"$T/ask.py" <<'EOP'
# Each line of stdin: METHOD PATH TOKEN|- [COOKIE|-]; prints the status
# on the API listener (argv[1], plain) and on the hub's (argv[2], TLS),
# or "-" for the hub's if METHOD starts with "!" (not asked there).
import http.client, ssl, sys, urllib.parse
def status(base, method, path, token, cookie):
    u = urllib.parse.urlsplit(base)
    if u.scheme == 'https':
        c = http.client.HTTPSConnection(u.hostname, u.port, timeout=20,
                                        context=ssl._create_unverified_context())
    else:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    h = {'Content-Type': 'application/json'}
    if token != '-':
        h['Authorization'] = 'token ' + token
    if cookie != '-':
        h['Cookie'] = 'rig-session=' + cookie
    c.request(method, path, '{}' if method in ('POST', 'PATCH') else None, h)
    return c.getresponse().status
for line in sys.stdin:
    w = line.split()
    w += ['-'] * (4 - len(w))
    api_only = w[0].startswith('!')
    w[0] = w[0].lstrip('!')
    print(w[0], w[1], status(sys.argv[1], *w),
          '-' if api_only else status(sys.argv[2], *w), flush=True)
EOP
chmod 644 "$T/ask.py"
chmod 711 "$T"
as_alice() { nsenter --net="$NS" setpriv --reuid="$auid" --regid="$agid" --clear-groups "$@"; }

# The same answer on both listeners, for the same request.
bad=$(rand_str 64)
as_alice $PY "$T/ask.py" "$API" "$URL" >"$T/same" 2>"$T/ask.err" <<EOR || fail "asking: $(cat "$T/ask.err")"
GET /hub/api/users
GET /hub/api/users $bad
GET /hub/api/users $DTOK
GET /hub/api/users/carol $DTOK
POST /hub/api/users/carol/server $DTOK
DELETE /hub/api/users/carol/server $DTOK
GET /hub/api/users/carol/jobs $DTOK
GET /hub/api/users/carol/tokens $DTOK
POST /hub/api/users/carol/tokens $DTOK
GET /hub/api/users/carol
GET /hub/api/users/carol $bad
GET /hub/api/user $CTOK
GET /hub/api/users/carol $CTOK
EOR
note "both listeners: $(tr '\n' ';' <"$T/same")"
[ "$(wc -l <"$T/same")" = 13 ] || fail "not every request was answered: $(cat "$T/same") $(cat "$T/ask.err")"
awk '$3 != $4 { bad = 1 } END { exit bad }' "$T/same" ||
	fail "the API listener answers differently from the hub's: $(cat "$T/same")"
awk 'NR <= 11 && $3 < 400 { bad = 1 } NR > 11 && $3 != 200 { bad = 1 } END { exit bad }' "$T/same" ||
	fail "a request without carol's token was let through, or hers refused: $(cat "$T/same")"

grep -q "server carol" "$HUBDIR/hub.log" && fail "a request touched carol's server: $(grep 'server carol' "$HUBDIR/hub.log")"

# carol signs in on the hub's page (which starts her server): her
# session cookie.
printf 'pw-%s' "$(rand_str 20)" >"$T/pw.carol"
pool_root_ssh 1 "$R user passwd carol --state-dir $S --password-stdin" <"$T/pw.carol" >/dev/null 2>&1 ||
	fail "rig user passwd carol"
login carol
COOKIE=$(awk '$6 == "rig-session" { print $7 }' "$T/jar.carol")
[ -n "$COOKIE" ] || fail "no session cookie for carol: $(cat "$T/jar.carol")"

# Nothing but the API there; a cookie is no credential there.
as_alice $PY "$T/ask.py" "$API" "$URL" >"$T/only" 2>"$T/ask.err" <<EOR || fail "asking: $(cat "$T/ask.err")"
GET /hub/login
GET /hub/static/rig.css
GET /hub/home $CTOK
!GET /user/dave/api/contents $DTOK
GET /hub/api/users/carol - $COOKIE
EOR
note "API listener only: $(tr '\n' ';' <"$T/only")"
[ "$(wc -l <"$T/only")" = 5 ] || fail "not every request was answered: $(cat "$T/only")"
awk 'NR <= 4 && $3 != 404 { bad = 1 } NR == 5 && ($3 != 403 || $4 != 200) { bad = 1 } END { exit bad }' "$T/only" ||
	fail "the API listener answers beyond /hub/api/... or takes a cookie: $(cat "$T/only")"
grep -q "server dave" "$HUBDIR/hub.log" && fail "the API listener proxied to dave's server: $(grep 'server dave' "$HUBDIR/hub.log")"

# carol's server, started by her sign-in: her job reports its port to
# the listener on $H.
READY_S=150 wait_ready carol "$CTOK"
grep -q "server carol: Slurm job [0-9]* reports its server on port" "$HUBDIR/hub.log" ||
	fail "carol's job did not report its port: $(grep 'server carol' "$HUBDIR/hub.log" | tail -n 5)"
[ "$(TOKEN=$CTOK api GET /user/carol/api/contents)" = 200 ] || fail "carol's server through the hub: $(body)"

in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
