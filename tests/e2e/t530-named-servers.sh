#!/bin/bash
# run-alone: three notebook servers and four kernels of one user at once
# Named servers (allow_named_servers, JupyterHub's): two named servers and
# the default side by side for one user, each a real notebook on its own
# socket and secret answering its own prefix with a kernel, each in its own
# cgroup; the model's servers dict and a named server's progress; stopping
# one ends it and what it left behind and leaves the others; a hub restart
# adopts them all. (t532: the limit, hostile names, a race, removal and a
# second user's attacks.)
. "$(dirname "$0")/lib.sh"

rig_user_add alice
rig_user_add bob
hub_config "allow_named_servers = yes" "spawn_timeout = 150"
READY_S=150
hub_start
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
RUN=/run/rig/${PREFIX}alice

# wait_named SRV: until alice's server SRV is ready (READY_S seconds).
wait_named() { wait_named_ready alice "$ALICE" "$1"; }

# Started side by side: the default, then two named ones.
spawn alice "$ALICE"
for srv in one two; do
	code=$(TOKEN=$ALICE api POST "/hub/api/users/alice/servers/$srv")
	case $code in 201 | 202) ;; *) fail "POST servers/$srv: $code $(body)" ;; esac
done
wait_named one
wait_named two

# Each on its own socket in the account's runtime directory, its own
# process, its own secret.
p0=$(sock_pid "$RUN/jupyter.sock")
p1=$(sock_pid "$RUN/jupyter-one.sock")
p2=$(sock_pid "$RUN/jupyter-two.sock")
[ -n "$p0" ] && [ -n "$p1" ] && [ -n "$p2" ] || fail "sockets: '$p0' '$p1' '$p2': $(ss -xlp | grep -F "$RUN")"
[ "$p0" != "$p1" ] && [ "$p1" != "$p2" ] && [ "$p0" != "$p2" ] || fail "one process for two servers: $p0 $p1 $p2"
for p in "$p0" "$p1" "$p2"; do
	[ "$(stat -c %U "/proc/$p")" = "${PREFIX}alice" ] || fail "pid $p is not alice's account"
done
s1=$(tr '\0' '\n' <"/proc/$p1/environ" | sed -n 's/^JUPYTER_TOKEN=//p')
s2=$(tr '\0' '\n' <"/proc/$p2/environ" | sed -n 's/^JUPYTER_TOKEN=//p')
[ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" != "$s2" ] || fail "the named servers share a secret or have none"
tr '\0' '\n' <"/proc/$p1/environ" | grep -qx "JUPYTERHUB_SERVICE_PREFIX=/user/alice/one/" ||
	fail "server one's prefix: $(tr '\0' '\n' <"/proc/$p1/environ" | grep PREFIX)"

# Each answers its own prefix, and a kernel runs in each.
for srv in "" one/ two/; do
	[ "$(TOKEN=$ALICE api GET "/user/alice/${srv}api/status")" = 200 ] ||
		fail "GET /user/alice/${srv}api/status: $(body)"
	out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/alice/$srv" "token:$ALICE" \
		'import os; print(os.environ["JUPYTERHUB_SERVICE_PREFIX"]); 6*7' 2>&1) ||
		fail "runcell in '$srv': $out"
	printf '%s\n' "$out" | grep -qx "/user/alice/$srv" || fail "the kernel of '$srv' is another server's: $out"
	[ "$(printf '%s\n' "$out" | tail -n 1)" = 42 ] || fail "runcell in '$srv' printed: $out"
done

# Each server in its own cgroup (the named ones ACCOUNT@SRV); a process
# server one leaves in a session of its own, as kernels do, is in one's.
grep -q ":/rig/${PREFIX}alice\$" "/proc/$p0/cgroup" || fail "the default server's cgroup: $(cat "/proc/$p0/cgroup")"
for n in one:$p1 two:$p2; do
	grep -q ":/rig/${PREFIX}alice@${n%%:*}\$" "/proc/${n#*:}/cgroup" ||
		fail "server ${n%%:*}'s cgroup: $(cat "/proc/${n#*:}/cgroup")"
done
out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/alice/one/" "token:$ALICE" \
	'import subprocess; print(subprocess.Popen(["sleep", "600"], start_new_session=True).pid); 1' 2>&1) ||
	fail "runcell leaving a process in one: $out"
left=$(printf '%s\n' "$out" | tail -n 2 | head -n 1)
pid_alive "$left" || fail "no process left by one: $out"
grep -q ":/rig/${PREFIX}alice@one\$" "/proc/$left/cgroup" || fail "one's leftover is not in one's cgroup"

# The model: every server, JupyterHub's shape.
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice)" = 200 ] || fail "model: $(body)"
[ "$(json 'sorted(d["servers"])' <"$T/body")" = '["", "one", "two"]' ] || fail "servers: $(body)"
[ "$(json 'd["servers"]["one"]["url"]' <"$T/body")" = /user/alice/one/ ] || fail "one's url: $(body)"
[ "$(json 'd["servers"]["one"]["name"]' <"$T/body")" = one ] || fail "one's name: $(body)"
[ "$(json 'd["servers"]["two"]["progress_url"]' <"$T/body")" = /hub/api/users/alice/servers/two/progress ] ||
	fail "two's progress_url: $(body)"
# The progress of a ready server: its last event at once, its own URL.
curl -sk -m 20 -H "Authorization: token $ALICE" "$URL/hub/api/users/alice/servers/two/progress" >"$T/ev" ||
	fail "progress of two"
grep -q '"url": *"/user/alice/two/"' "$T/ev" || fail "two's progress: $(cat "$T/ev")"

# Stop one: it and what it left end, the rest keep running.
code=$(TOKEN=$ALICE api DELETE /hub/api/users/alice/servers/one)
case $code in 202 | 204) ;; *) fail "stop one: $code $(body)" ;; esac
for i in $(seq 1 150); do
	pid_alive "$p1" || pid_alive "$left" || break
	sleep 0.2
done
! pid_alive "$p1" || fail "server one still runs after its stop"
! pid_alive "$left" || fail "what server one left in a session of its own outlived its stop"
pid_alive "$p0" && pid_alive "$p2" || fail "stopping one ended another"
for srv in "" two/; do
	[ "$(TOKEN=$ALICE api GET "/user/alice/${srv}api/status")" = 200 ] ||
		fail "'$srv' after the stop of one: $(body)"
done
[ "$(TOKEN=$ALICE api GET '/hub/api/users/alice?include_stopped_servers')" = 200 ] || fail "model: $(body)"
[ "$(json 'd["servers"]["one"]["stopped"]' <"$T/body")" = true ] || fail "one not stopped: $(body)"
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice)" = 200 ] || fail "model: $(body)"
[ "$(json 'sorted(d["servers"])' <"$T/body")" = '["", "two"]' ] || fail "active servers: $(body)"
# A stopped named server's prefix offers to start it (not the default).
code=$(curl -sk -m 10 -H "Authorization: token $ALICE" -H 'Accept: text/html' -o /dev/null -D "$T/h" \
	-w '%{http_code}' "$URL/user/alice/one/tree" || true)
[ "$code" = 503 ] || [ "$(header Location <"$T/h")" = "/hub/spawn-pending/alice/one?next=/user/alice/one/tree" ] ||
	fail "a stopped named server's prefix: $code $(cat "$T/h")"


# A hub restart adopts them all: the default and two still answer, each
# through its own secret.
hub_stop
hub_start
for srv in "" two/; do
	[ "$(TOKEN=$ALICE api GET "/user/alice/${srv}api/status")" = 200 ] ||
		fail "'$srv' after a restart: $(body)"
done
grep -q 'server alice/two: taken over' "$T/hub.log" || fail "two not taken over: $(grep 'alice' "$T/hub.log" | tail)"
[ "$(TOKEN=$ALICE api GET '/hub/api/users/alice?include_stopped_servers')" = 200 ] || fail "model: $(body)"
[ "$(json '[d["servers"][k]["ready"] for k in ("", "one", "two")]' <"$T/body")" = '[true, false, true]' ] ||
	fail "servers after a restart: $(body)"
# Started again after the restart: its own again.
code=$(TOKEN=$ALICE api POST /hub/api/users/alice/servers/one)
case $code in 201 | 202) ;; *) fail "restart one: $code $(body)" ;; esac
wait_named one
[ "$(TOKEN=$ALICE api GET /user/alice/one/api/status)" = 200 ] || fail "one after its restart: $(body)"

hub_stop
