#!/bin/bash
# rig up with authenticator = pam in [hub] (the Data Science VM's way):
# the admin is the VM's login, who signs in with the login's Unix
# password; rig up makes no password of its own and prints none (before,
# it printed a hub password that PAM never asked for). A second up changes
# nothing. The login here is a namespace host's account with Debian's real
# sudo (HOST_MODE_1=sudo), so the hub is root's service as on Azure.
. "${0%/*}/lib.sh"

SVC=${PREFIX}hub
PAMD=/etc/pam.d/$SVC
AT_EXIT='rm -f "$PAMD"'
printf '@include common-auth\n@include common-account\n@include common-session\n' >"$PAMD"
ADMINS=${PREFIX}adm

HOST_MODE_1=sudo
azure_host
groupadd "$ADMINS" || fail "groupadd"
AT_EXIT="$AT_EXIT; groupdel $ADMINS"
usermod -aG "$ADMINS" "$U" || fail "usermod"
azure_project pam1 -e "s|^port = 8000|port = 8000\nuser_prefix = $PREFIX\nauthenticator = pam\npam_service = $SVC\nadmin_groups = $ADMINS|"
"$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
cat "$T/up.out"
grep -q '^password:' "$T/up.out" && fail "rig up printed a password of its own under pam"
grep -q "^admin: *$U (signs in with the Unix account's password" "$T/up.out" ||
	fail "no admin line for a Unix password: $(grep -i admin "$T/up.out")"
grep -q "$U created (Unix password)" "$T/up.out" || fail "the admin step: $(grep 'admin' "$T/up.out")"
state=.local/share/rig/state
"$RIG" ssh -- sudo -n .local/bin/rig user list --state-dir "$state" >"$T/users" ||
	fail "rig user list: $(cat "$T/users")"
grep -q "^$U	admin	" "$T/users" || fail "the login is not the hub's admin: $(cat "$T/users")"

# The login's Unix password signs in, and the user is an admin.
pw=Pw-$(rand_str 16)
echo "$U:$pw" | chpasswd || fail "chpasswd"
printf '%s' "$pw" >"$T/pw.$U"
URL=https://$A:8000
export URL
login "$U"
code=$(curl -sk -m 30 -b "$T/jar.$U" -o "$T/admin.html" -w '%{http_code}' "$URL/hub/admin")
[ "$code" = 200 ] || fail "the admin page for $U: $code"
# A wrong password does not.
printf 'not-%s' "$pw" >"$T/pw.$U"
(login "$U") 2>/dev/null && fail "a wrong Unix password signed in"

# Again: nothing changes, still no password.
"$RIG" up >"$T/up2.out" 2>&1 || fail "second rig up: $(cat "$T/up2.out")"
grep -q "$U exists (Unix password)" "$T/up2.out" || fail "second up: $(grep admin "$T/up2.out")"
grep -q '^password:' "$T/up2.out" && fail "second up printed a password"
azure_violations
cd /
