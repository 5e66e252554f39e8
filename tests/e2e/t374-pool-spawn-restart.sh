#!/bin/bash
# Servers as Slurm jobs across a hub restart (see t373 for one start): with
# carol's server running and dave's job queued behind a full node, the hub
# stops and starts again; it finds both jobs, proxies to carol's at once,
# and carries dave's start on once the node has room. Deleting dave then
# cancels his job before his account goes.
. "$(dirname "$0")/lib.sh"

pool_hub_up 1
TC=$(pool_token carol)
TD=$(pool_token dave)
TA=$(pool_root_ssh 1 "$R token create root --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1)
[ -n "$TC" ] && [ -n "$TD" ] && [ -n "$TA" ] || fail "no tokens"

code=$(TOKEN=$TC api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || fail "POST carol's server: $code $(body)"
READY_S=150 wait_ready carol "$TC"
jc=$(squeue_on -u rig-carol -o %i)
# The node's other CPU taken: dave's job waits.
filler=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- sbatch --parsable -c 1 --mem=100M -o /dev/null --wrap 'sleep 600'") ||
	fail "sbatch of the filler"
for _ in $(seq 1 100); do
	[ "$(squeue_on -j "$filler" -o %T)" = RUNNING ] && break
	sleep 0.2
done
[ "$(squeue_on -j "$filler" -o %T)" = RUNNING ] || fail "filler $filler not running"
code=$(TOKEN=$TD api POST /hub/api/users/dave/server)
[ "$code" = 202 ] || fail "POST dave's server: $code $(body)"
for _ in $(seq 1 150); do
	[ "$(squeue_on -u rig-dave -o %T:%r)" = PENDING:Resources ] && break
	sleep 0.2
done
[ "$(squeue_on -u rig-dave -o %T:%r)" = PENDING:Resources ] || fail "dave's job: $(squeue_on -u rig-dave -o %T:%r)"
jd=$(squeue_on -u rig-dave -o %i)

# The hub restarts; the jobs run on.
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
in_project "$P" "$RIG" start >"$T/start.out" 2>&1 || fail "rig start: $(cat "$T/start.out")"
grep -q "server carol: taken over (pid $jc, $N:[0-9]*, ready)" "$HUBDIR/hub.log" ||
	fail "carol's job not taken over: $(grep 'taken over' "$HUBDIR/hub.log")"
grep -q "server dave: taken over (pid $jd, no address yet, pending)" "$HUBDIR/hub.log" ||
	fail "dave's job not taken over: $(grep 'taken over' "$HUBDIR/hub.log")"
[ "$(TOKEN=$TC api GET /user/carol/api/status)" = 200 ] || fail "carol's server after the restart: $(body)"
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/carol/" "token:$TC" 'import socket; socket.gethostname()' 2>&1) ||
	fail "runcell after the restart: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "'$NODE'" ] || fail "carol's kernel: $out"
[ "$(squeue_on -j "$jd" -o %T)" = PENDING ] || fail "dave's job $jd after the restart: $(squeue_on -j "$jd" -o %T)"
# Room on the node: the new hub goes on with dave's start.
pool_root_ssh 1 "scancel $filler" || fail "scancel $filler"
READY_S=150 wait_ready dave "$TD"
[ "$(TOKEN=$TD api GET /user/dave/api/status)" = 200 ] || fail "dave's server: $(body)"
grep -q "server dave: TLS link to tls:$N:" "$HUBDIR/hub.log" || fail "dave not ready on the node: $(tail -n 5 "$HUBDIR/hub.log")"

# dave deleted: his job is cancelled, then his account goes.
code=$(TOKEN=$TA api DELETE /hub/api/users/dave)
case $code in 202 | 204) ;; *) fail "DELETE dave: $code $(body)" ;; esac
for _ in $(seq 1 100); do
	[ "$(squeue_on -t all -j "$jd" -o %T)" = CANCELLED ] && ! pool_root_ssh 1 'getent passwd rig-dave' >/dev/null && break
	sleep 0.2
done
[ "$(squeue_on -t all -j "$jd" -o %T)" = CANCELLED ] || fail "dave's job $jd: $(squeue_on -t all -j "$jd" -o %T)"
pool_root_ssh 1 'getent passwd rig-dave' >/dev/null && fail "rig-dave still on the head"
[ "$(squeue_on -j "$jc" -o %T)" = RUNNING ] || fail "carol's job went with dave's"

in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
note "a restart kept a running and a queued job; a user's deletion cancelled theirs"
