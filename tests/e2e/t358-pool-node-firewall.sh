#!/bin/bash
# The nodes' firewall for users' servers ([pool] server_ports, loaded by
# rig up as nft table inet rig_pool): a server's job listens on a port of
# that range, the head reaches it (the hub's tunnel: the server is ready
# and a kernel answers), while bob, another account on the server's own
# node, and root on the other node get their connections reset before any
# TLS. A node whose table is gone (a reboot) has it again at its next
# job, from the prolog.
. "$(dirname "$0")/lib.sh"

pool_hub_up 2
CAROL=$(pool_token carol)
[ -n "$CAROL" ] || fail "no token"
code=$(TOKEN=$CAROL api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || [ "$code" = 201 ] || fail "POST carol's server: $code $(body)"
READY_S=150 wait_ready carol "$CAROL"
jid=$(squeue_on -n rig-server -u rig-carol -o %i)
node=$(squeue_on -j "$jid" -o %N)
port=$(squeue_on -j "$jid" -o %k)
port=${port#rig-port=}
case $node in "${PREFIX}h2") on=2 other=3 ;; "${PREFIX}h3") on=3 other=2 ;; *) fail "job $jid on '$node'" ;; esac
[ "$port" -ge 20000 ] && [ "$port" -le 20999 ] || fail "carol's server is on port '$port', not of server_ports"
addr=$(host_addr "$on")
note "carol's server: job $jid on $node, port $port"

# probe HOST USER: a TCP connection from pool host HOST as USER to the
# server; prints "connected" or why not.
cat >"$POOL_HOME/probe.py" <<'EOF'
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 10)
    print("connected")
except OSError as e:
    print(type(e).__name__)
EOF
chmod 644 "$POOL_HOME/probe.py"
probe() { pool_root_ssh "$1" "cd / && runuser -u $2 -- python3 /home/probe.py $addr $port"; }
pool_root_ssh "$on" "useradd -M -u $((POOL_UID_MIN + 900)) -s /bin/bash bob" || fail "useradd bob"

[ "$(probe 1 root)" = connected ] || fail "the head cannot connect to the server: $(probe 1 root)"
[ "$(probe "$on" bob)" = ConnectionRefusedError ] || fail "bob on $node: $(probe "$on" bob)"
[ "$(probe "$on" root)" = ConnectionRefusedError ] || fail "root on $node itself: $(probe "$on" root)"
[ "$(probe "$other" root)" = ConnectionRefusedError ] || fail "the other node: $(probe "$other" root)"
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/carol/" "token:$CAROL" \
	'import socket; socket.gethostname()' 2>&1) || fail "runcell: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "'$node'" ] || fail "the kernel: $out"
note "the head connects and the kernel answers; bob and root on $node and the other node are reset"

# The table gone (as after a reboot): the next job's prolog loads it.
pool_root_ssh "$other" "nft delete table inet rig_pool" || fail "nft delete table on the other node"
w=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- sbatch --parsable -w ${PREFIX}h$other -o /dev/null --wrap true") ||
	fail "sbatch on the other node"
for _ in $(seq 1 100); do
	pool_root_ssh "$other" "nft list table inet rig_pool" >/dev/null 2>&1 && break
	sleep 0.2
done
pool_root_ssh "$other" "nft list table inet rig_pool" >/dev/null 2>&1 ||
	fail "the prolog of job $w did not load the firewall again"
exit 0
