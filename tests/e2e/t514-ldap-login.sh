#!/bin/bash
# authenticator = ldap against Debian's slapd, started by this test in its
# temp dir (tests/helpers/slapd.sh): over ldaps:// a person signs in with
# their directory password, their user is made, their Unix account is
# made with their directory uid and their server runs as it; admin_groups
# (a groupOfNames by DN) makes an admin; allowed_groups (a groupOfNames
# and a posixGroup, by DN) lets in members only (403 else); a wrong
# password is 401, an empty one is refused before any bind (slapd's log
# shows no bind of it), and the login throttle's 429 follows repeated
# failures as for local users. The same over ldap:// with StartTLS.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/slapd.sh"

slapd_start
A=${PREFIX}alice B=${PREFIX}bob C=${PREFIX}carol
for u in "$A" "$B" "$C"; do printf 'pw-%s' "$u" >"$T/pw.$u"; done
for u in "$A" "$B" "$C"; do
	getent passwd "$u" >/dev/null && fail "account $u exists before the test"
done
GROUPS_DN="cn=users,ou=groups,$LDAP_BASE|cn=posixusers,ou=groups,$LDAP_BASE"

# hub_ldap URL: the hub's settings for that URL.
hub_ldap() {
	hub_config "authenticator = ldap" "ldap_url = $1" "ldap_ca_file = $LDAP_CA" \
		"bind_dn_template = uid={username},ou=nobody,$LDAP_BASE | uid={username},ou=people,$LDAP_BASE" \
		"allowed_groups = $GROUPS_DN" "admin_groups = cn=admins,ou=groups,$LDAP_BASE" \
		"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}"
}

hub_ldap "$LDAPS_URL"
hub_start
grep -q "authenticator = ldap ($LDAPS_URL)" "$T/hub.log" || fail "the hub does not say it uses LDAP"
[ "$(rig_cli user list | wc -l)" = 1 ] || fail "users before any login: $(rig_cli user list)"

# Alice over ldaps: in both groups, an admin; her account has her uid.
code=$(try_login "$A")
[ "$code" = 302 ] || fail "alice's login: $code $(cat "$T/try.body")"
rig_cli user list | grep -q "^$A	admin	" || fail "alice is not an admin: $(rig_cli user list)"
[ "$(id -u "$A")" = "$LDAP_UID0" ] || fail "alice's account has uid $(id -u "$A" 2>&1), not $LDAP_UID0"
[ "$(getent passwd "$A" | cut -d: -f6)" = "/home/$A" ] || fail "alice's home: $(getent passwd "$A")"
[ "$(getent passwd "$A" | cut -d: -f7)" = /bin/sh ] || fail "alice's shell (loginShell): $(getent passwd "$A")"
# The form's login started her server.
login "$A" /hub/home
TOKEN=$(rig_token "$A")
wait_ready "$A" "$TOKEN"
pid=$(pgrep -o -u "$LDAP_UID0" -f "echoserver.py") || fail "no server running as uid $LDAP_UID0"
[ "$(stat -c %u "/proc/$pid")" = "$LDAP_UID0" ] || fail "the server is not alice's uid"
[ "$(api GET "/user/$A/x")" = 200 ] || fail "proxy to alice's server: $(body)"
# A second login finds the account and keeps it.
[ "$(try_login "$A")" = 302 ] || fail "alice's second login: $(cat "$T/try.body")"
[ "$(getent passwd "$A" | wc -l)" = 1 ] || fail "alice's account twice"

# Bob: in the posixGroup by memberUid; not an admin.
[ "$(try_login "$B")" = 302 ] || fail "bob's login: $(cat "$T/try.body")"
rig_cli user list | grep -q "^$B	-	" || fail "bob is an admin, or missing: $(rig_cli user list)"
[ "$(id -u "$B")" = "$((LDAP_UID0 + 1))" ] || fail "bob's uid: $(id -u "$B" 2>&1)"

# Carol: the right password, in no allowed group: 403, nothing made.
code=$(try_login "$C")
[ "$code" = 403 ] || fail "carol (no group): $code, not 403"
grep -q "not in a group that may sign in" "$T/try.body" || fail "carol's page: $(cat "$T/try.body")"
getent passwd "$C" >/dev/null && fail "carol got a Unix account"
rig_cli user list | grep -q "^$C	" && fail "carol got a user"

# A wrong password: 401. An empty one: refused by the form, and by rig
# ldap-auth before any bind: slapd logs every BIND (-d stats), and no new
# one appears (an empty simple bind is an unauthenticated one, which
# slapd would answer with success).
[ "$(try_login "$B" "pw-wrong")" = 401 ] || fail "bob's wrong password: not 401"
[ "$(try_login "$B" "")" = 400 ] || fail "an empty password through the form: not 400"
binds=$(grep -c ' BIND dn=' "$L/slapd.log")
[ "$binds" -gt 0 ] || fail "slapd logs no BIND: the count below proves nothing"
for u in "$B" "${PREFIX}nobody"; do
	rc=0
	printf '' | "$RIG" ldap-auth --ca-file "$LDAP_CA" \
		--bind-dn-template "uid={username},ou=people,$LDAP_BASE" "$LDAPS_URL" "$u" \
		>"$T/empty.out" 2>"$T/empty.err" || rc=$?
	[ "$rc" = 1 ] || fail "rig ldap-auth with an empty password for $u: status $rc, not 1"
	[ ! -s "$T/empty.out" ] || fail "an empty password printed an account: $(cat "$T/empty.out")"
done
rc=0
printf '\0x' | "$RIG" ldap-auth --ca-file "$LDAP_CA" \
	--bind-dn-template "uid={username},ou=people,$LDAP_BASE" "$LDAPS_URL" "$B" \
	>/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "rig ldap-auth with a NUL first: status $rc, not 3"
[ "$(grep -c ' BIND dn=' "$L/slapd.log")" = "$binds" ] ||
	fail "an empty password reached slapd: $(grep ' BIND dn=' "$L/slapd.log" | tail -2)"
# The login throttle holds for the directory too: wrong passwords are
# 401 until the lock, then 429 (and the locked ones reach no slapd).
D=${PREFIX}dave
printf 'x' >"$T/pw.$D"
codes=
for i in $(seq 1 12); do
	codes="$codes $(try_login "$D" "wrong-$i")"
	case $codes in *429) break ;; esac
done
note "wrong passwords: $codes"
case $codes in " 401 401 401 401 401 "*429) ;; *) fail "wrong passwords gave:$codes" ;; esac
grep -q "Too many attempts" "$T/try.body" || fail "no throttle message"
hub_stop

# StartTLS on ldap://: bob again, and the connection is TLS (slapd
# refuses a simple bind in clear when told so: security simple_bind=128).
sed -i 's/^database mdb$/security simple_bind=128\ndatabase mdb/' "$L/slapd.conf"
slapd_stop
slapd_run
rc=0
ldapwhoami -x -H "$LDAP_URL" -D "uid=$B,ou=people,$LDAP_BASE" -w "pw-$B" \
	>/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "slapd takes a bind in clear: the StartTLS check below proves nothing"
hub_ldap "$LDAP_URL"
hub_start
[ "$(try_login "$B")" = 302 ] || fail "bob's login over StartTLS: $(cat "$T/try.body")"
[ "$(try_login "$B" "pw-wrong")" = 401 ] || fail "bob's wrong password over StartTLS: not 401"
hub_stop
