#!/bin/bash
# The hub's batch jobs (spawner = slurm, on a pool's head made by rig up):
# the API (/hub/api/users/NAME/jobs, /jobs/ID, its output, DELETE) and
# the jobs page with its cancel form show a user the jobs of their own
# account, asked of Slurm as that account. Attacks: another user's jobs
# through the API (their NAME, or their job's id under one's own NAME),
# the page and a cancel get 404 and leave the job running; a cancel
# without the form's _xsrf is refused; a job whose output file its owner
# replaced by a symbolic link to another account's readable file gets
# nothing of that file; an admin lists anyone's jobs but reads no
# output without admin_access.
. "$(dirname "$0")/lib.sh"

POOL_UID_MIN=$(pool_uid_min)
pool_hosts_up 2
H=$(host_addr 1)
N=$(host_addr 2)
NODE=${PREFIX}h2
P=$T/proj
project_init "$P" 1 --user root
printf '[pool]\nengine = slurm\n\n[partition cpu]\nhosts = %s\n' "$N" >>"$P/rig.conf"
in_project "$P" "$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
HUBDIR=$HOSTS_DIR/h1/root/.local/share/rig
R=/root/.local/bin/rig
S=/root/.local/share/rig/state
URL=https://$H:8000
export URL
for u in carol dave; do
	pw=pw-$(rand_str 20)
	printf '%s' "$pw" >"$T/pw.$u"
	printf '%s' "$pw" | pool_root_ssh 1 "$R user add $u --state-dir $S --password-stdin" >/dev/null ||
		fail "rig user add $u"
	pool_root_ssh 1 "useradd -m -s /bin/bash rig-$u" || fail "useradd rig-$u"
done
pool_root_ssh 1 "$R user add boss --admin --state-dir $S" >/dev/null || fail "rig user add boss"
# erin has no Unix account yet (no server started): no jobs.
pool_root_ssh 1 "$R user add erin --state-dir $S" >/dev/null || fail "rig user add erin"
pool_root_ssh 1 "id rig-erin" >/dev/null 2>&1 && fail "rig-erin exists already"
tok() { pool_root_ssh 1 "$R token create $1 --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1; }
CAROL=$(tok carol)
DAVE=$(tok dave)
BOSS=$(tok boss)
[ -n "$CAROL" ] && [ -n "$DAVE" ] && [ -n "$BOSS" ] || fail "no tokens"

# sbatch_as ACCOUNT ARGS...: a job submitted as ACCOUNT on the head.
sbatch_as() {
	local a=$1
	shift
	pool_root_ssh 1 "cd /home/$a && runuser -u $a -- sbatch --parsable --mem=50M $*"
}
state_of() { pool_root_ssh 1 "squeue -h -t all -j $1 -o %T"; }
wait_state() {
	for _ in $(seq 1 300); do
		[ "$(state_of "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	fail "job $1 is not $2: $(pool_root_ssh 1 "squeue -h -t all -o %i:%T:%r:%u; sinfo")"
}
cj=$(sbatch_as rig-carol "-J hello -o /home/rig-carol/%j.out --wrap 'echo carol-output; hostname'") || fail "sbatch carol"
# (The node has as many cores as this machine: the short jobs first.)
sj=$(sbatch_as rig-carol "-J sneaky -o /home/rig-carol/sneaky.out --wrap true") || fail "sbatch sneaky"
wait_state "$cj" COMPLETED
wait_state "$sj" COMPLETED
clong=$(sbatch_as rig-carol "-J long -o /dev/null --wrap 'sleep 600'") || fail "sbatch carol long"
dlong=$(sbatch_as rig-dave "-J dave-long -o /home/rig-dave/%j.out --wrap 'echo dave-private; sleep 600'") ||
	fail "sbatch dave"
wait_state "$clong" RUNNING
wait_state "$dlong" RUNNING

# The API: carol's own.
t0=$(now_ms)
code=$(TOKEN=$CAROL api GET /hub/api/users/carol/jobs)
[ "$code" = 200 ] || fail "GET jobs: $code $(body)"
note "GET jobs (squeue as rig-carol through the helper): $(($(now_ms) - t0)) ms"
[ "$(json "sorted(j['id'] for j in d)" <"$T/body")" = "$(printf '["%s", "%s", "%s"]' "$cj" "$clong" "$sj" | $PY -c 'import json,sys; print(json.dumps(sorted(json.load(sys.stdin))))')" ] ||
	fail "carol's list: $(body)"
[ "$(json "[j['node'] for j in d if j['id'] == '$cj'][0]" <"$T/body")" = "$NODE" ] || fail "no node: $(body)"
code=$(TOKEN=$CAROL api GET "/hub/api/users/carol/jobs/$cj")
[ "$code" = 200 ] || fail "GET job: $code $(body)"
[ "$(json 'd["state"] + " " + d["exit_code"] + " " + d["name"]' <"$T/body")" = "COMPLETED 0:0 hello" ] ||
	fail "GET job: $(body)"
code=$(TOKEN=$CAROL api GET "/hub/api/users/carol/jobs/$cj/output")
[ "$code" = 200 ] || fail "GET output: $code $(body)"
[ "$(body)" = "$(printf 'carol-output\n%s' "$NODE")" ] || fail "output: $(body)"
header() { sed -n "s/^$1: *//Ip" "$T/hdr" | tr -d '\r'; }
[ "$(header X-Rig-Job-State)" = COMPLETED ] || fail "no job state header: $(cat "$T/hdr")"
off=$(header X-Rig-Next-Offset)
code=$(TOKEN=$CAROL api GET "/hub/api/users/carol/jobs/$cj/output?offset=$off")
[ "$code" = 200 ] && [ ! -s "$T/body" ] || fail "output from the next offset: $code $(body)"

# Attacks through the API: dave's jobs, by his name or under carol's.
[ "$(TOKEN=$CAROL api GET /hub/api/users/dave/jobs)" = 404 ] || fail "carol listed dave's jobs: $(body)"
[ "$(TOKEN=$CAROL api GET "/hub/api/users/carol/jobs/$dlong")" = 404 ] || fail "carol saw dave's job: $(body)"
[ "$(TOKEN=$CAROL api GET "/hub/api/users/carol/jobs/$dlong/output")" = 404 ] ||
	fail "carol read dave's output: $(body)"
grep -q dave-private "$T/body" && fail "dave's output in the answer"
[ "$(TOKEN=$CAROL api DELETE "/hub/api/users/carol/jobs/$dlong")" = 404 ] || fail "carol cancelled dave's job: $(body)"
[ "$(TOKEN=$CAROL api DELETE "/hub/api/users/dave/jobs/$dlong")" = 404 ] || fail "carol cancelled as dave: $(body)"
[ "$(state_of "$dlong")" = RUNNING ] || fail "dave's job $dlong is $(state_of "$dlong") after carol's attempts"
TOKEN=$DAVE api GET /hub/api/users/dave/jobs >/dev/null
grep -q "\"$cj\"" "$T/body" && fail "dave's list shows carol's job: $(body)"
[ "$(TOKEN=$CAROL api GET '/hub/api/users/carol/jobs/1;id')" = 404 ] || fail "a bad id: $(body)"
# The admin sees the list, not the output (no admin_access).
[ "$(TOKEN=$BOSS api GET /hub/api/users/carol/jobs)" = 200 ] || fail "admin list: $(body)"
[ "$(TOKEN=$BOSS api GET /hub/api/users/erin/jobs)" = 200 ] && [ "$(body)" = "[]" ] ||
	fail "jobs of a user without an account: $(body)"
code=$(TOKEN=$BOSS api GET "/hub/api/users/carol/jobs/$cj/output")
case $code in 403 | 404) ;; *) fail "admin read carol's output without admin_access: $code $(body)" ;; esac

# A symbolic link for an output file: carol's job's output made a link
# to dave's file, which carol's account could read; the hub serves none.
pool_root_ssh 1 "echo dave-secret >/home/rig-dave/notes.txt && chown rig-dave: /home/rig-dave/notes.txt && chmod 644 /home/rig-dave/notes.txt && chmod 755 /home/rig-dave"
pool_root_ssh 1 "runuser -u rig-carol -- ln -sf /home/rig-dave/notes.txt /home/rig-carol/sneaky.out"
[ "$(pool_root_ssh 1 "runuser -u rig-carol -- cat /home/rig-carol/sneaky.out")" = dave-secret ] ||
	fail "the link does not reach dave's file (the check would prove nothing)"
code=$(TOKEN=$CAROL api GET "/hub/api/users/carol/jobs/$sj/output")
grep -q dave-secret "$T/body" && fail "the hub served dave's file through carol's link"
[ "$code" = 404 ] || fail "the link's output: $code $(body)"

# The page: carol's jobs, a job with its output, cancel with the form.
login carol
curl -sk -b "$T/jar.carol" "$URL/hub/jobs" >"$T/page" || fail "GET /hub/jobs"
grep -q "href=\"/hub/jobs/$cj\"" "$T/page" || fail "the jobs page lacks job $cj"
grep -q "href=\"/hub/jobs/$dlong\"" "$T/page" && fail "the jobs page shows dave's job"
grep -q 'href="/hub/jobs">Jobs</a>' "$T/page" || fail "no Jobs link in the top bar"
curl -sk -b "$T/jar.carol" "$URL/hub/jobs/$cj" >"$T/page" || fail "GET /hub/jobs/$cj"
grep -q "carol-output" "$T/page" || fail "the job's page lacks its output: $(cat "$T/page")"
code=$(curl -sk -o "$T/page" -w '%{http_code}' -b "$T/jar.carol" "$URL/hub/jobs/$dlong")
[ "$code" = 404 ] || fail "carol's page of dave's job: $code"
grep -q dave-private "$T/page" && fail "dave's output on carol's page"
x=$(xsrf_of carol)
code=$(curl -sk -o /dev/null -w '%{http_code}' -b "$T/jar.carol" -H "Origin: $URL" \
	-d "_xsrf=wrong" "$URL/hub/jobs/$clong/cancel")
[ "$code" = 403 ] || fail "a cancel without the session's _xsrf: $code"
[ "$(state_of "$clong")" = RUNNING ] || fail "job $clong cancelled without _xsrf"
code=$(curl -sk -o /dev/null -w '%{http_code}' -b "$T/jar.carol" -H "Origin: $URL" \
	--data-urlencode "_xsrf=$x" "$URL/hub/jobs/$dlong/cancel")
[ "$code" = 404 ] || fail "carol's page cancel of dave's job: $code"
[ "$(state_of "$dlong")" = RUNNING ] || fail "dave's job cancelled through carol's page"
code=$(curl -sk -o /dev/null -D "$T/hdr" -w '%{http_code}' -b "$T/jar.carol" -H "Origin: $URL" \
	--data-urlencode "_xsrf=$x" "$URL/hub/jobs/$clong/cancel")
[ "$code" = 303 ] || [ "$code" = 302 ] || fail "cancel: $code"
wait_state "$clong" CANCELLED
# The API's cancel of one's own.
[ "$(TOKEN=$DAVE api DELETE "/hub/api/users/dave/jobs/$dlong")" = 204 ] || fail "dave's cancel: $(body)"
wait_state "$dlong" CANCELLED
note "jobs API and page: own jobs, output, cancel; dave's refused; a linked output not served"
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
