/* SPDX-License-Identifier: MIT */
/*
 * A user's batch jobs on the pool's Slurm, for the hub's jobs page and
 * API (page-jobs.c, api-jobs.c): the queue, one job, a cancel and a job's
 * output, each asked AS THE USER'S ACCOUNT through the helper (runas.c),
 * so Slurm and the file system decide with that account's rights: squeue
 * -u ACCOUNT, scontrol show job (a job of another account is "no such
 * job"), scancel, and the output file read by dd with O_NOFOLLOW (a job
 * whose output path the user made a symbolic link to another's file gets
 * nothing).
 */
#ifndef JOBS_H
#define JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/slurmjob.h"

struct hub;
struct req;

#define JOBS_MAX 4096 /* jobs listed */
#define JOBS_OUTPUT_MAX (256 * 1024) /* bytes of output per answer */

/* What a question found: 'status' 200, or the HTTP status to answer
 * with and 'why'. */
struct jobs_answer {
	int                    status;
	const char            *why;
	const struct slurmjob *jobs; /* list, show, cancel (the job) */
	size_t                 n;
	const char            *data; /* output */
	size_t                 len;
	int64_t                offset; /* where 'data' starts in the file */
};

/* Called once with the answer, only while the client is there (else the
 * request is freed). */
typedef void (*jobs_cb)(struct req *, const struct jobs_answer *);

/* Whether the hub runs users' servers as Slurm jobs (spawner = slurm):
 * the only hub with a queue to show. */
int jobs_enabled(const struct hub *);

/* The jobs of hub user 'user' (Slurm's recent ones too, for MinJobAge). */
void jobs_list(struct req *, const char *user, jobs_cb);
/* Job 'id' (ID or ID_TASK; an array's every task) if it is the user's. */
void jobs_show(struct req *, const char *user, const char *id, jobs_cb);
/* Cancels job 'id' if it is the user's; the answer holds the job. */
void jobs_cancel(struct req *, const char *user, const char *id, jobs_cb);
/* Up to JOBS_OUTPUT_MAX bytes of the output of job 'id' (a job or one
 * task) from 'offset'. */
void jobs_output(struct req *, const char *user, const char *id, int64_t offset,
    jobs_cb);

#endif
