# Shared by the power saving tests (t390, t391), sourced after lib.sh.
#
# power_up_pool: a head and two nodes, rig.conf with [pool] (5 s idle
# stop) and [partition cpu] whose power_on/power_off ($T/power.sh, which
# rig runs on the head as root) start and stop that node's slurmd in its
# namespaces as IPMI would power the machine, logging "on|off ADDR UID"
# to $PLOG; the next power_on fails while $T/fail-next exists. Then rig
# up, checked. $POWER_HUB: more lines for rig.conf's [hub].
# slurmd -b says it booted now: slurmctld waits for a node it powers up to
# have booted since the request ("Still waiting for boot"), and these hosts
# share the kernel's uptime. -b reports an uptime of 1 s, in whole seconds,
# so a slurmd started within the request's second seems booted before it
# and is never taken (t391 once: "did not join within 60 s"); a real
# machine's boot is never that quick, so power.sh waits a second first.
power_up_pool() {
	pool_hosts_up 3
	N2=$(host_addr 2)
	N3=$(host_addr 3)
	P=$T/proj
	PLOG=$T/power.log
	RLOG=$HOSTS_DIR/h1/var/log/slurm/rig-power.log
	project_init "$P" 1 --user root
	pool_root_ssh 1 'useradd -m -s /bin/bash alice' || fail "useradd on the head"
	: >"$PLOG"
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
on) sleep 1; exec nsenter -t "\$pid" -n -m -u -- /usr/sbin/slurmd -b </dev/null >/dev/null 2>&1 ;;
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

[hub]
autostop_after = 3600
${POWER_HUB:-}
EOC
	in_project "$P" "$RIG" up >"$T/up1.out" 2>&1 || fail "rig up of the pool: $(cat "$T/up1.out")"
	note "rig up: $(grep '^\[pool\] slurm' "$T/up1.out")"
}

sinfo_n() { pool_root_ssh 1 "sinfo -h -N -o '%N %t'"; }

# wait_powered_down: both nodes idle~ (powered down), else fail.
wait_powered_down() {
	local s
	for _ in $(seq 1 120); do
		s=$(sinfo_n)
		grep -q "^${PREFIX}h2 idle~" <<<"$s" && grep -q "^${PREFIX}h3 idle~" <<<"$s" && return 0
		sleep 0.5
	done
	fail "nodes not powered down after idle: $s; $(cat "$PLOG"); $(cat "$RLOG")"
}
