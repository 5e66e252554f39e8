#!/bin/bash
# The benchmark harness works: bench/run --smoke runs every path of every
# case once with tiny counts (rig, nginx and CHP as proxies, plain and TLS,
# WebSocket echo and idle connections, JupyterHub start and spawn, the
# notebook server by hand, the soak) and checks the answers: status 200,
# byte counts, echoed messages. No timing is asserted. It uses $RIG (the
# runner's sanitizer build) or build/rig, and cleans up after itself.
# run-alone: a benchmark: wrk loads every core and the proxies are pinned to
# CPU 0 (taskset), which would slow the tests beside it and be slowed by them.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RIG=${RIG:-$TOP/build/rig}
case $RIG in /*) ;; *) RIG=$PWD/$RIG ;; esac
export RIG
exec "$TOP/bench/run" --smoke
