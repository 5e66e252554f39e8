#!/bin/bash
# authenticator = pam, the server's side: a user who signed in with their
# Unix password gets a server running as that very account (no prefix, no
# useradd), with all its groups, inside a PAM session the privileged
# helper's 'rig sandbox' opened (pam_exec logs open_session; pam_loginuid
# gives the server the account's login uid). The session outlives a hub
# restart and closes when the server stops (pam_exec logs close_session).
# Stopping the server leaves the account's other processes alone (they
# are the person's, not the server's), a server for a user whose account
# vanished fails to start, and deleting the user keeps the Unix account.
. "$(dirname "$0")/lib.sh"

# The PAM service of this run: Debian's common stacks, plus pam_exec
# logging each session's opening and closing, and pam_loginuid.
SVC=${PREFIX}hub
PAMD=/etc/pam.d/$SVC
AT_EXIT='rm -f "$PAMD"'
cat >"$T/pamlog.sh" <<EOS
#!/bin/sh
echo "\$PAM_TYPE \$PAM_USER \$PAM_SERVICE" >>"$T/pam.log"
EOS
chmod 700 "$T/pamlog.sh"
cat >"$PAMD" <<EOS
@include common-auth
@include common-account
session required pam_loginuid.so
session optional pam_exec.so $T/pamlog.sh
@include common-session
EOS

# account NAME [GROUP...]: a Unix account with a password (in $T/pw.NAME).
account() {
	local name=$1 pw
	shift
	useradd -m -s /bin/bash "$name" || fail "useradd $name"
	pw=Pw-$(rand_str 16)
	printf '%s' "$pw" >"$T/pw.$name"
	echo "$name:$pw" | chpasswd || fail "chpasswd $name"
	for g in "$@"; do usermod -a -G "$g" "$name" || fail "usermod -G $g $name"; done
}
groupadd "${PREFIX}data" || fail "groupadd"
A=${PREFIX}alice
account "$A" "${PREFIX}data"
auid=$(id -u "$A")

hub_config "authenticator = pam" "pam_service = $SVC" \
	"server_cmd = $PY $TOP/tests/helpers/echoserver.py {port} {username}"
hub_start
grep -q "authenticator = pam" "$T/hub.log" || fail "the hub does not say it uses PAM"

login "$A" /hub/home # starts no server: spawn below does
# The user row was made at the first login: a token for the API.
TOKEN=$(rig_token "$A")
spawn "$A" "$TOKEN"

pid=$(pgrep -o -u "$A" -f "echoserver.py") || fail "no server running as $A"
[ "$(stat -c %u "/proc/$pid")" = "$auid" ] || fail "the server is not $A's"
grep -q "^Groups:.*\b$(getent group "${PREFIX}data" | cut -d: -f3)\b" "/proc/$pid/status" ||
	fail "the server lacks the account's group ${PREFIX}data: $(grep Groups "/proc/$pid/status")"
[ "$(cat "/proc/$pid/loginuid")" = "$auid" ] ||
	fail "the server's login uid is $(cat "/proc/$pid/loginuid"), not $auid: no PAM session around it"
grep -qx "open_session $A $SVC" "$T/pam.log" || fail "no session opened: $(cat "$T/pam.log" 2>/dev/null)"
grep -q "close_session" "$T/pam.log" && fail "a session closed while the server runs"
# The keeper holds it: root, outside the server's cgroup.
keepers=$(pgrep -x rig-pam-session || true)
[ -n "$keepers" ] || fail "no rig-pam-session process"
[ "$(getent passwd "$A" | cut -d: -f6)" = "$(readlink "/proc/$pid/cwd")" ] ||
	fail "the server does not run in the account's home"
[ "$(api GET "/user/$A/x")" = 200 ] || fail "proxy to the server: $(body)"

# Something else of the person's, outside the server (an ssh login).
setsid su -s /bin/sh -c 'exec sleep 300' "$A" </dev/null >/dev/null 2>&1 &
other=
for _ in $(seq 1 50); do
	other=$(pgrep -u "$A" -x sleep || true)
	[ -n "$other" ] && break
	sleep 0.1
done
[ -n "$other" ] || fail "no sleep of $A"

# A restart: the server is taken over, its session stays open.
hub_stop
grep -q "close_session" "$T/pam.log" && fail "the hub's stop closed the session"
pid_alive "$pid" || fail "the server died with the hub"
hub_start
wait_ready "$A" "$TOKEN"
grep -q "close_session" "$T/pam.log" && fail "the restart closed the session"

code=$(TOKEN=$TOKEN api DELETE "/hub/api/users/$A/server")
case $code in 202 | 204) ;; *) fail "stop: $code $(body)" ;; esac
for _ in $(seq 1 100); do
	grep -q "^close_session $A" "$T/pam.log" && break
	sleep 0.1
done
grep -qx "close_session $A $SVC" "$T/pam.log" || fail "the session was not closed: $(cat "$T/pam.log")"
pid_alive "$pid" && fail "the server still runs"
pid_alive "$other" || fail "stopping the server killed another process of $A"
kill "$other" 2>/dev/null

# Passwords are the accounts': no password page, no 'rig user passwd',
# and 'rig user add' takes only an existing person's account.
code=$(curl -sk -m 10 -b "$T/jar.$A" -o /dev/null -w '%{http_code}' "$URL/hub/password")
[ "$code" = 404 ] || fail "GET /hub/password gave $code, not 404"
curl -sk -m 10 -b "$T/jar.$A" "$URL/hub/home" | grep -q 'href="/hub/password"' &&
	fail "the pages link to a password page"
echo x | rig_cli user passwd "$A" --password-stdin 2>/dev/null && fail "rig user passwd worked"
rig_cli user add "${PREFIX}nobody" 2>/dev/null && fail "rig user add made a user with no Unix account"
rig_cli user add daemon 2>/dev/null && fail "rig user add made a user of a system account"

# A user whose account vanished gets no server (and none is made).
B=${PREFIX}bob
account "$B"
rig_cli user add "$B" >/dev/null || fail "rig user add $B"
userdel -r "$B" 2>/dev/null
code=$(TOKEN=$(rig_token "$B") api POST "/hub/api/users/$B/server")
for _ in $(seq 1 50); do
	TOKEN=$(rig_token "$B") api GET "/hub/api/users/$B" >/dev/null
	grep -q "no Unix account" "$T/hub.log" && break
	sleep 0.1
done
grep -q "there is no Unix account '$B'" "$T/hub.log" || fail "no failed start for $B (start: $code)"
getent passwd "$B" >/dev/null && fail "the hub made an account for $B"

# An account that expired since its login gets no server: PAM's account
# management is asked again at the start.
C=${PREFIX}carol
account "$C"
login "$C" /hub/home # a login that starts no server
chage -E 0 "$C" || fail "chage"
CTOKEN=$(rig_token "$C")
code=$(TOKEN=$CTOKEN api POST "/hub/api/users/$C/server")
case $code in 201 | 202) ;; *) fail "carol's start: $code $(body)" ;; esac
for _ in $(seq 1 100); do
	grep -q "server $C: start failed" "$T/hub.log" && break
	sleep 0.1
done
grep -q "refused the account (pam_acct_mgmt) for $C" "$T/state/logs/$C.log" ||
	fail "carol's expired account got a server: $(cat "$T/state/logs/$C.log" 2>/dev/null)"
pgrep -u "$C" >/dev/null && fail "a process runs as carol"
[ "$(grep -c "open_session $C" "$T/pam.log")" = 0 ] || fail "a session was opened for carol"

# Deleting the user keeps the Unix account and its home.
rig_cli user delete "$A" || fail "rig user delete $A"
getent passwd "$A" >/dev/null || fail "deleting the user removed the Unix account"
[ -d "$(getent passwd "$A" | cut -d: -f6)" ] || fail "deleting the user removed the home"
hub_stop
