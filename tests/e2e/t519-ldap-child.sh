#!/bin/bash
# authenticator = ldap: where the bind runs. With slapd stopped (SIGSTOP)
# a login waits in its 'rig ldap-auth' child while the hub goes on
# serving; that child runs as the hub's unprivileged account (not root),
# and neither the person's password nor the service's is in its argv or
# environment (another local account reads /proc/PID/cmdline), nor in
# the hub's log. Once slapd goes on, the login completes. A hub stopped
# while a login waits exits cleanly.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/slapd.sh"

slapd_start
A=${PREFIX}alice
PW="pw-$A"
printf '%s' "$PW" >"$T/pw.$A"
SVCPW=$(cat "$LDAP_SVC_PW_FILE")
hub_config "authenticator = ldap" "ldap_url = $LDAPS_URL" "ldap_ca_file = $LDAP_CA" \
	"ldap_search_base = $LDAP_BASE" "ldap_bind_dn = cn=svc,$LDAP_BASE" \
	"ldap_bind_password_file = $LDAP_SVC_PW_FILE" \
	"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}"
hub_start
hub_uid=$(stat -c %u "/proc/$HUB_PID")
[ "$hub_uid" != 0 ] || fail "the hub did not drop root"

kill -STOP "$SLAPD_PID"
page=$(curl -sk -m 10 -c "$T/jar" -b "$T/jar" "$URL/hub/login")
xsrf=$(printf '%s' "$page" | form_input _xsrf)
curl -sk -m 120 -c "$T/jar" -b "$T/jar" -o "$T/login.body" -w '%{http_code}' \
	-H "Origin: $URL" --data-urlencode "username=$A" --data-urlencode "password@$T/pw.$A" \
	--data-urlencode "_xsrf=$xsrf" "$URL/hub/login" >"$T/login.code" 2>/dev/null &
LOGIN=$!
bg_track "$LOGIN"
child=
for _ in $(seq 1 200); do
	child=$(pgrep -f "rig ldap-auth .*$A\$" | head -n 1 || true)
	[ -n "$child" ] && break
	sleep 0.05
done
[ -n "$child" ] || { kill -CONT "$SLAPD_PID"; fail "no rig ldap-auth child while slapd is stopped"; }
# The hub answers meanwhile: the bind is not on its loop.
code=$(curl -sk -m 5 -o /dev/null -w '%{http_code}' "$URL/hub/api/" || true)
[ "$code" = 200 ] || { kill -CONT "$SLAPD_PID"; fail "the hub does not answer while a bind waits: $code"; }
[ "$(stat -c %u "/proc/$child")" = "$hub_uid" ] || { kill -CONT "$SLAPD_PID"; fail "rig ldap-auth runs as uid $(stat -c %u "/proc/$child"), not the hub's $hub_uid"; }
grep -q "^CapEff:	0000000000000000" "/proc/$child/status" || { kill -CONT "$SLAPD_PID"; fail "rig ldap-auth has capabilities"; }
# What another account sees of it.
setpriv --reuid=nobody --regid=nogroup --clear-groups cat "/proc/$child/cmdline" | tr '\0' ' ' >"$T/cmdline" ||
	{ kill -CONT "$SLAPD_PID"; fail "cannot read the child's cmdline as nobody"; }
grep -q "ldap-auth" "$T/cmdline" || { kill -CONT "$SLAPD_PID"; fail "the cmdline read is not the child's: $(cat "$T/cmdline")"; }
tr '\0' '\n' <"/proc/$child/environ" >"$T/environ"
kill -CONT "$SLAPD_PID"
for secret in "$PW" "$SVCPW"; do
	grep -qF -- "$secret" "$T/cmdline" && fail "a password is in the child's argv: $(cat "$T/cmdline")"
	grep -qF -- "$secret" "$T/environ" && fail "a password is in the child's environment"
done
grep -qx "LDAPNOINIT=1" "$T/environ" || fail "the child reads libldap's settings files (no LDAPNOINIT)"
wait "$LOGIN" || true
[ "$(cat "$T/login.code")" = 302 ] || fail "the login once slapd went on: $(cat "$T/login.code") $(cat "$T/login.body")"
for secret in "$PW" "$SVCPW"; do
	grep -qF -- "$secret" "$T/hub.log" && fail "a password is in the hub's log"
done

# The hub stopped while a login waits in its child: it exits cleanly (no
# leak of the waiting login), and the client gets an answer.
kill -STOP "$SLAPD_PID"
rm -f "$T/jar"
page=$(curl -sk -m 10 -c "$T/jar" -b "$T/jar" "$URL/hub/login")
xsrf=$(printf '%s' "$page" | form_input _xsrf)
curl -sk -m 60 -c "$T/jar" -b "$T/jar" -o /dev/null -w '%{http_code}' \
	-H "Origin: $URL" --data-urlencode "username=$A" --data-urlencode "password@$T/pw.$A" \
	--data-urlencode "_xsrf=$xsrf" "$URL/hub/login" >"$T/login2.code" 2>/dev/null &
LOGIN=$!
bg_track "$LOGIN"
child=
for _ in $(seq 1 200); do
	child=$(pgrep -f "rig ldap-auth .*$A\$" | head -n 1 || true)
	[ -n "$child" ] && break
	sleep 0.05
done
[ -n "$child" ] || { kill -CONT "$SLAPD_PID"; fail "no second rig ldap-auth child"; }
hub_kill
kill -CONT "$SLAPD_PID"
[ "$HUB_RC" = 0 ] || fail "the hub exited with $HUB_RC while a login waited"
hub_log_clean
wait "$LOGIN" || true
note "the waiting login's answer as the hub stopped: $(cat "$T/login2.code")"
