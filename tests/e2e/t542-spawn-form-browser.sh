#!/bin/bash
# The options form in Chromium (tests/browser/profiles.js): with two
# [profile]s, signing in leads to the spawn page's form (labelled radio
# buttons with descriptions, the default checked, a tampered choice
# refused with the form again); the chosen profile's server is a real
# notebook in a cgroup with that profile's mem_limit, which a kernel in
# it reads, and which the hub's helper set (checked here too).
# In a network namespace of its own, as tests/browser/run.sh (Chromium
# reloads a page that meets a network change).
if [ -z "${RIG_BROWSER_NETNS:-}" ]; then
	export RIG_BROWSER_NETNS=1
	exec unshare --net -- "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/lib.sh"

[ -d "$TOP/tests/browser/node_modules/playwright-core" ] ||
	fail "playwright-core is missing: run scripts/install-deps.sh"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing: run scripts/install-deps.sh"
[ -d /sys/fs/cgroup/memory ] || fail "this test wants the cgroup v1 memory hierarchy"
mkdir -p "$TOP/tests/out"
rig_user_add dana
hub_config "mem_limit = 300M" "" "[profile small]" "display_name = Small" \
	"description = 256 MiB, half a core" "mem_limit = 256M" "cpu_limit = 0.5" "" \
	"[profile big]" "display_name = Big" "description = 700 MiB" "mem_limit = 700M"
hub_start
RIG_URL=$URL RIG_USER=dana RIG_PASSWORD=$(cat "$T/pw.dana") RIG_PROFILE=big RIG_MEM=$((700 << 20)) \
	OUT=$TOP/tests/out timeout 170 node "$TOP/tests/browser/profiles.js" >"$T/profiles.out" 2>&1 ||
	fail "browser profiles test failed: $(tail -n 5 "$T/profiles.out")"
grep -q '^the kernel says: limit=' "$T/profiles.out" || fail "no word from the kernel: $(cat "$T/profiles.out")"
[ "$(cat "/sys/fs/cgroup/memory/rig/${PREFIX}dana/memory.limit_in_bytes")" = $((700 << 20)) ] ||
	fail "dana's server is not in profile big's cgroup limit"
grep -q "server dana: start requested by dana, profile big" "$T/hub.log" || fail "the hub's log does not name the profile"
hub_stop
