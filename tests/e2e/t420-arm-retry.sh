#!/bin/bash
# arm_request()'s retries against a loopback server that fails on purpose
# (tests/helpers/azure-login-double.py, a test double, route /arm/flaky):
# 429 waits its Retry-After and is retried for any method; 503 and a
# dropped connection are retried for GET with backoff and jitter, not for
# a POST unless it is declared idempotent; past max_retries the last
# answer is returned. Then the LRO poller on an ARM-shaped operation whose
# answers say Retry-After: 1 (it must wait, not use its 20 ms backoff),
# ending Succeeded, and Failed with ARM's error object in the message.
. "${0%/*}/lib.sh"

[ -x "$ARM_CHECK" ] || fail "missing $ARM_CHECK: run make (and make asan)"
$PY "$HELPERS/azure-login-double.py" "$T/port" tenant-1 client-1 secret \
	2>"$T/double.log" &
bg_track $!
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "double did not start"
"$ARM_CHECK" --retry "http://127.0.0.1:$(cat "$T/port")" >"$T/out" 2>&1
rc=$?
cat "$T/out"
[ "$rc" = 0 ] || fail "$(grep -c '^FAIL' "$T/out") retry case(s) failed"
