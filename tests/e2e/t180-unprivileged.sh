#!/bin/bash
# Run unprivileged, the hub runs every server as its own account, each in
# its own workspace directory under the state directory, and the proxy and
# kernels work the same.
. "$(dirname "$0")/lib.sh"

hubuser=${PREFIX}hub
useradd -M -s /usr/sbin/nologin "$hubuser" || fail "useradd $hubuser"
AS="setpriv --reuid=$hubuser --regid=$hubuser --init-groups"
chmod 755 "$T"
mkdir -p "$T/state"
chown "$hubuser:" "$T/state"
chmod 700 "$T/state"

echo "pw-alice-unpriv" | $AS "$RIG" user add alice --state-dir "$T/state" --password-stdin ||
	fail "user add as $hubuser"
TOKEN=$($AS "$RIG" token create alice --state-dir "$T/state") || fail "token create"
hub_config
chmod 644 "$T/rig.conf"
HUB_WRAP=$AS hub_start
grep -q "running as root" "$T/hub.log" && fail "the hub thinks it runs as root"
spawn alice "$TOKEN"

pid=$(pgrep -o -u "$hubuser" -f "base_url=/user/alice/") || fail "no server process of $hubuser"
[ "$(readlink "/proc/$pid/cwd")" = "$T/state/workspaces/alice" ] ||
	fail "server runs in $(readlink "/proc/$pid/cwd"), not its workspace"
[ "$(stat -c %a "$T/state/workspaces/alice")" = 700 ] || fail "workspace is not 0700"

out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$TOKEN" \
	'import os; print(os.getcwd()); 1+1' 2>&1) || fail "runcell: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = 2 ] || fail "runcell printed: $out"
[ "$(printf '%s\n' "$out" | head -n 1)" = "$T/state/workspaces/alice" ] ||
	fail "the kernel does not run in the workspace: $out"
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "status through the proxy: $(body)"
hub_stop
