#!/bin/bash
# rig up against a fresh SSH host in a network namespace: installs rig,
# sets up the hub as a supervised service, makes the admin account and
# prints URL, certificate fingerprint and password; a second up changes
# nothing. From the test's side: log in over HTTPS with that password and
# reach a user's server. Then status, stop, start, an up interrupted
# half-way and run again, and down (users' files kept) and down --purge.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1
cd "$P"
H=$(host_home 1)
A=$(host_addr 1)
U=$HOST_USER
URL=https://$A:8000
export URL

t0=$(now_ms)
"$RIG" up >"$T/up1.out" 2>&1 || fail "rig up: $(cat "$T/up1.out")"
t_up=$(($(now_ms) - t0))
note "rig up from scratch: $t_up ms"
cat "$T/up1.out"
for i in 1 2 3 4 5 6 7; do
	grep -q "^\[$i/7\] .*([0-9.]* s)$" "$T/up1.out" || fail "step $i not shown with its time"
done
grep -qx "hub: *$URL/" "$T/up1.out" || fail "no URL line for $URL"
fp=$(sed -n 's/^certificate: *SHA-256 //p' "$T/up1.out")
pw=$(sed -n 's/^password: *\([^ ]*\).*/\1/p' "$T/up1.out")
[ -n "$fp" ] && [ -n "$pw" ] || fail "no fingerprint or password printed"
served=$(openssl s_client -connect "$A:8000" </dev/null 2>/dev/null |
	openssl x509 -noout -fingerprint -sha256 | cut -d= -f2)
[ "$fp" = "$served" ] || fail "printed fingerprint $fp, the hub serves $served"
[ -x "$H/.local/bin/rig" ] || fail "rig not installed in ~/.local/bin"
pid1=$(cat "$H/.local/share/rig/hub.pid")
sum1=$(md5sum <"$H/.local/share/rig/hub.conf")
bin1=$(stat -c %Y.%i "$H/.local/bin/rig")

# Again: everything is there, nothing changes, no new password.
t0=$(now_ms)
"$RIG" up >"$T/up2.out" 2>&1 || fail "second rig up: $(cat "$T/up2.out")"
note "rig up again: $(($(now_ms) - t0)) ms"
grep -q 'is up to date' "$T/up2.out" || fail "second up reinstalled rig: $(cat "$T/up2.out")"
grep -q 'config unchanged' "$T/up2.out" || fail "second up rewrote the config"
grep -q 'password unchanged' "$T/up2.out" || fail "second up touched the admin"
grep -q '^password:' "$T/up2.out" && fail "second up printed a new password"
[ "$(cat "$H/.local/share/rig/hub.pid")" = "$pid1" ] || fail "second up restarted the hub"
[ "$(md5sum <"$H/.local/share/rig/hub.conf")" = "$sum1" ] || fail "hub.conf changed"
[ "$(stat -c %Y.%i "$H/.local/bin/rig")" = "$bin1" ] || fail "the binary was copied again"

# Log in from here, get a token over rig ssh, reach a user's server.
printf '%s' "$pw" >"$T/pw.$U"
login "$U"
TOKEN=$("$RIG" ssh -- .local/bin/rig token create "$U" --state-dir .local/share/rig/state |
	grep -oE '[0-9a-f]{64}' | head -n 1)
[ -n "$TOKEN" ] || fail "no token from rig ssh -- rig token create"
spawn "$U" "$TOKEN"
[ "$(TOKEN=$TOKEN api GET "/user/$U/api/status")" = 200 ] || fail "user server: $(body)"

# status: up, with the user's server.
"$RIG" status >"$T/st.out" 2>&1 || fail "rig status (up) exit $?: $(cat "$T/st.out")"
grep -q "^servers: *$U" "$T/st.out" || fail "status: $(cat "$T/st.out")"
"$RIG" status --json >"$T/st.json" || fail "rig status --json"
[ "$(json 'd["up"]' <"$T/st.json")" = true ] || fail "json up: $(cat "$T/st.json")"
[ "$(json 'd["hub"]["servers"]' <"$T/st.json")" = "[\"$U\"]" ] || fail "json servers: $(cat "$T/st.json")"
[ "$(json 'd["machine"]["cores"] > 0 and d["machine"]["disk_free"] > 0' <"$T/st.json")" = true ] ||
	fail "json machine: $(cat "$T/st.json")"
[ "$(json 'd["hub"]["fingerprint"]' <"$T/st.json")" = "$fp" ] || fail "json fingerprint"

# stop: the hub is down (status 3), the user's server goes on; start:
# the hub takes it over again.
"$RIG" stop >/dev/null 2>&1 || fail "rig stop"
rc=0
"$RIG" status >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "status after stop: exit $rc, not 3"
code=$(curl -sk -m 5 -o /dev/null -w '%{http_code}' "$URL/hub/api/" || true)
[ "$code" = 000 ] || fail "the hub still answers after stop ($code)"
"$RIG" start >"$T/start.out" 2>&1 || fail "rig start: $(cat "$T/start.out")"
grep -q "hub running at $URL/" "$T/start.out" || fail "start said: $(cat "$T/start.out")"
[ "$(TOKEN=$TOKEN api GET "/user/$U/api/status")" = 200 ] || fail "user server after start: $(body)"
cp "$H/.local/share/rig/hub.log" "$T/hub.log"
hub_log_clean

# down: the service, rig and .rig/ go; the users' files stay.
"$RIG" down >"$T/down.out" 2>&1 || fail "rig down: $(cat "$T/down.out")"
[ ! -e "$H/.local/bin/rig" ] || fail "rig still installed after down"
[ ! -e "$H/.local/share/rig/hub.conf" ] || fail "hub.conf still there after down"
[ -d "$H/.local/share/rig/state/workspaces/$U" ] || fail "down deleted the users' files"
[ ! -e "$P/.rig" ] || fail ".rig/ still here after down"
[ -f "$P/rig.conf" ] || fail "down deleted rig.conf"
for i in $(seq 1 50); do
	left=$(ip netns pids "${PREFIX}h1" | xargs -r ps -o args= -p | grep -v '^sshd' || true)
	[ -z "$left" ] && break
	sleep 0.1
done
[ -z "$left" ] || fail "processes left on the machine after down: $left"

# An up interrupted at some point is run again to completion, and the
# password it made is shown by one of the two.
"$RIG" up >"$T/upi.out" 2>&1 &
upid=$!
for i in $(seq 1 300); do
	grep -q '^\[3/7\]' "$T/upi.out" 2>/dev/null && break
	sleep 0.01
done
# (TERM: a background job of a script ignores SIGINT.)
kill -TERM "$upid" 2>/dev/null || true
wait "$upid" 2>/dev/null || true
note "interrupted up's last line: $(tail -n 1 "$T/upi.out")"
"$RIG" up >"$T/up3.out" 2>&1 || fail "rig up after an interrupted one: $(cat "$T/up3.out")"
pwfile=$T/up3.out
grep -q '^password:' "$T/upi.out" && pwfile=$T/upi.out
grep -q '^password:' "$pwfile" || fail "no password shown by either up: $(cat "$T/upi.out" "$T/up3.out")"
sed -n 's/^password: *\([^ ]*\).*/\1/p' "$pwfile" | tr -d '\n' >"$T/pw.$U"
login "$U"

# The states an interruption can leave, made on purpose: a broken binary,
# a supervisor killed (its hub left running), a password never shown.
rm -f "$H/.local/bin/rig"
printf 'broken\n' >"$H/.local/bin/rig"
kill -KILL "$(cat "$H/.local/share/rig/supervisor.pid")"
rm -f "$H/.local/share/rig/admin-shown"
"$RIG" up >"$T/up4.out" 2>&1 || fail "rig up repairing: $(cat "$T/up4.out")"
grep -q 'installed .local/bin/rig' "$T/up4.out" || fail "the broken binary was not replaced"
grep -q 'started on port 8000' "$T/up4.out" || fail "the hub was not started again: $(cat "$T/up4.out")"
sed -n 's/^password: *\([^ ]*\).*/\1/p' "$T/up4.out" | tr -d '\n' >"$T/pw.$U"
[ -s "$T/pw.$U" ] || fail "no new password for the unshown one: $(cat "$T/up4.out")"
login "$U"
[ "$(ip netns pids "${PREFIX}h1" | xargs -r ps -o args= -p | grep -c ' hub --config')" = 1 ] ||
	fail "not exactly one hub after the repair"

"$RIG" down --purge >"$T/down2.out" 2>&1 || fail "rig down --purge: $(cat "$T/down2.out")"
[ ! -e "$H/.local/share/rig" ] || fail "down --purge kept the users' files"
[ ! -e "$H/work/m1" ] || fail "down --purge kept remote_dir"
# down where rig is not (any more): nothing to remove, forgotten here.
"$RIG" down >"$T/down3.out" 2>&1 || fail "rig down without rig there: $(cat "$T/down3.out")"
grep -q 'was not installed' "$T/down3.out" || fail "down said: $(cat "$T/down3.out")"
cd /
