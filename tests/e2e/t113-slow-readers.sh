#!/bin/bash
# Clients that read nothing cost the hub little (issue 11 §3): READERS
# (default 50) TLS clients each pipeline three GETs and never read. The
# bodies are SIZE bytes (default 8 MiB), more than the kernel's send buffer
# of a loopback socket takes (tcp_wmem: up to 4 MiB), so what is left must
# wait somewhere: in the back end and the kernel, not in the hub. The hub
# holds one read's rest per such connection (16 KiB past proxy_memory) and
# reads a pipelined request only when the previous response is done, so its
# RSS grows by at most 16 MiB per 300 readers, scaled to READERS (plus
# 1 MiB; three times that under ASan, whose red zones and shadow grow every
# allocation). Meanwhile a fast client still gets its 1 MiB bodies whole.
# Back end: tests/helpers/echoserver.py as a service. RCVBUF sets the slow
# clients' receive buffer, HUB_ARGS=--no-tls makes them plain.
. "$(dirname "$0")/lib.sh"

READERS=${READERS:-50}
# Keep ASan's quarantine of freed memory small, so RSS measures the hub.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1

ECHO=$TOP/tests/helpers/echoserver.py
"$PY" "$ECHO" 0 svc >"$T/svc.port" 2>"$T/svc.log" &
bg_track $!
for _ in $(seq 1 100); do [ -s "$T/svc.port" ] && break; sleep 0.05; done
SVC_PORT=$(head -n 1 "$T/svc.port")
[ -n "$SVC_PORT" ] || fail "echoserver did not start: $(cat "$T/svc.log")"

rig_user_add alice
hub_config
printf '[service echo]\nurl = http://127.0.0.1:%s\n' "$SVC_PORT" >>"$T/rig.conf"
hub_start ${HUB_ARGS:-}
TOKEN=$(rig_token alice)

# fast N: N downloads of 1 MiB, one after another; fails unless all whole.
fast() {
	local i n
	for i in $(seq 1 "$1"); do
		n=$(curl -sk -m 30 -H "Authorization: token $TOKEN" -o /dev/null -w '%{size_download}' \
			"$URL/services/echo/big/1048576" || true)
		[ "$n" = 1048576 ] || fail "fast download $i: $n bytes"
	done
}

# Warm up: the pools, TLS and the allocator see a few of everything first.
fast 5
sleep 1.5
base=$(rss_kb "$HUB_PID")

$PY - "$PORT" "$TOKEN" "$READERS" "${URL%%:*}" "${RCVBUF:-0}" "${SIZE:-8388608}" >"$T/readers.out" 2>&1 <<'PYEOF' &
import socket, ssl, sys, time
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
TLS, RCVBUF, SIZE = sys.argv[4] == "https", int(sys.argv[5]), int(sys.argv[6])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
req = ("GET /services/echo/big/%d HTTP/1.1\r\nHost: a\r\n"
       "Authorization: token %s\r\n\r\n" % (SIZE, token)).encode()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    # A small receive buffer, as a slow client far away would have.
    if RCVBUF: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    if TLS: s = ctx.wrap_socket(s, server_hostname="localhost")
    s.sendall(req * 3)
    socks.append(s)
print("connected %d" % len(socks), flush=True)
time.sleep(600)
PYEOF
READ_PID=$!
bg_track $READ_PID
for _ in $(seq 1 200); do grep -q connected "$T/readers.out" && break; sleep 0.1; done
grep -q connected "$T/readers.out" || fail "slow readers: $(cat "$T/readers.out")"

# The hub fills what it will hold within a few seconds; take the peak.
peak=0
for _ in $(seq 1 30); do
	r=$(rss_kb "$HUB_PID")
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.1
done
# A fast client is not held back by the slow ones.
fast 3
for _ in $(seq 1 10); do
	r=$(rss_kb "$HUB_PID")
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.1
done
grow=$(((peak - base) / 1024))
limit=$((16 * READERS / 300 + 1))
if grep -q __asan_init "$RIG" 2>/dev/null; then limit=$((limit * 3)); fi
note "$READERS slow readers: hub RSS $((base / 1024)) -> $((peak / 1024)) MiB (+$grow, limit +$limit)"
[ "$grow" -le "$limit" ] || fail "$READERS slow readers grew the hub by $grow MiB, over $limit"

kill "$READ_PID" 2>/dev/null || true
hub_alive
hub_stop
