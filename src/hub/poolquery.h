/* SPDX-License-Identifier: MIT */
/*
 * Asking Slurm for the pool's view (poolview.h): poolquery_run() runs
 * sinfo and squeue and waits (rig service pool, and the hub's thread
 * pool); poolquery_get() is the hub's way, off its loop, one query at a
 * time for all who ask, its answer kept POOLQUERY_FRESH_MS.
 */
#ifndef POOLQUERY_H
#define POOLQUERY_H

#include <stdint.h>

#include <jansson.h>

struct hub;

#define POOLQUERY_TIMEOUT_MS 20000 /* each command's */
#define POOLQUERY_OUT_MAX (4 * 1024 * 1024) /* bytes of each kept */
#define POOLQUERY_FRESH_MS 2000

/*
 * Runs both questions; *sinfo and *squeue (caller frees) their output,
 * or -1 with *err (caller frees) saying which failed and why.
 */
int poolquery_run(char **sinfo, char **squeue, char **err);

/*
 * Calls 'cb' with the pool's view (poolview_build() with the hub's
 * servers and the power log, POWERLOG_PATH; borrowed for the call; an object
 * with "error" if Slurm could not be asked), now if a view is fresh,
 * else once a query ends. -1 if the query cannot start (cb not called).
 */
typedef void poolquery_fn(void *arg, json_t *view);
int          poolquery_get(struct hub *, poolquery_fn *cb, void *arg);

/* The last view, however old, or NULL; borrowed. For pages answered
 * without waiting. */
json_t *poolquery_last(void);

/* Whether the hub has a pool to show (its servers are Slurm jobs). */
int poolquery_enabled(const struct hub *);

#endif
