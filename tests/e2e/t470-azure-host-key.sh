#!/bin/bash
# The first login to a new Azure VM is not blind (issue 16, item 7): rig
# makes the VM's host key in .rig/, hands it to the VM in cloud-init's
# customData (the ARM double plays cloud-init: the key becomes the test
# host's sshd key) and pins it in .rig/known_hosts before its first ssh.
# A VM that shows another key at its address (a man in the middle, here:
# a double that does not play cloud-init) is refused, not learnt.
. "$(dirname "$0")/lib.sh"

azure_host
azure_project hk1
"$RIG" up >"$T/up1.out" 2>&1 || fail "rig up: $(cat "$T/up1.out")"
[ -f .rig/host_ed25519 ] && [ -f .rig/host_ed25519.pub ] || fail "rig made no host key"
pub=$(cut -d' ' -f1,2 .rig/host_ed25519.pub)
grep -qx "$A $pub" .rig/known_hosts || fail "the host key is not pinned: $(cat .rig/known_hosts)"
[ "$(grep -c . .rig/known_hosts)" = 1 ] || fail "other keys learnt: $(cat .rig/known_hosts)"
ssh-keyscan -t ed25519 "$A" 2>/dev/null | cut -d' ' -f2,3 >"$T/scan"
[ "$(cat "$T/scan")" = "$pub" ] || fail "the VM does not show rig's key: $(cat "$T/scan")"
"$RIG" status >"$T/st.out" 2>&1 || fail "rig status: $(cat "$T/st.out")"
azure_violations

# Another double, which puts no key on its VMs: the host still shows the
# first project's key, which is not the new project's.
kill ${BG_PIDS##* } 2>/dev/null
rm -f "$T/az.port"
azure_double_up --public-ip "$A" --authorized-keys "$H/.ssh/authorized_keys"
azure_project hk2
"$RIG" up >"$T/up2.out" 2>&1 && fail "rig up logged in to a VM showing another host key"
grep -q "host key of $A is not the one seen before" "$T/up2.out" ||
	fail "unclear message: $(cat "$T/up2.out")"
[ "$(grep -c . .rig/known_hosts)" = 1 ] || fail "the other key was learnt: $(cat .rig/known_hosts)"
exit 0
