#!/bin/bash
# /hub/metrics: Prometheus text for admins, refused without credentials.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add bob
TOKEN=$(rig_token alice)
BOB=$(rig_token bob)
hub_config
hub_start

[ "$(api GET /hub/api/)" = 200 ] || fail "GET /hub/api/"
[ "$(api GET /hub/metrics)" = 200 ] || fail "admin GET /hub/metrics: $(body)"
header Content-Type <"$T/hdr" | grep -q '^text/plain' ||
	fail "metrics Content-Type: $(header Content-Type <"$T/hdr")"
grep -q '^rig_requests_total' "$T/body" || fail "no rig_requests_total in: $(head -c 500 "$T/body")"
grep -q '^rig_servers_running' "$T/body" || fail "no rig_servers_running in: $(head -c 500 "$T/body")"
running=$(sed -n 's/^rig_servers_running\({[^}]*}\)\? \([0-9.e+]*\)$/\2/p' "$T/body" | head -n 1)
[ "$running" = 0 ] || fail "rig_servers_running is '$running' with no server running"

code=$(TOKEN="" api GET /hub/metrics)
case $code in 401 | 403) ;; *) fail "GET /hub/metrics without credentials gave $code" ;; esac
code=$(TOKEN=$BOB api GET /hub/metrics)
case $code in 401 | 403) ;; *) fail "non-admin GET /hub/metrics gave $code" ;; esac

hub_stop
