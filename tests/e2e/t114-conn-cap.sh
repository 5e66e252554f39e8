#!/bin/bash
# Descriptors and the connection cap (issue 11 §3). The hub raises its soft
# limit of open files to the hard one: started with 256:4096, 400 idle
# anonymous connections do not lock a signed-in user out. With
# max_conns = 40, the hub holds at most 40 client connections however many
# are opened, closing idle and anonymous ones first: a signed-in user's
# requests still succeed, and their idle keep-alive connection outlives
# the anonymous ones.
. "$(dirname "$0")/lib.sh"

rig_user_add alice

# idle N: opens N TCP connections to the hub that send nothing, and keeps
# them until killed; prints "open N" once they are.
idle() {
	$PY - "$PORT" "$1" <<'PYEOF' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    try:
        socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    except OSError as e:
        print("connect %d: %s" % (i, e), flush=True)
        break
print("open %d" % len(socks), flush=True)
time.sleep(600)
PYEOF
	IDLE=$!
	bg_track "$IDLE"
}

# hub_conns: client connections the hub holds (its side of them).
hub_conns() {
	ss -Htn state established "( sport = :$PORT )" | wc -l
}

# home: a signed-in request; prints its status.
home() {
	curl -sk -m 10 -b "$T/jar.alice" -o /dev/null -w '%{http_code}' "$URL/hub/home" || true
}

# 1. The soft limit is raised: 400 idle connections under a soft limit of
# 256 files.
HUB_WRAP="prlimit --nofile=256:4096" hub_start
login alice
idle 400 >"$T/idle1.out"
for _ in $(seq 1 100); do grep -q "^open" "$T/idle1.out" && break; sleep 0.1; done
note "$(cat "$T/idle1.out"); the hub holds $(hub_conns)"
code=$(home)
[ "$code" = 200 ] || fail "signed-in request with 400 idle connections (soft limit 256): $code"
grep -q "Max open files *4096" "/proc/$HUB_PID/limits" ||
	fail "soft limit not raised: $(grep 'open files' "/proc/$HUB_PID/limits")"
kill "$IDLE"
hub_stop

# 2. The cap: 100 idle anonymous connections against max_conns = 40.
hub_config "max_conns = 40"
hub_start
login alice
# A signed-in keep-alive connection, idle after its request.
$PY - "$PORT" "$(sed -n 's/.*rig-session\t//p' "$T/jar.alice")" >"$T/keep.out" 2>&1 <<'PYEOF' &
import socket, ssl, sys, time
port, sid = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost")
def get():
    s.sendall(("GET /hub/home HTTP/1.1\r\nHost: a\r\nCookie: rig-session=%s\r\n\r\n" % sid).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(65536)
    head, body = buf.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < n:
        body += s.recv(65536)
    return head.split(b" ")[1].decode()
print("first " + get(), flush=True)
time.sleep(4)
try:
    print("again " + get(), flush=True)
except OSError as e:
    print("again failed: %s" % e, flush=True)
PYEOF
KEEP=$!
bg_track $KEEP
sleep 1
idle 100 >"$T/idle2.out"
for _ in $(seq 1 100); do grep -q "^open" "$T/idle2.out" && break; sleep 0.1; done
sleep 0.5
held=$(hub_conns)
note "$(cat "$T/idle2.out"); the hub holds $held (max_conns 40)"
[ "$held" -le 41 ] || fail "the hub holds $held connections, over max_conns 40"
code=$(home)
[ "$code" = 200 ] || fail "signed-in request at the cap: $code"
wait "$KEEP" || true
note "signed-in keep-alive: $(tr '\n' ' ' <"$T/keep.out")"
grep -q "again 200" "$T/keep.out" || fail "the signed-in idle connection was closed first: $(cat "$T/keep.out")"
hub_alive
kill "$IDLE"
hub_stop
