#!/bin/bash
# rig ssh-config cannot shadow a real host (issue 16, item 6) and keeps
# the user's dotfiles (item 9): a project named github.com gets the Host
# rig-github.com, so 'ssh github.com' still means GitHub (and an entry an
# older rig wrote under the bare name goes); a ~/.ssh/config that is a
# symlink into a dotfiles folder stays a symlink, written through.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1 --name github.com
mkdir -p "$T/roothome/.ssh" "$T/dotfiles"
printf 'Host example\n  User nobody\n' >"$T/dotfiles/ssh_config"
ln -s "$T/dotfiles/ssh_config" "$T/roothome/.ssh/config"
# What an older rig wrote: the bare name.
printf '# rig: github.com (%s)\nHost github.com\n\tHostName 192.0.2.1\n# rig: end\n' "$P" \
	>"$T/roothome/.ssh/config-rig"
# ssh takes ~ from the password database: root's home is a temp one in a
# private mount namespace.
unshare --mount --propagation private sh -c "
	mount --bind '$T/roothome' /root &&
	cd '$P' && '$RIG' ssh-config >'$T/sc.out' 2>&1 &&
	ssh -G github.com >'$T/real.G' && ssh -G rig-github.com >'$T/rig.G' &&
	ssh -o BatchMode=yes rig-github.com hostname >'$T/plain.out' 2>&1" ||
	fail "ssh-config: $(cat "$T/sc.out" "$T/plain.out" 2>/dev/null)"
grep -qx 'hostname github.com' "$T/real.G" ||
	fail "'ssh github.com' goes elsewhere: $(grep ^hostname "$T/real.G")"
grep -qx "hostname $(host_addr 1)" "$T/rig.G" || fail "rig-github.com is not the machine"
[ "$(cat "$T/plain.out")" = "${PREFIX}h1" ] || fail "ssh rig-github.com: $(cat "$T/plain.out")"
grep -q '^Host github.com$' "$T/roothome/.ssh/config-rig" && fail "the bare-name entry is still there"
grep -q 'try: ssh rig-github.com' "$T/sc.out" || fail "ssh-config said: $(cat "$T/sc.out")"
[ -L "$T/roothome/.ssh/config" ] || fail "the user's .ssh/config is no longer a symlink"
grep -q '^Include ~/.ssh/config-rig' "$T/dotfiles/ssh_config" || fail "the link's target has no Include"
grep -q '^Host example' "$T/dotfiles/ssh_config" || fail "the user's entry is lost"
exit 0
