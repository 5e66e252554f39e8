#!/bin/bash
# 'rig pam-auth SERVICE ACCOUNT', the password check the privileged helper
# runs for each login of authenticator = pam, against pam_wrapper's
# pam_matrix (Debian's libpam-wrapper: a PAM service and its users in
# files of this test, no real account touched; TESTING.md section 5):
# its exit status is the outcome (0 right, 1 wrong or unknown, 2 the
# account refused, 3 an error), and it takes the password only whole from
# standard input and only as root.
. "$(dirname "$0")/lib.sh"

WRAP=/usr/lib/x86_64-linux-gnu/libpam_wrapper.so
MATRIX=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
[ -f "$WRAP" ] && [ -f "$MATRIX" ] || fail "pam_wrapper missing: run scripts/install-deps.sh"
# A sanitizer build wants its runtime first in LD_PRELOAD.
ASAN=$(ldd "$RIG" | sed -n 's/.*libasan[^ ]* => \([^ ]*\) .*/\1/p')

P=$T/pam
mkdir -p "$P/services"
printf 'alice:alice-pw:rigtest\nbob:bob-pw:otherservice\n' >"$P/passdb"
for t in auth account session; do
	echo "$t required $MATRIX passdb=$P/passdb"
done >"$P/services/rigtest"
for t in auth account password session; do
	echo "$t required pam_deny.so"
done >"$P/services/other"

# check ACCOUNT [SERVICE]: rig pam-auth with stdin; prints its status.
check() {
	local rc=0
	PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$P/services LD_PRELOAD="$ASAN${ASAN:+ }$WRAP" \
		"$RIG" pam-auth "${2:-rigtest}" "$1" 2>>"$T/check.log" || rc=$?
	echo "$rc"
}

[ "$(printf 'alice-pw' | check alice)" = 0 ] || fail "alice's password: $(cat "$T/check.log")"
[ "$(printf 'alice-p' | check alice)" = 1 ] || fail "a wrong password is not 1"
[ "$(printf 'alice-pw\n' | check alice)" = 1 ] || fail "the newline is part of the password"
[ "$(printf 'bob-pw' | check bob)" = 2 ] || fail "bob's account (another service's) is not refused with 2"
grep -q "pam-auth: bob: pam_acct_mgmt" "$T/check.log" || fail "no reason logged for bob"
[ "$(printf 'x' | check mallory)" = 1 ] || fail "an unknown user is not 1"
[ "$(printf 'alice-pw' | check alice nosuchservice)" = 1 ] || fail "another service (other: pam_deny) let alice in"
[ "$(printf '' | check alice)" = 3 ] || fail "no password is not 3"
[ "$(printf 'alice\0pw' | check alice)" = 3 ] || fail "a NUL in the password is not 3"
[ "$(head -c 512 /dev/zero | tr '\0' a | check alice)" = 3 ] || fail "512 bytes are not 3"
rc=0
printf 'alice-pw' | setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$RIG" pam-auth rigtest alice 2>"$T/nobody.log" || rc=$?
[ "$rc" = 3 ] || fail "as nobody: $rc, not 3"
grep -q "only root" "$T/nobody.log" || fail "as nobody: $(cat "$T/nobody.log")"
