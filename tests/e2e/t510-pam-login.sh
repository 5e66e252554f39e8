#!/bin/bash
# authenticator = pam, the login's side: users sign in with their Unix
# account's password (checked by PAM in a root child of the privileged
# helper, never in the hub), their user is made at the first login, and
# admin_groups makes admins (and takes the right from those who left the
# group). Refused: a wrong password (401, then 429 from the throttle), an
# account outside allowed_groups (403), an expired one (chage -E 0, 403),
# a locked one (usermod -L, 401), a system account with a password
# (useradd -r: never asked of PAM), an unknown name. Every account is the
# test's own, made and removed by it.
. "$(dirname "$0")/lib.sh"

SVC=${PREFIX}hub
PAMD=/etc/pam.d/$SVC
AT_EXIT='rm -f "$PAMD"'
printf '@include common-auth\n@include common-account\n@include common-session\n' >"$PAMD"

# account NAME [USERADD ARGS...]: an account with a password ($T/pw.NAME).
account() {
	local name=$1 pw
	shift
	useradd -M -s /bin/bash "$@" "$name" || fail "useradd $name"
	pw=Pw-$(rand_str 16)
	printf '%s' "$pw" >"$T/pw.$name"
	echo "$name:$pw" | chpasswd || fail "chpasswd $name"
}
USERS=${PREFIX}users ADMINS=${PREFIX}adm
groupadd "$USERS" && groupadd "$ADMINS" || fail "groupadd"
A=${PREFIX}alice B=${PREFIX}bob C=${PREFIX}carol D=${PREFIX}dave E=${PREFIX}eve
S=${PREFIX}sys
account "$A" -G "$USERS,$ADMINS"
account "$B"
account "$C" -G "$USERS"
account "$D" -G "$USERS"
account "$E" -G "$USERS"
account "$S" -r -G "$USERS"
[ "$(id -u "$S")" -lt 1000 ] || fail "useradd -r made uid $(id -u "$S")"
chage -E 0 "$C" || fail "chage"
usermod -L "$D" || fail "usermod -L"

hub_config "authenticator = pam" "pam_service = $SVC" \
	"admin_groups = $ADMINS" "allowed_groups = $USERS, ${PREFIX}none" \
	"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}"
hub_start
[ "$(rig_cli user list | wc -l)" = 1 ] || fail "users before any login: $(rig_cli user list)"

# try NAME [PASSWORD]: a login through the form; prints the status, the
# page is in $T/try.body.
try() {
	local name=$1 page xsrf
	[ $# -ge 2 ] && printf '%s' "$2" >"$T/try.pw" || cp "$T/pw.$name" "$T/try.pw"
	rm -f "$T/try.jar"
	page=$(curl -sk -m 10 -c "$T/try.jar" -b "$T/try.jar" "$URL/hub/login")
	xsrf=$(printf '%s' "$page" | form_input _xsrf)
	curl -sk -m 60 -c "$T/try.jar" -b "$T/try.jar" -o "$T/try.body" \
		-w '%{http_code}' -H "Origin: $URL" \
		--data-urlencode "username=$name" --data-urlencode "password@$T/try.pw" \
		--data-urlencode "_xsrf=$xsrf" "$URL/hub/login" || true
}

# Alice: her Unix password, an admin by her group.
code=$(try "$A")
[ "$code" = 302 ] || fail "alice's login: $code $(cat "$T/try.body")"
rig_cli user list | grep -q "^$A	admin	" || fail "alice is not an admin: $(rig_cli user list)"
login "$A"
curl -sk -m 10 -b "$T/jar.$A" "$URL/hub/admin" | grep -q "<h1>Users</h1>" ||
	fail "alice cannot see the admin page"
curl -sk -m 10 -b "$T/jar.$A" "$URL/hub/admin" | grep -q "Reset password" &&
	fail "the admin page offers to reset a Unix password"
# Her name in capitals is the same account.
code=$(try "$(echo "$A" | tr a-z A-Z)" "$(cat "$T/pw.$A")")
[ "$code" = 302 ] || fail "alice in capitals: $code"

# Eve: allowed, not an admin; made one by joining the group, and no
# longer one once she left it, each at her next login.
[ "$(try "$E")" = 302 ] || fail "eve's login: $(cat "$T/try.body")"
rig_cli user list | grep -q "^$E	-	" || fail "eve is an admin: $(rig_cli user list)"
gpasswd -a "$E" "$ADMINS" >/dev/null || fail "gpasswd -a"
[ "$(try "$E")" = 302 ] || fail "eve's second login"
rig_cli user list | grep -q "^$E	admin	" || fail "eve in $ADMINS is not an admin"
gpasswd -d "$E" "$ADMINS" >/dev/null || fail "gpasswd -d"
[ "$(try "$E")" = 302 ] || fail "eve's third login"
rig_cli user list | grep -q "^$E	-	" || fail "eve out of $ADMINS is still an admin"

# Bob: the right password, outside allowed_groups.
code=$(try "$B")
[ "$code" = 403 ] || fail "bob (not in $USERS): $code, not 403"
grep -q "not in a group that may sign in" "$T/try.body" || fail "bob's page: $(cat "$T/try.body")"
# Carol: expired. Dave: locked. The system account: never asked.
code=$(try "$C")
[ "$code" = 403 ] || fail "carol (expired): $code, not 403"
grep -q "may not sign in now" "$T/try.body" || fail "carol's page: $(cat "$T/try.body")"
code=$(try "$D")
[ "$code" = 401 ] || fail "dave (locked): $code, not 401"
code=$(try "$S")
[ "$code" = 401 ] || fail "a system account: $code, not 401"
grep -q "login as $S refused: a system account" "$T/hub.log" || fail "no log line for the system account"
code=$(try "${PREFIX}nobody" x)
[ "$code" = 401 ] || fail "an unknown name: $code, not 401"
code=$(try root "$(cat "$T/pw.$A")")
[ "$code" = 401 ] || fail "root: $code, not 401"
for u in "$B" "$C" "$D" "$S" "${PREFIX}nobody" root; do
	rig_cli user list | grep -q "^$u	" && fail "a refused login made user $u"
done

# Wrong passwords: 401 each, until the throttle's lock (429). The lock
# after the sixth is 2 s and doubles with each failure: twelve tries, so
# that a loaded machine's slow attempts still meet one.
codes=
for i in $(seq 1 12); do
	codes="$codes $(try "$E" "wrong-$i")"
	case $codes in *429) break ;; esac
done
note "wrong passwords: $codes"
case $codes in " 401 401 401 401 401 "*429*) ;; *) fail "wrong passwords gave:$codes" ;; esac
grep -q "Too many attempts" "$T/try.body" || fail "no throttle message"

hub_stop
