#!/bin/bash
# The "local" provider: the machine is this one. Sync copies between two
# folders here (same .gitignore rules), exec and ssh -- CMD run here in
# remote_dir, status reads this machine; no SSH anywhere.
. "$(dirname "$0")/lib.sh"

export HOME=$T/home
mkdir -p "$HOME" "$T/proj"
cd "$T/proj"
"$RIG" init --provider local --remote-dir "$T/remote" >/dev/null || fail "rig init --provider local"
grep -q '^provider = local' rig.conf || fail "provider not written"
printf 'a\n' >a.txt
printf 'x\n' >skip.log
printf '*.log\n' >>.gitignore
"$RIG" sync up >"$T/up.out" 2>&1 || fail "sync up: $(cat "$T/up.out")"
[ -f "$T/remote/a.txt" ] || fail "a.txt not copied"
[ ! -e "$T/remote/skip.log" ] || fail "an ignored file was copied"
[ ! -e "$T/remote/.rig" ] || fail ".rig/ was copied"
[ ! -e .rig/ssh_config ] || fail "an ssh config was written for a local machine"
out=$("$RIG" exec -- sh -c 'pwd; cat a.txt' 2>/dev/null) || fail "exec"
[ "$out" = "$T/remote
a" ] || fail "exec ran: $out"
rc=0
"$RIG" ssh -- 'exit 4' || rc=$?
[ "$rc" = 4 ] || fail "ssh -- 'exit 4' gave $rc"
printf 'b\n' >"$T/remote/b.txt"
"$RIG" sync down >/dev/null 2>&1 || fail "sync down"
[ "$(cat b.txt)" = b ] || fail "b.txt not brought back"
rc=0
"$RIG" status >"$T/st.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "status of a local machine without rig set up: exit $rc, not 3: $(cat "$T/st.out")"
grep -q 'not installed' "$T/st.out" || fail "status said: $(cat "$T/st.out")"
"$RIG" ssh-config >"$T/sc.out" 2>&1 && fail "ssh-config for a local machine succeeded"
grep -q 'no SSH to set up' "$T/sc.out" || fail "ssh-config said: $(cat "$T/sc.out")"
cd /
