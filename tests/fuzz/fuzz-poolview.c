/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for poolview.c, which reads what sinfo and squeue print on
 * the pool's head: node names, reasons and job names there are text an
 * admin of Slurm or a user submitting a job typed ('|', brackets, escape
 * sequences, bytes that are not UTF-8). The input is read as both
 * queries' output and as a host list: every line either parses into
 * fields that keep their promises (no '|' or space in a name, cores in
 * use within the total, a state word) or is refused, and the whole view
 * is always a JSON object that encodes.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/poolview/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hub/poolview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool_node       n;
	struct pool_job        j;
	struct poolview_server sv = { 5, "alice" };
	char                  *text, *s;
	const char            *p, *nl;
	json_t                *v;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		if (poolview_parse_node(p, (size_t)(nl + 1 - p), &n) == 0) {
			CHECK(n.state != NULL);
			CHECK(n.cpus_used >= 0 && n.cpus_used <= n.cpus_total);
			CHECK(strpbrk(n.name, "| \n[],") == NULL);
			CHECK(strpbrk(n.partition, "| \n") == NULL);
			CHECK(strchr(n.reason, '\n') == NULL);
		}
		if (poolview_parse_job(p, (size_t)(nl + 1 - p), &j) == 0) {
			CHECK(j.id[0] != '\0');
			CHECK(strspn(j.id, "0123456789_") == strlen(j.id));
			CHECK(strpbrk(j.user, "| \n") == NULL);
			CHECK(strpbrk(j.nodes, "| \n") == NULL);
		}
	}
	(void)poolview_hostlist_has(text, "n1");
	(void)poolview_hostlist_has(text, "");
	v = poolview_build(text, text, &sv, 1, NULL, 1796000000);
	CHECK(json_is_array(json_object_get(v, "nodes")));
	s = json_dumps(v, 0);
	CHECK(s != NULL);
	free(s);
	json_decref(v);
	free(text);
	return 0;
}
