#!/bin/bash
# authenticator = ldap with a search instead of a template: the service
# binds as ldap_bind_dn (its password from ldap_bind_password_file, which
# must be 0600), finds the person by ldap_user_attribute under
# ldap_search_base, then binds as them; groups named by cn are looked for
# under the same base. Checked: a person who signs in, an admin by cn, a
# person outside allowed_groups (403), a wrong password (401), an unknown
# name (401), an entry without uidNumber (403), a password file others
# may read (the hub refuses to start), a wrong service password (503 and
# the reason in the log).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/slapd.sh"

slapd_start
A=${PREFIX}alice B=${PREFIX}bob C=${PREFIX}carol N=${PREFIX}nouid
for u in "$A" "$B" "$C" "$N"; do printf 'pw-%s' "$u" >"$T/pw.$u"; done

# hub_ldap PWFILE: the search settings with that password file.
hub_ldap() {
	hub_config "authenticator = ldap" "ldap_url = $LDAP_URL" "ldap_ca_file = $LDAP_CA" \
		"ldap_search_base = $LDAP_BASE" "ldap_bind_dn = cn=svc,$LDAP_BASE" \
		"ldap_bind_password_file = $1" "ldap_user_attribute = cn" \
		"allowed_groups = users, posixusers" "admin_groups = admins" \
		"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}"
}

# A password file others may read: no start.
cp "$LDAP_SVC_PW_FILE" "$T/svc-open.pw"
chmod 644 "$T/svc-open.pw"
hub_ldap "$T/svc-open.pw"
rc=0
"$RIG" hub --state-dir "$T/state" --listen 127.0.0.1:0 --config "$T/rig.conf" \
	</dev/null >"$T/open.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "a password file of mode 0644 was taken"
grep -q "ldap_bind_password_file '$T/svc-open.pw' must be a file of root's" "$T/open.log" ||
	fail "no reason given: $(cat "$T/open.log")"

hub_ldap "$LDAP_SVC_PW_FILE"
hub_start
[ "$(try_login "$A")" = 302 ] || fail "alice's login by search: $(cat "$T/try.body")"
rig_cli user list | grep -q "^$A	admin	" || fail "alice is not an admin (admins by cn): $(rig_cli user list)"
[ "$(id -u "$A")" = "$LDAP_UID0" ] || fail "alice's uid: $(id -u "$A" 2>&1)"
grep -q "BIND dn=\"cn=svc,$LDAP_BASE\"" "$L/slapd.log" || fail "the service did not bind"
grep -q "SRCH base=\"$LDAP_BASE\" scope=2 deref=0 filter=\"(cn=$A)\"" "$L/slapd.log" ||
	fail "no search by cn: $(grep SRCH "$L/slapd.log" | head -3)"
[ "$(try_login "$B")" = 302 ] || fail "bob (posixusers by cn): $(cat "$T/try.body")"
rig_cli user list | grep -q "^$B	-	" || fail "bob is an admin: $(rig_cli user list)"
code=$(try_login "$C")
[ "$code" = 403 ] || fail "carol (no group): $code, not 403"
[ "$(try_login "$B" "pw-wrong")" = 401 ] || fail "bob's wrong password: not 401"
[ "$(try_login "${PREFIX}nobody" "x")" = 401 ] || fail "an unknown name: not 401"
code=$(try_login "$N")
[ "$code" = 403 ] || fail "an entry without uidNumber: $code, not 403"
grep -q "no Unix account" "$T/try.body" || fail "nouid's page: $(cat "$T/try.body")"
grep -q "has no uidNumber" "$T/hub.log" || fail "the log does not say why nouid was refused"
getent passwd "$N" >/dev/null && fail "nouid got an account"
hub_stop

# A wrong service password: 503, and the log names the service's bind.
printf 'not-the-password' >"$T/svc-wrong.pw"
chmod 600 "$T/svc-wrong.pw"
hub_ldap "$T/svc-wrong.pw"
hub_start
code=$(try_login "$A")
[ "$code" = 503 ] || fail "a wrong service password: $code, not 503"
grep -q "the service's bind (ldap_bind_dn): Invalid credentials" "$T/hub.log" ||
	fail "the log does not say the service's bind failed: $(grep ldap "$T/hub.log" | tail -2)"
hub_stop
