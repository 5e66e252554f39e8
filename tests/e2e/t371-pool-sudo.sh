#!/bin/bash
# rig up of a pool whose login is not root but has password-less sudo on
# the head and the node (as on a cloud image): every pool step runs through
# 'sudo -n', the munge key on standard input included, and a job runs on
# the node. Without sudo on the node, rig up says root is needed there.
. "$(dirname "$0")/lib.sh"

pool_hosts_up 2
H=$(host_addr 1)
N2=$(host_addr 2)
for i in 1 2; do
	printf '%s ALL=(ALL) NOPASSWD: ALL\n' "$HOST_USER" >"$HOSTS_DIR/h$i/etc/sudoers.d/rig-test"
	chmod 440 "$HOSTS_DIR/h$i/etc/sudoers.d/rig-test"
done
host_ssh 2 'sudo -n id -u' | grep -qx 0 || fail "the test user has no sudo on the node"
P=$T/proj
project_init "$P" 1
printf '[partition cpu]\nhosts = %s\n' "$N2" >>"$P/rig.conf"
in_project "$P" "$RIG" up >"$T/up.out" 2>&1 && fail "rig up took a partition without [pool]"
grep -q "needs a \[pool\] with its settings" "$T/up.out" || fail "no message for a partition without [pool]: $(cat "$T/up.out")"
sed -i 's/^\[partition cpu\]$/[pool]\nengine = slurm\n\n&/' "$P/rig.conf"
pool_root_ssh 1 'useradd -m -s /bin/bash carol' || fail "useradd on the head"

# No sudo on the node: refused with a reason, nothing written there.
mv "$HOSTS_DIR/h2/etc/sudoers.d/rig-test" "$T/sudoers.off"
in_project "$P" "$RIG" up >"$T/up0.out" 2>&1 && fail "rig up went on without root on the node"
grep -q "$N2: a pool needs root there" "$T/up0.out" || fail "no message for a node without root: $(tail -n 3 "$T/up0.out")"
[ ! -e "$HOSTS_DIR/h2/etc/slurm/slurm.conf" ] || fail "slurm.conf written on a node without root"
mv "$T/sudoers.off" "$HOSTS_DIR/h2/etc/sudoers.d/rig-test"

in_project "$P" "$RIG" up >"$T/up1.out" 2>&1 || fail "rig up through sudo: $(cat "$T/up1.out")"
note "$(grep '^\[pool\]' "$T/up1.out")"
cmp -s "$HOSTS_DIR/h1/etc/munge/munge.key" "$HOSTS_DIR/h2/etc/munge/munge.key" || fail "munge key not copied through sudo"
[ "$(stat -c '%a %U' "$HOSTS_DIR/h2/etc/munge/munge.key")" = "400 munge" ] || fail "node's munge key is not 400 munge"
out=$(pool_root_ssh 1 "cd /tmp && runuser -u carol -- srun sh -c 'echo \$(hostname) \$(id -un)'" 2>&1) ||
	fail "srun as carol: $out"
[ "$out" = "${PREFIX}h2 carol" ] || fail "srun ran as/at: $out"
