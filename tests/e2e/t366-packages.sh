#!/bin/bash
# packages = takes package names only (issue 16, item 8): apt options
# ("--allow-unauthenticated"), removals ("openssh-server-"), versions and
# shell words in rig.conf are refused before rig up logs in, with a
# message naming the word; plain names are taken.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1
cd "$P"
cp rig.conf "$T/rig.conf.orig"
for p in '--allow-unauthenticated htop' 'openssh-server-' 'htop -y' \
	'htop=1.0' 'htop:i386' 'htop;id' 'Htop'; do
	cp "$T/rig.conf.orig" rig.conf
	sed -i "s|^; packages = .*|packages = $p|" rig.conf
	grep -q "^packages = $p\$" rig.conf || fail "test setup: packages = $p"
	"$RIG" up >"$T/up.out" 2>&1 && fail "rig up took packages = $p"
	grep -q "is not a Debian package name" "$T/up.out" ||
		fail "packages = $p: unclear message: $(cat "$T/up.out")"
	grep -q "^packages" "$T/up.out" && fail "rig up went on to the packages step with '$p'"
done
cp "$T/rig.conf.orig" rig.conf
sed -i "s|^; packages = .*|packages = rsync g++ python3.11|" rig.conf
"$RIG" status >"$T/st.out" 2>&1 || true
grep -q "package name" "$T/st.out" && fail "plain names refused: $(cat "$T/st.out")"
exit 0
