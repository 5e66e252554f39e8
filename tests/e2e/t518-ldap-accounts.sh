#!/bin/bash
# authenticator = ldap and the Unix accounts it matches by uid: an
# account of the person's name with the directory's uid is used as it is
# (not made again, its comment and home kept); one with another uid is
# refused with 403 and a log line giving both numbers; a directory uid
# that another account holds is refused; a uid below UID_MIN (500) is
# refused; a refused person gets no user and no account. Deleting a user
# leaves their account (the directory's person's, not rig's).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/slapd.sh"

slapd_start
A=${PREFIX}alice B=${PREFIX}bob C=${PREFIX}carol LOW=${PREFIX}low
for u in "$A" "$B" "$C" "$LOW"; do printf 'pw-%s' "$u" >"$T/pw.$u"; done
# Alice's account exists already, with her directory uid.
useradd -M -u "$LDAP_UID0" -d "/home/$A" -s /bin/bash -c "made by hand" "$A" ||
	fail "useradd alice"
# Bob's name is taken by an account of another uid.
useradd -M -s /bin/bash "$B" || fail "useradd bob"
bob_uid=$(id -u "$B")
[ "$bob_uid" != "$((LDAP_UID0 + 1))" ] || fail "bob's local uid is his directory's by chance"
# Carol's directory uid is another account's.
O=${PREFIX}other
useradd -M -u "$((LDAP_UID0 + 2))" -s /bin/bash "$O" || fail "useradd other"

hub_config "authenticator = ldap" "ldap_url = $LDAPS_URL" "ldap_ca_file = $LDAP_CA" \
	"bind_dn_template = uid={username},ou=people,$LDAP_BASE" \
	"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}"
hub_start

[ "$(try_login "$A")" = 302 ] || fail "alice (her account exists with her uid): $(cat "$T/try.body")"
[ "$(getent passwd "$A" | cut -d: -f5)" = "made by hand" ] || fail "alice's account was changed: $(getent passwd "$A")"
grep -q "making the Unix account $A" "$T/hub.log" && fail "alice's account was made again"

code=$(try_login "$B")
[ "$code" = 403 ] || fail "bob (his name has another uid): $code, not 403"
grep -q "exists here already and is not yours" "$T/try.body" || fail "bob's page: $(cat "$T/try.body")"
grep -q "the Unix account $B exists with uid $bob_uid, but the directory's uidNumber is $((LDAP_UID0 + 1))" "$T/hub.log" ||
	fail "the log does not give bob's numbers"
[ "$(id -u "$B")" = "$bob_uid" ] || fail "bob's account changed"

code=$(try_login "$C")
[ "$code" = 403 ] || fail "carol (her uid is another account's): $code, not 403"
grep -q "uid $((LDAP_UID0 + 2)), the directory's uidNumber of $C, is the Unix account $O's" "$T/hub.log" ||
	fail "the log does not say whose uid carol's is"
getent passwd "$C" >/dev/null && fail "carol got an account"

code=$(try_login "$LOW")
[ "$code" = 403 ] || fail "low (uidNumber 500): $code, not 403"
grep -q "the directory's uidNumber 500 of $LOW is outside the users' range" "$T/hub.log" ||
	fail "the log does not say low's uid is too low"
getent passwd "$LOW" >/dev/null && fail "low got an account"
for u in "$B" "$C" "$LOW"; do
	rig_cli user list | grep -q "^$u	" && fail "a refused login made user $u"
done

# Deleting alice keeps her account.
rig_cli user delete "$A" >/dev/null 2>&1 || true
getent passwd "$A" >/dev/null || fail "deleting the user removed the directory person's account"
hub_stop
