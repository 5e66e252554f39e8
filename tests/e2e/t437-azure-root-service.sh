#!/bin/bash
# On Azure the VM's login is not root (Azure refuses 'root' as the admin
# name) but has password-less sudo: rig up makes the hub root's service
# through sudo, so each hub user's server runs as a Unix account of its
# own (issue 16, item 3). The "VM" is a namespace host whose login has
# Debian's real sudo (lib.sh, HOST_MODE_1=sudo): the hub's helper really
# is root there, the hub itself the 'rig' account, and two users' servers
# run as two different accounts, neither the login nor root.
. "${0%/*}/lib.sh"

HOST_MODE_1=sudo
azure_host
azure_project root1 -e "s|^port = 8000|port = 8000\nuser_prefix = $PREFIX|"
"$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
grep -qx 'service.sudo = yes' .rig/state || fail "the hub is not a service through sudo"
login_uid=$("$RIG" ssh -- id -u) || fail "rig ssh id -u"
if [ "$login_uid" != "$(id -u "$U")" ] || [ "$login_uid" = 0 ]; then
	fail "the login is uid $login_uid"
fi

dir=$H/.local/share/rig
grep -q "running as root: each user's server runs as Unix user $PREFIX" "$dir/hub.log" ||
	fail "the hub does not run as root: $(tail -5 "$dir/hub.log")"
grep -q '^user_firewall = yes$' "$dir/hub.conf" || fail "no user firewall: $(cat "$dir/hub.conf")"
hub=$(cat "$dir/hub.pid") || fail "no hub.pid"
[ "$(stat -c %U "/proc/$hub")" = rig ] || fail "the hub runs as $(stat -c %U "/proc/$hub"), not rig"
helper=$(pgrep -P "$hub" -x rig-priv | head -n 1)
if [ -z "$helper" ] || [ "$(stat -c %u "/proc/$helper")" != 0 ]; then
	fail "no root helper beside the hub"
fi

pw=$(sed -n 's/^password: *\([^ ]*\).*/\1/p' "$T/up.out")
printf '%s' "$pw" >"$T/pw.$U"
URL=https://$A:8000
export URL
login "$U"
state=.local/share/rig/state
TOKEN=$("$RIG" ssh -- sudo -n .local/bin/rig token create "$U" --state-dir "$state" |
	grep -oE '[0-9a-f]{64}' | head -n 1)
[ -n "$TOKEN" ] || fail "no token for $U"
# A second user: a hub run as root takes one (a hub without root would
# refuse: t179).
[ "$(api POST /hub/api/users/bob -d '{}')" = 201 ] || fail "add bob: $(body)"
BOB=$("$RIG" ssh -- sudo -n .local/bin/rig token create bob --state-dir "$state" |
	grep -oE '[0-9a-f]{64}' | head -n 1)
[ -n "$BOB" ] || fail "no token for bob"
spawn "$U" "$TOKEN"
spawn bob "$BOB"

# Two servers, two accounts: each server's process is its user's account,
# neither root nor the login.
# in_host NAME: the oldest process in the host's network namespace whose
# environment names user NAME as the hub gives it to every server
# (JUPYTERHUB_USER), whatever server_cmd is (other tests' servers run beside).
in_host() {
	local p
	for p in $(ip netns pids "$NS" | sort -n); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "JUPYTERHUB_USER=$1" && { echo "$p"; return 0; }
	done
	return 1
}
pa=$(in_host "$U") || fail "no server process of $U"
pb=$(in_host bob) || fail "no server process of bob"
ua=$(stat -c %u "/proc/$pa")
ub=$(stat -c %u "/proc/$pb")
note "servers: $U as uid $ua ($(id -nu "$ua")), bob as uid $ub ($(id -nu "$ub")); login uid $login_uid"
[ "$ua" = "$(id -u "$PREFIX$U")" ] || fail "$U's server runs as uid $ua"
[ "$ub" = "$(id -u "${PREFIX}bob")" ] || fail "bob's server runs as uid $ub"
[ "$ua" != "$ub" ] || fail "both servers run as uid $ua"
for u in "$ua" "$ub"; do
	if [ "$u" = 0 ] || [ "$u" = "$login_uid" ]; then fail "a server runs as uid $u"; fi
done
# Behind the user firewall, rig sandbox's socket filter: no MPTCP socket.
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/bob/" "token:$BOB" '
import os, socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    m = "mptcp-opened"
except PermissionError:
    m = "mptcp-refused"
print(os.getuid(), m)' 2>&1) || fail "runcell: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "$ub mptcp-refused" ] || fail "bob's kernel: $out"
azure_violations
cd /
