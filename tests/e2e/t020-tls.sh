#!/bin/bash
# The hub makes its own certificate (SAN localhost and 127.0.0.1), keeps its
# secrets private, prints the certificate's fingerprint, serves exactly that
# certificate, reuses it after a restart, and answers plain HTTP on its TLS
# port with an error, not a hang.
. "$(dirname "$0")/lib.sh"

# fp_served: SHA-256 fingerprint of the certificate the hub serves.
fp_served() {
	openssl s_client -connect "127.0.0.1:$PORT" -servername localhost </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 | sed 's/^.*=//' | tr a-f A-F
}

rig_user_add alice
hub_config
hub_start

grep -q "listening on https://127.0.0.1:$PORT/" "$T/hub.log" ||
	fail "hub.log lacks 'listening on https://127.0.0.1:$PORT/'"
printed=$(sed -n 's/.*SHA-256 fingerprint: *\([0-9A-Fa-f:]*\).*/\1/p' "$T/hub.log" | tail -n 1 | tr a-f A-F)
printf '%s' "$printed" | grep -qxE '([0-9A-F]{2}:){31}[0-9A-F]{2}' ||
	fail "no 'SHA-256 fingerprint: XX:XX:...' line in hub.log (got '$printed')"

S=$T/state
[ -f "$S/cert.pem" ] || fail "no $S/cert.pem"
[ -f "$S/key.pem" ] || fail "no $S/key.pem"
[ "$(stat -c %a "$S")" = 700 ] || fail "state dir mode $(stat -c %a "$S"), not 700"
[ "$(stat -c %a "$S/key.pem")" = 600 ] || fail "key.pem mode $(stat -c %a "$S/key.pem"), not 600"
[ "$(stat -c %a "$S/rig.db")" = 600 ] || fail "rig.db mode $(stat -c %a "$S/rig.db"), not 600"

file_fp=$(openssl x509 -in "$S/cert.pem" -noout -fingerprint -sha256 | sed 's/^.*=//' | tr a-f A-F)
[ "$file_fp" = "$printed" ] || fail "printed fingerprint $printed != cert.pem's $file_fp"
served=$(fp_served)
[ "$served" = "$printed" ] || fail "served certificate $served != printed $printed"

san=$(openssl x509 -in "$S/cert.pem" -noout -ext subjectAltName)
printf '%s' "$san" | grep -q 'DNS:localhost' || fail "SAN lacks DNS:localhost: $san"
printf '%s' "$san" | grep -q 'IP Address:127.0.0.1' || fail "SAN lacks IP 127.0.0.1: $san"
openssl pkey -in "$S/key.pem" -noout 2>/dev/null || fail "key.pem is not a private key"

# Plain HTTP to the TLS port: an error or a 4xx, within 5 s.
rc=0
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/hub/api/") || rc=$?
[ "$rc" != 28 ] || fail "plain HTTP to the TLS port hung (curl timeout)"
case $code in 2* | 3*) fail "plain HTTP to the TLS port got $code" ;; esac
note "plain HTTP: curl exit $rc, status $code"
hub_alive
[ "$(curl -sk -m 5 -o /dev/null -w '%{http_code}' "$URL/hub/api/")" = 200 ] ||
	fail "hub not serving after the plain HTTP request"

# Restart: same certificate.
hub_stop
hub_start
[ "$(fp_served)" = "$printed" ] || fail "certificate changed across a restart"
again=$(sed -n 's/.*SHA-256 fingerprint: *\([0-9A-Fa-f:]*\).*/\1/p' "$T/hub.log" | tail -n 1 | tr a-f A-F)
[ "$again" = "$printed" ] || fail "second start printed fingerprint $again, not $printed"
hub_stop
