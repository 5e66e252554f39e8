#!/bin/bash
# bench/slurm-spawn.sh [ROUNDS]: what the hub adds to a user's server
# started as a Slurm job on an idle node (issue 15's target: at most
# 100 ms over Slurm's own submit-to-running plus the server's own start).
# As root, on the single-host Slurm pool of the end-to-end tests (a head
# and one node in network namespaces, set up through rig up by
# tests/e2e/lib.sh's pool_hub_up, with api_address the head's address).
# Each of ROUNDS (5) rounds, in turn:
#   hub     POST /hub/api/users/NAME/server to the progress stream's
#           "ready" event; during it, from /proc (the PID namespace is
#           shared) the job script's and Jupyter's start times, and from
#           the job's output Jupyter's "is running at" line (its own log
#           time, ms): so the server's own start (Jupyter's process start
#           to listening) and the time from listening to ready (the hub
#           seeing the port, its tunnel, its probe) are of that very run;
#           then the server is stopped and its job gone
#   slurm   an sbatch of a one-line job by hand as alice on the head, from
#           just before sbatch to its first command (one clock), Slurm's
#           own submit-to-running on the same idle node
# It prints each round and the medians, the hub's added time (hub - slurm
# - server) and the ratio hub / (slurm + server). The plain build is
# measured (RIG=build/rig unless set). The machine's other load shows in
# every number: run it on a quiet machine for the record.
set -eu
ROUNDS=${1:-5}
TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${RIG:=$TOP/build/rig}"
export RIG
. "$TOP/tests/e2e/lib.sh"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

# The hub's API on the pool's network (api_address), where a job
# reports its port at once (spawn-slurm-report.c); a hub without the
# report reads the job's comment as before.
POOL_HUB_CONF='api_address = {head}' pool_hub_up 1
TOKEN=$(pool_token carol)
[ -n "$TOKEN" ] || fail "no token"

cat >"$T/start.py" <<'EOP'
# POST, then the progress stream to "ready"; meanwhile the start times of
# rig-carol's job script and Jupyter from /proc. Prints, in ms since the
# POST: ready, script start, Jupyter start, Jupyter listening.
import datetime, json, os, re, ssl, sys, threading, time, urllib.request
url, token, logpath = sys.argv[1], sys.argv[2], sys.argv[3]
nodens = int(sys.argv[4])  # the node's network namespace: other pools' jobs are not looked at
ctx = ssl._create_unverified_context()
h = {'Authorization': 'token ' + token}
hz = os.sysconf('SC_CLK_TCK')
seen = {}
def started(pid):  # CLOCK_BOOTTIME seconds
    with open('/proc/%d/stat' % pid) as f:
        return int(f.read().rsplit(')', 1)[1].split()[19]) / hz
def watch():
    while 'jupyter' not in seen:
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                if os.stat('/proc/%s/ns/net' % pid).st_ino != nodens:
                    continue
                cmd = open('/proc/%s/cmdline' % pid, 'rb').read()
            except OSError:
                continue
            if b'slurm_script' in cmd and 'script' not in seen:
                seen['script'] = started(int(pid))
            if b'NotebookApp.port' in cmd and b'jupyter' in cmd:
                seen['jupyter'] = started(int(pid))
        time.sleep(0.005)
wall0, boot0 = time.time(), time.clock_gettime(time.CLOCK_BOOTTIME)
t0 = boot0
r = urllib.request.urlopen(urllib.request.Request(
    url + '/hub/api/users/carol/server', method='POST', headers=h,
    data=b''), context=ctx)
assert r.status in (201, 202), r.status
threading.Thread(target=watch, daemon=True).start()
s = urllib.request.urlopen(urllib.request.Request(
    url + '/hub/api/users/carol/server/progress', headers=h), context=ctx)
for line in s:
    if line.startswith(b'data:') and json.loads(line[5:]).get('ready'):
        ready = time.clock_gettime(time.CLOCK_BOOTTIME)
        break
else:
    sys.exit('the stream ended without ready')
# Jupyter's own log time of its "is running at" line, in local time.
m = re.search(r'\[I (\d\d):(\d\d):(\d\d)\.(\d\d\d) NotebookApp\] (The Jupyter Notebook|Jupyter Notebook [0-9.]+) is running at',
              open(logpath).read())
day = datetime.datetime.fromtimestamp(wall0)
lt = day.replace(hour=int(m[1]), minute=int(m[2]), second=int(m[3]),
                 microsecond=int(m[4]) * 1000).timestamp()
listen = lt - wall0 + boot0
ms = lambda t: int((t - t0) * 1000)
print(ms(ready), ms(seen['script']), ms(seen['jupyter']), ms(listen))
EOP

LOG=$POOL_HOME/rig-carol/.rig-server.log
NODENS=$(stat -L -c %i "/run/netns/${PREFIX}h2")
total=() slurm=() server=() tail=() before=()
for i in $(seq 1 "$ROUNDS"); do
	read -r rd sc ju li < <(TZ=UTC $PY "$T/start.py" "$URL" "$TOKEN" "$LOG" "$NODENS") || fail "start $i"
	code=$(TOKEN=$TOKEN api DELETE /hub/api/users/carol/server)
	for _ in $(seq 1 300); do
		[ -z "$(squeue_on -u rig-carol -o %i)" ] && [ "$(TOKEN=$TOKEN api GET /hub/api/users/carol)" = 200 ] &&
			[ "$(json 'd["servers"]' <"$T/body")" = "{}" ] && break
		sleep 0.1
	done
	out=/home/alice/t.$i
	t0=$(pool_root_ssh 1 "cd /tmp && t0=\$(date +%s%N) && runuser -u alice -- sbatch -Q --mem=100M -o /dev/null --wrap 'date +%s%N >$out.tmp && mv $out.tmp $out' && echo \$t0") ||
		fail "sbatch"
	for _ in $(seq 1 2000); do [ -s "$POOL_HOME/alice/t.$i" ] && break; sleep 0.005; done
	sl=$((($(cat "$POOL_HOME/alice/t.$i") - t0) / 1000000))
	total+=("$rd") slurm+=("$sl") server+=($((li - ju))) tail+=($((rd - li))) before+=("$sc")
	echo "round $i: ready ${rd} ms (job script ran at $sc, Jupyter started at $ju, listened at $li); by hand, Slurm's submit to running $sl ms"
done

H=$(printf '%s\n' "${total[@]}" | median)
SL=$(printf '%s\n' "${slurm[@]}" | median)
SV=$(printf '%s\n' "${server[@]}" | median)
echo "medians: request to ready $H ms; Slurm's submit to running $SL ms (by hand); the server's own start $SV ms"
echo "  request to the job's script running $(printf '%s\n' "${before[@]}" | median) ms; the server listening to ready $(printf '%s\n' "${tail[@]}" | median) ms"
echo "added by the hub: $((H - SL - SV)) ms; ratio request-to-ready / (Slurm + server) = $(awk -v h="$H" -v s="$((SL + SV))" 'BEGIN {printf "%.2f", h / s}')"
in_project "$P" "$RIG" stop >/dev/null 2>&1 || true
