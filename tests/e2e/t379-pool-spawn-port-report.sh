#!/bin/bash
# A Slurm job reports its server's port to the hub's API at once
# (spawn-slurm-report.c), signed by its server's secret; nobody else can
# say where that server is. The API is on the pool's network
# (api_address). dave's server runs on the node; carol's job is held
# (SIGSTOP) after its Jupyter listens but before it reports. dave's job
# (a process of his account on the node, with his own server's secret)
# listens on a port of its own and tells the hub it is carol's: unsigned,
# signed by his own secret, for carol's job id or his, and replayed
# with carol's true port but a proof for another job; and for a user
# without a server (the same 403: nobody learns who has one). Every one
# is refused (403: no server of that user waits on that job, or the proof
# is not by its secret) and changes nothing: carol's server stays
# pending, no connection reaches dave's listener. Let go, carol's job
# reports its true port (the one in its comment) and her server is ready
# through it. The old hub had no such route (carol's server came up
# through the comment alone).
. "$(dirname "$0")/lib.sh"

POOL_HUB_CONF="api_address = {head}" pool_hub_up 1
grep -q "servers reach the hub's API at http://$H:[0-9]*/hub/api" "$HUBDIR/hub.log" ||
	fail "the API listener is not on $H: $(grep "hub's API" "$HUBDIR/hub.log")"
API=$(sed -n "s|.*servers reach the hub's API at \(http://$H:[0-9]*/hub/api\).*|\1|p" "$HUBDIR/hub.log" | tail -n 1)
CTOK=$(pool_token carol)
DTOK=$(pool_token dave)
[ -n "$CTOK" ] && [ -n "$DTOK" ] || fail "no tokens for carol and dave"
NS=/run/netns/${PREFIX}h2
hublog() { cat "$HUBDIR/hub.log"; }

# dave's server, reported by his job.
code=$(TOKEN=$DTOK api POST /hub/api/users/dave/server)
[ "$code" = 202 ] || fail "POST dave's server: $code $(body)"
READY_S=150 wait_ready dave "$DTOK"
djid=$(squeue_on -u rig-dave -o %i)
duid=$(pool_root_ssh 1 'id -u rig-dave')
dgid=$(pool_root_ssh 1 'id -g rig-dave')
djpid=$(pgrep -u "$duid" -f -- --NotebookApp.port | head -n 1)
[ -n "$djpid" ] || fail "no Jupyter of rig-dave"
dsecret=$(tr '\0' '\n' <"/proc/$djpid/environ" | sed -n 's/^JUPYTER_TOKEN=//p')
[ ${#dsecret} = 64 ] || fail "dave's server has no 64-character JUPYTER_TOKEN"
grep -q "server dave: Slurm job $djid reports its server on port" "$HUBDIR/hub.log" ||
	fail "dave's job did not report its port to the API: $(grep 'server dave' "$HUBDIR/hub.log" | tail -n 5)"

# carol's job, held once its Jupyter runs (seconds before it listens),
# so that it cannot report.
code=$(TOKEN=$CTOK api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || fail "POST carol's server: $code $(body)"
cuid=$(pool_root_ssh 1 'id -u rig-carol')
spid= cport=
for _ in $(seq 1 3000); do
	cport=$(pgrep -a -u "$cuid" -f -- --NotebookApp.port= | sed -n 's/.*--NotebookApp.port=\([0-9]*\).*/\1/p' | head -n 1)
	[ -n "$cport" ] && break
	sleep 0.01
done
spid=$(pgrep -u "$cuid" -f slurm_script | head -n 1)
[ -n "$spid" ] && kill -STOP "$spid"
[ -n "$cport" ] && [ -n "$spid" ] || fail "no Jupyter ($cport) or job script ($spid) of rig-carol"
hublog | grep -q "server carol: Slurm job .* reports its server" &&
	fail "test setup: carol's job reported before it was held"
for _ in $(seq 1 750); do
	nsenter --net="$NS" ss -Htln "sport = :$cport" | grep -q . && break
	sleep 0.2
done
nsenter --net="$NS" ss -Htln "sport = :$cport" | grep -q . || fail "carol's Jupyter does not listen on $cport"
cjid=$(squeue_on -u rig-carol -o %i)
[ -n "$cjid" ] || fail "no job of rig-carol"

# dave's listener on a port of his own.
cat >"$T/listen.py" <<'EOP'
import socket, sys
s = socket.socket()
s.bind(('0.0.0.0', 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    open(sys.argv[1], 'a').write('CONN\n')
    c.close()
EOP
cat >"$T/claim.py" <<'EOP'
# POSTs each claim (path job port key) and prints the status of each.
import hmac, http.client, json, sys, urllib.parse
api = urllib.parse.urlsplit(sys.argv[1])
for claim in sys.argv[2:]:
    user, job, port, key = claim.split(':')
    body = {'job': int(job), 'port': int(port)}
    if key:
        what = 'rig-slurm-port %s %s' % (job, port)
        body['proof'] = hmac.new(key.encode(), what.encode(), 'sha256').hexdigest()
    c = http.client.HTTPConnection(api.hostname, api.port, timeout=10)
    c.request('POST', api.path + '/users/%s/slurm-port' % user, json.dumps(body),
              {'Content-Type': 'application/json'})
    r = c.getresponse()
    print(claim.split(':')[0], job, port, r.status, r.read()[:100])
EOP
chmod 644 "$T/listen.py" "$T/claim.py"
chmod 711 "$T"
: >"$T/conns"
chmod 666 "$T/conns"
as_dave() { nsenter --net="$NS" setpriv --reuid="$duid" --regid="$dgid" --clear-groups "$@"; }
as_dave $PY "$T/listen.py" "$T/conns" >"$T/dport" 2>"$T/listen.err" &
bg_track $!
for _ in $(seq 1 100); do [ -s "$T/dport" ] && break; sleep 0.1; done
dport=$(head -n 1 "$T/dport")
[ -n "$dport" ] || fail "dave's listener did not start: $(cat "$T/listen.err")"

rand=$(rand_str 64)
as_dave $PY "$T/claim.py" "$API" \
	"carol:$cjid:$dport:$dsecret" \
	"carol:$djid:$dport:$dsecret" \
	"carol:$cjid:$dport:$rand" \
	"carol:$cjid:$cport:$DTOK" \
	"dave:$cjid:$dport:$dsecret" \
	"nosuch:$cjid:$dport:$dsecret" \
	>"$T/claims" 2>&1 || fail "claims: $(cat "$T/claims")"
note "claims: $(tr '\n' ';' <"$T/claims")"
[ "$(wc -l <"$T/claims")" = 6 ] || fail "not every claim was answered: $(cat "$T/claims")"
awk '$4 != 403 { bad = 1 } END { exit bad }' "$T/claims" ||
	fail "a claim was not refused: $(cat "$T/claims")"
# An unsigned claim: not even read as one.
out=$(as_dave $PY -c '
import http.client, json, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.request("POST", u.path + "/users/carol/slurm-port", json.dumps({"job": int(sys.argv[2]), "port": int(sys.argv[3])}))
print(c.getresponse().status)' "$API" "$cjid" "$dport") || fail "unsigned claim: $out"
[ "$out" = 400 ] || fail "an unsigned claim got $out, not 400"

# Nothing changed: carol's server waits, the hub never went to dave's port.
[ "$(TOKEN=$CTOK api GET /hub/api/users/carol)" = 200 ] || fail "GET carol: $(body)"
[ "$(json 'd["servers"][""]["ready"]' <"$T/body")" = false ] || fail "carol's server is not pending any more: $(body)"
hublog | grep -q "server carol: Slurm job .* reports its server" && fail "a claim was taken for carol's job"
hublog | grep -q "server carol: TLS link to .*:$dport" && fail "the hub tunnels carol's server to dave's port"
[ -s "$T/conns" ] && fail "the hub connected to dave's listener"
hublog | grep -q "server carol: a report of port $dport for Slurm job $cjid was refused" ||
	fail "the refusal is not logged: $(grep 'server carol' "$HUBDIR/hub.log" | tail -n 5)"

# Let go: carol's job reports her true port, and her server is ready.
kill -CONT "$spid"
READY_S=150 wait_ready carol "$CTOK"
hublog | grep -q "server carol: Slurm job $cjid reports its server on port $cport\$" ||
	fail "carol's job did not report port $cport: $(grep 'server carol' "$HUBDIR/hub.log" | tail -n 5)"
comment=$(squeue_on -j "$cjid" -o %k | sed -n 's/^rig-port=//p')
[ "$comment" = "$cport" ] || fail "carol's job's comment says $comment, not $cport"
[ "$(TOKEN=$CTOK api GET /user/carol/api/contents)" = 200 ] || fail "carol's server through the hub: $(body)"
[ -s "$T/conns" ] && fail "the hub connected to dave's listener"

in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
