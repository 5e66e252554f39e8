#!/bin/bash
# rig tls-tunnel (the hub's way to a Slurm job's server) holds at most 256
# connections at once, a process each: a racing client that opens 320 and
# keeps them open gets the rest closed at once, said once on the tunnel's
# stderr (which the hub logs). The tunnel stays up, its processes stay
# within the cap, and once the racer lets go, a normal request goes
# through to the pinned server and the refusals are counted once.
# Keys as spawn-slurm-tls.c makes them (P-256, self-signed, clientAuth for
# the hub, serverAuth for the server), made here by openssl; the server a
# Python TLS server that wants the hub's certificate, as Jupyter does.
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
cat "$K/rig-hub.key" "$K/rig-hub.crt" "$K/rig-server.crt" >"$K/tunnel.pem"

SPORT=$(free_port)
$PY - "$SPORT" "$K" >"$T/server.log" 2>&1 <<'EOF' &
import http.server, socketserver, ssl, sys
port, k = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(k + "/rig-server.crt", k + "/rig-server.key")
ctx.load_verify_locations(k + "/rig-hub.crt")
ctx.verify_mode = ssl.CERT_REQUIRED
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"pinned server here\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    # The handshake in the connection's thread, not in accept().
    def finish_request(self, request, addr):
        try:
            request = ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        H(request, addr, self)
S(("127.0.0.1", port), H).serve_forever()
EOF
bg_track $!
for _ in $(seq 1 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$SPORT") 2>/dev/null && break
	sleep 0.1
done

SOCK=$T/run/tunnel.sock
mkdir -p "$T/run"
"$RIG" tls-tunnel --listen "$SOCK" --connect "127.0.0.1:$SPORT" <"$K/tunnel.pem" 2>"$T/tunnel.err" &
TPID=$!
bg_track $TPID
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || fail "no tunnel socket: $(cat "$T/tunnel.err")"
code=$(curl -s -o "$T/body" -w '%{http_code}' --unix-socket "$SOCK" http://server/ 2>&1) || true
[ "$code" = 200 ] && grep -qx 'pinned server here' "$T/body" || fail "through the tunnel: $code $(body) $(cat "$T/tunnel.err")"

# The racer: 320 connections held open (each one waits for the server).
$PY - "$SOCK" >"$T/racer.out" 2>&1 <<'EOF' &
import socket, sys, time
held = []
for i in range(320):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sys.argv[1])
    except OSError as e:
        print("connect", i, e, flush=True)
        continue
    held.append(s)
print("held", len(held), flush=True)
time.sleep(600)
EOF
RACER=$!
bg_track $RACER
for _ in $(seq 1 300); do
	grep -q 'refusing more' "$T/tunnel.err" && break
	sleep 0.2
done
grep -q 'tls-tunnel: 256 connections at once: refusing more' "$T/tunnel.err" ||
	fail "no refusal at 256 connections: $(pgrep -c -P "$TPID") processes; $(cat "$T/tunnel.err")"
for _ in $(seq 1 100); do grep -q '^held' "$T/racer.out" && break; sleep 0.2; done
n=$(pgrep -c -P "$TPID" || true)
note "the racer: $(cat "$T/racer.out" | tr '\n' ' '); the tunnel's processes: $n"
[ "$n" -le 256 ] || fail "the tunnel has $n processes, over its cap of 256"
[ "$n" -ge 200 ] || fail "only $n of the racer's connections are being served"
kill -0 "$TPID" 2>/dev/null || fail "the tunnel died under the racer: $(cat "$T/tunnel.err")"

# The racer lets go: the tunnel serves again.
kill "$RACER"
wait "$RACER" 2>/dev/null || true
for _ in $(seq 1 150); do
	n=$(pgrep -c -P "$TPID" || true)
	[ "$n" -lt 256 ] && break
	sleep 0.2
done
[ "$n" -lt 256 ] || fail "the tunnel's connections did not end with the racer's: $n"
code=$(curl -s -o "$T/body" -w '%{http_code}' --unix-socket "$SOCK" http://server/ 2>&1) || true
[ "$code" = 200 ] && grep -qx 'pinned server here' "$T/body" ||
	fail "after the racer: $code $(body) $(cat "$T/tunnel.err")"
[ "$(grep -c 'refusing more' "$T/tunnel.err")" = 1 ] || fail "the refusal said more than once: $(cat "$T/tunnel.err")"
grep -q 'connections refused while 256 were open' "$T/tunnel.err" || fail "no count of the refused: $(cat "$T/tunnel.err")"
note "$(grep 'refused while' "$T/tunnel.err")"
rm -f "$SOCK"
for _ in $(seq 1 50); do kill -0 "$TPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$TPID" 2>/dev/null && fail "the tunnel outlived its socket"
exit 0
