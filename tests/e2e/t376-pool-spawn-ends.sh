#!/bin/bash
# The job's output on the spawn page while a start waits
# (spawn-slurm-log.c), and a server's Slurm job that ends under it, the
# user told why on the home page (serverend.c): the job's time limit,
# shortened with scontrol as Slurm's administrator would (t378: its node
# killed).
. "$(dirname "$0")/lib.sh"

pool_hub_up 1
. "$(dirname "$0")/lib-serverend.sh"
carol_signed_in

# The job's output on the spawn page while the start waits: its Jupyter
# held (SIGSTOP) as soon as it runs, long before it can listen.
code=$(TOKEN=$TOKEN api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || fail "POST server: $code $(body)"
jpid=
for _ in $(seq 1 3000); do
	uid=$(pool_root_ssh 1 'id -u rig-carol' 2>/dev/null) && jpid=$(pgrep -u "$uid" -f NotebookApp.port | head -n 1)
	[ -n "$jpid" ] && break
	sleep 0.05
done
[ -n "$jpid" ] || fail "carol's Jupyter never ran"
kill -STOP "$jpid"
jid=$(squeue_on -u rig-carol -o %i)
for _ in $(seq 1 100); do
	curl -sk -m 10 -b "$T/jar.carol" "$URL/hub/spawn-pending/carol" >"$T/pending.html"
	grep -q "rig: job $jid on $NODE: the server on port" "$T/pending.html" && break
	sleep 0.2
done
grep -q "rig: job $jid on $NODE: the server on port" "$T/pending.html" ||
	fail "the spawn page does not show the job's output: $(grep -o '<h1>.*' "$T/pending.html" | head -c 600)"
grep -q 'id="log"' "$T/pending.html" || fail "no log on the spawn page"
kill -CONT "$jpid"
READY_S=150 wait_ready carol "$TOKEN"
code=$(TOKEN=$TOKEN api DELETE /hub/api/users/carol/server)
case $code in 202 | 204) ;; *) fail "DELETE server: $code $(body)" ;; esac
for _ in $(seq 1 150); do
	[ -z "$(squeue_on -u rig-carol -o %i)" ] && [ "$(TOKEN=$TOKEN api GET /hub/api/users/carol)" = 200 ] &&
		[ "$(json 'd["servers"]' <"$T/body")" = "{}" ] && break
	sleep 0.2
done
home | grep -q 'stopped on its own' && fail "a stop the user asked for is shown as an end on its own"

# The time limit.
start
t0=$(now_ms)
pool_root_ssh 1 "scontrol update JobId=$jid TimeLimit=0:01" || fail "scontrol update TimeLimit"
ended TIMEOUT 'its time limit'
note "time limit: the server ended $(($(now_ms) - t0)) ms after the job's limit was cut"
# A new start forgets the old end.
start
home | grep -q 'stopped on its own' && fail "the home page still shows the last end after a new start"

in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
