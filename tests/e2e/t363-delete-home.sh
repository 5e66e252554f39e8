#!/bin/bash
# --delete and --purge never reach a home (issue 16, item 5): with
# remote_dir = ~ (or the home's absolute path, a folder above it, or a
# symlink to it), 'rig sync up --delete' refuses before rsync runs, so
# .ssh/authorized_keys survives and rig still logs in; 'rig down --purge'
# refuses any home directory, not only '.'. An ordinary remote_dir still
# syncs with --delete.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
H=$(host_home 1)
project_init "$P" 1
cd "$P"
printf 'x\n' >only-here.txt
# What the machine's shell sees as the home (bind-mounted there).
RH=$(host_ssh 1 'cd && pwd -P')
ln -s "$RH" "$H/link-home"
chown -h "$HOST_USER:$HOST_USER" "$H/link-home"
cp rig.conf "$T/rig.conf.orig"
# shellcheck disable=SC2088 # a literal ~, as rig.conf has it
for d in '~' '~/' "$RH" "$(dirname "$RH")" / '~/link-home' '~/link-home/.'; do
	cp "$T/rig.conf.orig" rig.conf
	sed -i "s|^remote_dir = .*|remote_dir = $d|" rig.conf
	grep -q "^remote_dir = $d\$" rig.conf || fail "test setup: remote_dir $d"
	"$RIG" sync up --delete >"$T/up.out" 2>&1 && fail "sync up --delete into '$d' ran: $(cat "$T/up.out")"
	grep -q "refusing: remote_dir .* a home directory" "$T/up.out" ||
		fail "unclear message for '$d': $(cat "$T/up.out")"
	[ -s "$H/.ssh/authorized_keys" ] || fail "sync up --delete into '$d' deleted authorized_keys"
	[ -e "$H/.profile" ] || fail "sync up --delete into '$d' deleted .profile"
done
"$RIG" exec -- true >"$T/ex.out" 2>&1 || fail "cannot log in any more: $(cat "$T/ex.out")"

# An ordinary folder: --delete works.
cp "$T/rig.conf.orig" rig.conf
"$RIG" sync up >/dev/null 2>&1 || fail "sync up"
R=$H/work/m1
printf 'stale\n' >"$R/stale.txt"
mkdir -p "$R/.ssh"
printf 'k\n' >"$R/.ssh/authorized_keys"
chown -R "$HOST_USER:$HOST_USER" "$R"
"$RIG" sync up --delete >"$T/up2.out" 2>&1 || fail "sync up --delete: $(cat "$T/up2.out")"
[ ! -e "$R/stale.txt" ] || fail "--delete did not delete"
[ -e "$R/.ssh/authorized_keys" ] || fail "--delete deleted a .ssh folder"

# down --purge: never a home, whatever the path.
# shellcheck disable=SC2088 # a literal ~, as rig.conf has it
for d in "$RH" '~/link-home'; do
	cp "$T/rig.conf.orig" rig.conf
	sed -i "s|^remote_dir = .*|remote_dir = $d|" rig.conf
	"$RIG" down --purge --yes >"$T/down.out" 2>&1 && fail "down --purge with remote_dir $d ran"
	grep -q "refusing: remote_dir .* a home directory" "$T/down.out" ||
		fail "down --purge: unclear message for '$d': $(cat "$T/down.out")"
	[ -s "$H/.ssh/authorized_keys" ] || fail "down --purge deleted the home ($d)"
done
exit 0
