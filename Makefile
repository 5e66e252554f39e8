# rig: one binary, a few Debian libraries, plain make (see docs/ARCHITECTURE.md).
PKGS   := libuv openssl sqlite3 jansson libcrypt libcurl pam ldap
# pkg-config is asked when a compile or link first needs its answer, never
# while this file is read: on a bare machine `make run` and `make test` must
# get as far as their `deps` step, which installs the libraries (and
# pkg-config itself). Each answer is taken once per make.
pkg_once = $(eval $1 := $$(shell pkg-config $2 2>/dev/null))$($1)
PKG_CFLAGS = $(call pkg_once,PKG_CFLAGS,--cflags $(PKGS))
CC     ?= cc
CFLAGS ?= -O2 -g
WARN   := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wwrite-strings -Wpointer-arith -Wvla \
          $(if $(filter 0,$(WERROR)),,-Werror)
# Kept apart from CFLAGS, so `make CFLAGS=-O0` keeps them.
ALL_CFLAGS = -std=c17 $(WARN) $(SAN) -D_GNU_SOURCE -Isrc -MMD -MP \
          -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
          $(PKG_CFLAGS) $(CFLAGS)
# libcurl is opened when first needed (src/azure/curl-api.c), not linked: the
# hub would map it and its ~25 dependencies for nothing.
LIBS   = $(call pkg_once,LIBS,--libs $(filter-out libcurl ldap,$(PKGS)))

B      ?= build
# src/ holds main.c and the command table; the three parts and what they
# share are folders under it (docs/ARCHITECTURE.md).
PARTS  := lib hub machine azure pool
SRCS   := $(wildcard src/*.c $(PARTS:%=src/%/*.c))
OBJS   := $(patsubst src/%.c,$(B)/obj/%.o,$(SRCS))
LIBOBJS:= $(filter-out $(B)/obj/main.o,$(OBJS))
UNITS  := $(wildcard tests/unit/test-*.c)
UOBJS  := $(patsubst tests/unit/%.c,$(B)/obj/unit/%.o,$(UNITS) tests/unit/unit.c)
FUZZ   := $(wildcard tests/fuzz/fuzz-*.c)

.PHONY: all libs run test unit e2e asan deps clean format format-check fuzz bench \
        hdr-check check

all: $(B)/rig $(B)/unit-tests $(patsubst tests/fuzz/fuzz-%.c,$(B)/fuzz-%,$(FUZZ)) \
     $(B)/arm-check

$(B)/obj/%.o: src/%.c | $(B)/obj libs
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/obj/unit/%.o: tests/unit/%.c | $(B)/obj/unit libs
	$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<
$(B)/obj $(B)/obj/unit:
	mkdir -p $@

# Checked before the first compile rather than when this file is read (see
# pkg_once): `make run` and `make test` install first, then build.
libs:
	@pkg-config --exists $(PKGS) 2>/dev/null || { \
	    echo "missing libraries ($(PKGS)): run make deps (scripts/install-deps.sh)" >&2; \
	    exit 1; }

$(B)/rig: $(OBJS)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/unit-tests: $(LIBOBJS) $(UOBJS)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(LIBS)
# Fuzz targets replay their corpus when built with gcc (tests/fuzz/replay.c);
# `make fuzz CC=clang` builds them with libFuzzer instead.
$(B)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c $(LIBOBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)
# The ARM poller's driver for tests/e2e/t400-arm-lro.sh.
$(B)/arm-check: tests/helpers/arm-check.c $(LIBOBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

-include $(wildcard $(B)/obj/*.d $(B)/obj/*/*.d)

# Every header compiles on its own (git's hdr-check): it includes what it
# uses, so a .c file may include it anywhere. $(B)/hdr/X.hco records that
# src/X.h compiled; only a header that changed (or one it includes) is
# compiled again. tests/checks/headers.sh runs this.
HDRS   := $(wildcard src/*.h src/*/*.h)
hdr-check: $(patsubst src/%.h,$(B)/hdr/%.hco,$(HDRS))
$(B)/hdr/%.hco: src/%.h | libs
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fsyntax-only -x c -MF $(@:.hco=.d) -MT $@ $<
	@touch $@
-include $(wildcard $(B)/hdr/*.d $(B)/hdr/*/*.d)

# The checks of the code itself (tests/checks/*.sh: layers, headers,
# banned functions), without root and without the e2e tests.
check:
	tests/run-all.sh check-

# Sanitizer build in its own tree, so both can coexist.
asan:
	$(MAKE) B=build/asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" CFLAGS="-O1 -g" all

deps:
	scripts/install-deps.sh

# The main job: the hub on https://127.0.0.1:8000 with its state under ./state.
run: deps
	$(MAKE) all
	scripts/run-hub.sh

test: deps
	$(MAKE) all
	$(MAKE) asan
	tests/run-all.sh

unit: all
	$(B)/unit-tests

bench: deps
	$(MAKE) all
	bench/run

# libFuzzer brings its own main: replay.c is compiled out. Undefined
# behaviour aborts like a broken invariant, so the fuzzer keeps the input.
# clang and libFuzzer's runtime are not needed by run or test: install-deps
# adds them with --fuzz. bench/fuzz-all runs every target for a while.
fuzz:
	scripts/install-deps.sh --fuzz
	$(MAKE) B=build/fuzz CC=clang CFLAGS="-O1 -g -DRIG_LIBFUZZER" \
	    SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all" \
	    $(patsubst tests/fuzz/fuzz-%.c,build/fuzz/fuzz-%,$(FUZZ))

format:
	clang-format -i src/*.[ch] src/*/*.[ch] tests/unit/*.c tests/unit/*.h tests/fuzz/*.c
format-check:
	clang-format --dry-run --Werror src/*.[ch] src/*/*.[ch]

clean:
	rm -rf build
