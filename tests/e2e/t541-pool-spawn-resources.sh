#!/bin/bash
# A user's server as a Slurm job with the resources the user asked for
# (user_options {"partition", "cpus", "mem", "gpus", "time"}, issue 15
# item 2) on a pool of two partitions, one node each, the hub on the head
# with user_resources = yes: the job lands on the partition asked for and
# Slurm holds it to what was asked (scontrol show job); requests past the
# partition's largest node, partitions the pool has not, Slurm words
# smuggled into values, are a 400 and submit nothing. Then [profile]s:
# a profile's resources reach sbatch, and a user may not go past them nor
# leave the profile's partition.
. "$(dirname "$0")/lib.sh"

POOL_UID_MIN=$(pool_uid_min)
pool_hosts_up 3
H=$(host_addr 1)
NA=$(host_addr 2)
NB=$(host_addr 3)
P=$T/proj
project_init "$P" 1 --user root
sed -i '/^\[hub\]/a spawn_timeout = 150\nuser_resources = yes' "$P/rig.conf"
printf '[pool]\nengine = slurm\n\n[partition a]\nhosts = %s\n\n[partition b]\nhosts = %s\n' "$NA" "$NB" >>"$P/rig.conf"
in_project "$P" "$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
HUBDIR=$HOSTS_DIR/h1/root/.local/share/rig
R=/root/.local/bin/rig
S=/root/.local/share/rig/state
URL=https://$H:8000
export URL
grep -qx 'user_resources = yes' "$HUBDIR/hub.conf" || fail "user_resources did not reach hub.conf: $(cat "$HUBDIR/hub.conf")"
pool_root_ssh 1 "$R user add carol --state-dir $S" >/dev/null 2>&1 || fail "rig user add carol"
TOKEN=$(pool_root_ssh 1 "$R token create carol --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1)
[ -n "$TOKEN" ] || fail "no token for carol"
squeue_on() { pool_root_ssh 1 "squeue -h $*"; }
NODE_B=${PREFIX}h3
cpus_b=$(pool_root_ssh 1 "scontrol show node $NODE_B" | sed -n 's/.*CPUTot=\([0-9]*\).*/\1/p')
[ -n "$cpus_b" ] || fail "no CPUTot for $NODE_B"

refused() { # BODY WORDS: a 400 that says WORDS, and no job
	local code
	code=$(api POST /hub/api/users/carol/server --data-binary "$1")
	[ "$code" = 400 ] || fail "body $1: $code, not 400: $(body)"
	grep -qF -- "$2" "$T/body" || fail "body $1: the 400 does not say '$2': $(body)"
}
refused '{"partition": "c"}' "'partition' names no partition of the pool"
refused '{"partition": "b --wrap=id"}' "'partition' names no partition of the pool"
refused "{\"partition\": \"b\", \"cpus\": $((cpus_b + 1))}" "'cpus' must be a whole number from 1 to $cpus_b (partition b)"
refused '{"partition": "b", "cpus": "1"}' "'cpus' must be a whole number"
refused '{"partition": "b", "mem": "100T"}' "'mem' must be a size (512M, 2G) from 1M to"
refused '{"partition": "b", "gpus": 1}' "'gpus' must be a whole number from 0 to 0 (partition b)"
refused '{"partition": "b", "time": "00:30:00 --uid=0"}' "'time' must be a Slurm time"
refused '{"partition": "b", "time": "1-00:00:00", "server_cmd": "sh"}' "unknown key 'server_cmd'"
[ -z "$(squeue_on -n rig-server -o %i)" ] || fail "a refused start submitted a job"

# What the issue asks: partition b, one CPU, half an hour (and memory).
code=$(api POST /hub/api/users/carol/server --data-binary '{"partition": "b", "cpus": 1, "mem": "300M", "time": "00:30:00"}')
[ "$code" = 202 ] || fail "POST with resources: $code $(body)"
READY_S=150 wait_ready carol "$TOKEN"
jid=$(squeue_on -n rig-server -o %i)
[ -n "$jid" ] || fail "no rig-server job"
pool_root_ssh 1 "scontrol show job $jid" >"$T/job"
grep -q "Partition=b " "$T/job" || fail "job $jid not in partition b: $(cat "$T/job")"
grep -q "NodeList=$NODE_B\$" "$T/job" || fail "job $jid not on $NODE_B: $(grep NodeList "$T/job")"
grep -q "TimeLimit=00:30:00 " "$T/job" || fail "job $jid's time limit: $(grep TimeLimit "$T/job")"
grep -q "NumCPUs=1 " "$T/job" || fail "job $jid's CPUs: $(grep NumCPUs "$T/job")"
grep -q "MinMemoryNode=300M " "$T/job" || fail "job $jid's memory: $(grep MinMemory "$T/job")"
TOKEN=$TOKEN api GET /hub/api/users/carol >/dev/null
[ "$(json 'd["servers"][""]["user_options"]' <"$T/body")" = '{"cpus": 1, "mem": "300M", "partition": "b", "time": "00:30:00"}' ] ||
	fail "user_options in the model: $(body)"
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/carol/" "token:$TOKEN" 'import socket; socket.gethostname()' 2>&1) ||
	fail "runcell: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "'$NODE_B'" ] || fail "the kernel did not run on $NODE_B: $out"
note "job $jid on $NODE_B: $(grep -o 'TimeLimit=[^ ]*' "$T/job") $(grep -o 'NumCPUs=[^ ]*' "$T/job") $(grep -o 'MinMemoryNode=[^ ]*' "$T/job")"
code=$(api DELETE /hub/api/users/carol/server)
case $code in 202 | 204) ;; *) fail "DELETE: $code $(body)" ;; esac
for _ in $(seq 1 100); do
	[ -z "$(squeue_on -n rig-server -o %i)" ] && break
	sleep 0.2
done
[ -z "$(squeue_on -n rig-server -o %i)" ] || fail "the job outlived the stop"

# A mistyped profile key stops rig up before it does anything.
cp "$P/rig.conf" "$T/rig.conf.good"
printf '\n[profile bad]\nmem_limt = 1G\n' >>"$P/rig.conf"
in_project "$P" "$RIG" up >"$T/up-bad.out" 2>&1 && fail "rig up took a mistyped profile key"
grep -q "unknown setting 'mem_limt' in \[profile\] (did you mean 'mem_limit'?)" "$T/up-bad.out" ||
	fail "no word of the mistyped key: $(cat "$T/up-bad.out")"
cp "$T/rig.conf.good" "$P/rig.conf"
# Profiles, from rig.conf through a second rig up: small on a with at
# most 1 CPU and 20 minutes (the default), wide on b with all of b's CPUs
# and an hour.
printf '\n[profile small]\npartition = a\ncpus = 1\nmem = 256M\ntime = 00:20:00\ndefault = yes\n\n[profile wide]\ndisplay_name = Wide\npartition = b\ncpus = %s\ntime = 1:00:00\n' \
	"$cpus_b" >>"$P/rig.conf"
in_project "$P" "$RIG" up >"$T/up2.out" 2>&1 || fail "rig up with profiles: $(cat "$T/up2.out")"
grep -q '^\[profile wide\]$' "$HUBDIR/hub.conf" || fail "rig up did not write the profiles: $(cat "$HUBDIR/hub.conf")"
[ "$(sed -n '/^\[profile small\]/,/^\[/p' "$HUBDIR/hub.conf" | grep -c '^[a-z]')" = 5 ] ||
	fail "profile small's keys in hub.conf: $(cat "$HUBDIR/hub.conf")"
for _ in $(seq 1 100); do
	[ "$(api GET /hub/api/)" = 200 ] && break
	sleep 0.2
done
refused '{"cpus": 2}' "'cpus' must be a whole number from 1 to 1 (partition a, the profile)"
refused '{"time": "00:21:00"}' "of at most 20 minutes"
refused '{"partition": "b"}' "'partition' must be profile 'small''s ('a')"
refused '{"profile": "wide", "partition": "a"}' "'partition' must be profile 'wide''s ('b')"
refused '{"profile": "wide", "time": "1:00:01"}' "of at most 60 minutes"
refused '{"profile": "huge"}' "'profile' 'huge' is not a profile of this hub"
code=$(api POST /hub/api/users/carol/server --data-binary '{"profile": "wide"}')
[ "$code" = 202 ] || fail "POST profile wide: $code $(body)"
READY_S=150 wait_ready carol "$TOKEN"
jid=$(squeue_on -n rig-server -o %i)
pool_root_ssh 1 "scontrol show job $jid" >"$T/job"
grep -q "Partition=b " "$T/job" || fail "profile wide's job not in b: $(cat "$T/job")"
grep -q "TimeLimit=01:00:00 " "$T/job" || fail "profile wide's time limit: $(grep TimeLimit "$T/job")"
grep -q "NumCPUs=$cpus_b " "$T/job" || fail "profile wide's CPUs: $(grep NumCPUs "$T/job")"
note "profile wide: job $jid $(grep -o 'Partition=[^ ]*' "$T/job") $(grep -o 'TimeLimit=[^ ]*' "$T/job") $(grep -o 'NumCPUs=[^ ]*' "$T/job")"
code=$(api DELETE /hub/api/users/carol/server)
case $code in 202 | 204) ;; *) fail "DELETE: $code $(body)" ;; esac
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
