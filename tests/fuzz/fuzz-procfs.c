/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for procfs_parse_stat(), which reads /proc/PID/stat of
 * users' processes: the command name in it (field 2, in parentheses) is
 * whatever the user called the program, ')' and spaces included, and a
 * misread start time or state would let a process pass for another
 * (procfs_alive) or hide its CPU time from the culler. The input is
 * parsed as a stat text, and its bytes also serve as a command name in a
 * stat line made here, from which the fields must come back exactly.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/procfs/.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

/* The kernel keeps at most 15 bytes of a name (TASK_COMM_LEN 16), but a
 * longer one costs nothing here and covers a future kernel. */
#define COMM_MAX 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procfs_stat st;
	char               comm[COMM_MAX + 1], line[1024], *s;
	size_t             n = 0;
	uint64_t           ut = 0, stt = 0;
	unsigned long long start = 0;
	char               state;
	int                r;

	s = strndup((const char *)data, size);
	CHECK(s != NULL);
	r = procfs_parse_stat(s, &st);
	CHECK(r == 0 || r == -1);
	if (r == 0) {
		CHECK(strlen(st.start) < sizeof(st.start));
		CHECK(strchr(st.start, ' ') == NULL);
		CHECK(strchr(st.start, '\n') == NULL);
	}
	free(s);

	/* A stat line with the input as its name: the kernel writes any
	 * byte of a name but NUL (and cuts it at 15). */
	for (size_t i = 0; i < size && n < COMM_MAX; i++)
		if (data[i] != '\0')
			comm[n++] = (char)data[i];
	comm[n] = '\0';
	for (size_t i = 0; i < size; i++) {
		ut = ut * 31 + data[i];
		stt = stt * 37 + data[i];
		start = start * 41 + data[i];
	}
	state = "RSDZTtXIP"[size % 9];
	snprintf(line, sizeof(line),
	    "4242 (%s) %c 1 4242 4242 0 -1 4194560 100 0 0 0 %" PRIu64
	    " %" PRIu64 " 0 0 20 0 1 0 %llu 2000000 300 "
	    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
	    comm, state, ut, stt, start);
	CHECK(procfs_parse_stat(line, &st) == 0);
	CHECK(st.state == state);
	CHECK(st.utime == ut && st.stime == stt);
	CHECK(strtoull(st.start, NULL, 10) == start);
	return 0;
}
