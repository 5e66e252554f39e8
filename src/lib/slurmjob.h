/* SPDX-License-Identifier: MIT */
/*
 * Slurm's word on batch jobs, parsed: one line of squeue in
 * SLURMJOB_QUEUE_FORMAT, one line of `scontrol show job -o`, and the
 * checks on what rig puts on their command lines (job ids, names,
 * resources). The CLI (src/pool/cmd-job.c) and the hub
 * (src/hub/api-jobs.c) both read Slurm through these, so the formats live
 * in one place. No I/O.
 */
#ifndef SLURMJOB_H
#define SLURMJOB_H

#include <stddef.h>

/*
 * squeue -o for a listing: '|' between fields, the name last (a job's
 * name is its owner's text and may hold '|'; the other fields cannot).
 */
#define SLURMJOB_QUEUE_FORMAT "%i|%T|%M|%P|%N|%r|%u|%j"
#define SLURMJOB_ID_MAX 64 /* "123_4", "123_[0-9,12]" */
#define SLURMJOB_NAME_MAX 64 /* names rig gives jobs */
#define SLURMJOB_DIR ".rig-jobs" /* job output, in the project's folder */
/* On a pool's node: a folder per job, SLURMJOB_NODE_DIR/JOBID, made by
 * rig's Slurm prolog for the job's account (0700) and removed by its
 * epilog however the job ended (the server's TLS key goes there). */
#define SLURMJOB_NODE_DIR "/run/rig-jobs"
/* On a pool's node: "LO HI", the ports a server's job listens on (rig up
 * writes it; the node's firewall lets only the head reach them). */
#define SLURMJOB_NODE_PORTS "/etc/slurm/rig-server-ports"

struct slurmjob {
	char id[SLURMJOB_ID_MAX]; /* "123", "123_4", "123_[0-2]" */
	char job_id[24]; /* scontrol's JobId (a task's own); "" from squeue */
	char state[32]; /* RUNNING, PENDING, COMPLETED, ... */
	char elapsed[32]; /* Slurm's [D-][HH:]MM:SS */
	char partition[64];
	char nodes[256]; /* "" while pending */
	char reason[128]; /* "None" once it runs */
	char user[64]; /* the owner's account name */
	char name[256]; /* as its owner gave it */
	char exit_code[16]; /* "STATUS:SIGNAL"; "" from squeue */
	char out_path[1024]; /* StdOut; "" from squeue */
};

/* Parses one line of squeue -h -o SLURMJOB_QUEUE_FORMAT (no newline).
 * -1 if it is not one (too few fields, a field too long). */
int slurmjob_parse_queue(const char *line, struct slurmjob *);

/*
 * Parses one line of `scontrol show job -o` ("JobId=12 JobName=x
 * UserId=alice(1001) ... JobState=RUNNING Reason=None ..."): a value runs
 * to the next " Key=" (values such as Command= may hold spaces). An array
 * task's id is "ARRAYJOB_TASK". -1 if JobId or JobState is missing or a
 * value does not fit.
 */
int slurmjob_parse_show(const char *line, struct slurmjob *);

/* Whether 'id' is a job id rig takes: "123" or "123_4" (digits, at most
 * 10 each). 'task' (may be NULL) is set to whether it names a task. */
int slurmjob_id_ok(const char *id, int *task);

/*
 * Checks of sbatch's values, before they go on a command line: NULL if
 * fine, else why not (static text).
 *   name: letters, digits, '.', '_', '-', 1 to SLURMJOB_NAME_MAX, not '-'
 *     first; "rig-server" is the hub's (spawn-slurm.c).
 *   mem: digits with an optional K, M, G or T.
 *   time: minutes, or [D-]HH:MM[:SS], MM:SS and the like (digits, ':'
 *     and one '-').
 *   array: indexes, ranges, steps and a limit ("0-15:4%2,20").
 */
const char *slurmjob_name_error(const char *name);
const char *slurmjob_mem_error(const char *mem);
const char *slurmjob_time_error(const char *t);
const char *slurmjob_array_error(const char *spec);

/*
 * The job's output file from its StdOut (scontrol's), with sbatch's
 * patterns Slurm may leave in it filled in: %j (the job's own id), %A
 * and %a (an array's id and task), %x (name), %u (user), %%. -1 if the
 * path is not absolute, holds another pattern or does not fit.
 */
int slurmjob_out_file(const struct slurmjob *, char *out, size_t len);

/* Whether a job in 'state' (squeue's %T) is over. */
int slurmjob_state_done(const char *state);

#endif
