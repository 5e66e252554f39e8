#!/bin/bash
# Slurm's PrivateData across the pool (slurm.conf by rig up): bob, a
# second account on the head and on the node (same uid), sees his own job
# but nothing of carol's server job, neither in squeue (its id, name or
# comment, where the job says its port) nor with scontrol show job ID, on
# the head or the node; the hub's jobs API gives bob nothing of carol's.
# The hub, whose own account would see no one's jobs now, asks Slurm as
# Slurm's user through its helper: carol's server starts (its job's state
# and port found), rig pool status and the admin's /hub/api/pool list the
# job, the head's idle stop counts it, and a stop cancels it.
. "$(dirname "$0")/lib.sh"

POOL_HUB_CONF="autostop_after = 3600"
pool_hub_up 1
grep -qx 'PrivateData=jobs,usage,users,accounts,reservations' "$HOSTS_DIR/h1/etc/slurm/slurm.conf" ||
	fail "no PrivateData in the head's slurm.conf: $(grep -i private "$HOSTS_DIR/h1/etc/slurm/slurm.conf")"
CAROL=$(pool_token carol)
BOB=$(pool_token bob)
pool_root_ssh 1 "$R user add boss --admin --state-dir $S" >/dev/null || fail "rig user add boss"
BOSS=$(pool_root_ssh 1 "$R token create boss --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1)
[ -n "$CAROL" ] && [ -n "$BOB" ] && [ -n "$BOSS" ] || fail "no tokens"

# bob: an account of the head, and of the node with the same uid.
pool_root_ssh 1 'useradd -m -s /bin/bash bob' || fail "useradd bob on the head"
buid=$(pool_root_ssh 1 'id -u bob')
bgid=$(pool_root_ssh 1 'id -g bob')
pool_root_ssh 2 "{ getent group $bgid >/dev/null || groupadd -g $bgid bob; } &&
	useradd -M -d /home/bob -u $buid -g $bgid -s /bin/bash bob" ||
	fail "useradd bob on the node"

code=$(TOKEN=$CAROL api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || [ "$code" = 201 ] || fail "POST carol's server: $code $(body)"
READY_S=150 wait_ready carol "$CAROL"
jid=$(squeue_on -n rig-server -u rig-carol -o %i)
[ -n "$jid" ] || fail "root sees no job of carol's: $(squeue_on -o %i:%u:%j)"
port=$(squeue_on -j "$jid" -o %k)
case $port in rig-port=[0-9]*) ;; *) fail "carol's job says no port in its comment: '$port'" ;; esac
note "carol's server is job $jid ($port), found and ready through the hub"

# bob's own job, on the node: he sees it (so his questions are answered).
bj=$(pool_root_ssh 1 "cd /home/bob && runuser -u bob -- sbatch --parsable --mem=50M -J bobs -o /dev/null --wrap 'sleep 300'") ||
	fail "sbatch as bob"
for h in 1 2; do
	where=$([ $h = 1 ] && echo head || echo node)
	out=$(pool_root_ssh $h "cd / && runuser -u bob -- squeue -h -t all -o '%i|%u|%j|%k'" 2>&1) ||
		fail "squeue as bob on the $where: $out"
	printf '%s\n' "$out" | grep -q "^$bj|bob|bobs|" || fail "bob does not see his own job on the $where: $out"
	printf '%s\n' "$out" | grep -q "rig-carol\|rig-server\|rig-port\|^$jid|" &&
		fail "bob sees carol's job on the $where: $out"
	out=$(pool_root_ssh $h "cd / && runuser -u bob -- scontrol show job $jid" 2>&1) || true
	printf '%s\n' "$out" | grep -q "rig-carol\|rig-server\|rig-port\|JobId=$jid" &&
		fail "scontrol show job $jid as bob on the $where shows it: $out"
	out=$(pool_root_ssh $h "cd / && runuser -u bob -- squeue -h -j $jid -o %k" 2>&1) || true
	printf '%s\n' "$out" | grep -q "rig-port" && fail "bob reads carol's comment on the $where: $out"
done
# The sacct of a pool without accounting storage has nothing for anyone.
out=$(pool_root_ssh 1 "cd / && runuser -u bob -- sacct -n -a -j $jid -o JobName,User" 2>&1) || true
printf '%s\n' "$out" | grep -q "rig-carol\|rig-server" && fail "sacct as bob shows carol's job: $out"

# The hub's jobs API: bob gets nothing of carol's.
code=$(TOKEN=$BOB api GET /hub/api/users/carol/jobs)
case $code in 403 | 404) ;; *) fail "bob's token on carol's jobs: $code $(body)" ;; esac
code=$(TOKEN=$BOB api GET "/hub/api/users/carol/jobs/$jid")
case $code in 403 | 404) ;; *) fail "bob's token on carol's job $jid: $code $(body)" ;; esac
code=$(TOKEN=$BOB api GET "/hub/api/users/bob/jobs/$jid")
[ "$code" = 404 ] || fail "carol's job under bob's name: $code $(body)"
# carol herself still lists it (asked as her account).
code=$(TOKEN=$CAROL api GET /hub/api/users/carol/jobs)
[ "$code" = 200 ] || fail "carol's jobs: $code $(body)"
[ "$(json "[j['id'] for j in d] == ['$jid']" <"$T/body")" = true ] || fail "carol's list: $(body)"

# The hub's views still see every job.
code=$(TOKEN=$BOSS api GET /hub/api/pool)
[ "$code" = 200 ] || fail "GET /hub/api/pool: $code $(body)"
json "sorted(j['id'] + ':' + j['user'] for n in d['nodes'] for j in n['jobs'])" <"$T/body" >"$T/pooljobs"
grep -q "$jid:rig-carol" "$T/pooljobs" && grep -q "$bj:bob" "$T/pooljobs" ||
	fail "the hub's pool view lacks a job: $(cat "$T/pooljobs") $(body)"
in_project "$P" "$RIG" pool status >"$T/s.txt" 2>&1 || fail "rig pool status: $(cat "$T/s.txt")"
grep -qx "  server of carol" "$T/s.txt" || fail "rig pool status has no server of carol: $(cat "$T/s.txt")"
grep -q "  job $bj of bob" "$T/s.txt" || fail "rig pool status has no job of bob: $(cat "$T/s.txt")"
AS=$HUBDIR/state/autostop.json
for _ in $(seq 1 60); do
	grep -q '"why":"busy: Slurm jobs on 1 node' "$AS" 2>/dev/null && break
	sleep 0.5
done
grep -q '"why":"busy: Slurm jobs on 1 node' "$AS" || fail "the idle stop does not count the jobs: $(cat "$AS" 2>&1)"

# A stop cancels carol's job: the hub found it to cancel.
code=$(TOKEN=$CAROL api DELETE /hub/api/users/carol/server)
case $code in 202 | 204) ;; *) fail "DELETE carol's server: $code $(body)" ;; esac
for _ in $(seq 1 150); do
	[ -z "$(squeue_on -j "$jid" -t running,pending,completing -o %i 2>/dev/null)" ] && break
	sleep 0.2
done
[ -z "$(squeue_on -j "$jid" -t running,pending,completing -o %i 2>/dev/null)" ] ||
	fail "carol's job $jid still runs after the stop"
pool_root_ssh 1 "scancel $bj"
grep -q "priv: refused a request\|to ask Slurm as\|squeue.* failed" "$HUBDIR/hub.log" &&
	fail "the hub's questions to Slurm failed: $(grep "priv: refused a request\|to ask Slurm as\|squeue.* failed" "$HUBDIR/hub.log")"
note "bob sees only his own job on the head and the node; the hub sees all as Slurm's user"
exit 0
