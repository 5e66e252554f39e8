/* SPDX-License-Identifier: MIT */
/*
 * The pool's view asked of Slurm (poolquery.h). The hub never waits on a
 * command in its loop: sinfo and squeue run on libuv's thread pool (each
 * through proc_capture(), its own small loop and deadline), and the
 * answer is put together back on the loop, where the server table is.
 * Every caller that asks while a query is out waits for that one, so
 * many admins reloading a page make one pair of commands.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "cmdrun.h"
#include "config.h"
#include "hub.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/powerlog.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "poolquery.h"
#include "poolview.h"
#include "server.h"
#include "slurm-ask.h"
#include "lib/banned.h"

#define SLURM_PID_START "slurm" /* spawn-slurm.c's mark of a job's row */

struct waiter {
	poolquery_fn *cb;
	void         *arg;
	LIST_ENTRY(waiter) entry;
};

static struct {
	uv_work_t work;
	int       running;
	char     *sinfo, *err; /* the thread's answer */
	json_t   *last;
	uint64_t  last_ms;
	LIST_HEAD(, waiter) waiters;
} Q;

static int  capture(const char *const *argv, char **out, char **err);
static void query_work(uv_work_t *);
static void query_done(uv_work_t *, int);
static void jobs_cb(void *, int, int64_t, const char *, size_t, int);
static void finish(struct hub *, const char *);

/* One command, waited for; -1 with *err. */
static int
capture(const char *const *argv, char **out, char **err)
{
	struct proc_result res;
	int                r;

	proc_result_init(&res);
	r = proc_capture((char *const *)argv, NULL, -1, POOLQUERY_TIMEOUT_MS,
	    &res);
	if (r == 0 && res.status == 0 && res.out.len <= POOLQUERY_OUT_MAX)
		*out = xstrdup(buf_str(&res.out));
	else {
		*err = xasprintf("%s: %s", argv[0],
		    r == -1               ? "cannot run it"
		        : res.timed_out   ? "no answer in time"
		        : res.status != 0 ? "failed"
		                          : "answer too long");
		if (r == 0 && res.status != 0 && res.err.len > 0) {
			char *e = *err;

			*err = xasprintf("%s: %.200s", e, buf_str(&res.err));
			free(e);
		}
		r = -1;
	}
	proc_result_release(&res);
	return r;
}

int
poolquery_run(char **sinfo, char **squeue, char **err)
{
	*sinfo = *squeue = *err = NULL;
	if (capture(poolview_sinfo_argv, sinfo, err) == -1)
		return -1;
	if (capture(poolview_squeue_argv, squeue, err) == -1) {
		free(*sinfo);
		*sinfo = NULL;
		return -1;
	}
	return 0;
}

int
poolquery_enabled(const struct hub *hub)
{
	return hub->cfg->spawner == CONFIG_SPAWNER_SLURM;
}

json_t *
poolquery_last(void)
{
	return Q.last;
}

static void
query_work(uv_work_t *w)
{
	(void)w;
	(void)capture(poolview_sinfo_argv, &Q.sinfo, &Q.err);
}

/* Back on the loop with the nodes: the jobs next, asked as Slurm's user
 * (the hub's own account sees none of another's: PrivateData=jobs). */
static void
query_done(uv_work_t *w, int status)
{
	struct hub   *hub = w->data;
	struct cmdrun run = { .question = SLURM_Q_POOL_JOBS,
		.max_out = POOLQUERY_OUT_MAX,
		.release_at_stop = 1 };
	int           r;

	if (status != 0 || Q.err != NULL) {
		finish(hub, NULL);
		return;
	}
	r = cmdrun_start(hub, &run, jobs_cb, hub);
	if (r != 0) {
		Q.err = xasprintf("squeue: %s", uv_strerror(r));
		finish(hub, NULL);
	}
}

/* squeue's answer. */
static void
jobs_cb(void *arg, int r, int64_t status, const char *out, size_t len, int cut)
{
	struct hub *hub = arg;

	(void)len;
	if (r != 0)
		Q.err = xasprintf("squeue: %s",
		    r == UV_ECANCELED ? "the query was cancelled"
		                      : uv_strerror(r));
	else if (status != 0)
		Q.err = xasprintf("squeue: failed: %.200s", out);
	else if (cut)
		Q.err = xstrdup("squeue: answer too long");
	finish(hub, Q.err == NULL ? out : NULL);
}

/* The view with the hub's servers (or the error), to every waiter. */
static void
finish(struct hub *hub, const char *squeue)
{
	struct poolview_server *sv;
	struct waiter          *wt;
	struct server          *s;
	size_t                  n = 0;
	json_t                 *view;

	Q.running = 0;
	if (squeue == NULL) {
		view = json_pack("{s:s}", "error",
		    Q.err != NULL ? Q.err : "the query was cancelled");
		log_warnx("pool view: %s",
		    json_string_value(json_object_get(view, "error")));
	} else {
		sv = xcalloc(hub->nservers + 1, sizeof(*sv));
		for (size_t b = 0; b < SERVER_BUCKETS; b++)
			for (s = hub->servers[b]; s != NULL; s = s->hnext)
				if (n < hub->nservers && s->pid > 0 &&
				    strcmp(s->pid_start, SLURM_PID_START) ==
				        0) {
					sv[n].job = s->pid;
					sv[n++].label = s->label;
				}
		view = poolview_build(Q.sinfo, squeue, sv, n, POWERLOG_PATH,
		    now_sec());
		free(sv);
	}
	free(Q.sinfo);
	free(Q.err);
	Q.sinfo = Q.err = NULL;
	json_decref(Q.last);
	Q.last = view;
	Q.last_ms = now_ms();
	/* A callback may ask again: take the list first. */
	while ((wt = LIST_FIRST(&Q.waiters)) != NULL) {
		LIST_REMOVE(wt, entry);
		json_incref(view);
		wt->cb(wt->arg, view);
		json_decref(view);
		free(wt);
	}
}

int
poolquery_get(struct hub *hub, poolquery_fn *cb, void *arg)
{
	struct waiter *wt;

	if (Q.last != NULL && !Q.running &&
	    now_ms() - Q.last_ms < POOLQUERY_FRESH_MS) {
		cb(arg, Q.last);
		return 0;
	}
	if (!Q.running) {
		Q.work.data = hub;
		if (uv_queue_work(hub->loop, &Q.work, query_work, query_done) !=
		    0)
			return -1;
		Q.running = 1;
	}
	wt = xcalloc(1, sizeof(*wt));
	wt->cb = cb;
	wt->arg = arg;
	LIST_INSERT_HEAD(&Q.waiters, wt, entry);
	return 0;
}
