#!/bin/bash
# A busy kernel keeps its server alive. With idle_timeout = 12, a cell that
# computes for 24 s (default notebook server: the hub sees the account's
# CPU use) and a cell that sleeps silently for 24 s (jupyter_server, which
# reports its kernels as busy) both outlast the timeout; once the cell ends,
# the idle server is culled. (12 s, not less: between the server's ready and
# the cell's start, a kernel starting on a loaded machine, other tests
# beside this one, has taken over 6 s, and an idle server culled before its
# cell starts proves nothing.)
. "$(dirname "$0")/lib.sh"

# busy_case LABEL CODE: spawn, start CODE, check alive for 16 s, then culled.
busy_case() {
	local label=$1 code=$2 pid out t0 ok=
	# A culled server's kernel can outlive it by a moment; server_pid
	# (the account's oldest process) must find the new server, not that.
	for _ in $(seq 1 100); do
		pgrep -u "${PREFIX}alice" >/dev/null 2>&1 || break
		sleep 0.1
	done
	spawn alice "$TOKEN"
	pid=$(server_pid alice)
	[ -n "$pid" ] || fail "$label: no server process"
	out=$(NOWAIT=1 timeout 60 $PY "$HELPERS/runcell.py" "$URL/user/alice/" \
		"token:$TOKEN" "$code" 2>&1) || fail "$label: could not start the cell: $out"
	t0=$(now_ms)
	# Nobody touches the server now; only the kernel is busy.
	while [ $(($(now_ms) - t0)) -lt 16000 ]; do
		pid_alive "$pid" || fail "$label: culled while its kernel was busy ($(($(now_ms) - t0)) ms)"
		sleep 0.5
	done
	while [ $(($(now_ms) - t0)) -lt 60000 ]; do
		if ! pid_alive "$pid"; then
			ok=1
			break
		fi
		sleep 0.5
	done
	[ -n "$ok" ] || fail "$label: not culled after the kernel went idle"
	note "$label: alive while busy, culled $(($(now_ms) - t0)) ms after the cell started"
}

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config "idle_timeout = 12" "cull_interval = 1"
hub_start
busy_case "notebook, computing" 'import time
t = time.time()
while time.time() - t < 24:
    pass'
hub_stop

hub_config "idle_timeout = 12" "cull_interval = 1" \
	"server_cmd = /usr/bin/python3 -m jupyter_server --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.port_retries=0 --ServerApp.base_url={base_url} --ServerApp.root_dir={root_dir} --ServerApp.open_browser=False"
hub_start
busy_case "jupyter_server, sleeping" 'import time; time.sleep(24)'
hub_stop
