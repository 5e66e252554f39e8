#!/bin/bash
# What Azure does to rig on a bad day, injected by the ARM double: 429
# with Retry-After (waited for), 503 and a dropped connection on reads
# (retried), a token that expires mid-run (renewed), quota, a size not
# offered, a missing role and a failed operation (each a clear message
# and what to do, and rig status says the machine is half made until a
# second rig up finishes it), an up killed half-way (resumed), a price
# list whose next page points at another host (not followed).
. "${0%/*}/lib.sh"

azure_host
azure_project flaky

# up_fails NAME WANT...: rig up must fail, saying each WANT (a regex).
up_fails() {
	local name=$1 w
	shift
	if "$RIG" up >"$T/$name.out" 2>&1; then
		fail "$name: rig up succeeded: $(cat "$T/$name.out")"
	fi
	for w in "$@"; do
		grep -q -- "$w" "$T/$name.out" || fail "$name: no '$w' in: $(cat "$T/$name.out")"
	done
	note "$name: $(grep -m1 'failed' "$T/$name.out")"
}

# Throttling and flaky reads on the way, then a quota error on the VM.
azure_faults '[{"match":{"method":"PUT","path":"networkSecurityGroups/flaky-nsg$"},"kind":"429","retry_after":1},
	{"match":{"method":"GET","path":"virtualNetworks/flaky-vnet$"},"kind":"503","times":2},
	{"match":{"method":"GET","path":"publicIPAddresses/flaky-ip$"},"kind":"drop"},
	{"match":{"method":"GET","path":"networkInterfaces/flaky-nic$"},"kind":"expire-token"},
	{"match":{"method":"PUT","path":"virtualMachines/flaky$"},"kind":"error","status":409,"code":"QuotaExceeded",
	 "message":"Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota."}]'
up_fails quota 'creating the VM failed: QuotaExceeded' 'what to do: .*quota'
# The 429 was waited out (Retry-After: 1), not hammered.
$PY - "$AZ_LOG" <<'PY' || fail "429 not waited for: $(grep -i nsg "$AZ_LOG")"
import json, sys
from datetime import datetime
puts = [json.loads(l) for l in open(sys.argv[1]) if '"PUT"' in l and "flaky-nsg" in l]
assert [p["status"] for p in puts[:2]] == [429, 201], puts
t = [datetime.fromisoformat(p["t"].replace("Z", "+00:00")) for p in puts[:2]]
assert (t[1] - t[0]).total_seconds() >= 0.95, t
PY
[ "$(grep -c '"url":"/tenant-1/oauth2' "$AZ_LOG")" -ge 2 ] || fail "the expired token was not renewed"
"$RIG" status >"$T/st1.out" 2>&1 || true
grep -q 'a rig up did not finish' "$T/st1.out" || fail "status does not say the machine is half made: $(cat "$T/st1.out")"
grep -q 'VM absent' "$T/st1.out" || fail "status: $(cat "$T/st1.out")"

# A size not offered, then an operation that fails on Azure's side.
azure_faults '[{"match":{"method":"PUT","path":"virtualMachines/flaky$"},"kind":"error","status":409,"code":"SkuNotAvailable",
	 "message":"The requested size for resource is currently not available in location westeurope."}]'
up_fails sku 'SkuNotAvailable' 'what to do: .*size'
azure_faults '[{"match":{"method":"PUT","path":"virtualMachines/flaky$"},"kind":"fail-lro","code":"AllocationFailed"}]'
up_fails lro 'creating the VM failed' 'AllocationFailed'

# The role assignment needs more than Contributor.
azure_faults '[{"match":{"method":"PUT","path":"roleAssignments/"},"kind":"error","status":403,"code":"AuthorizationFailed",
	 "message":"The client does not have authorization to perform action Microsoft.Authorization/roleAssignments/write."}]'
up_fails role 'AuthorizationFailed' 'User Access Administrator'
"$RIG" status >"$T/st2.out" 2>&1 || true
grep -q 'a rig up did not finish' "$T/st2.out" || fail "status after a failed role: $(cat "$T/st2.out")"

# Killed while the schedule is being made: the next up finishes the job.
azure_faults '[{"match":{"method":"GET","path":"schedules/"},"kind":"slow","ms":5000}]'
"$RIG" up >"$T/killed.out" 2>&1 &
upid=$!
for _ in $(seq 1 200); do
	grep -q 'daily stop schedule' "$T/killed.out" && break
	sleep 0.05
done
kill -TERM "$upid" 2>/dev/null || true
wait "$upid" 2>/dev/null || true
note "killed up's last line: $(tail -n 1 "$T/killed.out")"
curl -s -X DELETE "$AZ_URL/_double/faults" >/dev/null
"$RIG" up >"$T/resumed.out" 2>&1 || fail "rig up after all that: $(cat "$T/resumed.out")"
grep -q 'daily stop schedule: created' "$T/resumed.out" || fail "resumed: $(cat "$T/resumed.out")"
"$RIG" status >"$T/st3.out" 2>&1 || fail "status after the resumed up: $(cat "$T/st3.out")"
grep -q 'did not finish' "$T/st3.out" && fail "still half made: $(cat "$T/st3.out")"

# Flaky power calls: a dropped deallocate (idempotent) and a 500 on start
# are retried.
azure_faults '[{"match":{"method":"POST","path":"/deallocate$"},"kind":"drop"},
	{"match":{"method":"POST","path":"/start$"},"kind":"500"}]'
"$RIG" stop >"$T/stop.out" 2>&1 || fail "stop with a dropped connection: $(cat "$T/stop.out")"
[ "$(azure_vm_power flaky)" = deallocated ] || fail "not deallocated"
"$RIG" start >"$T/start.out" 2>&1 || fail "start after a 500: $(cat "$T/start.out")"
[ "$(azure_vm_power flaky)" = running ] || fail "not running"

# The price list's next page on another host is not followed.
rm -f .rig/prices.json
azure_faults '[{"match":{"path":"/api/retail/prices"},"kind":"foreign-nextpage","times":10}]'
"$RIG" status >"$T/st4.out" 2>&1 || true
grep -q 'no price: .*another host.*not followed' "$T/st4.out" || fail "status: $(cat "$T/st4.out")"
azure_violations

# Another copy of the project (someone's clone, same machine name): the
# group is not its to change; nothing is written.
mkdir -p "$T/clone"
cp rig.conf "$T/clone/"
: >"$AZ_LOG"
rc=0
(cd "$T/clone" && "$RIG" up) >"$T/clone.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "made by another copy of this project" "$T/clone.out" ||
	fail "a clone took the machine over: $(cat "$T/clone.out")"
grep '"url":"/subscriptions/' "$AZ_LOG" | grep -q '"method":"\(PUT\|POST\|DELETE\)"' &&
	fail "the clone wrote to Azure: $(grep -v '"GET"' "$AZ_LOG")"
rc=0
(cd "$T/clone" && "$RIG" down --yes) >"$T/clone-down.out" 2>&1 || rc=$?
[ "$(azure_vm_power flaky)" = running ] || fail "the clone's down deleted the machine: $(cat "$T/clone-down.out")"
"$RIG" down --yes >/dev/null 2>&1 || fail "rig down"
cd /
