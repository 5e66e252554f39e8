/* SPDX-License-Identifier: MIT */
/*
 * Slurm's output read (spawn-slurm-parse.h): pure functions, no I/O.
 */
#include <stdint.h>
#include <string.h>

#include "lib/util.h"
#include "spawn-slurm-parse.h"

static int copy_field(char *, size_t, const char *, size_t);

/* Copies field 'n' bytes of 'p' into 'dst'; -1 if it does not fit. */
static int
copy_field(char *dst, size_t size, const char *p, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

int
slurm_parse_row(const char *line, size_t len, struct slurm_row *row)
{
	const char *f[5], *end = line + len, *p = line;
	size_t      n[5];
	char        num[24];
	int         i;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < 5; i++) {
		const char *bar = memchr(p, '|', (size_t)(end - p));

		if (i < 4 && bar == NULL)
			return -1;
		if (i == 4 && bar != NULL)
			return -1;
		f[i] = p;
		n[i] = (size_t)((i < 4 ? bar : end) - p);
		if (memchr(p, '\0', n[i]) != NULL || memchr(p, '\n', n[i]))
			return -1;
		p = i < 4 ? bar + 1 : end;
	}
	if (n[0] == 0 || copy_field(num, sizeof(num), f[0], n[0]) == -1 ||
	    parse_int(num, 1, INT32_MAX, &row->id) == -1)
		return -1;
	if (n[1] == 0 ||
	    copy_field(row->state, sizeof(row->state), f[1], n[1]) == -1 ||
	    copy_field(row->reason, sizeof(row->reason), f[2], n[2]) == -1 ||
	    copy_field(row->nodes, sizeof(row->nodes), f[3], n[3]) == -1 ||
	    copy_field(row->user, sizeof(row->user), f[4], n[4]) == -1)
		return -1;
	return 0;
}

int
slurm_parse_node(const char *line, size_t len, struct slurm_node *node)
{
	const char *bar = memchr(line, '|', len);

	memset(node, 0, sizeof(*node));
	if (bar == NULL || bar == line || (size_t)(bar - line) + 1 == len ||
	    memchr(line, '\0', len) != NULL ||
	    memchr(bar + 1, '|', len - (size_t)(bar - line) - 1) != NULL)
		return -1;
	if (copy_field(node->name, sizeof(node->name), line,
	        (size_t)(bar - line)) == -1 ||
	    copy_field(node->addr, sizeof(node->addr), bar + 1,
	        len - (size_t)(bar - line) - 1) == -1)
		return -1;
	return 0;
}

long long
slurm_parse_jobid(const char *out)
{
	const char *line = out, *p;
	char        num[24];
	long long   id;
	size_t      n;

	/* The last line that is not empty. */
	for (p = out; *p != '\0'; p++)
		if (p[0] == '\n' && p[1] != '\0' && p[1] != '\n')
			line = p + 1;
	n = strspn(line, "0123456789");
	if (n == 0 || n >= sizeof(num) ||
	    (line[n] != '\0' && line[n] != '\n' && line[n] != ';'))
		return -1;
	memcpy(num, line, n);
	num[n] = '\0';
	if (parse_int(num, 1, INT32_MAX, &id) == -1)
		return -1;
	return id;
}

int
slurm_parse_port(const char *comment)
{
	size_t    k = strlen(SLURM_PORT_PREFIX), n;
	char      num[8];
	long long port;

	if (strncmp(comment, SLURM_PORT_PREFIX, k) != 0)
		return -1;
	comment += k;
	n = strspn(comment, "0123456789");
	if (n == 0 || n >= sizeof(num) ||
	    strcmp(comment + n, n > 0 && comment[n] == '\n' ? "\n" : "") != 0)
		return -1;
	memcpy(num, comment, n);
	num[n] = '\0';
	if (parse_int(num, 1024, 65535, &port) == -1)
		return -1;
	return (int)port;
}

enum slurm_kind
slurm_state_kind(const char *state)
{
	static const char *const ended[] = { "COMPLETED", "CANCELLED", "FAILED",
		"TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
		"OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED" };
	static const char *const waiting[] = { "PENDING", "REQUEUED",
		"REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD" };

	for (size_t i = 0; i < nitems(ended); i++)
		if (strcmp(state, ended[i]) == 0)
			return SLURM_ENDED;
	for (size_t i = 0; i < nitems(waiting); i++)
		if (strcmp(state, waiting[i]) == 0)
			return SLURM_WAITING;
	if (strcmp(state, "CONFIGURING") == 0)
		return SLURM_BOOTING;
	if (strcmp(state, "RUNNING") == 0)
		return SLURM_RUNNING;
	if (strcmp(state, "COMPLETING") == 0)
		return SLURM_ENDING;
	return SLURM_OTHER;
}
