#!/bin/bash
# A server_cmd that can only listen on TCP ({port}, no {sock}): another real
# local account reads the port from the starting server's command line and
# binds it first. The hub sees that the listener on the port is not the
# account's (/proc/net/tcp), sends it nothing (no probe, so no secret), does
# not mark the server ready, and fails the start saying why. Without the
# attacker the same command comes up on its port.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
ALICE=$(rig_token alice)
EVE=${PREFIX}eve
useradd --no-create-home --home-dir /nonexistent --shell /bin/sh "$EVE" ||
	fail "useradd $EVE"
EVE_UID=$(id -u "$EVE")
EVE_DIR=$(mktemp -d /tmp/rig-e2e-eve.XXXXXX)
AT_EXIT='rm -rf "$EVE_DIR"'
chown "$EVE" "$EVE_DIR"
cp "$HELPERS/squatter.py" "$EVE_DIR/"
# The sleep leaves the port free long enough for the attacker to see it.
# The server's name carries this run's prefix: the attacker must not take
# another test's server for it.
hub_config "server_cmd = /bin/sh -c \"sleep 2; exec $PY $HELPERS/echoserver.py {port} alice-$PREFIX\""
MARK="echoserver.py {port} alice-$PREFIX"
hub_start

setpriv --reuid="$EVE" --regid="$EVE" --clear-groups \
	$PY "$EVE_DIR/squatter.py" port "$MARK" "$EVE_DIR/record" "$EVE_DIR/stop" &
SQUAT=$!
bg_track "$SQUAT"

TOKEN=$ALICE
code=$(api POST /hub/api/users/alice/server)
case $code in 201 | 202) ;; *) fail "POST server gave $code: $(body)" ;; esac
for i in $(seq 1 100); do
	grep -q '^bound\|^listen failed' "$EVE_DIR/record" 2>/dev/null && break
	sleep 0.1
done
grep -q '^bound ' "$EVE_DIR/record" || fail "the attacker did not get the port first: $(cat "$EVE_DIR/record" 2>/dev/null)"
SQ_PORT=$(sed -n 's/^bound //p' "$EVE_DIR/record")
note "the attacker listens on $SQ_PORT"

# The start fails, and says why.
curl -sk -N -m 60 -H "Authorization: token $TOKEN" -o "$T/progress" \
	"$URL/hub/api/users/alice/server/progress" || true
note "progress: $(tr '\n' ' ' <"$T/progress" | head -c 600)"
grep -qE '"failed": ?true' "$T/progress" || fail "the start did not fail: $(cat "$T/progress")"
grep -q "port $SQ_PORT is taken by another account (uid $EVE_UID)" "$T/progress" ||
	fail "the failure does not say who took the port: $(cat "$T/progress")"
grep -q "server alice: port $SQ_PORT is taken by another account (uid $EVE_UID)" "$T/hub.log" ||
	fail "the hub did not log the squatter"
grep -q 'server alice: ready' "$T/hub.log" && fail "the server was marked ready"
[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
[ "$(json 'd["servers"].get("", {}).get("ready")' <"$T/body")" != True ] ||
	fail "alice's server is ready on the attacker's port"
# Nothing reached the attacker: no probe, no proxied request, no secret.
code=$(api GET /user/alice/api/status)
[ "$code" != 200 ] || fail "a request to alice's server was answered (by the attacker?)"
touch "$EVE_DIR/stop"
wait "$SQUAT" || true
note "squatter: $(tr '\n' ' ' <"$EVE_DIR/record" | head -c 400)"
grep -q '^got ' "$EVE_DIR/record" && fail "the attacker's listener received a request: $(cat "$EVE_DIR/record")"
grep -qi 'authorization' "$EVE_DIR/record" && fail "a token reached the attacker"

# Without the attacker the same command comes up on its own port (the
# check passes for the account's listener), and is served.
rm -f "$EVE_DIR/stop"
spawn alice "$ALICE"
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "alice's server on its port: $(body)"
grep -q 'server alice: ready on 127.0.0.1:[0-9]*' "$T/hub.log" || fail "no ready line with its port"
hub_stop
