# shellcheck shell=bash
# A directory for the authenticator = ldap tests, sourced after lib.sh:
# Debian's slapd started by the test in $T/ldap (its own slapd.conf, an mdb
# database, no system slapd), with a CA and a server certificate for
# 127.0.0.1 made here by openssl, listening on ldap:// (StartTLS) and
# ldaps:// on loopback ports. slapd_start fills it with:
#   ${PREFIX}alice   uid alice's, in groups users (groupOfNames) and admins
#   ${PREFIX}bob     in users only (posixGroup memberUid)
#   ${PREFIX}carol   in no group
#   ${PREFIX}nouid   an inetOrgPerson without uidNumber
#   ${PREFIX}low     a posixAccount with uidNumber 500
# each with password pw-NAME; people under ou=people, groups under
# ou=groups, the service account cn=svc (password in $LDAP_SVC_PW_FILE).
# Sets LDAP_URL (ldap://), LDAPS_URL, LDAP_CA, LDAP_OTHER_CA (a CA that
# signed nothing), LDAP_BASE, LDAP_UID0 (alice's uidNumber; bob +1, carol
# +2, nouid none, low 500), SLAPD_PID.

LDAP_BASE=dc=example,dc=org
L=$T/ldap

# slapd_certs: a CA, the server's certificate for IP 127.0.0.1, another CA.
slapd_certs() {
	mkdir -p "$L"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$L/ca.key" -out "$L/ca.pem" \
		-days 2 -subj "/CN=rig test CA" 2>/dev/null || fail "openssl: CA"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$L/other.key" \
		-out "$L/other-ca.pem" -days 2 -subj "/CN=another CA" 2>/dev/null ||
		fail "openssl: another CA"
	openssl req -newkey rsa:2048 -nodes -keyout "$L/server.key" -out "$L/server.csr" \
		-subj "/CN=127.0.0.1" 2>/dev/null || fail "openssl: server key"
	printf 'subjectAltName=IP:127.0.0.1\n' >"$L/ext"
	openssl x509 -req -in "$L/server.csr" -CA "$L/ca.pem" -CAkey "$L/ca.key" \
		-CAcreateserial -out "$L/server.pem" -days 2 -extfile "$L/ext" 2>/dev/null ||
		fail "openssl: server certificate"
	chmod 644 "$L"/*.pem
	LDAP_CA=$L/ca.pem LDAP_OTHER_CA=$L/other-ca.pem
	# The hub's unprivileged account reads the CA file.
	chmod 755 "$T" "$L"
}

# slapd_run: slapd on the ports already chosen, in the foreground (-d:
# its pid is ours; stats: each connection and operation in slapd.log);
# waits until it answers.
slapd_run() {
	local i
	slapd -f "$L/slapd.conf" -h "ldap://127.0.0.1:$LDAP_PORT ldaps://127.0.0.1:$LDAPS_PORT" \
		-d stats >>"$L/slapd.log" 2>&1 &
	SLAPD_PID=$!
	bg_track "$SLAPD_PID"
	for i in $(seq 1 200); do
		ldapsearch -x -H "$LDAP_URL" -b "" -s base >/dev/null 2>&1 && return 0
		kill -0 "$SLAPD_PID" 2>/dev/null || fail "slapd exited; see $L/slapd.log"
		sleep 0.05
	done
	fail "slapd not answering on $LDAP_URL"
}

# slapd_stop: ends our slapd, by its pid.
slapd_stop() {
	local i
	kill "$SLAPD_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$SLAPD_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$SLAPD_PID" 2>/dev/null || true
}

# ldif_person NAME UIDNUMBER|-: a person's entry (posixAccount with a uid).
ldif_person() {
	local n=$1 u=$2
	cat <<EOP
dn: uid=$n,ou=people,$LDAP_BASE
objectClass: inetOrgPerson
EOP
	[ "$u" = - ] || printf 'objectClass: posixAccount\nuidNumber: %s\ngidNumber: %s\nhomeDirectory: /home/%s\nloginShell: /bin/sh\n' "$u" "$u" "$n"
	printf 'uid: %s\ncn: %s\nsn: %s\nuserPassword: pw-%s\n\n' "$n" "$n" "$n" "$n"
}

slapd_start() {
	local i u
	command -v slapd >/dev/null || fail "no slapd: run scripts/install-deps.sh"
	slapd_certs
	mkdir -p "$L/db"
	LDAP_PORT=$(free_port) LDAPS_PORT=$(free_port)
	LDAP_URL=ldap://127.0.0.1:$LDAP_PORT LDAPS_URL=ldaps://127.0.0.1:$LDAPS_PORT
	cat >"$L/slapd.conf" <<EOC
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $L/slapd.pid
TLSCACertificateFile $L/ca.pem
TLSCertificateFile $L/server.pem
TLSCertificateKeyFile $L/server.key
database mdb
maxsize 16777216
suffix "$LDAP_BASE"
rootdn "cn=admin,$LDAP_BASE"
rootpw admin-secret
directory $L/db
access to attrs=userPassword by self =xw by anonymous auth by * none
access to * by users read by * none
EOC
	slapd_run
	# Three free uids in a row for alice, bob and carol.
	for i in $(seq 1 50); do
		u=$((42000 + RANDOM % 15000))
		getent passwd "$u" "$((u + 1))" "$((u + 2))" >/dev/null || break
	done
	LDAP_UID0=$u
	LDAP_SVC_PW_FILE=$L/svc.pw
	printf 'svc-secret-%s' "$(rand_str 8)" >"$LDAP_SVC_PW_FILE"
	chmod 600 "$LDAP_SVC_PW_FILE"
	{
		printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: rig test\n\n' "$LDAP_BASE"
		printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$LDAP_BASE"
		printf 'dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n' "$LDAP_BASE"
		printf 'dn: cn=svc,%s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: svc\nuserPassword: %s\n\n' \
			"$LDAP_BASE" "$(cat "$LDAP_SVC_PW_FILE")"
		ldif_person "${PREFIX}alice" "$u"
		ldif_person "${PREFIX}bob" "$((u + 1))"
		ldif_person "${PREFIX}carol" "$((u + 2))"
		ldif_person "${PREFIX}nouid" -
		ldif_person "${PREFIX}low" 500
		printf 'dn: cn=users,ou=groups,%s\nobjectClass: groupOfNames\ncn: users\nmember: uid=%salice,ou=people,%s\n\n' \
			"$LDAP_BASE" "$PREFIX" "$LDAP_BASE"
		printf 'dn: cn=posixusers,ou=groups,%s\nobjectClass: posixGroup\ncn: posixusers\ngidNumber: %s\nmemberUid: %sbob\nmemberUid: %slow\nmemberUid: %snouid\n\n' \
			"$LDAP_BASE" "$u" "$PREFIX" "$PREFIX" "$PREFIX"
		printf 'dn: cn=admins,ou=groups,%s\nobjectClass: groupOfNames\ncn: admins\nmember: uid=%salice,ou=people,%s\n\n' \
			"$LDAP_BASE" "$PREFIX" "$LDAP_BASE"
	} >"$L/data.ldif"
	ldapadd -x -H "$LDAP_URL" -D "cn=admin,$LDAP_BASE" -w admin-secret \
		-f "$L/data.ldif" >"$L/ldapadd.log" 2>&1 || fail "ldapadd: $(cat "$L/ldapadd.log")"
}
