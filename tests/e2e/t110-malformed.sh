#!/bin/bash
# Malformed and hostile requests get a clean answer (or a closed
# connection), never a hang, and the hub keeps serving: garbage bytes,
# huge request lines and headers, odd paths, request smuggling headers, a
# slow client, an oversized login body, invalid JSON.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
TOKEN=$(rig_token alice)
hub_config "header_timeout = 3"
hub_start

# raw NAME: sends stdin's bytes (with \r\n line ends) over TLS to the hub;
# prints the status code of the answer, "closed" if the hub closed without
# one, "timeout" if nothing came within 15 s.
raw() {
	$PY -c '
import socket, ssl, sys, time
port, data = int(sys.argv[1]), sys.stdin.buffer.read()
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=15), server_hostname="localhost")
try:
    s.sendall(data)
except OSError:
    pass   # the hub may answer and close before all is sent
buf, deadline = b"", time.time() + 15
try:
    while b"\r\n" not in buf and time.time() < deadline:
        s.settimeout(max(0.1, deadline - time.time()))
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
except socket.timeout:
    print("timeout"); sys.exit()
except OSError:
    pass
parts = buf.split(b"\r\n", 1)[0].split()
print(parts[1].decode() if len(parts) > 1 and parts[0].startswith(b"HTTP/") else "closed")' "$PORT"
}

# expect WHAT ALLOWED... : checks the status $code against ALLOWED.
expect() {
	local what=$1 ok
	shift
	for ok in "$@"; do [ "$code" = "$ok" ] && { note "$what: $code"; return 0; }; done
	fail "$what: got $code, expected one of: $*"
}

still_serving() {
	hub_alive
	[ "$(TOKEN="" api GET /hub/api/)" = 200 ] || fail "hub stopped serving after: $1"
}

# Garbage before the TLS handshake, and garbage inside TLS.
$PY -c '
import os, socket
s = socket.create_connection(("127.0.0.1", '"$PORT"'), timeout=15)
s.sendall(os.urandom(65536))
s.settimeout(15)
try:
    while s.recv(4096): pass
except OSError:
    pass' || fail "garbage before TLS: the hub did not close the connection within 15 s"
still_serving "garbage before TLS"
head -c 65536 /dev/urandom | timeout 20 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
	>/dev/null 2>&1 || [ $? != 124 ] || fail "garbage over TLS: the hub did not close within 20 s"
still_serving "garbage over TLS"

# A 100 KB request line.
code=$($PY -c 'import sys; sys.stdout.write("GET /" + "a" * 102400 + " HTTP/1.1\r\nHost: x\r\n\r\n")' | raw)
expect "100 KB request line" 414 431 400
still_serving "a 100 KB request line"

# 200 headers of 512 bytes, and one header of 100 KB.
code=$($PY -c 'import sys; sys.stdout.write("GET /hub/api/ HTTP/1.1\r\nHost: x\r\n" + "".join("X-H%d: %s\r\n" % (i, "v" * 500) for i in range(200)) + "\r\n")' | raw)
expect "200 headers, 100 KB" 431
code=$($PY -c 'import sys; sys.stdout.write("GET /hub/api/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "v" * 102400 + "\r\n\r\n")' | raw)
expect "one 100 KB header" 431
still_serving "huge headers"

# Odd paths: a clean 4xx or a redirect.
for path in /%25 /% /user/%2e%2e/hub/ /user/%2e%2e/%2e%2e/etc/passwd "/hub/api/%00"; do
	code=$(printf 'GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$path" | raw)
	case $code in 3?? | 4??) note "GET $path: $code" ;; *) fail "GET $path: got $code, not a 4xx or a redirect" ;; esac
done
still_serving "odd paths"

# Transfer-Encoding and Content-Length together: 400 (request smuggling).
code=$(printf 'POST /hub/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' | raw)
expect "Transfer-Encoding with Content-Length" 400
code=$(printf 'POST /hub/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde' | raw)
expect "two different Content-Lengths" 400
still_serving "smuggling headers"

# A slow client: half a request, then nothing. Others are served meanwhile
# and the hub closes the slow one within its header timeout (3 s).
$PY -c '
import socket, ssl, sys, time, urllib.request
port = int(sys.argv[1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
slow = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost")
slow.sendall(b"GET /hub/api/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
t0 = time.time()
for i in range(3):   # others are served while the slow client waits
    r = urllib.request.urlopen("https://127.0.0.1:%d/hub/api/" % port, context=ctx, timeout=5)
    assert r.status == 200, r.status
    print("# other client served %.2f s after the slow one started" % (time.time() - t0))
slow.settimeout(20)
try:
    while slow.recv(4096):
        pass
except socket.timeout:
    sys.exit("the slow client was not closed within 20 s")
except OSError:
    pass
took = time.time() - t0
print("# slow client closed after %.1f s" % took)
if took > 10:
    sys.exit("the slow client was closed after %.1f s, not within the 3 s header timeout" % took)
' "$PORT" || fail "slow client"
still_serving "a slow client"

# A 10 MB body announced to the login form: 413 before it is sent.
code=$(printf 'POST /hub/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10485760\r\n\r\nusername=' | raw)
expect "10 MB body to /hub/login" 413
still_serving "an oversized login body"

# Invalid JSON to the API: 400.
code=$(api POST /hub/api/users/alice/tokens -H 'Content-Type: application/json' -d '{"note": ')
expect "invalid JSON to the API" 400
code=$(api POST /hub/api/users/alice/tokens -H 'Content-Type: application/json' --data-binary $'{"note": "\xff\xfe"}')
expect "invalid UTF-8 in JSON to the API" 400
still_serving "invalid JSON"

hub_stop
