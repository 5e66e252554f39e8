#!/bin/bash
# The self-signed certificate users accepted stays when the machine gains an
# address (a bridge, a VPN, a container network): a restart keeps its
# fingerprint; `rig hub --renew-cert` makes a new one that has the address.
# Runs in a network namespace of its own, so the address it adds is its own.
if [ -z "${T021_NS:-}" ]; then
	T021_NS=1 exec unshare --net bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

ip link set lo up || fail "lo up in the test's namespace"

fingerprint() {
	openssl x509 -in "$T/state/cert.pem" -noout -fingerprint -sha256 |
		sed 's/.*=//'
}

hub_start
fp1=$(fingerprint)
[ -n "$fp1" ] || fail "no certificate made at first start"
hub_stop

# The machine gains an address.
ip addr add 192.0.2.55/32 dev lo || fail "ip addr add 192.0.2.55 (in the test's namespace)"
hub_start
fp2=$(fingerprint)
[ "$fp1" = "$fp2" ] || fail "certificate changed when the machine gained an address ($fp1 -> $fp2)"
grep -q 'making a self-signed certificate' <(sed -n '/=== hub_start/h; $!d; x; p' "$T/hub.log") &&
	fail "the second start logged a new certificate"
hub_stop
note "restart with a new address: fingerprint kept"

# Asked for, a new certificate has the address.
hub_start --renew-cert
fp3=$(fingerprint)
[ "$fp3" != "$fp1" ] || fail "--renew-cert kept the old certificate"
openssl x509 -in "$T/state/cert.pem" -noout -text | grep -q 'IP Address:192.0.2.55' ||
	fail "the renewed certificate lacks the new address"
hub_stop

# And the next start keeps the renewed one.
hub_start
[ "$(fingerprint)" = "$fp3" ] || fail "the renewed certificate was replaced at the next start"
hub_stop
note "--renew-cert: new fingerprint with the address, kept after"
