#!/bin/bash
# An endpoint that only looks like loopback gets nothing (issue 16,
# item 1): a cloned rig.conf whose Azure endpoints are
# https://127.evil.test:PORT (a name, resolved here through a hosts file
# bind-mounted in this test's own mount namespace, so the stand-in server
# is reachable by it) is refused, and so are the same endpoints handed to
# rig self-stop (the hub's autostop_* keys): the stand-in sees no
# connection. Loopback is an address that parses as a whole, or exactly
# localhost: those still pass.
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
# The stand-in: logs every connection it accepts, answers nothing.
$PY - "$PORT" "$T/seen" >"$T/standin.log" 2>&1 <<'PYEOF' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
while True:
    c, a = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection from %s:%d\n" % a)
    c.close()
PYEOF
bg_track $!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done
# The stand-in logs that probe after accepting it: wait for the line before
# clearing the log, or it can land after (a loaded machine) and look like rig.
for _ in $(seq 1 100); do [ -s "$T/seen" ] && break; sleep 0.05; done
rm -f "$T/seen"
{ cat /etc/hosts; echo "127.0.0.1 127.evil.test"; } >"$T/hosts"
# in_ns CMD...: CMD with the test's hosts file.
in_ns() {
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$T/hosts" "$@"
}
# The namespace resolves the name (the test is sound).
in_ns getent hosts 127.evil.test | grep -q 127.0.0.1 || fail "the hosts file is not used"

export AZURE_TENANT_ID=tenant-1 AZURE_CLIENT_ID=client-1 AZURE_CLIENT_SECRET=secret-1
unset RIG_AZURE_ANY_ENDPOINT
P=$T/proj
mkdir -p "$P"
cd "$P"
"$RIG" init --provider azure --user azureuser --name m1 >"$T/init.out" 2>&1 ||
	fail "rig init: $(cat "$T/init.out")"
EVIL=https://127.evil.test:$PORT
cp rig.conf "$T/rig.conf.orig"
for key in arm_endpoint login_endpoint prices_endpoint myip_endpoint imds_endpoint; do
	cp "$T/rig.conf.orig" rig.conf
	sed -i "s|^; $key = .*|$key = $EVIL|" rig.conf
	grep -q "^$key = $EVIL" rig.conf || fail "test setup: no $key in rig.conf"
	in_ns "$RIG" status >"$T/st-$key.out" 2>&1 && fail "rig status took $key = $EVIL"
	grep -q "not one of Azure's own hosts" "$T/st-$key.out" ||
		fail "$key: unclear message: $(cat "$T/st-$key.out")"
done
# All at once, as a cloned project would have them.
cp "$T/rig.conf.orig" rig.conf
sed -i -e "s|^; \(arm_endpoint\|login_endpoint\|prices_endpoint\|myip_endpoint\) = .*|\1 = $EVIL|" rig.conf
in_ns "$RIG" status >"$T/st-all.out" 2>&1 && fail "rig status took the endpoints"
in_ns "$RIG" up >"$T/up.out" 2>&1 && fail "rig up took the endpoints"
# What the hub hands rig self-stop (its autostop_* keys).
in_ns "$RIG" self-stop --dry-run --arm-endpoint "$EVIL" \
	--imds-endpoint "http://127.evil.test:$PORT" >"$T/ss.out" 2>&1 &&
	fail "self-stop took the endpoints"
grep -q "arm-endpoint: .*not one of Azure's own hosts" "$T/ss.out" ||
	fail "self-stop: unclear message: $(cat "$T/ss.out")"
in_ns "$RIG" self-stop --dry-run --arm-endpoint "http://127.0.0.1:$PORT" \
	--imds-endpoint "http://127.evil.test:$PORT" >"$T/ss2.out" 2>&1 &&
	fail "self-stop took the IMDS endpoint"
[ ! -s "$T/seen" ] || fail "the stand-in was reached: $(cat "$T/seen")"

# Real loopback still passes (the tests' doubles), and is contacted.
cp "$T/rig.conf.orig" rig.conf
sed -i "s|^; login_endpoint = .*|login_endpoint = http://127.0.0.1:$PORT|" rig.conf
"$RIG" status >"$T/st-lo.out" 2>&1 || true
grep -q "not one of Azure's own hosts" "$T/st-lo.out" && fail "loopback refused: $(cat "$T/st-lo.out")"
[ -s "$T/seen" ] || fail "rig status did not reach a loopback login endpoint: $(cat "$T/st-lo.out")"
exit 0
