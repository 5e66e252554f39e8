#!/bin/bash
# A server command that fails: the spawn ends as failed (not ready, not
# pending), the progress stream says "failed": true, and the spawn-pending
# page shows the last lines the command printed.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config 'server_cmd = /bin/sh -c "echo spawn-broke-42 >&2; exit 3"'
hub_start

code=$(api POST /hub/api/users/alice/server)
case $code in 201 | 202 | 500 | 503) note "POST server: $code" ;; *) fail "POST server gave $code: $(body)" ;; esac

# Progress: an event stream that ends in failure.
curl -sk -N -m 10 -H "Authorization: token $TOKEN" -o "$T/progress" \
	"$URL/hub/api/users/alice/server/progress" || true
note "progress: $(tr '\n' ' ' <"$T/progress" | head -c 400)"
grep -qE '"failed": ?true' "$T/progress" || fail "progress stream lacks \"failed\": true"

# The user model: no ready server, not pending.
ok=
for i in $(seq 1 100); do
	[ "$(api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
	state=$(json '[d["servers"].get("", {}).get(k) for k in ("ready", "pending")]' <"$T/body")
	case $state in '[null, null]' | '[false, null]') ok=1 && break ;; esac
	sleep 0.2
done
[ -n "$ok" ] || fail "the failed spawn does not end: $(body)"

# The spawn-pending page shows the command's output.
login alice
for i in $(seq 1 50); do
	curl -sk -m 10 -b "$T/jar.alice" -o "$T/page" "$URL/hub/spawn-pending/alice" || true
	grep -q spawn-broke-42 "$T/page" && break
	sleep 0.2
done
grep -q spawn-broke-42 "$T/page" || fail "/hub/spawn-pending/alice does not show the server's output"

hub_alive
hub_stop
