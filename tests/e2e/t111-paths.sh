#!/bin/bash
# Request paths are normalised before routing and access checks, and the
# server gets the normalised path: /user/alice/../zz/x, its %2e%2e and its
# // forms never reach alice's server (issue 11 §2). What cannot be
# normalised safely is refused with 400: encoded slashes and backslashes
# where they decide routing or hide dots, %00, a climb above /. Two equal
# Content-Length headers are refused (as nginx does), and a header that
# reads as a reserved one once '_' is '-' (X_Rig_User) is dropped like it.
# Back ends: tests/helpers/echoserver.py, as alice's server and as a
# service, saying which path and headers they got.
. "$(dirname "$0")/lib.sh"

ECHO=$TOP/tests/helpers/echoserver.py
"$PY" "$ECHO" 0 svc >"$T/svc.port" 2>"$T/svc.log" &
bg_track $!
for _ in $(seq 1 100); do [ -s "$T/svc.port" ] && break; sleep 0.05; done
SVC_PORT=$(head -n 1 "$T/svc.port")
[ -n "$SVC_PORT" ] || fail "echoserver did not start: $(cat "$T/svc.log")"

rig_user_add alice
rig_user_add zz
hub_config "server_cmd = $PY $ECHO {port} {username}"
printf '[service echo]\nurl = http://127.0.0.1:%s\n' "$SVC_PORT" >>"$T/rig.conf"
hub_start
TOKEN=$(rig_token alice)
spawn alice "$TOKEN"

# get PATH: GET $URL PATH as it is (no client-side normalising), alice's
# token; prints the status, the body is in $T/body.
get() {
	curl -sk -m 20 --path-as-is -o "$T/body" -w '%{http_code}' \
		-H "Authorization: token $TOKEN" "$@" || true
}

# raw: stdin's bytes over TLS to the hub; prints the answer's status.
raw() {
	$PY -c '
import socket, ssl, sys
port, data = int(sys.argv[1]), sys.stdin.buffer.read()
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=15), server_hostname="localhost")
s.sendall(data)
buf = b""
while b"\r\n" not in buf:
    got = s.recv(4096)
    if not got:
        break
    buf += got
parts = buf.split(b"\r\n", 1)[0].split()
print(parts[1].decode() if len(parts) > 1 else "closed")' "$PORT"
}

# The server answers, with the path it got.
code=$(get "$URL/user/alice/x")
[ "$code" = 200 ] || fail "GET /user/alice/x: $code $(body)"
grep -q "^alice GET /user/alice/x$" "$T/body" || fail "alice's server saw: $(head -n 1 "$T/body")"

# Dots and double slashes that climb out of alice's prefix are routed as
# the path they normalise to: zz's server, which is not alice's (403).
for p in /user/alice/../zz/x /user/alice/%2e%2e/zz/x /user/alice/%2E%2e/zz/x \
	/user/alice//../zz/x /user/alice/./../zz/x; do
	code=$(get "$URL$p")
	! grep -q "^alice " "$T/body" || fail "$p reached alice's server: $(head -n 1 "$T/body")"
	case $code in 403 | 404) note "$p: $code" ;; *) fail "$p: got $code, want 403 or 404" ;; esac
done

# Dots inside alice's prefix stay there; the server sees the result.
code=$(get "$URL/user/alice/a/../b/./c?q=/../x")
[ "$code" = 200 ] || fail "/user/alice/a/../b/./c: $code"
grep -q "^alice GET /user/alice/b/c?q=/../x$" "$T/body" ||
	fail "normalised path not forwarded: $(head -n 1 "$T/body")"
code=$(get "$URL/user/alice//y//z")
grep -q "^alice GET /user/alice/y/z$" "$T/body" || fail "// not merged: $code $(head -n 1 "$T/body")"

# What cannot be normalised safely.
for p in '/user/alice/..%2f..%2fhub/admin' '/user/alice/%2e%2e%2fzz/x' \
	'/user/alice/..%5czz' '/user/al%2fice/x' '/user%2falice/x' \
	'/user/alice/%00' '/..' '/user/alice/../../..' '/hub/..%2f..'; do
	code=$(get "$URL$p")
	! grep -q "^alice " "$T/body" || fail "$p reached alice's server"
	[ "$code" = 400 ] || fail "$p: got $code, want 400"
done
code=$(printf 'GET /user/alice/..\\zz/x HTTP/1.1\r\nHost: a\r\nAuthorization: token %s\r\n\r\n' "$TOKEN" | raw)
[ "$code" = 400 ] || fail "..\\ : got $code, want 400"
# Deep inside the server's own path an encoded slash is its business.
code=$(get "$URL/user/alice/api/contents/a%2Fb")
grep -q "^alice GET /user/alice/api/contents/a%2Fb$" "$T/body" || fail "a%2Fb: $code $(head -n 1 "$T/body")"

# Two equal Content-Length headers.
code=$(printf 'POST /user/alice/x HTTP/1.1\r\nHost: a\r\nAuthorization: token %s\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab' "$TOKEN" | raw)
[ "$code" = 400 ] || fail "two equal Content-Length: got $code, want 400"

# A reserved header spelled with underscores never reaches a service.
code=$(get "$URL/services/echo/h" -H "X_Rig_User: root" -H "X-Forwarded_For: 6.6.6.6")
[ "$code" = 200 ] || fail "service: $code $(body)"
! grep -qi "^x_rig_user" "$T/body" || fail "X_Rig_User reached the service"
! grep -q "6.6.6.6" "$T/body" || fail "X-Forwarded_For reached the service"
[ "$(grep -ci '^x-rig-user: alice' "$T/body")" = 1 ] || fail "X-Rig-User not the hub's: $(body)"

hub_alive
hub_stop
