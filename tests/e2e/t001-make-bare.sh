#!/bin/bash
# A bare machine's `make run` and `make test` install first, then build:
# with a pkg-config that finds nothing first on PATH (the machine before
# scripts/install-deps.sh ran), the Makefile must plan the install step
# rather than refuse at parse time, and a plain build must stop with a clear
# message naming the install step and compile nothing.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/bin"
cat >"$T/bin/pkg-config" <<'STUB'
#!/bin/sh
# Stand-in for a machine without the -dev packages: knows no library.
echo "pkg-config stand-in: $*" >>"${0%/*}/calls"
exit 1
STUB
chmod 755 "$T/bin/pkg-config"
export PATH=$T/bin:$PATH
cd "$TOP"

for goal in run test bench; do
	rc=0
	# -n plans without doing; recursive $(MAKE) lines still run (with -n).
	make -n --no-print-directory B="$T/build" "$goal" >"$T/plan-$goal" 2>&1 || rc=$?
	grep -qE '^(Makefile:[0-9]+: \*\*\*|missing libraries)' "$T/plan-$goal" &&
		fail "make -n $goal refused instead of planning the install: $(head -3 "$T/plan-$goal")"
	[ "$rc" = 0 ] || fail "make -n $goal exited $rc: $(tail -3 "$T/plan-$goal")"
	first=$(grep -m1 -n 'install-deps.sh' "$T/plan-$goal" | cut -d: -f1)
	[ -n "$first" ] || fail "make -n $goal plans no install step"
	cc=$(grep -m1 -n -E '(^| )(cc|gcc|clang) ' "$T/plan-$goal" | cut -d: -f1)
	[ -n "$cc" ] || fail "make -n $goal plans no build"
	[ "$first" -lt "$cc" ] || fail "make -n $goal compiles (line $cc) before installing (line $first)"
	note "make -n $goal: install on line $first, first compile on line $cc"
done

# The stand-in was really asked (else this test proves nothing).
[ -s "$T/bin/calls" ] || fail "the pkg-config stand-in was never called"

# A build without the libraries stops before compiling, saying what to do.
rc=0
make --no-print-directory B="$T/build" all >"$T/build.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "make all succeeded without libraries"
grep -q 'missing libraries.*make deps' "$T/build.log" ||
	fail "make all without libraries: no clear message: $(tail -3 "$T/build.log")"
[ -z "$(find "$T/build" -name '*.o' 2>/dev/null)" ] || fail "make all compiled without libraries"
note "make all without libraries: $(grep 'missing libraries' "$T/build.log")"
