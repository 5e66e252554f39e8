/* SPDX-License-Identifier: MIT */
/*
 * The fixed command lines of the hub's questions to Slurm (slurm-ask.h).
 * The helper builds them itself from a question's number: what runs as
 * Slurm's user is never the hub's text.
 */
#include <stdio.h>
#include <string.h>

#include "poolview.h"
#include "slurm-ask.h"
#include "spawn-slurm-parse.h"
#include "spawn-slurm-run.h"
#include "lib/banned.h"

int
slurm_ask_argv(int q, long long job, char *idbuf,
    const char *argv[SLURM_ASK_ARGV_MAX])
{
	static const char *const servers[] = { SLURM_SQUEUE, "-h", "-t", "all",
		"-n", SLURM_JOB_NAME, "-o", "%i|%T|%r|%N|%u", NULL };
	static const char *const comment[] = { SLURM_SQUEUE, "-h", "-j",
		NULL /* the id */, "-o", "%k", NULL };
	const char *const       *src;
	size_t                   n;

	if (q == SLURM_Q_COMMENT ? job < 1 || job > SLURM_ASK_JOB_MAX
	                         : job != 0)
		return -1;
	switch (q) {
	case SLURM_Q_SERVERS:
		src = servers;
		break;
	case SLURM_Q_COMMENT:
		src = comment;
		break;
	case SLURM_Q_POOL_JOBS:
		src = poolview_squeue_argv;
		break;
	default:
		return -1;
	}
	for (n = 0; q == SLURM_Q_COMMENT ? n < 6 : src[n] != NULL; n++)
		argv[n] = src[n];
	argv[n] = NULL;
	if (q == SLURM_Q_COMMENT) {
		snprintf(idbuf, 24, "%lld", job);
		argv[3] = idbuf;
	}
	/* poolview's lines name their commands for a PATH search. */
	if (q == SLURM_Q_POOL_JOBS)
		argv[0] = SLURM_SQUEUE;
	return 0;
}
