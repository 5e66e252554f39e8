#!/bin/bash
# rig's generic long-running-operation poller (src/azure/arm.c) against
# Microsoft's own LRO conformance server, the one every Azure SDK is tested
# against: PUT/POST/DELETE with Azure-AsyncOperation, Location and the
# resource's provisioningState, Retry-After, 500 retried, 400 not, failed
# and canceled operations reported as failures, a poll body without a
# status. arm-check prints one line per scenario and then checks that the
# server's coverage report counted every one of them.
. "${0%/*}/lib.sh"

[ -x "$ARM_CHECK" ] || fail "missing $ARM_CHECK: run make (and make asan)"
azure_testserver_start
note "autorest.testserver at $AZ_TS_URL"
"$ARM_CHECK" "$AZ_TS_URL" >"$T/arm-check.out" 2>&1
rc=$?
cat "$T/arm-check.out"
[ "$rc" = 0 ] || fail "arm-check: $(grep -c '^FAIL' "$T/arm-check.out") failure(s)"
grep -q '^ok   coverage: all' "$T/arm-check.out" || fail "no coverage line"
