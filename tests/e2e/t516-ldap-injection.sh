#!/bin/bash
# authenticator = ldap and hostile login names. Through the hub, a name
# that is no valid user name ("*)(uid=*", "admin,ou=x", a wildcard) fails
# like a wrong password and never reaches the directory (slapd logs no
# BIND and no SEARCH for it). Through rig ldap-auth itself, which escapes
# rather than refuses: a name that would, unescaped, make the DN of an
# entry elsewhere (RFC 4514) or a filter matching someone else (RFC 4515)
# stays one value and fails.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/slapd.sh"

slapd_start
A=${PREFIX}alice
# An entry outside the template's place: uid=M,ou=staff,ou=people.
M=${PREFIX}m
{
	printf 'dn: ou=staff,ou=people,%s\nobjectClass: organizationalUnit\nou: staff\n\n' "$LDAP_BASE"
	printf 'dn: uid=%s,ou=staff,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n' "$M" "$LDAP_BASE"
	printf 'uid: %s\ncn: %s\nsn: %s\nuidNumber: %s\ngidNumber: %s\nhomeDirectory: /home/%s\nuserPassword: pw-%s\n' \
		"$M" "$M" "$M" "$((LDAP_UID0 + 2))" "$((LDAP_UID0 + 2))" "$M" "$M"
} | ldapadd -x -H "$LDAP_URL" -D "cn=admin,$LDAP_BASE" -w admin-secret >/dev/null ||
	fail "ldapadd staff"
TEMPLATE="uid={username},ou=people,$LDAP_BASE"
SVC=(--search-base "$LDAP_BASE" --bind-dn "cn=svc,$LDAP_BASE")

# check NAME PASSWORD [OPTIONS...]: rig ldap-auth's status; output in
# $T/check.out.
check() {
	local name=$1 pw=$2 rc=0
	shift 2
	printf '%s' "$pw" | "$RIG" ldap-auth --ca-file "$LDAP_CA" "$@" "$LDAPS_URL" "$name" \
		>"$T/check.out" 2>>"$T/check.err" || rc=$?
	echo "$rc"
}
svc_pw() {
	printf '%s\0%s' "$1" "$(cat "$LDAP_SVC_PW_FILE")"
}
check_svc() {
	local name=$1 rc=0
	svc_pw "$2" | "$RIG" ldap-auth --ca-file "$LDAP_CA" "${SVC[@]}" "$LDAPS_URL" "$name" \
		>"$T/check.out" 2>>"$T/check.err" || rc=$?
	echo "$rc"
}

# The controls: the right names work, so the refusals below are the
# escaping's.
[ "$(check "$A" "pw-$A" --bind-dn-template "$TEMPLATE")" = 0 ] || fail "alice by template: $(cat "$T/check.err")"
[ "$(check "$M" "pw-$M" --bind-dn-template "uid={username},ou=staff,ou=people,$LDAP_BASE")" = 0 ] ||
	fail "m by its own template"
[ "$(check_svc "$A" "pw-$A")" = 0 ] || fail "alice by search: $(cat "$T/check.err")"

# DN: "M,ou=staff" would make uid=M,ou=staff,ou=people,... (M's entry).
[ "$(check "$M,ou=staff" "pw-$M" --bind-dn-template "$TEMPLATE")" = 1 ] ||
	fail "a comma in the name reached another entry's DN: $(cat "$T/check.out")"
[ "$(check "$M+ou=staff" "pw-$M" --bind-dn-template "$TEMPLATE")" = 1 ] || fail "a '+' in the name"
# Filter: "alice's prefix*" would match alice alone; "*" everyone; a
# closing parenthesis would end the filter.
[ "$(check_svc "${A%?}*" "pw-$A")" = 1 ] || fail "a wildcard matched alice: $(cat "$T/check.out")"
[ "$(check_svc "*" "pw-$A")" = 1 ] || fail "'*' was taken"
[ "$(check_svc "*)(uid=$A" "pw-$A")" = 1 ] || fail "'*)(uid=alice' was taken"
[ "$(check_svc "$A)(|(uid=*" "pw-$A")" = 1 ] || fail "an OR injection was taken"
grep -q "Bad search filter\|filter error" "$T/check.err" && fail "a name broke a filter: $(cat "$T/check.err")"

# Through the hub: refused before the directory.
hub_config "authenticator = ldap" "ldap_url = $LDAPS_URL" "ldap_ca_file = $LDAP_CA" \
	"ldap_search_base = $LDAP_BASE" "ldap_bind_dn = cn=svc,$LDAP_BASE" \
	"ldap_bind_password_file = $LDAP_SVC_PW_FILE" \
	"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}"
hub_start
ops=$(grep -c -e ' BIND dn=' -e ' SRCH base=' "$L/slapd.log")
for name in "*)(uid=*" "admin,ou=x" "${A%?}*" "$A)(|(uid=*" "$M,ou=staff" "a\\5c" "$A "; do
	code=$(try_login "$name" "pw-$A")
	[ "$code" = 401 ] || fail "name '$name' through the form: $code, not 401"
done
[ "$(grep -c -e ' BIND dn=' -e ' SRCH base=' "$L/slapd.log")" = "$ops" ] ||
	fail "an invalid name reached slapd: $(grep -e BIND -e SRCH "$L/slapd.log" | tail -3)"
[ "$(rig_cli user list | wc -l)" = 1 ] || fail "a user was made: $(rig_cli user list)"
[ "$(try_login "$A" "pw-$A")" = 302 ] || fail "alice's own login: $(cat "$T/try.body")"
hub_stop
