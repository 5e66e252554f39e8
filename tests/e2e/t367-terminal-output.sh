#!/bin/bash
# What the machine prints reaches the terminal as text (issue 16, item
# 9): a machine whose rig prints escape sequences (a terminal title, a
# screen clear, an 8-bit CSI), in its JSON and on its error output, and
# that names a file with an ESC in it, gets none of them through rig
# status or rig sync down: each control character is shown as '?'.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
H=$(host_home 1)
project_init "$P" 1
cd "$P"
mkdir -p "$H/.local/bin"
# The machine's "rig": valid JSON whose strings hold escapes.
cat >"$H/.local/bin/rig" <<'EOS'
#!/bin/sh
if [ -e "$HOME/fail" ]; then
	printf 'oops \033]0;pwned\007\033[2J \302\233 31m\n' >&2
	exit 3
fi
printf '{"version": "1\\u001b]0;pwned\\u0007", "installed": true,'
printf ' "hub": {"running": false}, "machine": {"os": "x\\u001b[2Jy",'
printf ' "cores": 1}, "servers": ["a\\u009b31m"]}\n'
EOS
chmod 755 "$H/.local/bin/rig"
chown -R "$HOST_USER:$HOST_USER" "$H/.local"
has_esc() {
	LC_ALL=C grep -q "$(printf '[\033\007\233]')" "$1"
}
"$RIG" status >"$T/st.out" 2>&1 || true
grep -q 'not running' "$T/st.out" || fail "status did not read the JSON: $(cat -v "$T/st.out")"
has_esc "$T/st.out" && fail "rig status printed the machine's escapes: $(cat -v "$T/st.out")"
grep -q '1?]0;pwned?' "$T/st.out" || fail "the version is not shown as text: $(cat -v "$T/st.out")"
touch "$H/fail"
"$RIG" status >"$T/st2.out" 2>&1 || true
grep -q 'oops' "$T/st2.out" || fail "status did not show the machine's error: $(cat -v "$T/st2.out")"
has_esc "$T/st2.out" && fail "rig status printed escapes from stderr: $(cat -v "$T/st2.out")"
rm -f "$H/fail"
# A file name with escapes, listed by sync down --dry-run.
"$RIG" sync up >/dev/null 2>&1 || fail "sync up"
printf 'x\n' >"$H/work/m1/$(printf 'a\033]0;pwned\007b')"
chown -R "$HOST_USER:$HOST_USER" "$H/work"
"$RIG" sync down --dry-run >"$T/dry.out" 2>&1 || fail "sync down --dry-run: $(cat -v "$T/dry.out")"
grep -q 'a?]0;pwned?b' "$T/dry.out" || fail "the name is not listed as text: $(cat -v "$T/dry.out")"
has_esc "$T/dry.out" && fail "sync down printed escapes: $(cat -v "$T/dry.out")"
exit 0
