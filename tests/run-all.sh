#!/bin/bash
# Runs every test: the unit tests (plain and sanitizer builds, TAP), each
# end-to-end script tests/e2e/t*.sh (180 s each) and the browser test.
# Arguments are name filters: a suite runs if its name contains one of them
# (names: unit-tests, asan/unit-tests, t030-login, ..., browser).
# Logs and screenshots go to tests/out/. The last line is "N passed, N failed"
# (unit tests count one by one, each script as one); exit 1 if any failed.
# The e2e tests use the sanitizer build unless RIG is set.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
OUT=$TOP/tests/out
mkdir -p "$OUT"
export RIG=${RIG:-build/asan/rig}
case $RIG in /*) ;; *) RIG=$TOP/$RIG ;; esac

passed=0
failed=0

selected() {
	local f
	[ $# -ge 2 ] || return 0
	for f in "${@:2}"; do
		case $1 in *"$f"*) return 0 ;; esac
	done
	return 1
}

# show_failure LOG: the end of a failed test's log, as TAP comments.
show_failure() {
	tail -n 30 "$1" | sed 's/^/#   /'
}

run_unit() {
	local bin=$1 name=$2 log=$OUT/$3.log rc=0 ok nok
	if [ ! -x "$bin" ]; then
		echo "not ok $name # missing $bin: run make (and make asan)"
		failed=$((failed + 1))
		return
	fi
	timeout -k 10 600 "$bin" >"$log" 2>&1 || rc=$?
	ok=$(grep -c '^ok ' "$log")
	nok=$(grep -c '^not ok ' "$log")
	passed=$((passed + ok))
	failed=$((failed + nok))
	echo "# $name: $ok passed, $nok failed (log: tests/out/$3.log)"
	# The failures, with the harness's "# file:line: ..." comments.
	[ "$nok" = 0 ] || grep -E '^(not ok |#)' "$log" | sed "s|^|$name: |"
	if [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
		echo "not ok $name # exited with status $rc"
		show_failure "$log"
		failed=$((failed + 1))
	fi
}

# run_script NAME SCRIPT: one e2e or browser test, 180 s at most.
run_script() {
	local name=$1 script=$2 log=$OUT/$1.log rc=0 t0
	t0=$(date +%s)
	timeout -k 10 180 bash "$script" >"$log" 2>&1 </dev/null || rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok $name # $(($(date +%s) - t0)) s"
		passed=$((passed + 1))
	else
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			echo "not ok $name # timed out after 180 s"
		else
			echo "not ok $name # exit status $rc"
		fi
		show_failure "$log"
		failed=$((failed + 1))
	fi
}

selected unit-tests "$@" && run_unit build/unit-tests unit-tests unit-tests
selected asan/unit-tests "$@" && run_unit build/asan/unit-tests asan/unit-tests asan-unit-tests

# Fuzz targets replay their corpus (tests/fuzz/corpus/NAME/), plain and
# sanitizer builds; each binary counts as one test.
for bin in build/fuzz-* build/asan/fuzz-*; do
	[ -x "$bin" ] || continue
	name=${bin#build/}
	selected "$name" "$@" || continue
	if timeout -k 10 300 "$bin" >"$OUT/${name//\//-}.log" 2>&1; then
		echo "ok $name"
		passed=$((passed + 1))
	else
		echo "not ok $name"
		show_failure "$OUT/${name//\//-}.log"
		failed=$((failed + 1))
	fi
done

# Checks of the code itself (layers, ...): each script is one test.
for script in tests/checks/*.sh; do
	[ -e "$script" ] || continue
	name=check-$(basename "$script" .sh)
	selected "$name" "$@" && run_script "$name" "$script"
done

for script in tests/e2e/t*.sh; do
	[ -e "$script" ] || continue
	name=$(basename "$script" .sh)
	selected "$name" "$@" && run_script "$name" "$script"
done

selected browser "$@" && [ -e tests/browser/run.sh ] && run_script browser tests/browser/run.sh

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
