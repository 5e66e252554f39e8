#!/bin/bash
# rig init writes a commented rig.conf (defaults from the folder, flags
# win) and adds .rig/ to .gitignore once; commands find rig.conf in a
# parent folder; a missing or bad rig.conf is a clear, fast error.
. "$(dirname "$0")/lib.sh"

P="$T/My Project_1"
mkdir -p "$P/sub/dir"
cd "$P"
printf 'node_modules/\n' >.gitignore
"$RIG" init --host 203.0.113.7 --user alice --port 2222 \
	--identity /nonexistent/key >"$T/init.out" 2>&1 || fail "rig init: $(cat "$T/init.out")"
grep -qx 'name = my-project_1' rig.conf || fail "default name: $(grep name rig.conf)"
grep -qx 'host = 203.0.113.7' rig.conf || fail "host not written"
grep -qx 'user = alice' rig.conf || fail "user not written"
grep -qx 'port = 2222' rig.conf || fail "port not written"
grep -qx 'provider = ssh .*' rig.conf || fail "provider not written"
grep -qx 'remote_dir = ~/work/my-project_1' rig.conf || fail "default remote_dir: $(grep remote_dir rig.conf)"
grep -q '^;' rig.conf || fail "rig.conf has no comments"
[ "$(grep -cx '.rig/' .gitignore)" = 1 ] || fail ".rig/ not added to .gitignore: $(cat .gitignore)"
grep -qx 'node_modules/' .gitignore || fail ".gitignore lost a line"

# Commands find rig.conf from a subfolder; the missing key is named.
cd sub/dir
t0=$(now_ms)
"$RIG" status >"$T/st.out" 2>&1 && fail "status with a missing key succeeded"
grep -q "identity file '/nonexistent/key'" "$T/st.out" || fail "status said: $(cat "$T/st.out")"
[ $(($(now_ms) - t0)) -lt 5000 ] || fail "missing key took $(($(now_ms) - t0)) ms"
cd "$P"

# Twice: refused without --force; .gitignore not touched again.
"$RIG" init --host 203.0.113.8 >"$T/init2.out" 2>&1 && fail "a second rig init overwrote rig.conf"
grep -q 'exists already' "$T/init2.out" || fail "second init said: $(cat "$T/init2.out")"
"$RIG" init --force --host 203.0.113.8 --name other --remote-dir /srv/x >/dev/null 2>&1 ||
	fail "rig init --force"
grep -qx 'host = 203.0.113.8' rig.conf || fail "--force did not rewrite"
grep -qx 'remote_dir = /srv/x' rig.conf || fail "--remote-dir not written"
[ "$(grep -cx '.rig/' .gitignore)" = 1 ] || fail ".rig/ added twice"

# No rig.conf anywhere up the tree.
mkdir -p "$T/empty" && cd "$T/empty"
"$RIG" sync up >"$T/none.out" 2>&1 && fail "sync without rig.conf succeeded"
grep -q "no rig.conf in this folder or a parent (run 'rig init')" "$T/none.out" ||
	fail "no rig.conf: $(cat "$T/none.out")"

# Invalid values name the file and line.
mkdir -p "$T/bad" && cd "$T/bad"
printf '[machine]\nhost = h\nport = 99999\n' >rig.conf
"$RIG" exec -- true >"$T/bad.out" 2>&1 && fail "a bad port was accepted"
grep -q 'rig.conf:3' "$T/bad.out" || fail "bad port: $(cat "$T/bad.out")"
printf '[machine]\nprovider = cloud9\n' >rig.conf
"$RIG" status >"$T/bad.out" 2>&1 && fail "an unknown provider was accepted"
grep -q "unknown provider 'cloud9'" "$T/bad.out" || fail "bad provider: $(cat "$T/bad.out")"
printf '[machine]\nname = x\n' >rig.conf
"$RIG" up >"$T/bad.out" 2>&1 && fail "up without a host succeeded"
grep -q "no host for machine 'x'" "$T/bad.out" || fail "no host: $(cat "$T/bad.out")"
cd /
