#!/bin/bash
# 40 servers stopped at the same moment all stop, and their cgroups go.
# The hub asks the privileged helper over a SOCK_SEQPACKET socketpair that
# holds only net.unix.max_dgram_qlen (10) unread packets: a burst of stops
# (a signal each, then a cgroup kill, the account's processes, the
# cgroup's removal) fills it while the helper kills cgroups. Requests that
# find it full must wait their turn, not be dropped ("cannot send a
# request"), or the servers keep running and the hub kills them 10 s late
# ("did not stop") or never learns that they ended.
. "$(dirname "$0")/lib.sh"

N=40
ECHO=$TOP/tests/helpers/echoserver.py
rig_user_add root0 --admin
for i in $(seq 1 $N); do rig_user_add "u$i"; done
TOKEN=$(rig_token root0)
hub_config "admin_access = yes" "server_cmd = $PY $ECHO {port} {username}" "spawn_timeout = 150"
hub_start

# Started a few at a time (each new account is a useradd), all running.
for i in $(seq 1 $N); do
	code=$(api POST "/hub/api/users/u$i/server")
	case $code in 201 | 202) ;; *) fail "start u$i: $code $(body)" ;; esac
done
for i in $(seq 1 $N); do wait_ready "u$i" "$TOKEN"; done
note "$N servers running"
hub_log_clean

# All stopped at once.
pids=
for i in $(seq 1 $N); do
	curl -sk -m 30 -o /dev/null -w '%{http_code}\n' -X DELETE -H "Authorization: token $TOKEN" \
		"$URL/hub/api/users/u$i/server" >"$T/del.u$i" &
	pids="$pids $!"
done
# shellcheck disable=SC2086 # a list of curl pids
wait $pids
for i in $(seq 1 $N); do
	case $(cat "$T/del.u$i") in 202 | 204) ;; *) fail "stop u$i: $(cat "$T/del.u$i")" ;; esac
done

# Every server ends (the stand-in exits on SIGTERM at once) and the hub
# knows it; then every cgroup is gone.
deadline=$(($(now_ms) + 60000))
left=$(seq 1 $N)
while [ -n "$left" ]; do
	still=
	for i in $left; do
		[ "$(api GET "/hub/api/users/u$i")" = 200 ] || fail "GET u$i: $(body)"
		[ "$(json 'd["servers"] == {} and d["pending"] is None' <"$T/body")" = true ] || still="$still $i"
	done
	left=$still
	[ -z "$left" ] && break
	[ "$(now_ms)" -lt "$deadline" ] || fail "still running 60 s after the stop:$left"
	sleep 0.5
done
for i in $(seq 1 $N); do
	[ -z "$(server_pid "u$i")" ] || fail "u$i: a process of ${PREFIX}u$i is left: $(server_pid "u$i")"
done
for _ in $(seq 1 200); do
	ls -d /sys/fs/cgroup/*/rig/"$PREFIX"u* >/dev/null 2>&1 || break
	sleep 0.1
done
ls -d /sys/fs/cgroup/*/rig/"$PREFIX"u* >/dev/null 2>&1 &&
	fail "cgroups left: $(ls -d /sys/fs/cgroup/*/rig/"$PREFIX"u* | head -n 3)"
grep -q 'cannot send a request' "$T/hub.log" &&
	fail "requests to the helper were dropped: $(grep -c 'cannot send a request' "$T/hub.log") times"
grep -q 'did not stop in' "$T/hub.log" &&
	fail "a SIGTERM never arrived: $(grep 'did not stop in' "$T/hub.log" | head -n 1)"
hub_stop
