#!/bin/bash
# Privilege separation: started as root, the hub splits into a root helper
# and a network-facing process that runs as the 'rig' account. The process
# listening on the hub's port is not uid 0 and cannot become root again;
# the helper is root and holds no network socket; the state directory is
# rig's; a spawn, stop and spawn again works, and a server taken over
# after a restart is stopped by the new helper; a CLI change made as root
# while the hub runs leaves files the hub can still write; and killing
# either half ends the other instead of leaving it half-privileged.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || fail "needs root"

# listener_pid PORT: the pid of the process holding the listening socket.
listener_pid() {
	local inode f
	inode=$(awk -v p="$(printf '%04X' "$1")" \
		'$4 == "0A" { split($2, a, ":"); if (a[2] == p) { print $10; exit } }' \
		/proc/net/tcp /proc/net/tcp6)
	[ -n "$inode" ] || return 0
	for f in /proc/[0-9]*/fd/*; do
		if [ "$(readlink "$f" 2>/dev/null)" = "socket:[$inode]" ]; then
			f=${f#/proc/}
			echo "${f%%/*}"
			return 0
		fi
	done
}

# uids PID: real, effective, saved and file-system uids.
uids() {
	sed -n 's/^Uid:[[:space:]]*//p' "/proc/$1/status" | tr -s '\t ' ' '
}

# helper_of PID: the privileged helper, the hub's child named rig-priv.
helper_of() {
	pgrep -P "$1" -x rig-priv || true
}

# net_sockets PID: the inet sockets (any state) among PID's descriptors.
net_sockets() {
	local f link inode
	for f in /proc/"$1"/fd/*; do
		link=$(readlink "$f" 2>/dev/null) || continue
		case $link in socket:*) ;; *) continue ;; esac
		inode=${link#socket:[}
		inode=${inode%]}
		if awk -v i="$inode" '$10 == i { found = 1 } END { exit !found }' \
			/proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 \
			/proc/net/raw /proc/net/raw6; then
			echo "$f"
		fi
	done
}

# The state directory's parent is root's alone: the hub, once rig, works
# inside the state directory and needs no way through it.
chmod 700 "$T"
rig_uid=
rig_user_add alice
TOKEN=$(rig_token alice)
hub_config
hub_start
rig_uid=$(id -u rig) || fail "no 'rig' account after the hub started"
[ "$rig_uid" != 0 ] || fail "the rig account is root"
grep -q "dropped root: the hub runs as 'rig'" "$T/hub.log" || fail "no 'dropped root' in the log"

# The listener is the hub, and the hub is rig through and through.
lp=$(listener_pid "$PORT")
[ -n "$lp" ] || fail "no process holds the listening socket of port $PORT"
[ "$lp" = "$HUB_PID" ] || fail "port $PORT is held by pid $lp, not the hub ($HUB_PID)"
[ "$(uids "$lp")" = "$rig_uid $rig_uid $rig_uid $rig_uid" ] ||
	fail "the listening process has uids $(uids "$lp"), not all $rig_uid"
grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$lp/status" ||
	fail "the listening process has capabilities: $(grep Cap "/proc/$lp/status")"
grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$lp/status" ||
	fail "the hub may gain privileges through exec (NoNewPrivs not set)"
groups=$(sed -n 's/^Groups:[[:space:]]*//p' "/proc/$lp/status" | tr -d ' \t')
[ "$groups" = "$(id -g rig)" ] || fail "the hub keeps groups '$groups'"

# The helper: root, no inet socket at all, let alone a listening one.
helper=$(helper_of "$HUB_PID")
[ -n "$helper" ] || fail "no privileged helper (rig-priv) under the hub"
[ "$(uids "$helper")" = "0 0 0 0" ] || fail "the helper is not root: $(uids "$helper")"
socks=$(net_sockets "$helper")
[ -z "$socks" ] || fail "the helper holds network sockets: $socks"
# Its one socket is the socketpair to the hub.
nsock=$(ls -l /proc/"$helper"/fd | grep -c 'socket:' || true)
[ "$nsock" = 1 ] || fail "the helper holds $nsock sockets: $(ls -l /proc/"$helper"/fd)"

# The state directory and everything in it belong to rig.
[ "$(stat -c %U "$T/state")" = rig ] || fail "the state directory is $(stat -c %U "$T/state")'s"
left=$(find "$T/state" ! -user rig)
[ -z "$left" ] || fail "state files not rig's: $left"

# Spawn: the server runs as alice's account, started by the helper.
spawn alice "$TOKEN"
pid=$(server_pid alice)
[ -n "$pid" ] || fail "no server process"
[ "$(stat -c %u "/proc/$pid")" = "$(id -u "${PREFIX}alice")" ] || fail "the server is not alice's"
ppid=$(awk '{ print $4 }' "/proc/$pid/stat")
[ "$ppid" = "$helper" ] || fail "the server's parent is $ppid, not the helper $helper"
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "status through the proxy: $(body)"
# The helper's end of the socketpair stays with the helper.
hsock=$(readlink "/proc/$helper/fd/3")
for f in /proc/"$pid"/fd/*; do
	[ "$(readlink "$f" 2>/dev/null)" != "$hsock" ] || fail "the server holds the helper's socket ($f)"
done

# Stop: the helper's report of the end reaches the hub.
code=$(api DELETE /hub/api/users/alice/server)
case $code in 202 | 204) ;; *) fail "DELETE server: $code $(body)" ;; esac
for i in $(seq 1 75); do
	pid_alive "$pid" || break
	sleep 0.2
done
pid_alive "$pid" && fail "server pid $pid still runs 15 s after DELETE"
for i in $(seq 1 50); do
	[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
	[ "$(json 'd["servers"]' <"$T/body")" = '{}' ] && break
	sleep 0.2
done
[ "$(json 'd["servers"]' <"$T/body")" = '{}' ] || fail "servers not {} after stop: $(body)"

# Spawn again, then a restart: the new hub's helper stops the server it
# did not start (a child of the old helper, now of init).
spawn alice "$TOKEN"
pid=$(server_pid alice)
hub_stop
pid_alive "$pid" || fail "the server died with the hub"
for i in $(seq 1 50); do
	[ -z "$(helper_of 1)" ] && ! kill -0 "$helper" 2>/dev/null && break
	sleep 0.1
done
kill -0 "$helper" 2>/dev/null && fail "the helper $helper outlived the hub"
hub_start
helper=$(helper_of "$HUB_PID")
[ -n "$helper" ] || fail "no helper after the restart"
wait_ready alice "$TOKEN"
code=$(api DELETE /hub/api/users/alice/server)
case $code in 202 | 204) ;; *) fail "DELETE server after restart: $code $(body)" ;; esac
for i in $(seq 1 75); do
	pid_alive "$pid" || break
	sleep 0.2
done
pid_alive "$pid" && fail "the taken-over server pid $pid still runs 15 s after DELETE"

# A CLI change as root while the hub runs: files stay rig's and the hub
# still writes (a login stores a session).
rig_user_add bob
TOKEN_B=$(rig_token bob)
left=$(find "$T/state" ! -user rig)
[ -z "$left" ] || fail "after the CLI, state files not rig's: $left"
login bob
[ "$(TOKEN=$TOKEN_B api GET /hub/api/user)" = 200 ] || fail "bob's CLI token: $(body)"
[ "$(TOKEN=$TOKEN_B api POST /hub/api/users/bob/tokens -d '{"note": "x"}')" = 201 ] ||
	fail "the hub cannot write after the CLI: $(body)"
grep -q 'readonly\|attempt to write' "$T/hub.log" && fail "the database went read-only: $(grep -m1 readonly "$T/hub.log")"

# The helper killed: the hub stops, non-zero, rather than run without it.
kill -KILL "$helper"
rc=
for i in $(seq 1 100); do
	if ! kill -0 "$HUB_PID" 2>/dev/null; then
		rc=0
		wait "$HUB_PID" || rc=$?
		break
	fi
	sleep 0.1
done
[ -n "$rc" ] || fail "the hub still runs 10 s after its helper was killed"
[ "$rc" != 0 ] || fail "the hub exited 0 after losing its helper"
HUB_PID=
grep -q "privileged helper.*cannot go on" "$T/hub.log" || fail "no log line about the lost helper"
hub_log_clean

# The hub killed: the helper exits.
hub_start
helper=$(helper_of "$HUB_PID")
[ -n "$helper" ] || fail "no helper after the second restart"
kill -KILL "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
HUB_PID=
for i in $(seq 1 50); do
	kill -0 "$helper" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$helper" 2>/dev/null && fail "the helper $helper outlived a killed hub"
hub_log_clean
exit 0
