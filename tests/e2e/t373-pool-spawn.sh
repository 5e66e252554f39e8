#!/bin/bash
# Users' servers as Slurm jobs (spawner = slurm, rig up's choice for a
# pool): a head and one node (pool_hosts_up), the hub on the head as root
# through rig up. While the node is full, the progress stream shows the
# job pending with Slurm's reason; then it runs on the node, a real user's
# real Jupyter server submitted as the user's account (made on the head at
# the first start, on the node by rig up's prolog at the job's, same uid),
# used through the hub's TLS tunnel: a kernel reports the node's host
# name. The secret is in no command line and not in the job's script;
# another account on the node reaches the port but cannot complete TLS
# without the hub's certificate for the job. A stop cancels the
# job; a job that ends on its own (cancelled behind the hub's back) shows
# as the server stopped, with Slurm's state.
. "$(dirname "$0")/lib.sh"

pool_hub_up 1
grep -qx 'spawner = slurm' "$HUBDIR/hub.conf" || fail "rig up did not choose spawner slurm: $(cat "$HUBDIR/hub.conf")"
grep -qx "api_address = $H" "$HUBDIR/hub.conf" || fail "rig up did not set api_address: $(cat "$HUBDIR/hub.conf")"
TOKEN=$(pool_token carol)
[ -n "$TOKEN" ] || fail "no token for carol"
hublog() { cat "$HUBDIR/hub.log"; }

# The node is full: the server's job waits, and the stream says why.
filler=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- sbatch --parsable --exclusive -o /dev/null --wrap 'sleep 600'") ||
	fail "sbatch of the filler"
for _ in $(seq 1 100); do
	[ "$(squeue_on -j "$filler" -o %T)" = RUNNING ] && break
	sleep 0.2
done
[ "$(squeue_on -j "$filler" -o %T)" = RUNNING ] || fail "filler job $filler not running"
t0=$(now_ms)
code=$(TOKEN=$TOKEN api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || fail "POST server: $code $(body)"
: >"$T/progress"
curl -sk -N -m 200 -H "Authorization: token $TOKEN" "$URL/hub/api/users/carol/server/progress" \
	>"$T/progress" 2>/dev/null &
bg_track $!
for _ in $(seq 1 300); do
	grep -q 'is pending: Resources' "$T/progress" && break
	sleep 0.2
done
grep -q 'is pending: Resources' "$T/progress" || fail "no pending event with its reason: $(cat "$T/progress")"
jid=$(squeue_on -n rig-server -o %i)
[ -n "$jid" ] || fail "no rig-server job in the queue"
[ "$(squeue_on -j "$jid" -o %T:%u:%r)" = "PENDING:rig-carol:Resources" ] ||
	fail "job $jid: $(squeue_on -j "$jid" -o %T:%u:%r)"
note "job $jid pending while the node is full: $(grep -o 'Slurm job [0-9]* is pending[^"]*' "$T/progress" | head -n 1)"
pool_root_ssh 1 "scancel $filler" || fail "scancel $filler"
READY_S=150 wait_ready carol "$TOKEN"
note "ready $(($(now_ms) - t0)) ms after the request, the wait in the queue included"
for _ in $(seq 1 50); do grep -q '"ready":true' "$T/progress" && break; sleep 0.1; done
grep -q "Slurm job $jid is running on $NODE" "$T/progress" || fail "no running-on-node event: $(cat "$T/progress")"
grep -q '"ready":true' "$T/progress" || fail "the stream did not end ready: $(cat "$T/progress")"

# Used through the hub: the kernel runs on the node, as the account the
# prolog made there with the head's uid.
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/carol/" "token:$TOKEN" \
	'import os, socket; print(os.getuid()); socket.gethostname()' 2>&1) || fail "runcell: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "'$NODE'" ] || fail "the kernel did not run on $NODE: $out"
uid=$(pool_root_ssh 1 'id -u rig-carol')
[ "$(printf '%s\n' "$out" | head -n 1)" = "$uid" ] || fail "the kernel's uid is not rig-carol's ($uid): $out"
[ "$(pool_root_ssh 2 'getent passwd rig-carol' | cut -d: -f3)" = "$uid" ] ||
	fail "rig-carol not on the node with uid $uid: $(pool_root_ssh 2 'getent passwd rig-carol')"

# The secret: in the server's environment only.
port=$(squeue_on -j "$jid" -o %k | sed -n 's/^rig-port=//p')
[ -n "$port" ] || fail "job $jid has no port in its comment: $(squeue_on -j "$jid" -o %k)"
grep -q "server carol: TLS link to tls:$N:$port" "$HUBDIR/hub.log" ||
	fail "no tunnel to $N:$port: $(hublog | tail -n 5)"
grep -q "server carol: ready on tls:$N:$port " "$HUBDIR/hub.log" || fail "hub not on its TLS link: $(hublog | tail -n 5)"
# (api_address: the job told the hub itself, not only in its comment.)
grep -q "server carol: Slurm job $jid reports its server on port $port\$" "$HUBDIR/hub.log" ||
	fail "job $jid did not report port $port to the API: $(hublog | grep 'server carol' | tail -n 5)"
pid=$(pgrep -u "$uid" -f -- --NotebookApp.port="$port" | head -n 1)
[ -n "$pid" ] || fail "no notebook process of rig-carol on port $port"
secret=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^JUPYTER_TOKEN=//p')
[ ${#secret} = 64 ] || fail "the server has no 64-character JUPYTER_TOKEN"
# (From a file: grep's own command line is read too.)
printf '%s\n' "$secret" >"$T/secret"
cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' | grep -qFf "$T/secret" && fail "the secret is on a command line"
pool_root_ssh 1 "scontrol write batch_script $jid -" >"$T/script" || fail "scontrol write batch_script"
grep -q "a user's server as a Slurm job" "$T/script" || fail "the job's script is not rig's: $(head -n 3 "$T/script")"
grep -qFf "$T/secret" "$T/script" && fail "the secret is in the job's script"
# Another account on the node reaches the port but not the server: it
# speaks TLS only, to a client with the hub's certificate for this job.
other() { # CURL-ARGS...: alice's curl on the node to the server's API
	pool_root_ssh 1 "cd /tmp && runuser -u alice -- srun -Q --mem=50M -w $NODE curl -s -o /dev/null -w '%{http_code}' $*/user/carol/api/contents"
}
[ "$(other "http://$N:$port")" = 000 ] || fail "alice on the node got an HTTP answer from carol's server"
[ "$(other -k -H "'Authorization: token $secret'" "https://$N:$port")" = 000 ] ||
	fail "alice on the node completed TLS without the hub's certificate"
# The hub's own key and certificate (root's, on the head, one pair for
# all its jobs) and the secret do open it: what alice lacks is the key.
# The job's kept file is its server's certificate alone (to pin).
pool_root_ssh 1 "cd $S/slurm && stat -c '%a' hub.keys $jid.keys && grep -c BEGIN $jid.keys" >"$T/kept" ||
	fail "no kept keys for job $jid"
[ "$(cat "$T/kept")" = "600
600
1" ] || fail "kept keys' modes, or more than a certificate kept for the job: $(cat "$T/kept")"
pool_root_ssh 1 "cd $S/slurm && awk '/BEGIN/{n++} n==1' hub.keys >/tmp/k.pem && awk '/BEGIN/{n++} n==2' hub.keys >/tmp/c.pem" ||
	fail "no hub keys"
[ "$(pool_root_ssh 1 "curl -sk --key /tmp/k.pem --cert /tmp/c.pem -o /dev/null -w '%{http_code}' -H 'Authorization: token $secret' https://$N:$port/user/carol/api/contents")" = 200 ] ||
	fail "the hub's certificate and the secret do not open the server at $N:$port"
pool_root_ssh 1 'rm -f /tmp/k.pem /tmp/c.pem'

# A stop cancels the job.
code=$(TOKEN=$TOKEN api DELETE /hub/api/users/carol/server)
case $code in 202 | 204) ;; *) fail "DELETE server: $code $(body)" ;; esac
for _ in $(seq 1 100); do
	[ -z "$(squeue_on -n rig-server -o %i)" ] && grep -q 'server carol: stopped' "$HUBDIR/hub.log" && break
	sleep 0.2
done
[ -z "$(squeue_on -n rig-server -o %i)" ] || fail "job still queued after the stop: $(squeue_on -n rig-server -o %i:%T)"
[ "$(squeue_on -t all -j "$jid" -o %T)" = CANCELLED ] || fail "job $jid: $(squeue_on -t all -j "$jid" -o %T)"
grep -q 'server carol: stopped' "$HUBDIR/hub.log" || fail "the hub did not see the server stop: $(hublog | tail -n 5)"

# A job that ends by itself: the server is gone, and the log says how.
code=$(TOKEN=$TOKEN api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || [ "$code" = 201 ] || fail "POST server again: $code $(body)"
READY_S=150 wait_ready carol "$TOKEN"
jid=$(squeue_on -n rig-server -o %i)
pool_root_ssh 1 "scancel $jid" || fail "scancel $jid"
for _ in $(seq 1 100); do
	grep -q "server carol: ended with its Slurm job $jid: CANCELLED" "$HUBDIR/hub.log" && break
	sleep 0.2
done
grep -q "server carol: ended with its Slurm job $jid: CANCELLED" "$HUBDIR/hub.log" ||
	fail "no end with the job's state in the hub's log: $(hublog | tail -n 5)"
[ "$(TOKEN=$TOKEN api GET /hub/api/users/carol)" = 200 ] || fail "GET user: $(body)"
[ "$(json 'd["servers"]' <"$T/body")" = "{}" ] || fail "the server is still listed: $(body)"
note "server as a Slurm job on $NODE: pending, ran, answered, stopped"
# The hub's log on the head, the hub stopped (a sanitizer build reports
# leaks at exit).
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
