/* SPDX-License-Identifier: MIT */
/*
 * The pool as its admins see it (rig pool status, the admin page, GET
 * /hub/api/pool): every node of Slurm with its partitions, its state in
 * plain words, cores and memory in use, the jobs on it and the hub's
 * servers among them, and the hours it was powered this month. Text in,
 * JSON out, no I/O but the power log: the hub and `rig service pool`
 * each run POOLVIEW_SINFO and POOLVIEW_SQUEUE their own way.
 */
#ifndef POOLVIEW_H
#define POOLVIEW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The two questions to Slurm, argv arrays (NULL-terminated). sinfo: a
 * line per node and partition, its reason last (it may hold '|');
 * squeue: a line per job on nodes, its name last. */
extern const char *const poolview_sinfo_argv[];
extern const char *const poolview_squeue_argv[];

#define POOLVIEW_NAME_MAX 64
#define POOLVIEW_NODES_MAX 4096
#define POOLVIEW_JOBS_MAX 20000

/* One line of POOLVIEW_SINFO. */
struct pool_node {
	char        name[POOLVIEW_NAME_MAX];
	char        partition[POOLVIEW_NAME_MAX]; /* '*' of the default cut */
	char        slurm_state[128]; /* "mixed+cloud+powering_up" */
	const char *state; /* poolview_state()'s word */
	long long   cpus_used, cpus_total;
	long long   mem_used, mem_total; /* MiB */
	char        reason[256]; /* "" when none */
};

/* One line of POOLVIEW_SQUEUE. */
struct pool_job {
	char id[32]; /* "12", or an array task's "12_3" */
	char user[POOLVIEW_NAME_MAX];
	char nodes[512]; /* a host list: "n1", "n[1-3,7]" */
	char name[128];
};

/* A server of the hub's: its job and its user. */
struct poolview_server {
	long long   job;
	const char *label; /* NAME or NAME/SRV (server_label()), borrowed */
};

/* Parses one line; 0, or -1 if it is not one of that query's lines. */
int poolview_parse_node(const char *line, size_t len, struct pool_node *);
int poolview_parse_job(const char *line, size_t len, struct pool_job *);

/*
 * Slurm 22.05's state and flags ("idle+cloud+powered_down",
 * "allocated+drain", "down+not_responding") in plain words: "idle",
 * "mixed", "allocated", "completing", "draining", "drained", "down",
 * "not responding", "powered down", "powering up" (also a node powered
 * down that a job was given: its resume is on the way), "powering down",
 * "failing", "unknown". Static.
 */
const char *poolview_state(const char *slurm_state, long long cpus_used);

/* Whether Slurm's host list 'list' ("a1,b[3,05-07]") names 'node'. */
int poolview_hostlist_has(const char *list, const char *node);

/*
 * The pool as JSON from the two queries' output, the hub's servers and
 * the power log at 'powerlog' (NULL: none): {"nodes": [{name,
 * partitions, state, slurm_state, reason (null if none), cpus_used,
 * cpus_total, memory_used_mb, memory_total_mb, jobs: [{id, user,
 * name}], servers: [user], powered_hours_month (null if the log never
 * names the node)}], "month_start", "now"}. Caller owns the result.
 */
json_t *poolview_build(const char *sinfo_out, const char *squeue_out,
    const struct poolview_server *, size_t nservers, const char *powerlog,
    int64_t now);

#endif
