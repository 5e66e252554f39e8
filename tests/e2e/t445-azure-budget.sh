#!/bin/bash
# budget_month: rig up looks the VM's and disk's prices up and gives
# them to the hub on the VM, which counts its run time this month. At 80 %
# of the budget its pages warn; at 100 % it stops the machine whatever the
# use (here the disk's monthly price alone is over the budget), through
# the same self-stop as the idle stop.
. "${0%/*}/lib.sh"

azure_host
azure_imds_in_host
# The disk (E10 in the double's built price list) costs 10.56 USD a month.
azure_project budget1 -e "s|^idle_stop = .*|idle_stop = 0|" \
	-e "s|^budget_month = .*|budget_month = 12|" \
	-e "s|^port = 8000|port = 8000\nautostop_warn = 3|"
"$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
conf=$H/.local/share/rig/hub.conf
grep -q '^autostop_budget_month = 12.00$' "$conf" || fail "hub.conf: $(cat "$conf")"
grep -q '^autostop_cost_month_fixed = 10.56' "$conf" || fail "no disk price: $(cat "$conf")"
grep -q '^autostop_currency = USD$' "$conf" || fail "no currency: $(cat "$conf")"
grep -q '^autostop_after' "$conf" && fail "idle_stop = 0 still stops when idle"

# 88 %: a warning on the pages, the machine runs on.
page_shows "https://$A:8000/hub/login" 'used 8[89] % of its monthly budget' ||
	fail "no budget warning: $(curl -sk "https://$A:8000/hub/login" | head -c 600)"
[ "$(azure_vm_power budget1)" = running ] || fail "stopped under budget"

# A budget the disk alone exceeds: the next up gives it to the hub, which
# stops the machine.
sed -i "s|^budget_month = .*|budget_month = 10|" rig.conf
"$RIG" up >"$T/up2.out" 2>&1 || fail "rig up: $(cat "$T/up2.out")"
azure_wait_power budget1 deallocated ||
	fail "not deallocated over budget: $(grep autostop "$H/.local/share/rig/hub.log")"
grep -q "autostop: over budget .*the month's budget is spent: 10.56 of 10.00 USD" "$H/.local/share/rig/hub.log" ||
	fail "the hub did not say why: $(grep autostop "$H/.local/share/rig/hub.log")"
azure_violations
cd /
