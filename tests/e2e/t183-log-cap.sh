#!/bin/bash
# A server's output reaches its log through the hub, never through a file
# its processes hold open, and the log is capped: a kernel writing 50 MB
# to the server's stdout leaves NAME.log and NAME.log.1 together at most
# server_log_max, with the newest output kept.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
ALICE=$(rig_token alice)
hub_config "server_log_max = 1M"
hub_start
spawn alice "$ALICE"
A=${PREFIX}alice
LOG=$T/state/logs/alice.log
pid=$(server_pid alice)
[ -p "/proc/$pid/fd/1" ] || fail "the server's stdout is not a pipe: $(readlink "/proc/$pid/fd/1")"
# No process of the user has the log open.
for p in $(pgrep -u "$A"); do
	for fd in "/proc/$p/fd"/*; do
		[ "$(readlink "$fd" 2>/dev/null)" != "$LOG" ] || fail "process $p of $A holds $LOG open"
	done
done

# 50 MB into the kernel's real stdout, the one it inherited from the
# server (ipykernel keeps a copy of it and points fd 1 at the notebook),
# then a last line. Reopening the pipe through /proc is refused: it is
# the hub's (root's), 0600.
out=$(timeout 120 $PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" '
import os, sys
fd = getattr(sys.stdout, "_original_stdstream_copy", None) or 1
line = b"x" * 1023 + b"\n"
for i in range(50 * 1024):
    os.write(fd, line)
os.write(fd, b"the last line\n")
try:
    os.open("/proc/%d/fd/1" % os.getppid(), os.O_WRONLY)
    r = "reopened"
except PermissionError:
    r = "done"
r') || fail "runcell: $out"
echo "$out" | tail -n 1 | grep -q "done" || fail "the cell: $out"
for _ in $(seq 1 100); do
	grep -q 'the last line' "$LOG" 2>/dev/null && break
	sleep 0.1
done
grep -q 'the last line' "$LOG" || fail "the newest output is not in the log"
size=$(($(stat -c %s "$LOG") + $(stat -c %s "$LOG.1" 2>/dev/null || echo 0)))
note "log: $(stat -c %s "$LOG") + $(stat -c %s "$LOG.1") bytes"
[ "$size" -le $((1024 * 1024)) ] || fail "the log holds $size bytes, over server_log_max"
[ "$size" -ge $((256 * 1024)) ] || fail "the log holds only $size bytes"
# The server is still fine.
TOKEN=$ALICE
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "the server: $(body)"

# After a restart the hub reads the server's output again.
hub_stop
hub_start
wait_ready alice "$ALICE"
$PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" '
import os, sys
fd = getattr(sys.stdout, "_original_stdstream_copy", None) or 1
os.write(fd, b"after the restart\n")' >/dev/null || fail "runcell after the restart"
for _ in $(seq 1 50); do
	grep -q 'after the restart' "$LOG" && break
	sleep 0.1
done
grep -q 'after the restart' "$LOG" || fail "output after a restart is not in the log"
hub_stop
