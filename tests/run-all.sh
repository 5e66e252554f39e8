#!/bin/bash
# Runs every test: the unit tests (plain and sanitizer builds, TAP), the
# fuzz corpus replays, the code checks tests/checks/*.sh, each end-to-end
# script tests/e2e/t*.sh (180 s each) and the browser test.
#
#   tests/run-all.sh [-j N] [FILTER...]
#
# Filters select by name: a suite runs if its name contains one of them
# (names: unit-tests, asan/unit-tests, fuzz-http, check-layers, t030-login,
# ..., browser). -j N runs N suites at a time (default $RIG_TEST_JOBS, else
# 4: the e2e tests mostly wait on sleeps, sshd and Jupyter, so more jobs
# than the 2 cores pay); -j 1 runs them one after another. Each test has its
# own temp dir, port, account prefix and networks (tests/e2e/lib.sh), so
# they can overlap; a script that cannot (it measures time or memory, or
# changes something every test sees) says so with a line
#   # run-alone: WHY
# among its first lines, and runs once the others are done, with nothing
# beside it. The longest suites (as long as they took last time, kept in
# tests/out/durations) start first.
#
# The output does not depend on -j: one TAP line per suite in the order
# above ("ok NAME # N s"; unit tests count one by one, each script as one),
# failures followed by the end of their log, and last "N passed, N failed";
# exit 1 if any failed. Logs and screenshots go to tests/out/. The e2e
# tests use the sanitizer build unless RIG is set.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
OUT=$TOP/tests/out
mkdir -p "$OUT"
export RIG=${RIG:-build/asan/rig}
case $RIG in /*) ;; *) RIG=$TOP/$RIG ;; esac

jobs=${RIG_TEST_JOBS:-4}
while getopts j: opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	*)
		echo "usage: tests/run-all.sh [-j jobs] [filter ...]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
case $jobs in
'' | *[!0-9]* | 0*)
	echo "run-all.sh: -j wants a number from 1 up, not '$jobs'" >&2
	exit 2
	;;
esac

selected() {
	local f
	[ $# -ge 2 ] || return 0
	for f in "${@:2}"; do
		case $1 in *"$f"*) return 0 ;; esac
	done
	return 1
}

# ---- The suites, in output order ----
# Suite I is NAME[I], run by run_KIND[I] on PATH[I], logging to
# tests/out/LOG[I].log; ALONE[I] is its run-alone reason, if any.
NAME=() KIND=() SPATH=() LOG=() ALONE=()

add() { # add NAME KIND PATH LOG
	local why=
	if [ "$2" = script ]; then
		why=$(head -n 40 "$3" | sed -n 's/^# run-alone: *//p' | head -n 1)
	fi
	NAME+=("$1") KIND+=("$2") SPATH+=("$3") LOG+=("$4") ALONE+=("$why")
}

selected unit-tests "$@" && add unit-tests unit build/unit-tests unit-tests
selected asan/unit-tests "$@" && add asan/unit-tests unit build/asan/unit-tests asan-unit-tests
# Fuzz targets replay their corpus (tests/fuzz/corpus/NAME/), plain and
# sanitizer builds; each binary counts as one test.
for bin in build/fuzz-* build/asan/fuzz-*; do
	[ -x "$bin" ] || continue
	name=${bin#build/}
	selected "$name" "$@" && add "$name" fuzz "$bin" "${name//\//-}"
done
# Checks of the code itself (layers, headers, ...): each script is one test.
for script in tests/checks/*.sh; do
	[ -e "$script" ] || continue
	name=check-$(basename "$script" .sh)
	selected "$name" "$@" && add "$name" script "$script" "$name"
done
for script in tests/e2e/t*.sh; do
	[ -e "$script" ] || continue
	name=$(basename "$script" .sh)
	selected "$name" "$@" && add "$name" script "$script" "$name"
done
selected browser "$@" && [ -e tests/browser/run.sh ] && add browser script tests/browser/run.sh browser

# ---- Running one suite ----
# Each runs in a subshell whose output goes to $RES/I.out; it ends by
# writing "PASSED FAILED" to $RES/I.n.

RES=$(mktemp -d /tmp/rig-run-all.XXXXXX)
passed=0
failed=0

# show_failure LOG: the end of a failed test's log, as TAP comments.
show_failure() {
	tail -n 30 "$1" | sed 's/^/#   /'
}

# bounded SECONDS LOG CMD...: CMD under timeout, output to LOG; a TERM to
# this subshell (run-all.sh interrupted) reaches CMD, and CMD's clean-up
# (lib.sh's EXIT trap) is waited for. Returns CMD's status.
bounded() {
	local secs=$1 log=$2 tpid rc=0
	shift 2
	timeout -k 10 "$secs" "$@" >"$log" 2>&1 </dev/null &
	tpid=$!
	trap 'kill -TERM $tpid 2>/dev/null' TERM
	wait "$tpid" || rc=$?
	# A trapped TERM ends the first wait early: wait for the real end.
	while kill -0 "$tpid" 2>/dev/null; do wait "$tpid" && rc=0 || rc=$?; done
	trap - TERM
	return "$rc"
}

run_unit() {
	local i=$1 bin=${SPATH[$1]} name=${NAME[$1]} log=$OUT/${LOG[$1]}.log rc=0 ok nok
	if [ ! -x "$bin" ]; then
		echo "not ok $name # missing $bin: run make (and make asan)"
		echo "0 1" >"$RES/$i.n"
		return
	fi
	bounded 600 "$log" "$bin" || rc=$?
	ok=$(grep -c '^ok ' "$log")
	nok=$(grep -c '^not ok ' "$log")
	echo "# $name: $ok passed, $nok failed (log: tests/out/${LOG[$i]}.log)"
	# The failures, with the harness's "# file:line: ..." comments.
	[ "$nok" = 0 ] || grep -E '^(not ok |#)' "$log" | sed "s|^|$name: |"
	if [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
		echo "not ok $name # exited with status $rc"
		show_failure "$log"
		nok=1
	fi
	echo "$ok $nok" >"$RES/$i.n"
}

run_fuzz() {
	local i=$1 name=${NAME[$1]} log=$OUT/${LOG[$1]}.log
	if bounded 300 "$log" "${SPATH[$i]}"; then
		echo "ok $name"
		echo "1 0" >"$RES/$i.n"
	else
		echo "not ok $name"
		show_failure "$log"
		echo "0 1" >"$RES/$i.n"
	fi
}

# run_script I: one check, e2e or browser test, 180 s at most.
run_script() {
	local i=$1 name=${NAME[$1]} log=$OUT/${LOG[$1]}.log rc=0 t0
	t0=$(date +%s)
	bounded 180 "$log" bash "${SPATH[$i]}" || rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok $name # $(($(date +%s) - t0)) s"
		echo "1 0" >"$RES/$i.n"
	else
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			echo "not ok $name # timed out after 180 s"
		else
			echo "not ok $name # exit status $rc"
		fi
		show_failure "$log"
		echo "0 1" >"$RES/$i.n"
	fi
}

# ---- The pool ----
declare -A JOB_OF=() # pid -> suite
running=0
next=0 # the first suite whose result is not printed yet

start() {
	local i=$1
	(
		t0=$(date +%s)
		"run_${KIND[$i]}" "$i"
		echo "${NAME[$i]} $(($(date +%s) - t0))" >"$RES/$i.secs"
	) >"$RES/$i.out" 2>&1 &
	JOB_OF[$!]=$i
	running=$((running + 1))
}

# reap: waits for one suite to end, then prints every result that is next
# in order.
reap() {
	local pid i p f
	while :; do
		pid=
		wait -n -p pid
		[ -n "$pid" ] || { echo "run-all.sh: lost track of $running tests" >&2; exit 1; }
		# Only our suites: not a process substitution's end.
		[ -n "${JOB_OF[$pid]+set}" ] && break
	done
	i=${JOB_OF[$pid]}
	unset "JOB_OF[$pid]"
	running=$((running - 1))
	if [ ! -e "$RES/$i.n" ]; then
		echo "not ok ${NAME[$i]} # the runner's job for it died" >>"$RES/$i.out"
		echo "0 1" >"$RES/$i.n"
	fi
	while [ "$next" -lt "${#NAME[@]}" ] && [ -e "$RES/$next.n" ]; do
		cat "$RES/$next.out"
		read -r p f <"$RES/$next.n"
		passed=$((passed + p))
		failed=$((failed + f))
		next=$((next + 1))
	done
}

interrupted() {
	local pid
	trap '' INT TERM
	echo "# interrupted: stopping the running tests" >&2
	for pid in "${!JOB_OF[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	wait
	rm -rf "$RES"
	exit 130
}
trap interrupted INT TERM

# Longest first (last run's times; a suite not timed yet counts as long),
# so that the pool does not end with one long test running alone.
order() {
	local i secs
	for i in "$@"; do
		secs=$(sed -n "s|^${NAME[$i]} \([0-9]*\)$|\1|p" "$OUT/durations" 2>/dev/null | tail -n 1)
		echo "${secs:-1000} $i"
	done | sort -s -k1,1nr | cut -d' ' -f2
}

pool=() alone=()
for i in "${!NAME[@]}"; do
	if [ -n "${ALONE[$i]}" ] && [ "$jobs" -gt 1 ]; then
		alone+=("$i")
	else
		pool+=("$i")
	fi
done

wall0=$(date +%s)
if [ "$jobs" -gt 1 ]; then
	echo "# ${#NAME[@]} suites, $jobs at a time${alone:+; alone at the end:}$(for i in "${alone[@]}"; do printf ' %s' "${NAME[$i]}"; done)"
	[ "${#pool[@]}" = 0 ] || mapfile -t pool < <(order "${pool[@]}")
fi
if [ "${#pool[@]}" -gt 0 ]; then
	for i in "${pool[@]}"; do
		while [ "$running" -ge "$jobs" ]; do reap; done
		start "$i"
	done
fi
while [ "$running" -gt 0 ]; do reap; done
for i in "${alone[@]}"; do
	start "$i"
	reap
done

# Times of this run replace the last ones; suites not run keep theirs.
{
	cat "$RES"/*.secs 2>/dev/null
	[ -f "$OUT/durations" ] && cat "$OUT/durations"
} | awk '!seen[$1]++' | sort >"$OUT/durations.new" && mv "$OUT/durations.new" "$OUT/durations"
rm -rf "$RES"

echo "# $(($(date +%s) - wall0)) s, $jobs at a time"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
