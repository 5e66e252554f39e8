# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# bench/run's case 9, sourced by it: a pool at scale (issue 15). A Slurm
# cluster of POOL_NODES nodes on this host (one slurmctld, a slurmd -N per
# node on a port of its own, as ../shared/TESTING.md section 1 does; no
# cgroups, no power saving), then two hubs side by side, each with
# POOL_SERVERS users' servers running: one's are Slurm jobs (spawner =
# slurm, the jobs spread over the nodes), the other's local servers
# (spawner = local); the same server, and the load takes turns between
# them, back to back in each round in an order that alternates, so
# whatever else loads the machine meets both alike; each round's ratio
# of the two is recorded too. The server is bench/ws-echo (HTTP 200 and the
# secret checked, as in the soak), not Jupyter: 200 notebook servers do
# not fit here. Measured for each: the hub's RSS with every server
# running, routing throughput (wrk, 50 connections, each request to the
# next user's server in turn, /user/uN/api/status with an admin token and
# admin_access), and the hub's RSS after the load. The report gives
# slurm/local ratios. Both hubs listen as POOL_FRONT says: tls (the
# default, as a hub runs: then OpenSSL's own start-up, which the Slurm hub
# needs anyway for its servers, is in both) or plain. Bounded: every wait has a deadline, wrk runs
# DUR seconds per round.

# pool_slurm_up DIR N: munged, slurmctld and N slurmd under DIR.
pool_slurm_up() {
	local d=$1 n=$2 i port ctld host deadline
	host=$(hostname -s)
	mkdir -p "$d"/{munge,munge-run,state,spool,log}
	chmod 700 "$d/munge"
	chmod 755 "$d" "$d/munge-run"
	dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
	chmod 400 "$d/munge/munge.key"
	ctld=$(free_port)
	{
		echo "ClusterName=rigbench"
		echo "SlurmctldHost=$host(127.0.0.1)"
		echo "SlurmctldPort=$ctld"
		echo "SlurmUser=root"
		echo "SlurmdUser=root"
		echo "AuthType=auth/munge"
		echo "CredType=cred/munge"
		echo "AuthInfo=socket=$d/munge-run/munge.sock"
		echo "StateSaveLocation=$d/state"
		echo "SlurmdSpoolDir=$d/spool/%n"
		echo "SlurmctldPidFile=$d/slurmctld.pid"
		echo "SlurmdPidFile=$d/slurmd-%n.pid"
		echo "SlurmctldLogFile=$d/log/slurmctld.log"
		echo "SlurmdLogFile=$d/log/slurmd-%n.log"
		echo "ProctrackType=proctrack/linuxproc"
		echo "TaskPlugin=task/none"
		echo "SelectType=select/cons_tres"
		echo "SelectTypeParameters=CR_Core"
		echo "SchedulerType=sched/backfill"
		echo "SchedulerParameters=batch_sched_delay=0,sched_min_interval=0"
		# Nodes say they have 8 cores whatever this machine has.
		echo "SlurmdParameters=config_overrides"
		echo "MpiDefault=none"
		echo "ReturnToService=2"
		echo "JobAcctGatherType=jobacct_gather/none"
		echo "AccountingStorageType=accounting_storage/none"
		echo "JobCompType=jobcomp/none"
		echo "MailProg=/bin/true"
		echo "CommunicationParameters=NoInAddrAny"
		echo "SlurmctldTimeout=60"
		echo "SlurmdTimeout=120"
		echo "KillWait=5"
		echo "MinJobAge=300"
		for i in $(seq 1 "$n"); do
			port=$(free_port)
			echo "NodeName=pn$i NodeAddr=127.0.0.1 NodeHostname=$host Port=$port CPUs=8 RealMemory=8000 State=UNKNOWN"
		done
		echo "PartitionName=bench Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
	} >"$d/slurm.conf"
	export SLURM_CONF=$d/slurm.conf
	munged --key-file="$d/munge/munge.key" --socket="$d/munge-run/munge.sock" \
		--pid-file="$d/munge-run/munged.pid" --log-file="$d/munge/munged.log" \
		--seed-file="$d/munge/munged.seed" || { failc "munged did not start"; return 1; }
	POOL_MUNGED=$(cat "$d/munge-run/munged.pid")
	LIVE[$POOL_MUNGED]=1
	bg slurmctld slurmctld -D -i
	for i in $(seq 1 "$n"); do
		mkdir -p "$d/spool/pn$i"
		bg "slurmd-pn$i" slurmd -D -N "pn$i"
	done
	deadline=$(($(now_ms) + 120000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		[ "$(sinfo -h -t idle -o %D 2>/dev/null)" = "$n" ] && return 0
		sleep 0.5
	done
	failc "pool: $n nodes not idle within 120 s: $(sinfo -h -o '%D %T' 2>&1 | tr '\n' ' ')"
	return 1
}

# pool_url PORT: the pool hubs' address.
pool_url() {
	if [ "$POOL_FRONT" = tls ]; then echo "https://127.0.0.1:$1"; else echo "http://127.0.0.1:$1"; fi
}

# stat_ms FIELDS: the sum of FIELDS ('$12' user, '$12 + $13' user and
# system) over the /proc/PID/stat lines on standard input, ms.
stat_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += '"$1"' }
		END { print int(t * 1000 / hz) }'
}

# pool_cpu_ms PID: the CPU time (user + system) of PID and its threads.
pool_cpu_ms() { stat_ms '$12 + $13' <"/proc/$1/stat"; }

# pool_user_ms PID: the user-space part of it (OpenSSL's records, where
# the kernel's part is a request's sockets).
pool_user_ms() { stat_ms '$12' <"/proc/$1/stat"; }

# The CPU time of every bench/ws-echo (both hubs' servers: the other
# hub's are idle while one is loaded), ms.
servers_cpu_ms() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk '/^[0-9]+ \(ws-echo\) /' | stat_ms '$12 + $13'
}

# The machine's CPU time in all (user, nice, system, irq, softirq), ms.
machine_cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print int(($2 + $3 + $4 + $7 + $8) * 1000 / hz) }' /proc/stat
}

# pool_load NAME PORT TOKEN ROUND: wrk over every user's server in turn.
# Beside the rate, what a request cost in CPU: the hub's own (and its
# user-space part), its servers', and the machine's in all (wrk, the hub,
# the servers: on separate machines the servers' share would not be the
# head's).
pool_load() {
	local name=$1 port=$2 tok=$3 r=$4 out rps reqs non2xx lua=$W/pool-rotate.lua
	local hub0 all0 hub1 all1 usr0 usr1 srv0 srv1
	cat >"$lua" <<EOL
local n, i = $POOL_SERVERS, 0
request = function()
  i = i % n + 1
  return wrk.format("GET", "/user/u" .. i .. "/api/status",
    { ["Authorization"] = "token $tok" })
end
EOL
	out=$W/log/wrk.pool.$name.$r
	hub0=$(pool_cpu_ms "${MPID[rig-pool-$name]}")
	usr0=$(pool_user_ms "${MPID[rig-pool-$name]}")
	srv0=$(servers_cpu_ms)
	all0=$(machine_cpu_ms)
	timeout -k 5 $((DUR + 30)) wrk -t1 -c50 -d"${DUR}s" --latency --timeout 10s -s "$lua" \
		"$(pool_url "$port")" >"$out" 2>&1
	hub1=$(pool_cpu_ms "${MPID[rig-pool-$name]}")
	usr1=$(pool_user_ms "${MPID[rig-pool-$name]}")
	srv1=$(servers_cpu_ms)
	all1=$(machine_cpu_ms)
	rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$out")
	reqs=$(sed -n 's/^[[:space:]]*\([0-9]*\) requests in .*/\1/p' "$out")
	non2xx=$(sed -n 's/^[[:space:]]*Non-2xx or 3xx responses:[[:space:]]*\([0-9]*\).*/\1/p' "$out")
	if [ -z "$rps" ] || [ "${reqs:-0}" = 0 ] || [ -n "$non2xx" ]; then
		failc "pool $name: wrk rps=${rps:-none} requests=${reqs:-0} non-2xx=${non2xx:-0} (see $out)"
		return 1
	fi
	pass "pool $name: $reqs requests over $POOL_SERVERS servers, all 200"
	record pool "$POOL_CASE" "$name" "$r" "req/s" "$rps"
	record pool "$POOL_CASE" "$name" "$r" "hub CPU µs per request" "$(((hub1 - hub0) * 1000 / reqs))"
	record pool "$POOL_CASE" "$name" "$r" "hub user CPU µs per request" "$(((usr1 - usr0) * 1000 / reqs))"
	record pool "$POOL_CASE" "$name" "$r" "servers' CPU µs per request" "$(((srv1 - srv0) * 1000 / reqs))"
	record pool "$POOL_CASE" "$name" "$r" "machine CPU µs per request" "$(((all1 - all0) * 1000 / reqs))"
	POOL_RPS[$name]=$rps
}

# pool_hub NAME SPAWNER: a hub of its own (state, users u1..uN and their
# accounts under prefix PREFIX + the spawner's first letter) with every
# server started; its port in POOL_PORT[NAME].
pool_hub() {
	local name=$1 spawner=$2 conf=$W/rig-pool-$1.conf tok out t0 users=() i
	for i in $(seq 1 "$POOL_SERVERS"); do users+=("u$i"); done
	{
		echo "[hub]"
		echo "user_prefix = $PREFIX${spawner:0:1}"
		echo "spawner = $spawner"
		echo "admin_access = yes"
		echo "idle_timeout = 0"
		echo "spawn_timeout = 120"
		echo "server_cmd = $BIN/ws-echo --port {port}"
	} >"$conf"
	ensure_users "rig-pool-$name" "$POOL_SERVERS" || return 1
	tok=$(cat "$W/rig-pool-$name.token")
	POOL_PORT[$name]=$(free_port)
	start_rig "rig-pool-$name" "${POOL_PORT[$name]}" "$POOL_FRONT" "$conf" ||
		{ failc "pool: the $name hub did not start"; return 1; }
	say "pool: $POOL_SERVERS servers as $name"
	t0=$(now_ms)
	if ! out=$(timeout -k 5 1200 "${TOOL[@]}" start-servers "$(pool_url "${POOL_PORT[$name]}")" "$tok" "${users[@]}" 2>&1); then
		failc "pool $name: $out"
		return 1
	fi
	pass "pool $name: $out servers answer through rig"
	record pool "$POOL_CASE" "$name" 1 "all started, s" "$((($(now_ms) - t0) / 100))e-1"
}

# pool_hub_stop NAME: its servers, then the hub.
pool_hub_stop() {
	local name=$1 users=() i
	[ -n "${POOL_PORT[$name]:-}" ] || return 0
	for i in $(seq 1 "$POOL_SERVERS"); do users+=("u$i"); done
	STOP_SCHEME=$(pool_url "" | cut -d: -f1) stop_servers_of "pool $name" "${POOL_PORT[$name]}" "$(cat "$W/rig-pool-$name.token")" "${users[@]}"
	stop "rig-pool-$name"
}

case_poolscale() {
	local d=$W/slurm i r t
	declare -gA POOL_PORT=() POOL_CPU0=() POOL_RPS=()
	POOL_CASE="$POOL_SERVERS servers, $POOL_NODES nodes, hubs on $POOL_FRONT"
	say "case 9: pool at scale ($POOL_NODES Slurm nodes on this host; $POOL_SERVERS servers as Slurm jobs through one hub and $POOL_SERVERS local servers through another, both running; $ROUNDS rounds of ${DUR}s, the two taking turns)"
	pool_slurm_up "$d" "$POOL_NODES" || return 1
	pass "pool: $POOL_NODES slurmd up"
	if pool_hub slurm slurm && pool_hub local local; then
		# Spread over the nodes, as Slurm placed them.
		record pool "$POOL_CASE" slurm 1 "nodes used" \
			"$(squeue -h -t running -o %N | sort -u | wc -l)"
		sleep 2
		for t in slurm local; do
			record pool "$POOL_CASE" "$t" 1 "hub RSS kB, servers running" \
				"$(rss_kb "${MPID[rig-pool-$t]}")"
			# Where it is, for whoever reads the logs.
			cp "/proc/${MPID[rig-pool-$t]}/smaps" "$W/log/pool-$t.smaps" 2>/dev/null || true
		done
		# What each hub does while nothing is asked of it (the Slurm
		# spawner's squeue every second, the ticks): CPU over 10 s.
		for t in slurm local; do
			POOL_CPU0[$t]=$(pool_cpu_ms "${MPID[rig-pool-$t]}")
		done
		sleep 10
		for t in slurm local; do
			record pool "$POOL_CASE" "$t" 1 "hub CPU ms per idle s" \
				"$((($(pool_cpu_ms "${MPID[rig-pool-$t]}") - POOL_CPU0[$t]) / 10))"
			# And its memory then, idle connections' timeouts past.
			record pool "$POOL_CASE" "$t" 1 "hub RSS kB, after 10 idle s" \
				"$(rss_kb "${MPID[rig-pool-$t]}")"
		done
		# Back to back in each round, the order alternating between
		# rounds: the machine's other load, which changes by the
		# minute, falls on both alike, and each round gives a ratio.
		for r in $(seq 1 "$ROUNDS"); do
			POOL_RPS=()
			order="slurm local"
			[ $((r % 2)) = 0 ] && order="local slurm"
			for t in $order; do
				pool_load "$t" "${POOL_PORT[$t]}" "$(cat "$W/rig-pool-$t.token")" "$r"
			done
			[ -n "${POOL_RPS[slurm]:-}" ] && [ -n "${POOL_RPS[local]:-}" ] &&
				record pool "$POOL_CASE" slurm/local "$r" \
					"req/s, slurm/local in the same round" \
					"$(awk -v a="${POOL_RPS[slurm]}" -v b="${POOL_RPS[local]}" 'BEGIN { printf "%.3f", a / b }')"
		done
		for t in slurm local; do
			record pool "$POOL_CASE" "$t" 1 "hub RSS kB, after the load" \
				"$(rss_kb "${MPID[rig-pool-$t]}")"
		done
		# The Slurm hub's TLS to its servers, all rounds: how many
		# connections it had to open (a full or resumed handshake each).
		curl -sk -m 10 -H "Authorization: token $(cat "$W/rig-pool-slurm.token")" \
			"$(pool_url "${POOL_PORT[slurm]}")/hub/metrics" >"$W/log/pool-slurm.metrics" 2>&1
		for t in full resumed failed; do
			v=$(sed -n "s/^rig_upstream_tls_handshakes_total{kind=\"$t\"} //p" "$W/log/pool-slurm.metrics")
			[ -n "$v" ] && record pool "$POOL_CASE" slurm 1 \
				"TLS handshakes to servers, $t" "$v"
		done
	fi
	pool_hub_stop slurm
	pool_hub_stop local
	# The cluster goes now, not at the end: its slurmd would load the
	# cases after it.
	for i in $(seq 1 "$POOL_NODES"); do stop "slurmd-pn$i"; done
	stop slurmctld
	stop_pid "$POOL_MUNGED"
	unset "LIVE[$POOL_MUNGED]"
}
