/* SPDX-License-Identifier: MIT */
/*
 * A pool's use for the head's idle stop (autostop-pool.h), from Slurm's
 * own commands: fixed command lines, read to the end. Nodes, not jobs:
 * under the pool's PrivateData=jobs the hub's account sees no one's
 * jobs, but every node's allocated CPUs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autostop-pool.h"
#include "lib/buf.h"
#include "lib/banned.h"

#define OUT_MAX (16 * 1024 * 1024)

static char *run(const char *);
static int   has_flag(const char *, const char *);

/* Whether "BASE+FLAG+..." has 'flag' as a whole word. */
static int
has_flag(const char *state, const char *flag)
{
	size_t fl = strlen(flag), n;

	for (const char *p = state; *p != '\0'; p += n, p += *p == '+') {
		n = strcspn(p, "+");
		if (n == fl && strncmp(p, flag, n) == 0)
			return 1;
	}
	return 0;
}

/* A fixed command's output; NULL if it failed. */
static char *
run(const char *cmd)
{
	struct buf b;
	char       chunk[4096];
	size_t     n;
	FILE      *f = popen(cmd, "re");

	if (f == NULL)
		return NULL;
	buf_init(&b, OUT_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) == -1)
			break;
	if (pclose(f) != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

int
autostop_pool_count_busy(const char *out)
{
	int n = 0;

	for (const char *p = out; *p != '\0';
	     p += strcspn(p, "\n"), p += *p == '\n') {
		size_t      len = strcspn(p, "\n");
		const char *a = strstr(p, " CPUAlloc=");

		if (a != NULL && a < p + len && a[10] >= '1' && a[10] <= '9')
			n++;
	}
	return n;
}

int
autostop_pool_count_nodes(const char *out)
{
	int n = 0;

	for (const char *p = out; *p != '\0';
	     p += strcspn(p, "\n"), p += *p == '\n') {
		size_t      len = strcspn(p, "\n");
		const char *st = strstr(p, " State=");
		size_t      sl;
		char        state[256];

		if (st == NULL || st > p + len)
			continue;
		st += 7;
		sl = strcspn(st, " \n");
		if (sl >= sizeof(state))
			continue;
		memcpy(state, st, sl);
		state[sl] = '\0';
		/* Powered down is off; powering up or down costs. */
		if (has_flag(state, "CLOUD") &&
		    !has_flag(state, "POWERED_DOWN"))
			n++;
	}
	return n;
}

int
autostop_pool_sample(int *jobs, int *nodes)
{
	char *s = run(AUTOSTOP_SCONTROL " -o show nodes 2>/dev/null");

	if (s == NULL)
		return -1;
	*jobs = autostop_pool_count_busy(s);
	*nodes = autostop_pool_count_nodes(s);
	free(s);
	return 0;
}

int
autostop_pool_judge(int jobs, int nodes, char *why, size_t len)
{
	if (jobs < 0) {
		snprintf(why, len,
		    "busy: Slurm does not answer (its jobs may be running)");
		return 1;
	}
	if (jobs == 0 && nodes == 0)
		return 0;
	snprintf(why, len,
	    "busy: Slurm jobs on %d node%s, %d pool node%s "
	    "powered up",
	    jobs, jobs == 1 ? "" : "s", nodes, nodes == 1 ? "" : "s");
	return 1;
}
