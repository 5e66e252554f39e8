#!/bin/bash
# Scale to zero with ssh nodes (Slurm's power saving through rig pool
# power): a partition whose power_on/power_off start and stop that node's
# slurmd (a script of this test, run by rig on the head as root). Its
# nodes are State=CLOUD; idle for node_idle_stop they are powered down
# (slurmd stopped), a job powers one up and runs on it, and a power_on
# that fails marks that node down with the reason while the job runs on
# the other node. The rights: slurm runs exactly 'rig pool power' as root
# through sudo; another account can do nothing with it, and names with
# shell characters or '..' are refused before anything runs.
. "$(dirname "$0")/lib.sh"

pool_hosts_up 3
N2=$(host_addr 2)
N3=$(host_addr 3)
P=$T/proj
project_init "$P" 1 --user root
pool_root_ssh 1 'useradd -m -s /bin/bash alice' || fail "useradd on the head"
PLOG=$T/power.log
: >"$PLOG"
# The node's slurmd started or stopped in its namespaces, as IPMI would
# power the machine; the next power_on fails while $T/fail-next exists.
# slurmd -b says it booted now: slurmctld waits for a node it powers up
# to have booted since ("Still waiting for boot"), and these share the
# kernel's uptime.
cat >"$T/power.sh" <<EOS
#!/bin/sh
act=\$1 addr=\$2
echo "\$act \$addr \$(id -u)" >>$PLOG
i=\$((\${addr##*.} - 1))
pid=\$(cat $HOSTS_DIR/h\$i/sshd.pid) || exit 4
if [ "\$act" = on ] && [ -e $T/fail-next ]; then
	rm -f $T/fail-next
	echo "no power for \$addr" >&2
	exit 3
fi
case \$act in
on) exec nsenter -t "\$pid" -n -m -u -- /usr/sbin/slurmd -b </dev/null >/dev/null 2>&1 ;;
off) exec nsenter -t "\$pid" -n -m -u -- sh -c 'p=\$(cat /run/slurmd.pid 2>/dev/null) || exit 0; kill \$p' ;;
esac
exit 5
EOS
chmod 755 "$T/power.sh"
sed -i '/^\[pool\]/,$d' "$P/rig.conf"
cat >>"$P/rig.conf" <<EOC
[pool]
engine = slurm
node_idle_stop = 5s
node_suspend_timeout = 5s
node_resume_timeout = 60s

[partition cpu]
hosts = $N2 $N3
power_on = $T/power.sh on {host}
power_off = $T/power.sh off {host}
EOC
in_project "$P" "$RIG" up >"$T/up1.out" 2>&1 || fail "rig up of the pool: $(cat "$T/up1.out")"
sc=$HOSTS_DIR/h1/etc/slurm/slurm.conf
grep -q "^NodeName=${PREFIX}h2 .* State=CLOUD" "$sc" || fail "h2 not State=CLOUD: $(grep NodeName "$sc")"
grep -q "^SuspendTime=5$" "$sc" || fail "no SuspendTime=5: $(cat "$sc")"
grep -q "^ResumeProgram=/etc/slurm/rig-resume$" "$sc" || fail "no ResumeProgram"
note "rig up: $(grep '^\[pool\] slurm' "$T/up1.out")"

sinfo_n() { pool_root_ssh 1 "sinfo -h -N -o '%N %t'"; }
# Idle, both are powered down: their slurmd stopped.
for _ in $(seq 1 120); do
	s=$(sinfo_n)
	grep -q "^${PREFIX}h2 idle~" <<<"$s" && grep -q "^${PREFIX}h3 idle~" <<<"$s" && break
	sleep 0.5
done
grep -q "^${PREFIX}h2 idle~" <<<"$s" && grep -q "^${PREFIX}h3 idle~" <<<"$s" ||
	fail "nodes not powered down after idle: $s; $(cat "$PLOG"); $(cat "$HOSTS_DIR/h1/var/log/slurm/rig-power.log")"
grep -q "^off $N2 0$" "$PLOG" && grep -q "^off $N3 0$" "$PLOG" || fail "power_off not run as root for both: $(cat "$PLOG")"
pool_root_ssh 2 'p=$(cat /run/slurmd.pid 2>/dev/null) && [ -d /proc/$p ]' && fail "h2's slurmd runs, powered down"
note "powered down after idle: $(tr '\n' ' ' <<<"$s")"
RLOG=$HOSTS_DIR/h1/var/log/slurm/rig-power.log

# A job powers a node up: rig runs power_on, waits for its slurmd, and
# the job runs there.
t0=$(now_ms)
out=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- srun -p cpu -N1 hostname" 2>&1) || fail "srun on a powered down pool: $out; $(cat "$RLOG")"
t1=$(now_ms)
case $out in "${PREFIX}h2" | "${PREFIX}h3") ;; *) fail "the job ran on: $out" ;; esac
grep -q "^on $(host_addr "${out##*h}") 0$" "$PLOG" || fail "no power_on for $out: $(cat "$PLOG")"
# rig polls scontrol every 0.5 s: the job may be done before it saw.
for _ in $(seq 1 100); do grep -q "node $out: joined" "$RLOG" && break; sleep 0.1; done
grep -q "node $out: joined" "$RLOG" || fail "rig did not see $out join: $(cat "$RLOG")"
note "srun on a powered down node: ran on $out in $((t1 - t0)) ms"

# A power_on that fails: that node is down with the reason, and the job
# runs on the other one.
for _ in $(seq 1 120); do
	s=$(sinfo_n)
	grep -q "^${PREFIX}h2 idle~" <<<"$s" && grep -q "^${PREFIX}h3 idle~" <<<"$s" && break
	sleep 0.5
done
grep -q "^${PREFIX}h2 idle~" <<<"$s" && grep -q "^${PREFIX}h3 idle~" <<<"$s" || fail "not both powered down again: $s"
touch "$T/fail-next"
: >"$PLOG"
t0=$(now_ms)
jid=$(pool_root_ssh 1 "cd /tmp && runuser -u alice -- sbatch --parsable -p cpu -N1 -o /dev/null --wrap 'sleep 300'") || fail "sbatch"
for _ in $(seq 1 600); do
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
[ ! -e "$T/pwned" ] || fail "a node name ran a command"
[ ! -s "$PLOG" ] || fail "a refused rig pool power powered something: $(cat "$PLOG")"
note "refused: alice (sudo and direct), slurm's other commands, names with ; \$( .. , unknown and the head"
