#!/bin/bash
# Named servers on a pool (allow_named_servers, spawner = slurm): carol's
# default server and her server "gpu" (with a memory of its own, its
# user_options) are two Slurm jobs of her account,
# each a real Jupyter server on the node under its own URL, its output in
# a file of its own; each job reports its port to the API (api_address)
# for its own server only: a report for the named server's job signed by
# the default server's secret is refused. The pool's view names both on
# the node; a hub restart takes both over. Stopping the named server cancels its job alone: the default
# one goes on answering.
. "$(dirname "$0")/lib.sh"

POOL_HUB_CONF="api_address = {head}
allow_named_servers = yes
user_resources = yes" pool_hub_up 1
API=$(sed -n "s|.*servers reach the hub's API at \(http://$H:[0-9]*/hub/api\).*|\1|p" "$HUBDIR/hub.log" | tail -n 1)
[ -n "$API" ] || fail "the API is not on the pool's network: $(grep "hub's API" "$HUBDIR/hub.log")"
TOKEN=$(pool_token carol)
[ -n "$TOKEN" ] || fail "no token for carol"
hublog() { cat "$HUBDIR/hub.log"; }

code=$(TOKEN=$TOKEN api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || fail "POST server: $code $(body)"
code=$(TOKEN=$TOKEN api POST /hub/api/users/carol/servers/gpu -H 'Content-Type: application/json' -d '{"mem": "300M"}')
[ "$code" = 202 ] || fail "POST servers/gpu: $code $(body)"
# Both ready (the API's servers object, by name).
for _ in $(seq 1 750); do
	TOKEN=$TOKEN api GET /hub/api/users/carol >/dev/null
	r=$(json '"%s %s" % (d["servers"].get("", {}).get("ready"), d["servers"].get("gpu", {}).get("ready"))' <"$T/body")
	[ "$r" = "True True" ] && break
	sleep 0.2
done
[ "$r" = "True True" ] || fail "not both ready: $(body); $(hublog | tail -n 8)"

# Two jobs of carol's account, each with its port reported by itself.
jobs=$(squeue_on -n rig-server -u rig-carol -o %i | sort -n | tr '\n' ' ')
[ "$(wc -w <<<"$jobs")" = 2 ] || fail "carol's jobs: '$jobs'"
for srv in carol carol/gpu; do
	grep -q "server $srv: Slurm job [0-9]* reports its server on port [0-9]*\$" "$HUBDIR/hub.log" ||
		fail "server $srv: no report of its own: $(hublog | grep "server $srv" | tail -n 5)"
done
gjid=$(sed -n 's/.*server carol\/gpu: submitted as Slurm job \([0-9]*\).*/\1/p' "$HUBDIR/hub.log" | tail -n 1)
djid=$(sed -n 's/.*server carol: submitted as Slurm job \([0-9]*\).*/\1/p' "$HUBDIR/hub.log" | tail -n 1)
[ -n "$gjid" ] && [ -n "$djid" ] && [ "$gjid" != "$djid" ] || fail "job ids: default '$djid', gpu '$gjid'"
note "carol's default server is job $djid, her gpu server job $gjid"
# The gpu server's own resources (its user_options), not the default's.
[ "$(squeue_on -j "$gjid" -o %m)" = 300M ] || fail "job $gjid's memory: $(squeue_on -j "$gjid" -o %m)"
[ "$(squeue_on -j "$djid" -o %m)" != 300M ] || fail "the default server's job has the gpu server's memory"

# Each under its own URL, each the server its URL names.
for p in "" gpu/; do
	code=$(curl -sk -o "$T/status" -w '%{http_code}' -H "Authorization: token $TOKEN" "$URL/user/carol/${p}api/status")
	[ "$code" = 200 ] || fail "GET /user/carol/${p}api/status: $code $(cat "$T/status")"
done
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/carol/gpu/" "token:$TOKEN" \
	'import os; os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "") + "@" + os.environ.get("SLURM_JOB_ID", "")' 2>&1) ||
	fail "runcell on gpu: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "'/user/carol/gpu/@$gjid'" ] || fail "the gpu URL reached another server: $out"

# The pool's view names each server on the node: rig pool status (from
# the hub's state) and the hub's own /hub/api/pool (admin).
in_project "$P" "$RIG" pool status --json >"$T/s.json" 2>"$T/s.err" || fail "rig pool status --json: $(cat "$T/s.err")"
ADMIN=$(pool_root_ssh 1 "$R token create root --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1)
TOKEN=$ADMIN api GET /hub/api/pool >/dev/null
cp "$T/body" "$T/api.json"
for f in s.json api.json; do
	$PY - "$T/$f" "$NODE" <<'EOP' || fail "$f: the node's servers are not carol and carol/gpu: $(cat "$T/$f")"
import json, sys
d = json.load(open(sys.argv[1]))
n = [x for x in d["nodes"] if x["name"] == sys.argv[2]][0]
assert sorted(n["servers"]) == ["carol", "carol/gpu"], n
EOP
done

# Their outputs apart, in carol's home on the shared storage.
home=$POOL_HOME/rig-carol
[ -s "$home/.rig-server.log" ] && [ -s "$home/.rig-server-gpu.log" ] ||
	fail "job outputs: $(ls -la "$home" 2>&1)"

# A report for the gpu job signed by the default server's secret: the
# default server's job cannot say where the gpu server is.
dport=$(squeue_on -j "$djid" -o %k | sed -n 's/^rig-port=//p')
dpid=$(pgrep -f -- "--NotebookApp.port=$dport" | head -n 1)
dsecret=$(tr '\0' '\n' <"/proc/$dpid/environ" | sed -n 's/^JUPYTER_TOKEN=//p')
[ ${#dsecret} = 64 ] || fail "no secret of the default server (pid '$dpid', port '$dport')"
code=$($PY - "$API" "$gjid" "$dport" "$dsecret" <<'EOP'
import hashlib, hmac, http.client, json, sys, urllib.parse
api, job, port, secret = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
proof = hmac.new(secret.encode(), ("rig-slurm-port %d %d" % (job, port)).encode(), hashlib.sha256).hexdigest()
u = urllib.parse.urlsplit(api)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.request("POST", u.path + "/users/carol/slurm-port", json.dumps({"job": job, "port": port, "proof": proof}),
          {"Content-Type": "application/json"})
print(c.getresponse().status)
EOP
)
[ "$code" = 403 ] || fail "a report for job $gjid signed by the default server's secret: $code"

# A hub restart takes both over, each its own job.
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
in_project "$P" "$RIG" start >"$T/start.out" 2>&1 || fail "rig start: $(cat "$T/start.out")"
grep -q "server carol: taken over (pid $djid, $N:[0-9]*, ready)" "$HUBDIR/hub.log" &&
	grep -q "server carol/gpu: taken over (pid $gjid, $N:[0-9]*, ready)" "$HUBDIR/hub.log" ||
	fail "not both taken over: $(grep 'taken over' "$HUBDIR/hub.log")"
for p in "" gpu/; do
	code=$(curl -sk -o "$T/status" -w '%{http_code}' -H "Authorization: token $TOKEN" "$URL/user/carol/${p}api/status")
	[ "$code" = 200 ] || fail "after the restart, GET /user/carol/${p}api/status: $code $(cat "$T/status")"
done

# The named server stops alone.
code=$(TOKEN=$TOKEN api DELETE /hub/api/users/carol/servers/gpu)
[ "$code" = 202 ] || [ "$code" = 204 ] || fail "DELETE servers/gpu: $code $(body)"
for _ in $(seq 1 150); do
	[ -z "$(squeue_on -j "$gjid" -t pending,running,completing -o %i 2>/dev/null)" ] && break
	sleep 0.2
done
[ -z "$(squeue_on -j "$gjid" -t pending,running,completing -o %i 2>/dev/null)" ] || fail "job $gjid not cancelled"
[ "$(squeue_on -j "$djid" -o %T)" = RUNNING ] || fail "the default server's job $djid: $(squeue_on -j "$djid" -o %T)"
code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: token $TOKEN" "$URL/user/carol/api/status")
[ "$code" = 200 ] || fail "the default server after the gpu one stopped: $code"
[ "$(TOKEN=$TOKEN api DELETE /hub/api/users/carol/server)" = 202 ] || fail "DELETE server: $(body)"
