#!/bin/bash
# authenticator = ldap when the directory cannot be trusted or reached:
# a server certificate not signed by ldap_ca_file is refused (503, the
# password never sent: slapd logs no BIND) and the hub's log says which
# check failed, over ldaps:// and over StartTLS; a slapd stopped mid-way
# gives 503 and a log line saying the server cannot be reached, the hub
# stays up, and the login works again once slapd is back. Also: a hub
# with ldap_allow_plaintext warns loudly at start.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/slapd.sh"

slapd_start
A=${PREFIX}alice
printf 'pw-%s' "$A" >"$T/pw.$A"

# hub_ldap URL CA [MORE...]: the hub's settings.
hub_ldap() {
	local url=$1 ca=$2
	shift 2
	hub_config "authenticator = ldap" "ldap_url = $url" "ldap_ca_file = $ca" \
		"bind_dn_template = uid={username},ou=people,$LDAP_BASE" \
		"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}" "$@"
}

binds() {
	grep -c ' BIND dn=' "$L/slapd.log" || true
}

# Another CA: ldaps:// and StartTLS both refused, with the reason.
for url in "$LDAPS_URL" "$LDAP_URL"; do
	hub_ldap "$url" "$LDAP_OTHER_CA"
	hub_start
	b=$(binds)
	code=$(try_login "$A")
	[ "$code" = 503 ] || fail "$url with another CA: $code, not 503"
	grep -q "cannot be checked now" "$T/try.body" || fail "the page: $(cat "$T/try.body")"
	grep -q "the server's certificate was refused: unable to get local issuer certificate" "$T/hub.log" ||
		fail "$url: the log does not say why the certificate was refused"
	grep -q "ldap_ca_file '$LDAP_OTHER_CA'" "$T/hub.log" || fail "the log does not name the CA file"
	[ "$(binds)" = "$b" ] || fail "$url: the password was sent to an untrusted server"
	getent passwd "$A" >/dev/null && fail "an account was made"
	hub_stop
	: >"$T/hub.log"
done

# The right CA, and a certificate for another name: refused too.
openssl req -newkey rsa:2048 -nodes -keyout "$L/wrong.key" -out "$L/wrong.csr" \
	-subj "/CN=ldap.example.org" 2>/dev/null || fail "openssl"
printf 'subjectAltName=DNS:ldap.example.org\n' >"$L/wrong.ext"
openssl x509 -req -in "$L/wrong.csr" -CA "$L/ca.pem" -CAkey "$L/ca.key" -CAcreateserial \
	-out "$L/wrong.pem" -days 2 -extfile "$L/wrong.ext" 2>/dev/null || fail "openssl x509"
chmod 644 "$L/wrong.key" "$L/wrong.pem"
cp "$L/slapd.conf" "$L/slapd.conf.good"
sed -i "s|^TLSCertificateFile .*|TLSCertificateFile $L/wrong.pem|; s|^TLSCertificateKeyFile .*|TLSCertificateKeyFile $L/wrong.key|" "$L/slapd.conf"
slapd_stop
slapd_run
hub_ldap "$LDAPS_URL" "$LDAP_CA"
hub_start
[ "$(try_login "$A")" = 503 ] || fail "a certificate for another host: not 503"
grep -q "the server's certificate was refused: .*host '127.0.0.1'" "$T/hub.log" ||
	fail "the log does not say the host did not match: $(grep ldap-auth "$T/hub.log" | tail -1)"
hub_stop
: >"$T/hub.log"
cp "$L/slapd.conf.good" "$L/slapd.conf"
slapd_stop
slapd_run

# slapd stopped while the hub runs: 503, a clear line, no crash; back
# again: the login works.
hub_ldap "$LDAPS_URL" "$LDAP_CA" "ldap_allow_plaintext = no"
hub_start
[ "$(try_login "$A")" = 302 ] || fail "alice's login with slapd up: $(cat "$T/try.body")"
slapd_stop
code=$(try_login "$A")
[ "$code" = 503 ] || fail "with slapd stopped: $code, not 503"
grep -q "the server at $LDAPS_URL cannot be reached" "$T/hub.log" ||
	fail "the log does not say the directory is down: $(grep ldap "$T/hub.log" | tail -2)"
hub_alive
slapd_run
[ "$(try_login "$A")" = 302 ] || fail "alice's login once slapd is back: $(cat "$T/try.body")"
hub_stop

# ldap_allow_plaintext: refused with ldaps://, warned about with ldap://.
hub_ldap "$LDAPS_URL" "$LDAP_CA" "ldap_allow_plaintext = yes"
rc=0
"$RIG" hub --state-dir "$T/state" --listen 127.0.0.1:0 --config "$T/rig.conf" \
	</dev/null >"$T/plain.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "ldap_allow_plaintext with ldaps:// was taken"
grep -q "ldap_allow_plaintext is for an ldap:// URL" "$T/plain.log" || fail "$(cat "$T/plain.log")"
hub_ldap "$LDAP_URL" "$LDAP_CA" "ldap_allow_plaintext = yes"
: >"$T/hub.log"
hub_start
grep -q "WARNING: ldap_allow_plaintext = yes: every password goes to $LDAP_URL UNENCRYPTED" "$T/hub.log" ||
	fail "no loud warning for plaintext"
[ "$(try_login "$A")" = 302 ] || fail "alice's login in clear: $(cat "$T/try.body")"
hub_stop
