#!/bin/bash
# rig tls-tunnel resumes the pinned server's TLS session on its next
# connections (a process each: the session goes back to the tunnel's
# parent), and the pin still holds: once the server is gone, an impostor
# on its port with a key of its own (one that accepts the hub's
# certificate, as a user on the node could not, and is offered the old
# session's ticket) gets a handshake and no request, and the pinned
# server back is reached with a full handshake. Keys as in t357.
. "$(dirname "$0")/lib.sh"

K=$T/keys
mkdir -p "$K"
mkcert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-keyout "$K/$1.key" -out "$K/$1.crt" -subj "/CN=$1" \
		-addext basicConstraints=critical,CA:FALSE -addext keyUsage=critical,digitalSignature \
		-addext "extendedKeyUsage=$2" -addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
		fail "openssl req $1"
}
mkcert rig-hub clientAuth
mkcert rig-server serverAuth
mkcert impostor serverAuth
cat "$K/rig-hub.key" "$K/rig-hub.crt" "$K/rig-server.crt" >"$K/tunnel.pem"

# server PORT CERTNAME: a TLS server wanting the hub's certificate that
# logs, per connection, whether its session was resumed and what it got.
server() {
	$PY - "$1" "$K" "$2" <<'EOF' &
import socket, ssl, sys
port, k, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(k + "/" + name + ".crt", k + "/" + name + ".key")
ctx.load_verify_locations(k + "/rig-hub.crt")
ctx.verify_mode = ssl.CERT_REQUIRED
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(16)
print("listening", flush=True)
while True:
    c, _ = ls.accept()
    c.settimeout(10)
    try:
        s = ctx.wrap_socket(c, server_side=True)
    except (ssl.SSLError, OSError) as e:
        print("handshake failed", e, flush=True)
        c.close()
        continue
    try:
        got = s.recv(4096)
    except (ssl.SSLError, OSError) as e:
        got = b""
    print("reused", s.session_reused, "got", len(got), got[:3].decode("latin-1"), flush=True)
    if got:
        body = b"pinned server here\n"
        s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
    s.close()
EOF
	SRV=$!
	bg_track $SRV
}
wait_listening() {
	for _ in $(seq 1 100); do grep -q '^listening' "$1" && return 0; sleep 0.1; done
	fail "no server: $(cat "$1")"
}

SPORT=$(free_port)
server "$SPORT" rig-server >"$T/server.log" 2>&1
wait_listening "$T/server.log"
SOCK=$T/run/tunnel.sock
mkdir -p "$T/run"
"$RIG" tls-tunnel --listen "$SOCK" --connect "127.0.0.1:$SPORT" <"$K/tunnel.pem" 2>"$T/tunnel.err" &
TPID=$!
bg_track $TPID
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || fail "no tunnel socket: $(cat "$T/tunnel.err")"

# Three requests, one after the other: the first a full handshake, the
# next ones resumed (a child sends its session before it relays the
# response, and the parent reads it before it accepts again).
for i in 1 2 3; do
	code=$(curl -s -o "$T/body" -w '%{http_code}' --unix-socket "$SOCK" http://server/ 2>&1) || true
	[ "$code" = 200 ] && grep -qx 'pinned server here' "$T/body" ||
		fail "request $i through the tunnel: $code $(cat "$T/tunnel.err")"
done
note "$(tr '\n' ';' <"$T/server.log")"
[ "$(grep -c '^reused False got' "$T/server.log")" -ge 1 ] || fail "no full handshake: $(cat "$T/server.log")"
grep -q '^reused True got [0-9]* GET' "$T/server.log" || fail "no session resumed: $(cat "$T/server.log")"

# The server dies; an impostor with another key takes its port.
kill "$SRV"
wait "$SRV" 2>/dev/null || true
server "$SPORT" impostor >"$T/impostor.log" 2>&1
wait_listening "$T/impostor.log"
code=$(curl -s -m 20 -o "$T/body" -w '%{http_code}' --unix-socket "$SOCK" http://server/ 2>&1) || true
[ "$code" = 200 ] && fail "the impostor answered through the tunnel"
for _ in $(seq 1 100); do grep -q 'handshake failed\|^reused' "$T/impostor.log" && break; sleep 0.1; done
note "impostor: $(tr '\n' ';' <"$T/impostor.log"); tunnel: $(tail -1 "$T/tunnel.err")"
grep -q 'GET' "$T/impostor.log" && fail "the impostor got a request: $(cat "$T/impostor.log")"
grep -q 'reused True' "$T/impostor.log" && fail "the impostor resumed the pinned server's session"
grep -q 'not the job.s certificate' "$T/tunnel.err" || fail "the mismatch is not logged: $(cat "$T/tunnel.err")"

# The pinned server back (a new process: its old tickets unknown to it):
# a full handshake, and the request goes through.
kill "$SRV"
wait "$SRV" 2>/dev/null || true
server "$SPORT" rig-server >"$T/server2.log" 2>&1
wait_listening "$T/server2.log"
code=$(curl -s -m 20 -o "$T/body" -w '%{http_code}' --unix-socket "$SOCK" http://server/ 2>&1) || true
[ "$code" = 200 ] && grep -qx 'pinned server here' "$T/body" ||
	fail "the pinned server back: $code $(cat "$T/tunnel.err")"
grep -q '^reused False got [0-9]* GET' "$T/server2.log" || fail "not a full handshake: $(cat "$T/server2.log")"
exit 0
