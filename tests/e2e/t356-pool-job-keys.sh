#!/bin/bash
# A server job's TLS key on its node lives in the job's own folder,
# /run/rig-jobs/JOBID, which rig's Slurm prolog makes (0700, the job's
# account, under a root folder) and its epilog removes however the job
# ends: after a plain scancel and after SIGKILL to every process of the
# job (when the job's own clean-up cannot run) the folder is gone. While
# it exists, bob, another account of the node, can neither list it nor
# read the key.
. "$(dirname "$0")/lib.sh"

pool_hub_up 1
grep -qx 'Epilog=/etc/slurm/rig-epilog' "$HOSTS_DIR/h2/etc/slurm/slurm.conf" ||
	fail "no Epilog in the node's slurm.conf"
CAROL=$(pool_token carol)
[ -n "$CAROL" ] || fail "no token"
# A uid of its own: the node's next free one may be carol's on the head.
pool_root_ssh 2 "useradd -M -u $((POOL_UID_MIN + 900)) -s /bin/bash bob" || fail "useradd bob on the node"

# start: carol's server, ready; its job id in $jid.
start() {
	local code
	code=$(TOKEN=$CAROL api POST /hub/api/users/carol/server)
	[ "$code" = 202 ] || [ "$code" = 201 ] || fail "POST carol's server: $code $(body)"
	READY_S=150 wait_ready carol "$CAROL"
	jid=$(squeue_on -n rig-server -u rig-carol -t running -o %i)
	[ -n "$jid" ] || fail "no running job of carol's"
}
# gone_after WHAT: the job ended, the hub saw it, and its folder is gone.
gone_after() {
	local code
	for _ in $(seq 1 150); do
		[ -z "$(squeue_on -j "$jid" -t running,pending,completing -o %i 2>/dev/null)" ] && break
		sleep 0.2
	done
	[ -z "$(squeue_on -j "$jid" -t running,pending,completing -o %i 2>/dev/null)" ] ||
		fail "job $jid still there after $1"
	for _ in $(seq 1 100); do
		pool_root_ssh 2 "test -e /run/rig-jobs/$jid" || break
		sleep 0.2
	done
	pool_root_ssh 2 "test -e /run/rig-jobs/$jid" &&
		fail "the job's folder is left after $1: $(pool_root_ssh 2 "ls -laR /run/rig-jobs/$jid")"
	for _ in $(seq 1 150); do
		code=$(TOKEN=$CAROL api GET /hub/api/users/carol)
		[ "$code" = 200 ] && [ "$(json "len(d['servers'])" <"$T/body")" = 0 ] && return 0
		sleep 0.2
	done
	fail "the hub did not see the end of job $jid ($1): $(body)"
}

start
uid=$(pool_root_ssh 1 'id -u rig-carol')
[ "$(pool_root_ssh 2 'stat -c %a:%u /run/rig-jobs')" = 755:0 ] ||
	fail "/run/rig-jobs: $(pool_root_ssh 2 'stat -c %a:%U /run/rig-jobs')"
[ "$(pool_root_ssh 2 "stat -c %a:%u /run/rig-jobs/$jid")" = "700:$uid" ] ||
	fail "the job's folder: $(pool_root_ssh 2 "ls -la /run/rig-jobs")"
key=$(pool_root_ssh 2 "ls -d /run/rig-jobs/$jid/rig-tls-*/server.key")
[ -n "$key" ] || fail "no key in the job's folder: $(pool_root_ssh 2 "ls -laR /run/rig-jobs/$jid")"
[ "$(pool_root_ssh 2 "stat -c %a:%u $key")" = "600:$uid" ] || fail "the key: $(pool_root_ssh 2 "ls -la $key")"
pool_root_ssh 2 "grep -q 'PRIVATE KEY' $key" || fail "$key holds no key"
out=$(pool_root_ssh 2 "cd / && runuser -u bob -- ls /run/rig-jobs/$jid" 2>&1) &&
	fail "bob lists the job's folder: $out"
out=$(pool_root_ssh 2 "cd / && runuser -u bob -- cat $key" 2>&1) && fail "bob reads the key: $out"
printf '%s' "$out" | grep -q 'PRIVATE KEY' && fail "bob got the key: $out"
note "job $jid's key in $key, 0600 in a 0700 folder, bob refused"

# A plain scancel (behind the hub's back): the folder goes.
pool_root_ssh 1 "scancel $jid" || fail "scancel $jid"
gone_after "scancel"

# SIGKILL to all of the job's processes: no clean-up of its own runs.
start
pool_root_ssh 2 "test -d /run/rig-jobs/$jid" || fail "no folder for job $jid"
pool_root_ssh 1 "scancel --full -s KILL $jid" || fail "scancel -s KILL $jid"
gone_after "SIGKILL to the job's processes"
note "the folders of jobs ended by scancel and by SIGKILL are gone"
exit 0
