#!/bin/bash
# Every proxied exchange has a bounded life (issue 11 §3). A client that
# sends part of a request body and then a TLS close_notify (or closes)
# ends its back-end connection at once, instead of leaving it open for as
# long as the back end lives. With proxy_timeout = 2, a stalled request
# body and a stalled response are closed, while a slow but moving download
# completes and an idle WebSocket tunnel lives on, with TCP keep-alive on
# both its sockets. Back end: tests/helpers/echoserver.py as a service.
. "$(dirname "$0")/lib.sh"

ECHO=$TOP/tests/helpers/echoserver.py
"$PY" "$ECHO" 0 svc >"$T/svc.port" 2>"$T/svc.log" &
bg_track $!
for _ in $(seq 1 100); do [ -s "$T/svc.port" ] && break; sleep 0.05; done
SVC_PORT=$(head -n 1 "$T/svc.port")
[ -n "$SVC_PORT" ] || fail "echoserver did not start: $(cat "$T/svc.log")"

rig_user_add alice
hub_config
printf '[service echo]\nurl = http://127.0.0.1:%s\n' "$SVC_PORT" >>"$T/rig.conf"
hub_start
TOKEN=$(rig_token alice)

# backend_conns: the hub's open connections to the back end.
backend_conns() {
	ss -Htn state established "( dport = :$SVC_PORT )" | wc -l
}

# wait_backend_closed WHAT: fails unless the hub's connections to the back
# end are all gone within 3 s.
wait_backend_closed() {
	local i
	for i in $(seq 1 30); do
		[ "$(backend_conns)" = 0 ] && { note "$1: back end released"; return 0; }
		sleep 0.1
	done
	fail "$1: the hub still holds $(backend_conns) connection(s) to the back end"
}

# client MODE: a TLS client of the echo service (python below); MODE says
# what it does, it prints what it saw.
client() {
	$PY - "$PORT" "$TOKEN" "$@" <<'PYEOF'
import socket, ssl, sys, time
port, token, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20), server_hostname="localhost")
auth = "Authorization: token %s\r\n" % token

def until_closed(limit):
    """Reads until the hub closes; prints how long that took."""
    t0, got = time.time(), b""
    s.settimeout(limit)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except socket.timeout:
        print("open after %ds" % limit); return got
    except OSError:
        pass
    print("closed after %.1fs" % (time.time() - t0))
    return got

if mode in ("notify", "close", "stall"):
    s.sendall(("POST /services/echo/up HTTP/1.1\r\nHost: a\r\n%s"
               "Content-Length: 1000000\r\n\r\n" % auth).encode() + b"x" * 1000)
    time.sleep(0.5)
    if mode == "notify":
        s.settimeout(1)
        try:
            s.unwrap()      # close_notify; the TCP connection stays open
        except (OSError, ValueError):
            pass
        print("notified", flush=True)
        time.sleep(5)       # the back end must be let go meanwhile
    elif mode == "close":
        s.close(); print("closed")
    else:
        until_closed(15)
elif mode == "hang":
    s.sendall(("GET /services/echo/hang/1000 HTTP/1.1\r\nHost: a\r\n%s\r\n" % auth).encode())
    until_closed(15)
elif mode == "slow":
    s.sendall(("GET /services/echo/slow/5 HTTP/1.1\r\nHost: a\r\n%s"
               "Connection: close\r\n\r\n" % auth).encode())
    got = until_closed(30)
    print("body ok" if got.endswith(b"\r\n\r\nxxxxx") else "body bad: %r" % got[-40:])
elif mode == "ws":
    s.sendall(("GET /services/echo/ws HTTP/1.1\r\nHost: a\r\n%sConnection: Upgrade\r\n"
               "Upgrade: websocket\r\n\r\n" % auth).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    print(head.split(b"\r\n")[0].decode())
    time.sleep(float(sys.argv[4]))
    s.sendall(b"ping")
    s.settimeout(5)
    print("echo: " + s.recv(100).decode())
PYEOF
}

# A close_notify in the middle of a request body; the client keeps its
# TCP connection open meanwhile.
client notify >"$T/notify.out" 2>&1 &
N=$!
bg_track $N
for _ in $(seq 1 50); do grep -q notified "$T/notify.out" && break; sleep 0.1; done
grep -q notified "$T/notify.out" || fail "close_notify client: $(cat "$T/notify.out")"
wait_backend_closed "close_notify mid-body"
wait "$N" || true
# A plain close in the middle of a request body.
out=$(client close) || fail "client failed: $out"
wait_backend_closed "close mid-body"
[ "$(ss -Htn state close-wait "( sport = :$PORT )" | wc -l)" = 0 ] ||
	fail "client sockets left in CLOSE-WAIT: $(ss -Htn state close-wait "( sport = :$PORT )")"
# An upload that arrives while the hub connects to the back end goes on
# once it has (the hub stops reading the client meanwhile).
head -c $((4 << 20)) /dev/zero >"$T/up.bin"
out=$(curl -sk -m 30 -H "Authorization: token $TOKEN" --data-binary "@$T/up.bin" \
	-w ' %{http_code}' "$URL/services/echo/upload" | tail -n 1 || true)
case $out in *" 200") ;; *) fail "4 MiB upload on a new back-end connection: $out" ;; esac

hub_stop

# Stalls, with a short proxy_timeout.
hub_config "proxy_timeout = 2"
printf '[service echo]\nurl = http://127.0.0.1:%s\n' "$SVC_PORT" >>"$T/rig.conf"
hub_start
out=$(client stall) || fail "client failed: $out"
note "stalled body: $out"
case $out in "closed after"*) ;; *) fail "a stalled request body was not closed: $out" ;; esac
wait_backend_closed "stalled body"
out=$(client hang) || fail "client failed: $out"
note "stalled response: $out"
case $out in "closed after"*) ;; *) fail "a stalled response was not closed: $out" ;; esac
wait_backend_closed "stalled response"
out=$(client slow) || fail "client failed: $out"
note "slow download: $out"
case $out in *"body ok"*) ;; *) fail "a slow, moving download was cut: $out" ;; esac

# An idle tunnel outlives proxy_timeout, with keep-alive on both sockets.
client ws 4 >"$T/ws.out" 2>&1 &
WS=$!
sleep 1.5
ss -Htno state established "( sport = :$PORT or dport = :$SVC_PORT )" >"$T/ss.out"
wait "$WS" || fail "ws client failed: $(cat "$T/ws.out")"
note "tunnel: $(tr '\n' ' ' <"$T/ws.out")"
grep -q "101" "$T/ws.out" || fail "no 101: $(cat "$T/ws.out")"
grep -q "echo: ping" "$T/ws.out" || fail "the tunnel did not outlive proxy_timeout: $(cat "$T/ws.out")"
[ "$(grep -c keepalive "$T/ss.out")" -ge 2 ] ||
	fail "no TCP keep-alive on the tunnel's sockets: $(cat "$T/ss.out")"

hub_stop
