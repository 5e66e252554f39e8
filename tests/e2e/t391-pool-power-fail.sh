#!/bin/bash
# Scale to zero with ssh nodes (lib-power.sh makes the pool; t390 the
# power saving itself): a power_on that fails marks that node down with
# the reason, and the job runs on the other node at once (rig also
# releases the job in case Slurm holds it 2 min after the requeue). The rights:
# slurm runs exactly 'rig pool power' as root through sudo; alice, who is
# neither root nor slurm, can do nothing with it, and names with shell
# characters, '..' or of no powered node are refused before anything
# runs, as is a configuration someone else could have written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-power.sh"

power_up_pool
# A power_on that fails: that node is down with the reason, and the job
# runs on the other one.
wait_powered_down
touch "$T/fail-next"
: >"$PLOG"
t0=$(now_ms)
jid=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- sbatch --parsable -p cpu -N1 -o /dev/null --wrap 'sleep 300'") || fail "sbatch"
# Within 90 s: a batch job on a node powered up waits for slurmctld's
# pass every 30 s; a hold after the requeue would be 121 s.
for _ in $(seq 1 180); do
	st=$(pool_root_ssh 1 "squeue -h -j $jid -o '%T %N'")
	[ "${st%% *}" = RUNNING ] && break
	sleep 0.5
done
t1=$(now_ms)
[ "${st%% *}" = RUNNING ] || fail "job $jid not running after a failed power_on: $st; $(cat "$RLOG"); $(cat "$PLOG")"
failed=$(sed -n 's/^on \([^ ]*\) 0$/\1/p' "$PLOG" | head -n 1)
ran=${st#* }
[ "$(host_addr "${ran##*h}")" != "$failed" ] || fail "the job ran on the node whose power_on failed ($ran)"
bad=${PREFIX}h$((${failed##*.} - 1))
pool_root_ssh 1 "scontrol show node $bad" >"$T/bad.node"
grep -q "State=DOWN" "$T/bad.node" || fail "$bad not down: $(cat "$T/bad.node")"
grep -q "Reason=rig: power_on failed (status 3): no power for $failed" "$T/bad.node" || fail "no reason on $bad: $(grep Reason "$T/bad.node")"
note "a failed power_on: $bad down ($(grep -o 'Reason=[^[]*' "$T/bad.node")), job $jid running on $ran after $((t1 - t0)) ms"
pool_root_ssh 1 "scancel $jid"

# The rights: slurm runs exactly rig pool power as root; alice, neither
# root nor slurm, can run it neither through sudo nor directly; names
# with shell characters, '..' or of no powered node are refused whole.
: >"$PLOG"
RIGP=/usr/local/lib/rig/rig
pool_root_ssh 1 "stat -c '%U %a' /etc/sudoers.d/rig-pool-power /etc/rig/pool-power.conf $RIGP" >"$T/perm" || fail "stat"
[ "$(cat "$T/perm")" = "root 440
root 600
root 755" ] || fail "power files' owners and modes: $(cat "$T/perm")"
out=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- sudo -n $RIGP pool power up ${PREFIX}h2" 2>&1) &&
	fail "alice ran rig pool power through sudo: $out"
out=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- $RIGP pool power up ${PREFIX}h2" 2>&1) &&
	fail "alice ran rig pool power: $out"
grep -q "runs as root" <<<"$out" || fail "no message for alice: $out"
out=$(pool_root_ssh 1 "cd /tmp && runuser -u slurm -- sudo -n id -u" 2>&1) && fail "slurm ran id through sudo: $out"
for bad in "${PREFIX}h2;touch $T/pwned" "\$(touch $T/pwned)" "../${PREFIX}h2" "${PREFIX}h2/../x" "a..b" \
	"${PREFIX}h[2-3],nosuch" "${PREFIX}h1" "-h" "${PREFIX}h2 ${PREFIX}h3"; do
	q=$(printf '%q' "$bad")
	out=$(pool_root_ssh 1 "cd /tmp && runuser -u slurm -- sudo -n $RIGP pool power up $q" 2>&1) &&
		fail "rig pool power took '$bad': $out"
	grep -q "not a node\|not a node with power control\|usage" <<<"$out" || fail "no message for '$bad': $out"
done
# The commands run as root come from root's own file only.
pool_root_ssh 1 "chmod 646 /etc/rig/pool-power.conf" || fail "chmod"
out=$(pool_root_ssh 1 "cd /tmp && runuser -u slurm -- sudo -n $RIGP pool power up ${PREFIX}h2" 2>&1) &&
	fail "rig pool power used a configuration others may write: $out"
grep -q "not a file root alone may change" <<<"$out" || fail "no message for the writable configuration: $out"
pool_root_ssh 1 "chmod 600 /etc/rig/pool-power.conf" || fail "chmod"
[ ! -e "$T/pwned" ] || fail "a node name ran a command"
! grep -q "^on " "$PLOG" || fail "a refused rig pool power powered something up: $(cat "$PLOG")"
note "refused: alice (sudo and direct), slurm's other commands, names with ; \$( .. , unknown and the head"
