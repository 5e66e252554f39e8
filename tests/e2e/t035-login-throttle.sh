#!/bin/bash
# The login throttle counts an attempt when it begins: 40 wrong passwords
# sent at once from one address are mostly refused with 429 before any
# hashing (the hub's failure counter, which counts hashed failures, stays
# small). While that address keeps failing at alice, alice logs in from
# another address that has not been failing (issue 11 §4). Two loopback
# source addresses, 127.0.0.2 and 127.0.0.3, stand for the two clients.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
rig_user_add admin --admin
hub_start
ADMIN_TOKEN=$(rig_token admin)

# attempts SRC N PASSWORD: N logins of alice from source address SRC, all
# sent at once, each on its own connection; prints the status codes.
attempts() {
	$PY - "$PORT" "$1" "$2" "$3" <<'PYEOF'
import http.client, re, socket, ssl, sys, threading
port, src, n, pw = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
origin = "https://127.0.0.1:%d" % port

def conn():
    return http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                       timeout=60, source_address=(src, 0))

c = conn()
c.request("GET", "/hub/login")
r = c.getresponse()
page = r.read().decode()
cookie = r.getheader("Set-Cookie").split(";")[0]
xsrf = re.search(r'name="_xsrf" value="([^"]*)"', page).group(1)
body = "username=alice&password=%s&_xsrf=%s" % (pw, xsrf)
codes, gate = [], threading.Barrier(n)

def one():
    c = conn()
    c.connect()
    gate.wait()
    c.request("POST", "/hub/login", body, {"Cookie": cookie, "Origin": origin,
              "Content-Type": "application/x-www-form-urlencoded"})
    codes.append(c.getresponse().status)

ts = [threading.Thread(target=one) for _ in range(n)]
for t in ts: t.start()
for t in ts: t.join()
print(" ".join(str(c) for c in sorted(codes)))
PYEOF
}

failures() {
	curl -sk -m 10 -H "Authorization: token $ADMIN_TOKEN" "$URL/hub/metrics" |
		sed -n 's/^rig_login_failures_total //p'
}

codes=$(attempts 127.0.0.2 40 wrong-password) || fail "attempts failed"
note "40 at once: $codes"
n401=$(echo "$codes" | tr ' ' '\n' | grep -c '^401$' || true)
n429=$(echo "$codes" | tr ' ' '\n' | grep -c '^429$' || true)
[ $((n401 + n429)) = 40 ] || fail "unexpected codes: $codes"
[ "$n429" -ge 30 ] || fail "only $n429 of 40 parallel guesses refused: $codes"
f=$(failures)
[ -n "$f" ] && [ "$f" -le 10 ] || fail "$f failed logins hashed, want at most 10"

# The attack goes on; alice herself comes from elsewhere.
codes=$(attempts 127.0.0.2 5 wrong-again) || fail "attempts failed"
[ "$codes" = "429 429 429 429 429" ] || fail "attacker not refused: $codes"
codes=$(attempts 127.0.0.3 1 "$(cat "$T/pw.alice")") || fail "attempts failed"
[ "$codes" = 302 ] || fail "alice from 127.0.0.3 while attacked: $codes, want 302"
# And again: a success is not counted against her address.
codes=$(attempts 127.0.0.3 1 "$(cat "$T/pw.alice")") || fail "attempts failed"
[ "$codes" = 302 ] || fail "alice's second login: $codes, want 302"

hub_stop
