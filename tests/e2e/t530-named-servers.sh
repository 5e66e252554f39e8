#!/bin/bash
# Named servers (allow_named_servers, JupyterHub's): two named servers and
# the default side by side for one user, each a real notebook on its own
# socket answering its own prefix with a kernel; the model's servers dict;
# named_server_limit_per_user with JupyterHub's 400; hostile names and two
# racing starts of one server; stopping and deleting one leaves the others;
# a hub restart adopts them all; a second real user can neither reach nor
# stop them; a named server's own secret reaches its server alone.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
rig_user_add bob
hub_config "allow_named_servers = yes" "named_server_limit_per_user = 3" \
	"spawn_timeout = 150"
READY_S=150
hub_start
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
RUN=/run/rig/${PREFIX}alice

# wait_named SRV: until alice's server SRV is ready (READY_S seconds).
wait_named() {
	local i code
	for i in $(seq 1 $((READY_S * 5))); do
		code=$(TOKEN=$ALICE api GET /hub/api/users/alice)
		[ "$code" = 200 ] && [ "$(json "d['servers'].get('$1', {}).get('ready')" <"$T/body")" = true ] &&
			return 0
		sleep 0.2
	done
	fail "alice's server '$1' not ready within $READY_S s: $code $(body) $(tail -n 20 "$T/hub.log")"
}

# sock_pid FILE: the pid listening on Unix socket FILE.
sock_pid() {
	ss -xlpH | grep -F " $1 " | sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -n 1
}

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

# Hostile names: refused, nothing started, no row.
for bad in .. a%2fb UPPER a..b -x "$(printf 'x%.0s' $(seq 1 33))" "$(printf 'y%.0s' $(seq 1 5000))"; do
	code=$(TOKEN=$ALICE api POST "/hub/api/users/alice/servers/$bad")
	case $code in 400 | 403 | 404 | 405 | 414 | 431) ;; *) fail "POST servers/$bad: $code $(body)" ;; esac
done
code=$(TOKEN=$ALICE api POST "/hub/api/users/alice/servers/UPPER")
[ "$code" = 400 ] && grep -q 'Invalid server_name' "$T/body" || fail "an invalid name's answer: $code $(body)"
ls "$RUN" >"$T/socks"
[ "$(grep -c '\.sock$' "$T/socks")" = 3 ] || fail "sockets after hostile names: $(cat "$T/socks")"
[ "$(TOKEN=$ALICE api GET '/hub/api/users/alice?include_stopped_servers')" = 200 ] || fail "model: $(body)"
[ "$(json 'sorted(d["servers"])' <"$T/body")" = '["", "one", "two"]' ] || fail "servers after hostile names: $(body)"

# Two racing starts of one server: both accepted, one server.
racers=
for i in 1 2; do
	(curl -sk -m 60 -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Length: 0' \
		-H "Authorization: token $ALICE" "$URL/hub/api/users/alice/servers/race" >"$T/race.$i") &
	racers="$racers $!"
done
# shellcheck disable=SC2086 # the pids, one word each
wait $racers
for i in 1 2; do
	case $(cat "$T/race.$i") in 201 | 202) ;; *) fail "racing start $i: $(cat "$T/race.$i")" ;; esac
done
wait_named race
[ "$(grep -c 'server alice/race: started pid' "$T/hub.log")" = 1 ] ||
	fail "the race started more than one: $(grep 'alice/race' "$T/hub.log")"

# The limit (3 named): JupyterHub's 400 and message.
code=$(TOKEN=$ALICE api POST /hub/api/users/alice/servers/four)
[ "$code" = 400 ] || fail "a fourth named server: $code $(body)"
grep -q 'already has the maximum of 3 named servers' "$T/body" || fail "the limit's message: $(body)"

# Stop one, delete another: the rest keep running.
code=$(TOKEN=$ALICE api DELETE /hub/api/users/alice/servers/one)
case $code in 202 | 204) ;; *) fail "stop one: $code $(body)" ;; esac
code=$(TOKEN=$ALICE api DELETE /hub/api/users/alice/servers/race -d '{"remove": true}')
case $code in 202 | 204) ;; *) fail "remove race: $code $(body)" ;; esac
for i in $(seq 1 150); do
	pid_alive "$p1" || [ -n "$(sock_pid "$RUN/jupyter-race.sock")" ] || break
	sleep 0.2
done
! pid_alive "$p1" || fail "server one still runs after its stop"
pid_alive "$p0" && pid_alive "$p2" || fail "stopping one ended another"
for srv in "" two/; do
	[ "$(TOKEN=$ALICE api GET "/user/alice/${srv}api/status")" = 200 ] ||
		fail "'$srv' after the stop of one: $(body)"
done
[ "$(TOKEN=$ALICE api GET '/hub/api/users/alice?include_stopped_servers')" = 200 ] || fail "model: $(body)"
[ "$(json 'sorted(d["servers"])' <"$T/body")" = '["", "one", "two"]' ] || fail "servers after stop/remove: $(body)"
[ "$(json 'd["servers"]["one"]["stopped"]' <"$T/body")" = true ] || fail "one not stopped: $(body)"
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice)" = 200 ] || fail "model: $(body)"
[ "$(json 'sorted(d["servers"])' <"$T/body")" = '["", "two"]' ] || fail "active servers: $(body)"
[ "$(TOKEN=$ALICE api DELETE /hub/api/users/alice/servers/race)" = 404 ] || fail "a removed server: $(body)"
grep -q "alice has no server named 'race'" "$T/body" || fail "a removed server's message: $(body)"
# A stopped named server's prefix offers to start it (not the default).
code=$(curl -sk -m 10 -H "Authorization: token $ALICE" -H 'Accept: text/html' -o /dev/null -D "$T/h" \
	-w '%{http_code}' "$URL/user/alice/one/tree" || true)
[ "$code" = 503 ] || [ "$(header Location <"$T/h")" = "/hub/spawn-pending/alice/one?next=/user/alice/one/tree" ] ||
	fail "a stopped named server's prefix: $code $(cat "$T/h")"

# A named server's secret: its own server, not its user's others.
code=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $s2" "$URL/user/alice/two/api/status" || true)
[ "$code" = 200 ] || fail "two's secret at two: $code"
code=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $s2" "$URL/user/alice/api/status" || true)
case $code in 403 | 404) ;; *) fail "two's secret reached alice's default server: $code" ;; esac

# Bob, a second real user: cannot reach, start or stop alice's named
# servers, by token or by his cookies.
code=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: token $BOB" "$URL/user/alice/two/api/status" || true)
[ "$code" = 403 ] || fail "bob's token at alice/two: $code"
[ "$(TOKEN=$BOB api DELETE /hub/api/users/alice/servers/two)" = 404 ] || fail "bob stopped alice/two: $(body)"
[ "$(TOKEN=$BOB api POST /hub/api/users/alice/servers/bobs)" = 404 ] || fail "bob started alice/bobs: $(body)"
[ "$(TOKEN=$BOB api GET /hub/api/users/alice/servers/two/progress)" = 404 ] || fail "bob read alice/two's progress: $(body)"
login bob
xb=$(xsrf_of bob)
for action in stop remove spawn; do
	code=$(curl -sk -m 10 -b "$T/jar.bob" -o /dev/null -w '%{http_code}' -H "Origin: $URL" \
		--data-urlencode "_xsrf=$xb" "$URL/hub/$action/alice/two" || true)
	[ "$code" = 403 ] || fail "bob's cookies at /hub/$action/alice/two: $code"
done
code=$(curl -sk -m 10 -b "$T/jar.bob" -o /dev/null -w '%{http_code}' "$URL/user/alice/two/api/status" || true)
[ "$code" = 403 ] || fail "bob's cookies at alice/two: $code"
pid_alive "$p2" || fail "alice/two ended by bob's tries"

# The home page lists them with their forms.
login alice
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/home" >"$T/home"
for want in 'data-server="one"' 'data-server="two"' 'action="/hub/stop/alice/two"' \
	'action="/hub/spawn/alice/one"' 'action="/hub/remove/alice/one"' 'name="server_name"'; do
	grep -qF "$want" "$T/home" || fail "the home page lacks $want"
done

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
