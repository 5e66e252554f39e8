#!/bin/bash
# authenticator = pam with its defaults: the PAM service is "login" (as
# JupyterHub's), whose stack (pam_nologin, pam_faildelay, pam_motd's
# messages, pam_loginuid, pam_limits...) signs a Unix account in and
# opens its server's session, and admin_groups is "sudo". A hub without
# root refuses authenticator = pam at start, saying why.
. "$(dirname "$0")/lib.sh"

A=${PREFIX}alice E=${PREFIX}eve
for u in "$A" "$E"; do
	useradd -m -s /bin/bash "$u" || fail "useradd $u"
	pw=Pw-$(rand_str 16)
	printf '%s' "$pw" >"$T/pw.$u"
	echo "$u:$pw" | chpasswd || fail "chpasswd $u"
done
# Alice may use sudo; the test's own account, removed at its end.
gpasswd -a "$A" sudo >/dev/null || fail "gpasswd -a $A sudo"

hub_config "authenticator = pam" \
	"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}"
hub_start
grep -q "authenticator = pam (service login).*admins: members of sudo" "$T/hub.log" ||
	fail "the defaults are not login and sudo: $(grep authenticator "$T/hub.log")"
login "$A" /hub/home
login "$E" /hub/home # starts no server: spawn below does
rig_cli user list | grep -q "^$A	admin	" || fail "a member of sudo is not an admin: $(rig_cli user list)"
rig_cli user list | grep -q "^$E	-	" || fail "eve is an admin: $(rig_cli user list)"
TOKEN=$(rig_token "$E")
spawn "$E" "$TOKEN"
pid=$(pgrep -o -u "$E" -f echoserver.py) || fail "no server of $E"
[ "$(cat "/proc/$pid/loginuid")" = "$(id -u "$E")" ] ||
	fail "login's session did not set the server's login uid"
hub_stop

# Without root: refused at start, with the reason.
hubuser=${PREFIX}hub
useradd -M -s /usr/sbin/nologin "$hubuser" || fail "useradd $hubuser"
mkdir -p "$T/u/state"
chown -R "$hubuser:" "$T/u"
chmod 755 "$T" "$T/u"
printf '[hub]\nauthenticator = pam\n' >"$T/u/rig.conf"
chmod 644 "$T/u/rig.conf"
rc=0
out=$(timeout 20 setpriv --reuid="$hubuser" --regid="$hubuser" --init-groups \
	"$RIG" hub --state-dir "$T/u/state" --listen "127.0.0.1:$(free_port)" \
	--config "$T/u/rig.conf" 2>&1 </dev/null) || rc=$?
[ "$rc" = 1 ] || fail "a hub without root and authenticator = pam exited $rc: $out"
echo "$out" | grep -q "authenticator = pam needs the hub to run as root" ||
	fail "no reason given: $out"
