#!/bin/bash
# Deleting a user ends everything of theirs and removes their Unix account,
# home and runtime directory (/run/rig/ACCOUNT), through the API and with
# `rig user delete` (--keep-home moves the home aside, named with the
# date); a user re-created with the same name starts from a new, empty
# home.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
rig_user_add root0 --admin
ALICE=$(rig_token alice)
ADMIN=$(rig_token root0)
hub_config
hub_start
A=${PREFIX}alice

# setup_alice: alice's server (running already but the first time), a
# file in her home, a setsid daemon; sets HOME_A and SLEEPER. The daemon's
# session is new before Popen returns (start_new_session): a `setsid`
# program could still be in the kernel's process group when runcell shuts
# the kernel down, and ipykernel ends the children of its group then.
setup_alice() {
	[ -n "$(server_pid alice)" ] || spawn alice "$ALICE"
	HOME_A=$(getent passwd "$A" | cut -d: -f6)
	out=$($PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" \
		'import subprocess; open("old-secret.txt", "w").write("x"); subprocess.Popen(["sleep", "1000"], start_new_session=True).pid') ||
		fail "runcell: $out"
	SLEEPER=$(echo "$out" | tail -n 1)
	pid_alive "$SLEEPER" || fail "no sleeper: $out"
	[ -f "$HOME_A/old-secret.txt" ] || fail "no file in alice's home"
	[ -S "/run/rig/$A/jupyter.sock" ] || fail "no socket in alice's runtime directory"
}

# gone_all: alice's processes, account and cgroup are gone.
gone_all() {
	for _ in $(seq 1 100); do
		pid_alive "$SLEEPER" || break
		sleep 0.1
	done
	pid_alive "$SLEEPER" && fail "$1: alice's setsid sleep survived"
	for _ in $(seq 1 100); do
		getent passwd "$A" >/dev/null || break
		sleep 0.1
	done
	getent passwd "$A" >/dev/null && fail "$1: account $A still there"
	[ -e "/run/rig/$A" ] && fail "$1: runtime directory /run/rig/$A left"
	return 0
}

# fresh_alice: re-created, alice's new server sees none of the old files.
fresh_alice() {
	rig_user_add alice
	ALICE=$(rig_token alice)
	spawn alice "$ALICE"
	h=$(getent passwd "$A" | cut -d: -f6)
	[ -e "$h/old-secret.txt" ] && fail "$1: the new alice sees the old alice's file"
	out=$($PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" \
		'import os; os.path.exists("old-secret.txt")') || fail "runcell: $out"
	echo "$out" | tail -n 1 | grep -q False || fail "$1: the new alice's kernel sees the old file: $out"
	[ "$(stat -c %a "$h")" = 700 ] || fail "$1: new home mode $(stat -c %a "$h")"
}

# Through the API.
setup_alice
TOKEN=$ADMIN
[ "$(api DELETE /hub/api/users/alice)" = 204 ] || fail "DELETE /hub/api/users/alice: $(body)"
gone_all "API delete"
[ -e "$HOME_A" ] && fail "API delete: home $HOME_A left"
fresh_alice "after the API delete"

# With the CLI, keeping the home aside.
setup_alice
"$RIG" user delete alice --keep-home --state-dir "$T/state" || fail "rig user delete --keep-home"
gone_all "rig user delete --keep-home"
[ -e "$HOME_A" ] && fail "--keep-home: the home is still at $HOME_A"
kept=
for d in "$HOME_A".deleted-"$(date -u +%Y%m%d)"-*; do
	[ -d "$d" ] && kept=$d
done
[ -n "$kept" ] || fail "--keep-home: no $HOME_A.deleted-DATE"
AT_EXIT="rm -rf ${kept:?}"
[ -f "$kept/old-secret.txt" ] || fail "--keep-home: the kept home lost its files"
[ "$(stat -c %U:%a "$kept")" = root:700 ] || fail "--keep-home: kept home is $(stat -c %U:%a "$kept")"
# The hub notices the server went.
for _ in $(seq 1 50); do
	grep -q "server alice: " "$T/hub.log" && [ -z "$(server_pid alice)" ] && break
	sleep 0.1
done
fresh_alice "after rig user delete --keep-home"

# With the CLI, home and all.
HOME_A=$(getent passwd "$A" | cut -d: -f6)
SLEEPER=$(server_pid alice)
"$RIG" user delete alice --state-dir "$T/state" || fail "rig user delete"
gone_all "rig user delete"
[ -e "$HOME_A" ] && fail "rig user delete: home $HOME_A left"
hub_stop
