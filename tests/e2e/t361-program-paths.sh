#!/bin/bash
# A project file never names a program rig runs (issue 16, item 2):
# [machine] ssh = and [sync] rsync = in rig.conf are refused with a clear
# message and the named program never runs; the user's own
# ~/.config/rig/config (here $XDG_CONFIG_HOME/rig/config) and RIG_SSH
# still choose them.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1
cd "$P"
for p in ssh rsync; do
	cat >"$T/fake-$p" <<EOS
#!/bin/sh
echo "\$0" >>$T/ran
exec $p "\$@"
EOS
	chmod 755 "$T/fake-$p"
done
unset RIG_SSH RIG_RSYNC
export XDG_CONFIG_HOME=$T/cfg

cp rig.conf "$T/rig.conf.orig"
sed -i "s|^\[machine\]|[machine]\nssh = $T/fake-ssh|" rig.conf
"$RIG" status >"$T/st.out" 2>&1 && fail "rig status took ssh = from rig.conf"
[ ! -e "$T/ran" ] || fail "rig ran the ssh program named in rig.conf"
grep -q "ssh: rig takes no program from a project's rig.conf" "$T/st.out" ||
	fail "unclear message: $(cat "$T/st.out")"
cp "$T/rig.conf.orig" rig.conf
sed -i "s|^\[sync\]|[sync]\nrsync = $T/fake-rsync|" rig.conf
printf 'x\n' >f.txt
"$RIG" sync up >"$T/up.out" 2>&1 && fail "rig sync took rsync = from rig.conf"
[ ! -e "$T/ran" ] || fail "rig ran the rsync program named in rig.conf"
grep -q "rsync: rig takes no program" "$T/up.out" || fail "unclear message: $(cat "$T/up.out")"

# The user's own config names them.
cp "$T/rig.conf.orig" rig.conf
mkdir -p "$XDG_CONFIG_HOME/rig"
printf '[machine]\nssh = %s\n[sync]\nrsync = %s\n' "$T/fake-ssh" "$T/fake-rsync" \
	>"$XDG_CONFIG_HOME/rig/config"
"$RIG" sync up >"$T/up2.out" 2>&1 || fail "sync up with the user's config: $(cat "$T/up2.out")"
grep -q fake-ssh "$T/ran" || fail "the user's ssh did not run"
grep -q fake-rsync "$T/ran" || fail "the user's rsync did not run"
# The environment wins.
: >"$T/ran"
RIG_SSH=ssh "$RIG" exec -- true >"$T/ex.out" 2>&1 || fail "rig exec with RIG_SSH: $(cat "$T/ex.out")"
grep -q fake-ssh "$T/ran" && fail "RIG_SSH did not win over the user's config"
exit 0
