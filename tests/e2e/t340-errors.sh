#!/bin/bash
# What goes wrong is said clearly, and fast: no host at the address, no
# sshd on the port, a key the machine refuses, an OS rig up cannot set up,
# a full disk, packages to install without root or sudo.
. "$(dirname "$0")/lib.sh"

HOST_MODE_2=diskfull
HOST_MODE_3=os:alpine
hosts_up 3

# expect_fail NAME MAX_MS REGEX CMD...: CMD fails within MAX_MS with a
# line matching REGEX on its error output.
expect_fail() {
	local name=$1 max=$2 re=$3 t0 ms rc=0
	shift 3
	t0=$(now_ms)
	"$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	ms=$(($(now_ms) - t0))
	note "$name: exit $rc in $ms ms: $(head -n 1 "$T/$name.err")"
	[ "$rc" != 0 ] || fail "$name: succeeded"
	grep -Eq "$re" "$T/$name.err" || fail "$name: said '$(cat "$T/$name.err")', not /$re/"
	[ "$ms" -le "$max" ] || fail "$name: took $ms ms (at most $max)"
	grep -q 'AddressSanitizer\|runtime error' "$T/$name.err" && fail "$name: sanitizer report"
	return 0
}

# No machine at the address (nothing answers ARP on the bridge).
project_init "$T/p-nohost" 1 --host "$HOSTS_NET.250"
cd "$T/p-nohost"
expect_fail nohost 12000 "^rig: cannot reach $HOSTS_NET.250 port 22: (no route to host|no answer within)" "$RIG" up
rc=0
"$RIG" status >"$T/st.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "status of an unreachable machine: exit $rc, not 1"

# A machine without sshd on that port.
project_init "$T/p-noport" 1 --port 2222
cd "$T/p-noport"
expect_fail refused 3000 "^rig: cannot reach $(host_addr 1) port 2222: connection refused" "$RIG" sync up

# A key the machine does not know.
project_init "$T/p-key" 1 --identity "$HOST_WRONG_KEY"
cd "$T/p-key"
expect_fail wrongkey 5000 "^rig: $HOST_USER@$(host_addr 1) refused the key '$HOST_WRONG_KEY'" "$RIG" up
expect_fail wrongkey-exec 5000 "refused the key" "$RIG" exec -- true

# An OS rig up does not know how to set up.
project_init "$T/p-os" 3
cd "$T/p-os"
expect_fail os 5000 "^rig: unsupported OS on $(host_addr 3): 'alpine' \(rig up needs Debian or Ubuntu" "$RIG" up
[ ! -e "$(host_home 3)/.local/bin/rig" ] || fail "rig was installed on an unsupported OS"

# A full disk.
project_init "$T/p-disk" 2
cd "$T/p-disk"
expect_fail disk 5000 "^rig: disk full on the machine: 0 MB free" "$RIG" up

# Packages missing, no root, no sudo.
project_init "$T/p-sudo" 1
cd "$T/p-sudo"
printf '[machine]\npackages = rig-test-no-such-package\n' >>rig.conf
expect_fail sudo 5000 "^rig: sudo missing: $HOST_USER is not root on the machine .*rig-test-no-such-package" "$RIG" up
cd /
