#!/bin/bash
# rig ssh -- CMD and rig exec against a real sshd in a network namespace:
# output streams, exit statuses pass through, exec syncs first and runs in
# remote_dir with its words quoted as given; rig ssh-config makes plain
# "ssh NAME" work through one Include line in ~/.ssh/config.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1
cd "$P"

out=$("$RIG" ssh -- hostname) || fail "rig ssh -- hostname"
[ "$out" = "${PREFIX}h1" ] || fail "rig ssh ran on '$out', not ${PREFIX}h1"
rc=0
"$RIG" ssh -- 'echo out; echo err >&2; exit 7' >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 7 ] || fail "rig ssh -- 'exit 7' gave $rc"
[ "$(cat "$T/o")" = out ] || fail "ssh stdout: $(cat "$T/o")"
[ "$(cat "$T/e")" = err ] || fail "ssh stderr: $(cat "$T/e")"

# exec: sync, then run in remote_dir; status and streams pass through.
printf 'hello\n' >data.txt
rc=0
"$RIG" exec -- sh -c 'pwd; cat data.txt; echo oops >&2; exit 3' >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 3 ] || fail "rig exec gave status $rc, not 3"
[ "$(sed -n 1p "$T/o")" = "$HOSTS_DIR/home/$HOST_USER/work/m1" ] || fail "exec ran in $(sed -n 1p "$T/o")"
[ "$(sed -n 2p "$T/o")" = hello ] || fail "exec did not see the synced file: $(cat "$T/o")"
grep -q '^sync up: ' "$T/e" || fail "exec did not sync first: $(cat "$T/e")"
grep -qx oops "$T/e" || fail "exec stderr: $(cat "$T/e")"
grep -q 'sync up' "$T/o" && fail "the sync report went to stdout"
# Words arrive as given, quotes and all; --no-sync does not sync.
printf 'changed\n' >data.txt
out=$("$RIG" exec --no-sync -- printf '%s|' 'a b' "it's" '$HOME' 2>"$T/e") || fail "exec printf"
[ "$out" = "a b|it's|\$HOME|" ] || fail "words changed on the way: $out"
grep -q 'sync' "$T/e" && fail "--no-sync synced: $(cat "$T/e")"
out=$("$RIG" exec --no-sync -- cat data.txt 2>/dev/null)
[ "$out" = hello ] || fail "--no-sync: the machine has '$out'"
rc=0
"$RIG" exec -- false 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "exec false gave $rc"
# Output streams: a line printed before a pause arrives before the end.
"$RIG" exec --no-sync -- sh -c 'echo first; sleep 2; echo second' >"$T/stream" 2>/dev/null &
pid=$!
for i in $(seq 1 30); do
	[ -s "$T/stream" ] && break
	sleep 0.05
done
[ "$(cat "$T/stream")" = first ] || fail "exec output did not stream: '$(cat "$T/stream")'"
wait "$pid" || fail "streaming exec failed"

# rig ssh-config, then plain ssh. ssh takes ~ from the password database,
# so root's home is replaced by a temp one in a private mount namespace.
mkdir -p "$T/roothome/.ssh"
printf 'Host example\n  User nobody\n' >"$T/roothome/.ssh/config"
unshare --mount --propagation private sh -c "
	mount --bind '$T/roothome' /root &&
	cd '$P' && '$RIG' ssh-config >'$T/sc.out' 2>&1 &&
	'$RIG' ssh-config >>'$T/sc.out' 2>&1 &&
	ssh -o BatchMode=yes rig-m1 hostname >'$T/plain.out' 2>&1" ||
	fail "ssh-config + plain ssh: $(cat "$T/sc.out" "$T/plain.out" 2>/dev/null)"
[ "$(cat "$T/plain.out")" = "${PREFIX}h1" ] || fail "plain ssh rig-m1: $(cat "$T/plain.out")"
[ "$(head -n 2 "$T/roothome/.ssh/config" | tail -n 1)" = "Include ~/.ssh/config-rig" ] ||
	fail "Include not at the top: $(cat "$T/roothome/.ssh/config")"
[ "$(grep -c 'Include ~/.ssh/config-rig' "$T/roothome/.ssh/config")" = 1 ] || fail "Include added twice"
grep -q '^Host example' "$T/roothome/.ssh/config" || fail "ssh-config lost the user's entry"
[ "$(grep -c '^Host rig-m1$' "$T/roothome/.ssh/config-rig")" = 1 ] || fail "Host rig-m1 twice or missing"
[ "$(stat -c %a "$T/roothome/.ssh/config-rig")" = 600 ] || fail "config-rig is not 0600"
cd /
