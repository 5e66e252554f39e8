#!/bin/bash
# rig job on a pool (a head and one node, pool_hosts_up): a real person's
# account on the head (home on the shared /home) submits from a project
# folder; the job runs on the node and prints its host name and a synced
# file (an ignored one is not sent); list, show and logs find it; an
# array's three tasks each have their output; a command with quotes,
# $(), newlines and spaces runs exactly as given; --no-sync sends
# nothing; logs -f follows to the job's end; a long job is cancelled. A
# login whose home is not on the shared storage is refused. Another real
# account can neither list, show, read nor cancel the first one's jobs,
# through rig job or by hand on the head.
. "$(dirname "$0")/lib.sh"

POOL_UID_MIN=$(pool_uid_min)
pool_hosts_up 2
N=$(host_addr 2)
NODE=${PREFIX}h2
P=$T/proj
project_init "$P" 1 --user root
pool_conf() { printf '[pool]\nengine = slurm\n\n[partition cpu]\nhosts = %s\n' "$N" >>"$1/rig.conf"; }
pool_conf "$P"
in_project "$P" "$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"

# person NAME: an account on the head with its home on /home and the
# test's key (the head's sshd lets them in below).
person() {
	pool_root_ssh 1 "useradd -m -s /bin/bash $1 && usermod -p '*' $1 && install -d -o $1 -g $1 -m 700 /home/$1/.ssh" ||
		fail "useradd $1"
	install -m 600 "$HOST_KEY.pub" "$POOL_HOME/$1/.ssh/authorized_keys"
	pool_root_ssh 1 "chown $1: /home/$1/.ssh/authorized_keys"
}
person alice
person bob
sed -i "s/^AllowUsers .*/& alice bob/" "$HOSTS_DIR/h1/sshd_config"
kill -HUP "$(cat "$HOSTS_DIR/h1/sshd.pid")"
for _ in $(seq 1 100); do host_ssh 1 -l bob true 2>/dev/null && break; sleep 0.2; done
host_ssh 1 -l bob true || fail "bob cannot log in to the head"
A=$T/alice-proj
project_init "$A" 1 --user alice
pool_conf "$A"
B=$T/bob-proj
project_init "$B" 1 --user bob
pool_conf "$B"
W=$POOL_HOME/alice/work/m1
job() { in_project "$A" "$RIG" job "$@"; }

# state ID: the job's state as rig job show says it.
state() { job show "$1" 2>/dev/null | sed -n 's/^state: *//p' | head -n 1; }
# wait_state ID STATE: until the job is in STATE (bounded).
wait_state() {
	for _ in $(seq 1 300); do
		[ "$(state "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	fail "job $1 is not $2: $(job show "$1" 2>&1)"
}

echo "from the project" >"$A/data.txt"
echo "not for the pool" >"$A/secret.txt"
echo secret.txt >"$A/.gitignore"
t0=$(now_ms)
id=$(job submit --mem 50M --name hello -- sh -c 'hostname; cat data.txt' 2>"$T/submit.err") ||
	fail "submit: $(cat "$T/submit.err")"
t1=$(now_ms)
[[ $id =~ ^[0-9]+$ ]] || fail "submit printed '$id', not a job id alone"
[ -e "$W/data.txt" ] || fail "data.txt not synced to ~/work/m1"
[ -e "$W/secret.txt" ] && fail "an ignored file was synced"
wait_state "$id" COMPLETED
note "submit with its sync: $((t1 - t0)) ms; submit to COMPLETED seen by rig job show: $(($(now_ms) - t1)) ms"
job show "$id" >"$T/show" || fail "show $id"
grep -qx "node: *$NODE" "$T/show" || fail "show: not on $NODE: $(cat "$T/show")"
grep -qx "exit code: *0:0" "$T/show" || fail "show: no exit code 0:0: $(cat "$T/show")"
grep -qx "user: *alice" "$T/show" || fail "show: not alice's: $(cat "$T/show")"
job list >"$T/list" || fail "list"
grep -q "^$id  *COMPLETED .* $NODE  *hello$" "$T/list" || fail "list: $(cat "$T/list")"
job list --json >"$T/list.json" || fail "list --json"
[ "$(json "[j['state'] for j in d if j['id'] == '$id'][0]" <"$T/list.json")" = COMPLETED ] ||
	fail "list --json: $(cat "$T/list.json")"
[ "$(job logs "$id")" = "$(printf '%s\nfrom the project' "$NODE")" ] ||
	fail "logs $id: $(job logs "$id" 2>&1)"
[ "$(stat -c %a "$W/.rig-jobs")" = 700 ] || fail ".rig-jobs is not 0700"
note "job $id ran on $NODE with the project's file"

# Hostile arguments reach the command as they were given.
args=("a'b" '$(touch /tmp/'"$PREFIX"'pwned)' "$(printf 'two\nlines')" 'two  spaces' '"dq"' '*' ';' '`id`' '\' '')
hid=$(job submit --mem 50M -- printf '[%s]\n' "${args[@]}" 2>"$T/submit.err") || fail "submit hostile: $(cat "$T/submit.err")"
wait_state "$hid" COMPLETED
[ "$(job logs "$hid")" = "$(printf '[%s]\n' "${args[@]}")" ] ||
	fail "hostile arguments changed: $(job logs "$hid" 2>&1)"
[ -e "/tmp/${PREFIX}pwned" ] && fail "an argument ran as code"

# An array: three tasks, three outputs.
aid=$(job submit --mem 50M --array 0-2 -- sh -c 'echo task $SLURM_ARRAY_TASK_ID' 2>"$T/submit.err") ||
	fail "submit array: $(cat "$T/submit.err")"
for t in 0 1 2; do wait_state "${aid}_$t" COMPLETED; done
[ "$(job logs "${aid}_1")" = "task 1" ] || fail "logs ${aid}_1: $(job logs "${aid}_1" 2>&1)"
[ "$(job logs "$aid")" = "$(printf '==> %s_0 <==\ntask 0\n==> %s_1 <==\ntask 1\n==> %s_2 <==\ntask 2' "$aid" "$aid" "$aid")" ] ||
	fail "logs $aid: $(job logs "$aid" 2>&1)"
[ "$(job logs -f "${aid}_2")" = "task 2" ] || fail "logs -f ${aid}_2: $(job logs -f "${aid}_2" 2>&1)"
job logs -f "$aid" >"$T/af" 2>&1 && fail "logs -f of a whole array: $(cat "$T/af")"
grep -q "is an array: follow one task" "$T/af" || fail "logs -f of an array: $(cat "$T/af")"

# --no-sync: the head keeps the last synced copy.
echo "changed here" >"$A/data.txt"
nid=$(job submit --no-sync --mem 50M -- cat data.txt 2>"$T/submit.err") || fail "submit --no-sync: $(cat "$T/submit.err")"
wait_state "$nid" COMPLETED
[ "$(job logs "$nid")" = "from the project" ] || fail "--no-sync sent the file: $(job logs "$nid" 2>&1)"

# logs -f follows the output until the job ends.
fid=$(job submit --mem 50M -- sh -c 'echo one; sleep 2; echo two' 2>"$T/submit.err") || fail "submit: $(cat "$T/submit.err")"
out=$(cd "$A" && timeout 120 "$RIG" job logs -f "$fid" 2>&1)
[ "$out" = "$(printf 'one\ntwo')" ] || fail "logs -f $fid: $out"

# A long job: bob cannot touch it; alice cancels it.
lid=$(job submit --mem 50M --name long -- sleep 600 2>"$T/submit.err") || fail "submit long: $(cat "$T/submit.err")"
wait_state "$lid" RUNNING
bjob() { in_project "$B" "$RIG" job "$@"; }
bjob list >"$T/blist" 2>&1 || fail "bob's list: $(cat "$T/blist")"
grep -q "alice\|hello\|long\|^$lid " "$T/blist" && fail "bob's list shows alice's jobs: $(cat "$T/blist")"
bjob show "$lid" >"$T/bshow" 2>&1 && fail "bob's show of alice's job: $(cat "$T/bshow")"
# (The pool's PrivateData=jobs: Slurm does not even show bob that it is.)
grep -q "Slurm knows no job $lid" "$T/bshow" || fail "bob's show: $(cat "$T/bshow")"
grep -q "long\|alice" "$T/bshow" && fail "bob's show says something of alice's job: $(cat "$T/bshow")"
bjob logs "$id" >"$T/blogs" 2>&1 && fail "bob read alice's output: $(cat "$T/blogs")"
grep -q "from the project" "$T/blogs" && fail "bob read alice's output"
bjob cancel "$lid" >"$T/bcancel" 2>&1 && fail "bob cancelled alice's job"
grep -q "Slurm knows no job $lid" "$T/bcancel" || fail "bob's cancel: $(cat "$T/bcancel")"
# By hand on the head, Slurm and the folder's mode refuse too.
host_ssh 1 -l bob "scancel $lid" >"$T/bscancel" 2>&1 && fail "bob's scancel of $lid worked"
host_ssh 1 -l bob "cat /home/alice/work/m1/.rig-jobs/$id.out" >"$T/bcat" 2>&1 &&
	fail "bob read alice's output file: $(cat "$T/bcat")"
[ "$(state "$lid")" = RUNNING ] || fail "alice's job $lid is no longer running after bob's attempts"
job cancel "$lid" 2>"$T/cancel.err" || fail "cancel $lid: $(cat "$T/cancel.err")"
wait_state "$lid" CANCELLED

# A login whose home is not on the shared storage: refused, with why.
U=$T/user-proj
project_init "$U" 1
pool_conf "$U"
in_project "$U" "$RIG" job submit -- true >"$T/u.out" 2>&1 && fail "a job from a home off the shared storage"
grep -q "not on the pool's shared storage (/home)" "$T/u.out" || fail "no reason: $(cat "$T/u.out")"
# Bad values never reach the head.
rc=0
job submit --mem lots -- true 2>"$T/bad.err" || rc=$?
[ $rc = 2 ] || fail "--mem lots: not a usage error ($rc)"
grep -q "not an amount" "$T/bad.err" || fail "--mem lots: $(cat "$T/bad.err")"
job logs '1;id' 2>"$T/bad.err" && fail "logs took '1;id'"
note "submit, list, show, logs (-f, array), hostile arguments, --no-sync, cancel; bob refused"
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
