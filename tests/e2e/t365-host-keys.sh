#!/bin/bash
# A project does not accept a host key the user's own ssh calls CHANGED
# (issue 16, item 7): rig checks the user's ~/.ssh/known_hosts as well as
# its own .rig/known_hosts. With another key for the host there, a new
# project refuses to log in and says why; with the right key there, or
# none, it logs in (and learns a new key into .rig/known_hosts only).
. "$(dirname "$0")/lib.sh"

hosts_up 1
A=$(host_addr 1)
mkdir -p "$T/roothome/.ssh"
# as_user CMD: CMD with root's home (where ssh and rig find ~) replaced
# by $T/roothome, in a private mount namespace.
as_user() {
	unshare --mount --propagation private sh -c 'mount --bind "$0" /root && exec "$@"' \
		"$T/roothome" "$@"
}
# The key the user's ssh saw for this address: another one.
printf '%s %s\n' "$A" "$(cut -d' ' -f1,2 "$HOST_WRONG_KEY.pub")" >"$T/roothome/.ssh/known_hosts"
P=$T/proj
project_init "$P" 1
mkdir -p "$(host_home 1)/work/m1"
chown -R "$HOST_USER:$HOST_USER" "$(host_home 1)/work"
cd "$P"
as_user "$RIG" exec --no-sync -- true >"$T/ex1.out" 2>&1 &&
	fail "a new project accepted a host key the user's known_hosts calls changed"
grep -q "host key of $A is not the one seen before" "$T/ex1.out" ||
	fail "unclear message: $(cat "$T/ex1.out")"
grep -q ssh-ed25519 .rig/known_hosts 2>/dev/null && fail "the changed key was learnt"

# The right key in the user's file: logs in, and learns nothing more.
ssh-keyscan -t ed25519 "$A" 2>/dev/null >"$T/roothome/.ssh/known_hosts"
[ -s "$T/roothome/.ssh/known_hosts" ] || fail "ssh-keyscan found no key"
as_user "$RIG" exec --no-sync -- true >"$T/ex2.out" 2>&1 || fail "the known key was refused: $(cat "$T/ex2.out")"
# No key anywhere: accept-new into the project's own file (another
# project: this one's shared connection is still open).
: >"$T/roothome/.ssh/known_hosts"
project_init "$T/proj2" 1
cd "$T/proj2"
as_user "$RIG" exec --no-sync -- true >"$T/ex3.out" 2>&1 || fail "a new host was refused: $(cat "$T/ex3.out")"
grep -q ssh-ed25519 .rig/known_hosts || fail "the new key is not in .rig/known_hosts"
[ ! -s "$T/roothome/.ssh/known_hosts" ] || fail "rig wrote the user's known_hosts"
exit 0
