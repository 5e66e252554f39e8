/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the INI reader (ini.c) and the settings engine behind
 * it: the input is a rig.conf, which comes with a cloned project, and a
 * hub.conf. Promises checked: every key the reader hands over is trimmed,
 * has no line break and no comment left in its value; the hub's reader
 * (config_load) and the machine's take it without a crash; and what rig
 * writes back (machine_conf_text, as 'rig init' does) reads again with
 * every key accepted and writes the same text: a file rig wrote is one it
 * reads as it meant.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/ini/.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/config.h"
#include "lib/ini.h"
#include "machine/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

/* The reader takes a path: the input goes into a memory file. */
static int  memfd = -1;
static char mempath[64];

/* What a pass over a file did. */
struct pass {
	struct machine *m;
	int             strict; /* every key must be taken */
	int             keys;
};

/* Puts 'len' bytes at 'p' into the memory file. */
static void
mem_put(const void *p, size_t len)
{
	CHECK(ftruncate(memfd, 0) == 0);
	CHECK(pwrite(memfd, p, len, 0) == (ssize_t)len);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A string the reader hands over: trimmed, one line. */
static void
check_field(const char *s, int trimmed)
{
	size_t n = strlen(s);

	CHECK(n < INI_LINE_MAX);
	CHECK(strchr(s, '\n') == NULL);
	if (trimmed && n > 0)
		CHECK(!is_space(s[0]) && !is_space(s[n - 1]));
}

static int
key_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	struct pass *p = arg;
	int          r;

	(void)path;
	CHECK(lineno > 0);
	check_field(section, 1);
	check_field(key, 1);
	check_field(value, 1);
	CHECK(strchr(key, '=') == NULL);
	/* A comment after white space ends the value. */
	for (const char *q = value; *q != '\0'; q++)
		if (*q == ';' || *q == '#')
			CHECK(q > value && q[-1] != ' ' && q[-1] != '\t');
	p->keys++;
	r = machine_set(p->m, section, key, value);
	if (p->strict && r != 0) {
		dprintf(2, "written [%s] %s = '%s' is refused\n", section, key,
		    value);
		CHECK(r == 0);
	}
	return 0;
}

/* Reads the memory file into a fresh machine; its text, caller frees. */
static char *
machine_pass(int strict, int *ok)
{
	struct machine m;
	struct pass    p = { .m = &m, .strict = strict };
	char          *text;
	int            r;

	machine_init(&m);
	r = ini_read(mempath, key_cb, &p);
	CHECK(r == 0 || r == -1);
	*ok = r == 0;
	text = machine_conf_text(&m);
	machine_release(&m);
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char         *first, *second;
	int           ok;

	if (memfd == -1) {
		/* Each rejected key prints a line: only the checks' own
		 * (on fd 2) are wanted. */
		FILE *null = fopen("/dev/null", "w");

		if (null != NULL)
			stderr = null;
		memfd = memfd_create("fuzz-ini", 0);
		CHECK(memfd != -1);
		snprintf(mempath, sizeof(mempath), "/proc/self/fd/%d", memfd);
	}
	mem_put(data, size);

	config_init(&c);
	(void)config_load(&c, mempath);
	config_release(&c);

	first = machine_pass(0, &ok);
	/* What rig writes, it reads back whole and writes the same. */
	mem_put(first, strlen(first));
	second = machine_pass(1, &ok);
	CHECK(ok);
	if (strcmp(first, second) != 0) {
		dprintf(2, "--- written\n%s--- written again\n%s", first,
		    second);
		CHECK(strcmp(first, second) == 0);
	}
	free(first);
	free(second);
	return 0;
}
