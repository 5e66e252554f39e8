#!/bin/bash
# A culler written against JupyterHub's REST API (tests/helpers/culler.py,
# as jupyterhub-idle-culler does it: list users, read their servers'
# activity, delete idle servers) run by the hub as a managed service with
# a token scoped to just that (list:users read:users:activity
# read:servers delete:servers): it stops an idle server, and everything
# beyond its scopes is refused with 403.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
ACCT=${PREFIX}cull
hub_config "idle_timeout = 0" "[service cull]" "command = $PY $HELPERS/culler.py" \
	"scopes = list:users, read:users:activity, read:servers, delete:servers" \
	"environment = CULL_IDLE=5" "environment = CULL_PROBE_USER=alice"
hub_start
ALICE=$(rig_token alice)
LOG=$T/state/logs/service-cull.log

# What the culler may not do, it tried at its start: each refused.
probes() { local n; n=$(grep -s -c '^beyond ' "$LOG" || true); echo "${n:-0}"; }
for i in $(seq 1 300); do
	[ "$(probes)" -ge 5 ] && break
	sleep 0.2
done
[ "$(probes)" = 5 ] || fail "the culler did not report its probes: $(cat "$LOG" 2>/dev/null)"
grep '^beyond ' "$LOG" | grep -v ': 403$' && fail "the culler did something beyond its scopes"
pgrep -u "$ACCT" >/dev/null || fail "the culler does not run as $ACCT"

# An idle server is stopped by it (through DELETE .../server: 204 or 202).
spawn alice "$ALICE"
for i in $(seq 1 600); do
	grep -q '^culled alice' "$LOG" && break
	sleep 0.2
done
grep -E -q '^culled alice \(idle [0-9]+ s\): 20[24]$' "$LOG" || fail "the culler did not stop alice's idle server: $(tail -5 "$LOG")"
for i in $(seq 1 300); do
	code=$(TOKEN=$ALICE api GET /hub/api/users/alice)
	[ "$(json 'len(d["servers"])' <"$T/body")" = 0 ] && break
	sleep 0.2
done
[ "$(json 'len(d["servers"])' <"$T/body")" = 0 ] || fail "alice's server still there after the culler: $(body)"
grep -q "DELETE /hub/api/users/alice/server\" 20[24]" "$T/hub.log" || fail "the hub did not log the culler's DELETE"
hub_stop
exit 0
