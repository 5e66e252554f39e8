#!/bin/bash
# Starting a server through the API: it runs as the user's Unix account,
# gets its secret through the environment (never on a command line), is
# reachable through the hub's proxy at /user/NAME/, and stops again.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config
hub_start

code=$(api POST /hub/api/users/alice/server)
case $code in 201 | 202) ;; *) fail "POST /hub/api/users/alice/server gave $code: $(body)" ;; esac
wait_ready alice "$TOKEN"

# Through the proxy, with the hub token.
[ "$(api GET /user/alice/api/status)" = 200 ] || fail "GET /user/alice/api/status: $(body)"
started=$(json 'd["started"]' <"$T/body")
[ -n "$started" ] || fail "api/status has no 'started': $(body)"

[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
[ "$(json 'd["servers"][""]["ready"]' <"$T/body")" = true ] || fail "server not ready: $(body)"
[ "$(json 'd["servers"][""]["url"]' <"$T/body")" = /user/alice/ ] || fail "server url: $(body)"

# The process runs as alice's Unix account.
acct=${PREFIX}alice
uid=$(id -u "$acct") || fail "no Unix account $acct"
pid=$(server_pid alice)
[ -n "$pid" ] || fail "no process of $acct"
[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "$uid" ] || fail "server pid $pid does not run as $acct"
[ "$uid" != 0 ] || fail "$acct is uid 0"

# Its secret is in its environment, on no command line.
secret=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^JUPYTER_TOKEN=//p')
[ -n "$secret" ] || fail "server pid $pid has no JUPYTER_TOKEN in its environment"
[ "$secret" != "$TOKEN" ] || fail "the server's secret is the user's hub token"
for f in /proc/[0-9]*/cmdline; do
	args=$(tr '\0' ' ' 2>/dev/null <"$f") || continue
	case $args in *"$secret"*) fail "the server's secret is on the command line of ${f%/cmdline}" ;; esac
done
grep -qF -- "$secret" "$T/hub.log" && fail "the server's secret is in the hub's log"
grep -qF -- "$secret" "$T/body" && fail "the server's secret is in the user model"

# Stop: the process goes away and the proxy no longer reaches it.
code=$(api DELETE /hub/api/users/alice/server)
case $code in 202 | 204) ;; *) fail "DELETE /hub/api/users/alice/server gave $code: $(body)" ;; esac
for i in $(seq 1 75); do
	pid_alive "$pid" || break
	sleep 0.2
done
pid_alive "$pid" && fail "server pid $pid still running 15 s after DELETE"
code=$(api GET /user/alice/api/status)
[ "$code" != 200 ] || fail "/user/alice/api/status still 200 after the server stopped"
note "status after stop: $code"
for i in $(seq 1 25); do
	[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
	[ "$(json 'd["servers"]' <"$T/body")" = '{}' ] && break
	sleep 0.2
done
[ "$(json 'd["servers"]' <"$T/body")" = '{}' ] || fail "servers not {} after stop: $(body)"

hub_stop
