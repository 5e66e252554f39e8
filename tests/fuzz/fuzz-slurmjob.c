/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for slurmjob.c's parsers, which read Slurm's listings of
 * jobs whose names, comments, commands and output paths are their
 * owners' text: squeue's '|'-separated line and scontrol's "Key=Value"
 * line. A line that parses must give NUL-terminated fields within their
 * sizes; the owner's name, made from the input's bytes and put last in a
 * squeue line made here, must come back exactly; and the output path
 * filled in from a parsed job must stay absolute and within its size.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/slurmjob/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/slurmjob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

static void
check_fields(const struct slurmjob *j)
{
	CHECK(memchr(j->id, '\0', sizeof(j->id)) != NULL);
	CHECK(memchr(j->state, '\0', sizeof(j->state)) != NULL);
	CHECK(memchr(j->name, '\0', sizeof(j->name)) != NULL);
	CHECK(memchr(j->user, '\0', sizeof(j->user)) != NULL);
	CHECK(memchr(j->out_path, '\0', sizeof(j->out_path)) != NULL);
	CHECK(j->id[0] != '\0' && j->state[0] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slurmjob j;
	char           *s, line[512], name[200], path[300];
	size_t          n = 0;

	s = strndup((const char *)data, size);
	CHECK(s != NULL);
	if (slurmjob_parse_queue(s, &j) == 0)
		check_fields(&j);
	if (slurmjob_parse_show(s, &j) == 0) {
		check_fields(&j);
		if (slurmjob_out_file(&j, path, sizeof(path)) == 0) {
			CHECK(path[0] == '/');
			CHECK(strlen(path) < sizeof(path));
		}
	}
	(void)slurmjob_id_ok(s, NULL);
	(void)slurmjob_name_error(s);
	(void)slurmjob_time_error(s);
	(void)slurmjob_array_error(s);
	(void)slurmjob_mem_error(s);
	free(s);

	/* The input's bytes as a job's name, last in a line: back whole. */
	for (size_t i = 0; i < size && n < sizeof(name) - 1; i++)
		if (data[i] != '\0' && data[i] != '\n')
			name[n++] = (char)data[i];
	name[n] = '\0';
	snprintf(line, sizeof(line), "7_1|RUNNING|1:00|cpu|n1|None|u|%s", name);
	CHECK(slurmjob_parse_queue(line, &j) == 0);
	CHECK(strcmp(j.name, name) == 0);
	CHECK(strcmp(j.id, "7_1") == 0 && strcmp(j.user, "u") == 0);
	return 0;
}
