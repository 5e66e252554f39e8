#!/bin/bash
# bench/slurm-spawn.sh [ROUNDS]: what the hub adds to a user's server
# started as a Slurm job on an idle node (issue 15's target: at most
# 100 ms over Slurm's own submit-to-running plus the server's own start).
# As root, on the single-host Slurm pool of the end-to-end tests (a head
# and one node in network namespaces, set up through rig up by
# tests/e2e/lib.sh's pool_hub_up: the hub's config is what rig up writes,
# plus POOL_HUB_CONF's [hub] lines if set).
# Each of ROUNDS (5) rounds measures two starts, paired: their order
# alternates between rounds and the node is idle before each (scontrol),
# so that the machine's other load falls on both alike:
#   hub     POST /hub/api/users/carol/server to the progress stream's
#           "ready" event; during it, from /proc (the PID namespace is
#           shared) the job script's and Jupyter's start times, and from
#           the job's output Jupyter's "is running at" line (its own log
#           time, ms): so the server's own start (Jupyter's process start
#           to listening) and the time from listening to ready (the hub
#           seeing the port, its tunnel, its probe) are of that very run;
#           then the server is stopped and its job gone
#   slurm   what carol would do by hand on the head: sbatch as her
#           account (rig-carol) of a one-line job with the hub's resources
#           (--mem of mem_limit), from just before sbatch to the job's
#           first command (one clock): Slurm's own submit-to-running
# The hub's added time of a round is (request to ready) - (Slurm's
# submit to running) - (the server's own start), both of that round; it
# prints each round and the medians of these per-round differences, and
# of their two parts: before the server (request to the job's script
# running, less Slurm's) and after it (listening to ready). Slurm's
# scheduler takes each job at its next tick, about once a second, so
# the same is also given with each job's own wait for it (slurmctld's
# log: submitted to allocated) taken out. The plain build is measured
# (RIG=build/rig unless set).
set -eu
ROUNDS=${1:-5}
TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${RIG:=$TOP/build/rig}"
export RIG
. "$TOP/tests/e2e/lib.sh"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

pool_hub_up 1
note "the hub's API: $(grep "hub's API at" "$HUBDIR/hub.log" | tail -n 1)"
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

# Until the node is idle again, at most 30 s (one ssh, every 100 ms on
# the head): scontrol's state of the node, Slurm's own (sinfo's summary
# said "mixed" for a while after a job with nothing allocated); a node
# still busy then is said in the round's line ("busy: STATE").
busy=
node_idle() {
	local st
	st=$(pool_root_ssh 1 "for i in \$(seq 1 300); do scontrol -o show node $NODE | grep -q ' State=IDLE ' && exit 0; sleep 0.1; done; scontrol -o show node $NODE | grep -o ' State=[^ ]*'") ||
		fail "scontrol on the head"
	[ -z "$st" ] || busy="$busy busy:$st"
}

# One start through the hub: "ready script jupyter listening" in ms
# since the POST, then the server stopped and its job gone.
hub_start() {
	local out code
	out=$(TZ=UTC $PY "$T/start.py" "$URL" "$TOKEN" "$LOG" "$NODENS") || fail "start through the hub"
	code=$(TOKEN=$TOKEN api DELETE /hub/api/users/carol/server)
	for _ in $(seq 1 300); do
		[ -z "$(squeue_on -u rig-carol -o %i)" ] && [ "$(TOKEN=$TOKEN api GET /hub/api/users/carol)" = 200 ] &&
			[ "$(json 'd["servers"]' <"$T/body")" = "{}" ] && break
		sleep 0.1
	done
	echo "$out"
}

# One sbatch by hand as carol's account: "MS ID", the ms from before
# sbatch to the job's first command, and the job's id.
by_hand() {
	local out=/home/rig-carol/t.$1 r
	r=$(pool_root_ssh 1 "cd /tmp && t0=\$(date +%s%N) && id=\$(runuser -u rig-carol -- sbatch --parsable --mem=512M -o /dev/null --wrap 'date +%s%N >$out.tmp && mv $out.tmp $out') && echo \$t0 \$id") ||
		fail "sbatch by hand"
	for _ in $(seq 1 2000); do [ -s "$POOL_HOME/rig-carol/t.$1" ] && break; sleep 0.005; done
	[ -s "$POOL_HOME/rig-carol/t.$1" ] || fail "the job by hand did not run"
	echo $((($(cat "$POOL_HOME/rig-carol/t.$1") - ${r% *}) / 1000000)) "${r#* }"
	rm -f "$POOL_HOME/rig-carol/t.$1"
}

# Slurm's scheduler wait of job ID, ms: from slurmctld taking it to its
# allocation, both in slurmctld's log. slurmctld schedules on a tick of
# about a second (its allocations fall at one fraction of a second), so
# this is 0-1,000 ms by chance for the hub's job and the job by hand
# alike, and is taken out of both for the hub's share.
sched_wait() {
	awk -v id="$1" '
	function ms(t, a) {
		split(substr(t, index(t, "T") + 1, 12), a, /[:.]/)
		return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4]
	}
	$0 ~ "submit_batch_job: JobId=" id " " { s = ms($1) }
	$0 ~ "(Allocate|Started) JobId=" id " " { a = ms($1) }
	END { if (s == "" || a == "") exit 1; print a - s }' "$HOSTS_DIR/h1/var/log/slurm/slurmctld.log"
}
hub_job() { sed -n 's/.*server carol: submitted as Slurm job \([0-9]*\)$/\1/p' "$HUBDIR/hub.log" | tail -n 1; }

# carol's account exists once her server started once: a first start,
# not measured (a fresh pool's first job is slower everywhere).
node_idle
hub_start >/dev/null
added=() before=() after=() total=() slurm=() server=() net=() netbefore=()
for i in $(seq 1 "$ROUNDS"); do
	busy=
	if [ $((i % 2)) = 1 ]; then
		node_idle
		read -r rd sc ju li < <(hub_start)
		node_idle
		read -r sl hid < <(by_hand "$i")
		order="hub, then by hand"
	else
		node_idle
		read -r sl hid < <(by_hand "$i")
		node_idle
		read -r rd sc ju li < <(hub_start)
		order="by hand, then hub"
	fi
	[ -n "$li" ] && [ -n "$hid" ] || fail "round $i: no times from the hub's start or the job by hand"
	wh=$(sched_wait "$(hub_job)") && ws=$(sched_wait "$hid") || fail "round $i: no scheduler times in slurmctld's log"
	total+=("$rd") slurm+=("$sl") server+=($((li - ju)))
	added+=($((rd - sl - (li - ju)))) before+=($((sc - sl))) after+=($((rd - li)))
	net+=($((rd - wh - (sl - ws) - (li - ju)))) netbefore+=($((sc - wh - (sl - ws))))
	echo "round $i ($order): ready ${rd} ms (job script ran at $sc, Jupyter started at $ju, listened at $li); by hand, Slurm's submit to running $sl ms; added by the hub $((rd - sl - (li - ju))) ms (before the script $((sc - sl)), after listening $((rd - li))); Slurm's scheduler waits: hub's job $wh ms, by hand $ws ms; added, without them, $((rd - wh - (sl - ws) - (li - ju))) ms (before the script $((sc - wh - (sl - ws))))$busy"
done

med() { printf '%s\n' "$@" | median; }
echo "medians of $ROUNDS: request to ready $(med "${total[@]}") ms; Slurm's submit to running (by hand) $(med "${slurm[@]}") ms; the server's own start $(med "${server[@]}") ms"
echo "  per-round differences: added by the hub $(med "${added[@]}") ms; of it before the job's script (request to script - by hand) $(med "${before[@]}") ms; the server listening to ready $(med "${after[@]}") ms"
echo "  without Slurm's scheduler waits (each job's own): added by the hub $(med "${net[@]}") ms; of it before the job's script $(med "${netbefore[@]}") ms"
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
in_project "$P" "$RIG" stop >/dev/null 2>&1 || true
