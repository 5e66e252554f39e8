#!/bin/bash
# rig service status and rig status say whether the user firewall is
# active: on with user_firewall = yes (the table is there), off without it,
# and the table is gone after rig service stop. A "local" machine, in a
# network namespace this script makes for itself, so nft touches only that
# namespace's tables.
if [ -z "${RIG_T191_NETNS:-}" ]; then
	export RIG_T191_NETNS=1
	exec unshare --net -- "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

command -v nft >/dev/null || fail "nft missing: run scripts/install-deps.sh"
ip link set lo up
export HOME=$T/home
mkdir -p "$HOME/.local/bin" "$T/proj"
# rig status looks for the machine's rig where rig up puts it.
ln -s "$RIG" "$HOME/.local/bin/rig"
# shellcheck disable=SC2034,SC2016 # lib.sh evals it at exit
AT_EXIT='"$RIG" service stop >/dev/null 2>&1'
cd "$T/proj" || fail "cd $T/proj"
"$RIG" init --provider local --remote-dir "$T/remote" >/dev/null || fail "rig init --provider local"
SPORT=$(free_port)

# status_of KEY: hub.firewall.KEY of rig service status.
status_of() {
	"$RIG" service status | json "d['hub'].get('firewall', {}).get('$1')"
}

"$RIG" service setup --port "$SPORT" --set "user_prefix = $PREFIX" \
	--set "user_firewall = yes" >"$T/setup.out" 2>&1 || fail "service setup: $(cat "$T/setup.out")"
"$RIG" service start >"$T/start.out" 2>&1 || fail "service start: $(cat "$T/start.out")"
[ "$(status_of active)" = true ] || fail "service status: $("$RIG" service status)"
nft list table inet rig >/dev/null || fail "no table inet rig with the service running"
"$RIG" status >"$T/st.out" 2>&1 || fail "rig status: $(cat "$T/st.out")"
grep -q '^firewall: active' "$T/st.out" || fail "rig status said: $(cat "$T/st.out")"
"$RIG" service stop >/dev/null 2>&1 || fail "service stop"
nft list tables | grep -q 'inet rig' && fail "table inet rig left after rig service stop"

"$RIG" service setup --port "$SPORT" --set "user_prefix = $PREFIX" \
	--set "user_firewall = no" >"$T/setup.out" 2>&1 || fail "service setup: $(cat "$T/setup.out")"
"$RIG" service start >"$T/start.out" 2>&1 || fail "service start: $(cat "$T/start.out")"
[ "$(status_of active)" = false ] || fail "service status with user_firewall = no: $("$RIG" service status)"
nft list tables | grep -q 'inet rig' && fail "a table inet rig with user_firewall = no"
"$RIG" status >"$T/st.out" 2>&1 || fail "rig status: $(cat "$T/st.out")"
grep -q '^firewall: off' "$T/st.out" || fail "rig status said: $(cat "$T/st.out")"
"$RIG" service stop >/dev/null 2>&1 || fail "service stop"
grep -q -e 'AddressSanitizer' -e 'runtime error' "$HOME/.local/share/rig/hub.log" &&
	fail "sanitizer report in the service's hub.log"
true
