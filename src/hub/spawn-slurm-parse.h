/* SPDX-License-Identifier: MIT */
/*
 * What the Slurm spawner (spawn-slurm.c) reads from Slurm's commands, as
 * pure functions so that each is tested on its own: a line of the one
 * squeue the hub runs for all its jobs, the job id sbatch --parsable
 * prints, the port a job reports in its comment, a node's address as
 * sinfo says it, and what a job's state means for its server.
 */
#ifndef SPAWN_SLURM_PARSE_H
#define SPAWN_SLURM_PARSE_H

#include <stddef.h>

/* The job name of every server's job (squeue -n finds them). */
#define SLURM_JOB_NAME "rig-server"
/* What a job puts in its comment once its server listens: PREFIX PORT. */
#define SLURM_PORT_PREFIX "rig-port="

/* One job in squeue's answer: -o '%i|%T|%r|%N|%u'. */
struct slurm_row {
	long long id;
	char      state[24]; /* PENDING, RUNNING, TIMEOUT, ... */
	char      reason[64]; /* Resources, Priority, None, ... */
	char      nodes[128]; /* "" while pending */
	char      user[40];
};

/* One node in sinfo's answer: -N -o '%N|%o'. */
struct slurm_node {
	char name[64];
	char addr[64]; /* NodeAddr: numeric or a name */
};

/* What a job's state means for its server. */
enum slurm_kind {
	SLURM_WAITING, /* PENDING, REQUEUED, ...: in the queue */
	SLURM_BOOTING, /* CONFIGURING: its node is powering up */
	SLURM_RUNNING, /* RUNNING */
	SLURM_ENDING, /* COMPLETING: its processes are being ended */
	SLURM_ENDED, /* every end state */
	SLURM_OTHER, /* SUSPENDED, STOPPED, ...: alive, not running */
};

/* The squeue line of 'len' bytes (no newline) into 'row'; -1 if it is not
 * one (a field missing, too long, or a job id that is not a number). */
int slurm_parse_row(const char *line, size_t len, struct slurm_row *row);

/* The sinfo line of 'len' bytes (no newline) into 'node'; -1 if it is not
 * NAME|ADDR with both fitting. */
int slurm_parse_node(const char *line, size_t len, struct slurm_node *node);

/* The job id of sbatch --parsable's output ("123" or "123;cluster" on
 * its last line, messages before it); -1 if there is none. */
long long slurm_parse_jobid(const char *out);

/* The port of a comment that is exactly SLURM_PORT_PREFIX PORT (one
 * optional newline after it), PORT 1024 to 65535; -1 otherwise. */
int slurm_parse_port(const char *comment);

enum slurm_kind slurm_state_kind(const char *state);

#endif
