#!/bin/bash
# rig pool status and the hub's pool view on a real Slurm pool: a head and
# two nodes (pool_hosts_up), carol's server as a Slurm job and alice's
# batch job on the other node. Both show on their nodes, the server as carol's, with the partition, its
# price and the month's spend; then a node drained under its job
# (draining, then drained once the job ends) and the other set down, each
# with its reason. Slurm's text is the attacker's here: a job name and a
# reason with HTML and terminal escape sequences come out escaped in the
# terminal, the admin page (also in Chromium: tests/browser/pool.js) and
# (as JSON) the API. GET /hub/api/pool is an admin's: carol's token gets
# 403, her pages have no pool section.
. "$(dirname "$0")/lib.sh"

POOL_UID_MIN=$(pool_uid_min)
pool_hosts_up 3
H=$(host_addr 1)
P=$T/proj
project_init "$P" 1 --user root
pool_root_ssh 1 'useradd -m -s /bin/bash alice' || fail "useradd alice on the head"
# The default server (Jupyter on its node's port, behind the job's TLS).
sed -i '/^\[hub\]/a mem_limit = 512M\nspawn_timeout = 150' "$P/rig.conf"
printf '[pool]\nengine = slurm\n\n[partition cpu]\nhosts = %s %s\nprice_hour = 0.5\n' \
	"$(host_addr 2)" "$(host_addr 3)" >>"$P/rig.conf"
in_project "$P" "$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
HUBDIR=$HOSTS_DIR/h1/root/.local/share/rig
R=/root/.local/bin/rig
S=/root/.local/share/rig/state
token() { pool_root_ssh 1 "$R token create $1 --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1; }
pool_root_ssh 1 "$R user add carol --state-dir $S" >/dev/null || fail "rig user add carol"
TC=$(token carol)
TA=$(token root)
[ -n "$TC" ] && [ -n "$TA" ] || fail "no tokens"
URL=https://$H:8000
export URL
status_json() { in_project "$P" "$RIG" pool status --json >"$T/s.json" 2>"$T/s.err" || fail "rig pool status --json: $(cat "$T/s.err")"; }
# node NAME EXPR: EXPR of node NAME's object (n) in the last status.
node() { $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
n = [x for x in d["nodes"] if x["name"] == sys.argv[2]]
v = eval(sys.argv[3], {"n": n[0] if n else None, "d": d})
print(v if isinstance(v, str) else json.dumps(v))' "$T/s.json" "$1" "$2"; }

code=$(TOKEN=$TC api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || fail "POST carol's server: $code $(body)"
READY_S=150 wait_ready carol "$TC"
jc=$(squeue_on -u rig-carol -o %i)
NC=$(squeue_on -j "$jc" -o %N)
case $NC in "${PREFIX}h2") NJ=${PREFIX}h3 ;; "${PREFIX}h3") NJ=${PREFIX}h2 ;; *) fail "carol's job $jc on '$NC'" ;; esac
# Alice's job on the other node, its name an attack on terminals and pages.
evil=$(printf 'pwn\033]0;owned\007<b>job</b>')
ja=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- sbatch --parsable -w $NJ -c 1 --mem=50M -o /dev/null -J $(printf '%q' "$evil") --wrap 'sleep 600'") ||
	fail "sbatch of alice's job"
for _ in $(seq 1 100); do
	[ "$(squeue_on -j "$ja" -o %T)" = RUNNING ] && break
	sleep 0.2
done
[ "$(squeue_on -j "$ja" -o %T)" = RUNNING ] || fail "alice's job $ja not running"

# Powered since two hours ago, as the power log on the head says (the
# line rig pool power writes); the other node is not in it: on all month.
# (Two hours, or since the month began if that is later.)
now=$(date +%s)
month=$(date -u -d "$(date -u -d "@$now" +%Y-%m-01)" +%s)
since=$((now - 7200 > month ? now - 7200 : month))
pool_root_ssh 1 "echo $since up $NJ >>/var/lib/slurm/rig-power.log" || fail "power log"
hours=$(((now - since) / 36)) # hundredths of an hour
# Both nodes, each job on its node, the server on carol's.
status_json
[ "$(node "$NJ" "abs(n['powered_hours_month'] - $hours / 100) < 0.05 and abs(n['spend_month'] - $hours / 200) < 0.03")" = true ] ||
	fail "powered hours and spend of $NJ: $(node "$NJ" 'n')"
[ "$(node "$NC" 'n["powered_hours_month"]')" = null ] || fail "powered hours of $NC: $(node "$NC" 'n')"
[ "$(node "$NC" 'n["partitions"]')" = '["cpu"]' ] || fail "partitions of $NC: $(cat "$T/s.json")"
case $(node "$NC" 'n["state"]') in mixed | allocated) ;; *) fail "state of $NC: $(node "$NC" 'n')" ;; esac
case $(node "$NJ" 'n["state"]') in mixed | allocated) ;; *) fail "state of $NJ: $(node "$NJ" 'n')" ;; esac
[ "$(node "$NC" 'n["servers"]')" = '["carol"]' ] || fail "carol's server not on $NC: $(node "$NC" 'n')"
[ "$(node "$NC" '[j["id"] + ":" + j["user"] for j in n["jobs"]]')" = "[\"$jc:rig-carol\"]" ] ||
	fail "jobs on $NC: $(node "$NC" 'n["jobs"]')"
[ "$(node "$NJ" 'n["servers"]')" = '[]' ] || fail "a server on $NJ: $(node "$NJ" 'n')"
[ "$(node "$NJ" '[j["id"] + ":" + j["user"] for j in n["jobs"]]')" = "[\"$ja:alice\"]" ] ||
	fail "jobs on $NJ: $(node "$NJ" 'n["jobs"]')"
[ "$(node "$NJ" 'n["jobs"][0]["name"] == "pwn\x1b]0;owned\x07<b>job</b>"')" = true ] ||
	fail "the job's name is not kept as Slurm gave it: $(node "$NJ" 'n["jobs"]')"
[ "$(node "$NC" 'n["cpus_total"] > 0 and n["cpus_used"] >= 1 and n["memory_used_mb"] >= 256')" = true ] ||
	fail "cores and memory of $NC: $(node "$NC" 'n')"
[ "$(node "$NC" 'n["price_hour"]')" = 0.5 ] || fail "price of $NC: $(node "$NC" 'n')"
[ "$(node "$NC" 'd["spend"]["nodes_priced"] == 2 and d["spend"]["nodes_month"] > 0')" = true ] ||
	fail "the month's spend: $(node "$NC" 'd["spend"]')"
in_project "$P" "$RIG" pool status >"$T/s.txt" 2>&1 || fail "rig pool status: $(cat "$T/s.txt")"
grep -q "^$NC (cpu): \(mixed\|allocated\), cores" "$T/s.txt" || fail "no line of $NC: $(cat "$T/s.txt")"
grep -qx "  server of carol" "$T/s.txt" || fail "no server of carol: $(cat "$T/s.txt")"
grep -qF "  job $ja of alice: pwn?]0;owned?<b>job</b>" "$T/s.txt" || fail "alice's job: $(cat -v "$T/s.txt")"
grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/s.txt" && fail "control characters reached the terminal: $(cat -v "$T/s.txt")"
grep -q "^spend:    this month, nodes about" "$T/s.txt" || fail "no spend: $(cat "$T/s.txt")"

# Drained under its job: draining; once the job ends, drained.
reason=$(printf '<script>alert(1)</script>\033[2Jwiped')
pool_root_ssh 1 "scontrol update nodename=$NJ state=drain reason=$(printf '%q' "$reason")" || fail "drain $NJ"
status_json
[ "$(node "$NJ" 'n["state"]')" = draining ] || fail "drained with a job: $(node "$NJ" 'n')"
[ "$(node "$NJ" 'n["reason"] == "<script>alert(1)</script>\x1b[2Jwiped"')" = true ] ||
	fail "the reason: $(node "$NJ" 'n')"
pool_root_ssh 1 "scancel $ja" || fail "scancel $ja"
for _ in $(seq 1 100); do
	status_json
	[ "$(node "$NJ" 'n["state"]')" = drained ] && break
	sleep 0.2
done
[ "$(node "$NJ" 'n["state"]')" = drained ] || fail "not drained once idle: $(node "$NJ" 'n')"
# Down: carol's server's node, its slurmd gone (else it registers again at
# once: ReturnToService=2), with the reason an admin gave.
pool_root_ssh "${NC#"$PREFIX"h}" 'kill "$(cat /run/slurmd.pid)"' || fail "stop the slurmd of $NC"
pool_root_ssh 1 "scontrol update nodename=$NC state=down reason='disk failed'" || fail "down $NC"
for _ in $(seq 1 50); do
	status_json
	[ "$(node "$NC" 'n["state"]')" = down ] && break
	sleep 0.2
done
[ "$(node "$NC" 'n["state"] + "/" + n["reason"]')" = "down/disk failed" ] || fail "down: $(node "$NC" 'n')"
in_project "$P" "$RIG" pool status >"$T/s.txt" 2>&1 || fail "rig pool status: $(cat "$T/s.txt")"
grep -qF "$NC (cpu): down (disk failed)" "$T/s.txt" || fail "no down node: $(cat "$T/s.txt")"
grep -qF "$NJ (cpu): drained (<script>alert(1)</script>?[2Jwiped)" "$T/s.txt" || fail "no drained node: $(cat -v "$T/s.txt")"
grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/s.txt" && fail "control characters reached the terminal: $(cat -v "$T/s.txt")"

# The hub: the API's JSON and the admin page's section, an admin's only.
code=$(TOKEN=$TA api GET /hub/api/pool)
[ "$code" = 200 ] || fail "GET /hub/api/pool as the admin: $code $(body)"
cp "$T/body" "$T/s.json"
[ "$(node "$NJ" 'n["state"] + "/" + n["reason"]')" = "drained/$reason" ] || fail "the API's $NJ: $(body)"
[ "$(node "$NC" 'n["state"]')" = down ] || fail "the API's $NC: $(body)"
code=$(TOKEN=$TA api GET /hub/admin)
[ "$code" = 200 ] || fail "GET /hub/admin as the admin: $code"
grep -q '<h2 id="pool">Pool</h2>' "$T/body" || fail "no pool section on the admin page"
grep -qF "<td>$NJ</td><td>cpu</td><td class=\"state\">drained: <span class=\"reason\">&lt;script&gt;alert(1)&lt;/script&gt;?[2Jwiped</span>" "$T/body" ||
	fail "the drained node's row: $(grep -o "<tr><td>$NJ.*" "$T/body" | head -c 600)"
grep -q '<script>alert' "$T/body" && fail "the reason's HTML reached the page"
grep -q $'\x1b' "$T/body" && fail "an escape character reached the page"
code=$(TOKEN=$TC api GET /hub/api/pool)
[ "$code" = 403 ] || fail "carol's token on /hub/api/pool: $code $(body)"
grep -q "$NJ" "$T/body" && fail "the 403 tells carol of the nodes"
code=$(TOKEN=$TC api GET /hub/admin)
[ "$code" = 403 ] || fail "carol on the admin page: $code"
code=$(TOKEN=$TC api GET /hub/home)
[ "$code" = 200 ] || fail "carol's home: $code"
grep -q 'id="pool"\|'"$NJ" "$T/body" && fail "carol's home shows the pool"
# In Chromium (inside the head's network namespace, where no other test
# adds interfaces): no console problem, the rows, the reason as text.
for u in boss:--admin dan:; do
	printf 'pw-%s-%s' "${u%%:*}" "$PREFIX" | pool_root_ssh 1 "$R user add ${u%%:*} ${u#*:} --password-stdin --state-dir $S" \
		>/dev/null || fail "rig user add ${u%%:*}"
done
RIG_URL=$URL RIG_ADMIN=boss RIG_ADMIN_PASSWORD=pw-boss-$PREFIX RIG_USER=dan RIG_USER_PASSWORD=pw-dan-$PREFIX \
	RIG_NODES="$NC $NJ" RIG_REASON='<script>alert(1)</script>?[2Jwiped' OUT=$TOP/tests/out \
	timeout 180 nsenter --net="/run/netns/${PREFIX}h1" node "$TOP/tests/browser/pool.js" >"$T/pool.js.out" 2>&1 ||
	fail "the admin page in Chromium: $(cat "$T/pool.js.out")"
note "pool status: $NC down, $NJ drained, server and job on their nodes, escapes kept off the terminal and the page"
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
