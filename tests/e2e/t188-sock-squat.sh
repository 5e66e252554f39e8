#!/bin/bash
# No socket to squat: with the default server_cmd a user's server listens on
# a Unix socket in /run/rig/ACCOUNT, which only the account and the hub
# ('rig') may enter. Another real local account races the spawn from before
# it is asked: it cannot make the directory, list it, bind the socket,
# connect to it, or unlink or rename it, and the victim's server comes up
# and serves through the hub (HTTP and a kernel's WebSocket). The secret is
# on no command line.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
ALICE=$(rig_token alice)
EVE=${PREFIX}eve
useradd --no-create-home --home-dir /nonexistent --shell /bin/sh "$EVE" ||
	fail "useradd $EVE"
EVE_DIR=$(mktemp -d /tmp/rig-e2e-eve.XXXXXX)
AT_EXIT='rm -rf "$EVE_DIR"'
chown "$EVE" "$EVE_DIR"
cp "$HELPERS/squatter.py" "$EVE_DIR/"
RUNDIR=/run/rig/${PREFIX}alice
hub_config
hub_start

# The attacker starts first, as its own uid and groups.
setpriv --reuid="$EVE" --regid="$EVE" --clear-groups \
	$PY "$EVE_DIR/squatter.py" sock "$RUNDIR" "$EVE_DIR/record" "$EVE_DIR/stop" &
SQUAT=$!
bg_track "$SQUAT"
for i in $(seq 1 100); do
	grep -q '^bind ' "$EVE_DIR/record" 2>/dev/null && break
	sleep 0.05
done
grep -q '^bind ' "$EVE_DIR/record" || fail "the squatter did not start: $(cat "$EVE_DIR/record" 2>/dev/null)"

spawn alice "$ALICE"

# How the server was started: on the socket, with no port and no secret
# on its command line (nor on any other process's of the account).
SECRET=$($PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT secret FROM servers").fetchone()[0])' "$T/state/rig.db")
[ ${#SECRET} -ge 32 ] || fail "no secret in the database: '$SECRET'"
found=
for pid in $(pgrep -u "${PREFIX}alice"); do
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
	case $cmd in *"$SECRET"*) fail "the secret is on the command line of pid $pid: $cmd" ;; esac
	case $cmd in *"--NotebookApp.sock=$RUNDIR/jupyter.sock"*) found=1 ;; esac
	case $cmd in *NotebookApp.port*) fail "the default command still names a port: $cmd" ;; esac
done
[ -n "$found" ] || fail "no server of alice's started with --NotebookApp.sock=$RUNDIR/jupyter.sock"
grep -q "server alice: started pid [0-9]* on unix:$RUNDIR/jupyter.sock" "$T/hub.log" ||
	fail "the hub did not log the server's socket"

# The directory and the socket: the account's, group rig, no one else.
[ "$(stat -c '%U %G %a' "$RUNDIR")" = "${PREFIX}alice rig 2750" ] ||
	fail "runtime directory is $(stat -c '%U %G %a' "$RUNDIR"), not ${PREFIX}alice rig 2750"
[ "$(stat -c '%F %U %G %a' "$RUNDIR/jupyter.sock")" = "socket ${PREFIX}alice rig 660" ] ||
	fail "socket is $(stat -c '%F %U %G %a' "$RUNDIR/jupyter.sock")"

# Served through the socket: the API, and a kernel's WebSocket.
TOKEN=$ALICE
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "alice's server through the hub: $(body)"
[ "$(api POST /user/alice/api/kernels -H 'Content-Type: application/json' -d '{"name":"python3"}')" = 201 ] ||
	fail "alice cannot create a kernel: $(body)"
kid=$(json 'd["id"]' <"$T/body")
code=$($PY "$HELPERS/wsprobe.py" "wss://127.0.0.1:$PORT/user/alice/api/kernels/$kid/channels" \
	-H "Authorization: token $ALICE")
[ "$code" = 101 ] || fail "WebSocket to alice's kernel through the socket gave $code, not 101"

# Some more rounds with the socket in place, then the record.
rounds_before=$(grep -c . "$EVE_DIR/record")
sleep 0.5
touch "$EVE_DIR/stop"
wait "$SQUAT" || true
note "squatter: $(tr '\n' ' ' <"$EVE_DIR/record")"
grep -q '^rounds [0-9]' "$EVE_DIR/record" || fail "the squatter did not finish"
for op in mkdir-parent mkdir list bind connect unlink rename; do
	grep -q "^$op ok" "$EVE_DIR/record" && fail "the attacker could $op in/at $RUNDIR: $(cat "$EVE_DIR/record")"
	grep -q "^$op E" "$EVE_DIR/record" || fail "no refused '$op' in the record: $(cat "$EVE_DIR/record")"
done
# It was refused for lack of permission, not because the path was missing.
for op in list connect; do
	grep -q "^$op EACCES" "$EVE_DIR/record" || fail "'$op' was never refused with EACCES: $(cat "$EVE_DIR/record")"
done
[ "$rounds_before" -gt 0 ] || fail "empty record"

# Still alice's server, still answering.
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "alice's server after the attack: $(body)"
hub_stop
