#!/bin/bash
# Named servers attacked and bounded: named_server_limit_per_user with
# JupyterHub's 400; hostile names ("..", "/" as %2f, upper case, very
# long) refused with nothing started; two racing starts of one server make
# one; removal with {"remove": true}; a named server's own secret reaches
# its server alone; a second real user can neither reach, start nor stop
# another's named server, by token or cookies; the home page's forms.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
rig_user_add bob
rig_user_add root1 --admin
hub_config "allow_named_servers = yes" "named_server_limit_per_user = 2" \
	"spawn_timeout = 150"
READY_S=150
hub_start
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
RUN=/run/rig/${PREFIX}alice

# wait_named SRV: until alice's server SRV is ready (READY_S seconds).
wait_named() { wait_named_ready alice "$ALICE" "$1"; }

code=$(TOKEN=$ALICE api POST /hub/api/users/alice/servers/two)
case $code in 201 | 202) ;; *) fail "POST servers/two: $code $(body)" ;; esac
wait_named two
p2=$(sock_pid "$RUN/jupyter-two.sock")
[ -n "$p2" ] || fail "nothing listens on two's socket"
s2=$(tr '\0' '\n' <"/proc/$p2/environ" | sed -n 's/^JUPYTER_TOKEN=//p')

# Hostile names: refused, nothing started, no row.
for bad in .. a%2fb UPPER a..b -x "$(printf 'x%.0s' $(seq 1 33))" "$(printf 'y%.0s' $(seq 1 5000))"; do
	code=$(TOKEN=$ALICE api POST "/hub/api/users/alice/servers/$bad")
	case $code in 400 | 403 | 404 | 405 | 414 | 431) ;; *) fail "POST servers/$bad: $code $(body)" ;; esac
done
code=$(TOKEN=$ALICE api POST "/hub/api/users/alice/servers/UPPER")
[ "$code" = 400 ] && grep -q 'Invalid server_name' "$T/body" || fail "an invalid name's answer: $code $(body)"
ls "$RUN" >"$T/socks"
[ "$(grep -c '\.sock$' "$T/socks")" = 1 ] || fail "sockets after hostile names: $(cat "$T/socks")"
[ "$(TOKEN=$ALICE api GET '/hub/api/users/alice?include_stopped_servers')" = 200 ] || fail "model: $(body)"
[ "$(json 'sorted(d["servers"])' <"$T/body")" = '["two"]' ] || fail "servers after hostile names: $(body)"

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

# The limit (2 named, two and race): JupyterHub's 400 and message.
code=$(TOKEN=$ALICE api POST /hub/api/users/alice/servers/four)
[ "$code" = 400 ] || fail "a third named server: $code $(body)"
grep -q 'already has the maximum of 2 named servers' "$T/body" || fail "the limit's message: $(body)"

# Removed: gone from the model, its name free again under the limit.
code=$(TOKEN=$ALICE api DELETE /hub/api/users/alice/servers/race -d '{"remove": true}')
case $code in 202 | 204) ;; *) fail "remove race: $code $(body)" ;; esac
for i in $(seq 1 150); do
	[ -z "$(sock_pid "$RUN/jupyter-race.sock")" ] && break
	sleep 0.2
done
[ "$(TOKEN=$ALICE api GET '/hub/api/users/alice?include_stopped_servers')" = 200 ] || fail "model: $(body)"
[ "$(json 'sorted(d["servers"])' <"$T/body")" = '["two"]' ] || fail "servers after removal: $(body)"
[ "$(TOKEN=$ALICE api DELETE /hub/api/users/alice/servers/race)" = 404 ] || fail "a removed server: $(body)"
grep -q "alice has no server named 'race'" "$T/body" || fail "a removed server's message: $(body)"
pid_alive "$p2" || fail "removing race ended two"

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
login bob /hub/home
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
login alice /hub/home
curl -sk -m 10 -b "$T/jar.alice" "$URL/hub/home" >"$T/home"
for want in 'data-server="two"' 'action="/hub/stop/alice/two"' \
	'action="/hub/remove/alice/two"' 'name="server_name"'; do
	grep -qF "$want" "$T/home" || fail "the home page lacks $want"
done


# The admin page shows them, with a stop for a running one.
login root1 /hub/home
curl -sk -m 10 -b "$T/jar.root1" "$URL/hub/admin" >"$T/admin"
for want in 'data-server="two"' 'action="/hub/stop/alice/two"'; do
	grep -qF "$want" "$T/admin" || fail "the admin page lacks $want"
done

hub_stop
