/* SPDX-License-Identifier: MIT */
/*
 * The hub's questions to Slurm about every account's jobs. A pool's
 * slurm.conf sets PrivateData=jobs (slurmconf.c): an account sees its own
 * jobs only, and so would the hub's own account. Slurm shows all jobs to
 * root and to its SlurmUser alone (without slurmdbd there is no operator
 * level to give), so a hub started as root has its helper run these few
 * questions as SLURM_ASK_USER (PRIV_SLURM_ASK): a fixed command line
 * per question, the helper's own, only the job id of SLURM_Q_COMMENT
 * coming from the hub, as a number. A hub without root asks as itself
 * (it has one user, whose jobs it sees).
 */
#ifndef SLURM_ASK_H
#define SLURM_ASK_H

#include <stddef.h>

#define SLURM_ASK_USER "slurm" /* slurm.conf's SlurmUser */
#define SLURM_ASK_ARGV_MAX 12
#define SLURM_ASK_JOB_MAX ((1LL << 32) - 1) /* Slurm's job ids are u32 */

enum slurm_question {
	SLURM_Q_NONE = 0,
	SLURM_Q_SERVERS, /* the hub's jobs: id|state|reason|nodes|user */
	SLURM_Q_COMMENT, /* one job's comment (%k) */
	SLURM_Q_POOL_JOBS, /* running jobs for the pool's view */
	SLURM_Q_END
};

/*
 * The command line of question 'q' into argv (argv[0] absolute, NULL
 * ended), the job id 'job' written into 'idbuf' (at least 24 bytes) for
 * SLURM_Q_COMMENT, which needs 1 <= job <= SLURM_ASK_JOB_MAX (others: 0).
 * -1 for an unknown question or a job id out of range.
 */
int slurm_ask_argv(int q, long long job, char *idbuf,
    const char *argv[SLURM_ASK_ARGV_MAX]);

#endif
