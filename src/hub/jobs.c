/* SPDX-License-Identifier: MIT */
/*
 * A user's batch jobs, asked of Slurm as the user's account (jobs.h).
 * Each question is a small chain of commands run through runas.c: the
 * queue is one squeue; a job is scontrol show job, whose every line must
 * be the account's; a cancel is that, then scancel; the output is that,
 * then dd of the job's StdOut with O_NOFOLLOW. The request is held
 * (req->busy) meanwhile, and freed here if its client left.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "config.h"
#include "hub.h"
#include "jobs.h"
#include "lib/log.h"
#include "lib/slurmjob.h"
#include "lib/util.h"
#include "req.h"
#include "runas.h"
#include "lib/banned.h"

#define SQUEUE "/usr/bin/squeue"
#define SCONTROL "/usr/bin/scontrol"
#define SCANCEL "/usr/bin/scancel"
#define DD "/bin/dd"
#define LIST_OUT_MAX (2 * 1024 * 1024) /* squeue's and scontrol's output */

enum jobs_what { Q_LIST, Q_SHOW, Q_CANCEL, Q_OUTPUT };

/* One question in flight. */
struct jobq {
	struct req     *req; /* held: busy */
	jobs_cb         cb;
	enum jobs_what  what;
	char            account[ACCOUNT_NAME_MAX + 1];
	char            id[SLURMJOB_ID_MAX];
	int64_t         offset;
	struct slurmjob job; /* the job, once shown */
};

int
jobs_enabled(const struct hub *hub)
{
	return hub->cfg->spawner == CONFIG_SPAWNER_SLURM;
}

/* The account the user's jobs run as: PREFIX+NAME as root (pam: the name
 * itself), the hub's own without root. -1 if none. */
static int
account_of(const struct hub *hub, const char *user, char *out, size_t len)
{
	struct passwd *pw;

	if (hub->is_root)
		return account_name(hub->cfg->user_prefix, user, out, len);
	pw = getpwuid(geteuid());
	if (pw == NULL || strlen(pw->pw_name) >= len)
		return -1;
	snprintf(out, len, "%s", pw->pw_name);
	return 0;
}

/* Ends the question: the answer to the client if it is still there. */
static void
finish(struct jobq *q, struct jobs_answer *a)
{
	struct req *req = q->req;

	req->busy = 0;
	if (req->conn == NULL)
		req_free(req);
	else
		q->cb(req, a);
	free(q);
}

static void
fail(struct jobq *q, int status, const char *why)
{
	struct jobs_answer a;

	memset(&a, 0, sizeof(a));
	a.status = status;
	a.why = why;
	finish(q, &a);
}

/* The jobs asked for, found: 200 with them. */
static void
answer(struct jobq *q, struct slurmjob *jobs, size_t n)
{
	struct jobs_answer a;

	memset(&a, 0, sizeof(a));
	a.status = 200;
	a.jobs = jobs;
	a.n = n;
	finish(q, &a);
}

/* A copy of the next line of Slurm's answer from *p that is not empty
 * (caller frees), *p moved past it; NULL at the end. */
static char *
next_line(const char **p)
{
	const char *line, *nl;

	while (**p != '\0') {
		line = *p;
		nl = line + strcspn(line, "\n");
		*p = *nl != '\0' ? nl + 1 : nl;
		if (nl != line)
			return xstrndup(line, (size_t)(nl - line));
	}
	return NULL;
}

static void run(struct jobq *q, char **argv, size_t max, runas_cb cb);

static void
list_cb(void *arg, int r, int64_t status, const char *out, size_t len, int cut)
{
	struct jobq     *q = arg;
	struct slurmjob *jobs = NULL;
	size_t           n = 0;
	const char      *p = out;
	char            *line;

	(void)len;
	/* No account yet (the helper's ENOENT): no jobs either. */
	if (r == UV_ENOENT) {
		answer(q, NULL, 0);
		return;
	}
	if (r != 0 || status != 0 || cut) {
		log_warnx("jobs: squeue as %s: %s", q->account,
		    r != 0 ? uv_strerror(r) : out);
		fail(q, 502, "Slurm's squeue failed");
		return;
	}
	while (n < JOBS_MAX && (line = next_line(&p)) != NULL) {
		jobs = xrealloc(jobs, (n + 1) * sizeof(*jobs));
		if (slurmjob_parse_queue(line, &jobs[n]) == 0 &&
		    strcmp(jobs[n].user, q->account) == 0)
			n++;
		else
			log_warnx("jobs: squeue line not read: %.80s", line);
		free(line);
	}
	answer(q, jobs, n);
	free(jobs);
}

/* What to do once a job is shown and known to be the account's. */
static void shown(struct jobq *, struct slurmjob *, size_t);

static void
show_cb(void *arg, int r, int64_t status, const char *out, size_t len, int cut)
{
	struct jobq     *q = arg;
	struct slurmjob *jobs = NULL;
	size_t           n = 0;
	const char      *p = out;
	char            *line;
	int              bad = 0;

	(void)len;
	if (r == UV_ENOENT) {
		fail(q, 404, "no such job");
		return;
	}
	if (r != 0 || cut) {
		fail(q, 502, "Slurm's scontrol failed");
		return;
	}
	/* Unknown to Slurm (never, another's under PrivateData, or
	 * forgotten after MinJobAge): one answer for all. */
	if (status != 0) {
		fail(q, 404,
		    "no such job (Slurm forgets finished jobs after "
		    "MinJobAge)");
		return;
	}
	while (n < JOBS_MAX && (line = next_line(&p)) != NULL) {
		jobs = xrealloc(jobs, (n + 1) * sizeof(*jobs));
		if (slurmjob_parse_show(line, &jobs[n]) == -1)
			bad = 1;
		else if (strcmp(jobs[n].user, q->account) != 0)
			bad = 2;
		free(line);
		if (bad)
			break;
		n++;
	}
	if (bad == 1 || n == 0) {
		free(jobs);
		fail(q, bad == 1 ? 502 : 404,
		    bad == 1 ? "scontrol's answer was not read"
		             : "no such job");
		return;
	}
	/* Another account's job is not there, as far as this user goes. */
	if (bad == 2) {
		free(jobs);
		fail(q, 404, "no such job");
		return;
	}
	shown(q, jobs, n);
	free(jobs);
}

static void
cancel_cb(void *arg, int r, int64_t status, const char *out, size_t len,
    int cut)
{
	struct jobq *q = arg;

	(void)len;
	(void)cut;
	if (r != 0 || status != 0) {
		log_warnx("jobs: scancel %s as %s: %s", q->id, q->account,
		    r != 0 ? uv_strerror(r) : out);
		fail(q, 502, "Slurm's scancel failed");
		return;
	}
	log_info("jobs: %s cancelled job %s", q->account, q->id);
	answer(q, &q->job, 1);
}

static void
output_cb(void *arg, int r, int64_t status, const char *out, size_t len,
    int cut)
{
	struct jobq       *q = arg;
	struct jobs_answer a;

	(void)cut;
	if (r != 0) {
		fail(q, 502, "the output could not be read");
		return;
	}
	/* No file yet, a symbolic link (ELOOP), not the account's to read:
	 * the same answer, and nothing of what dd said. */
	if (status != 0) {
		fail(q, 404, "no output");
		return;
	}
	memset(&a, 0, sizeof(a));
	a.status = 200;
	a.jobs = &q->job;
	a.n = 1;
	a.data = out;
	a.len = len;
	a.offset = q->offset;
	finish(q, &a);
}

static void
shown(struct jobq *q, struct slurmjob *jobs, size_t n)
{
	char  path[sizeof(jobs->out_path)];
	char  iff[sizeof(path) + 4], skip[40], count[40];
	char *argv[8];

	switch (q->what) {
	case Q_SHOW:
		answer(q, jobs, n);
		return;
	case Q_CANCEL:
		q->job = jobs[0];
		argv[0] = (char *)SCANCEL;
		argv[1] = q->id;
		argv[2] = NULL;
		run(q, argv, 64 * 1024, cancel_cb);
		return;
	case Q_OUTPUT:
		if (n != 1) {
			fail(q, 400,
			    "an array: ask for one task's output, "
			    "ID_TASK");
			return;
		}
		q->job = jobs[0];
		if (slurmjob_out_file(&jobs[0], path, sizeof(path)) == -1) {
			fail(q, 404, "no output file rig can name");
			return;
		}
		snprintf(iff, sizeof(iff), "if=%s", path);
		snprintf(skip, sizeof(skip), "skip=%lld", (long long)q->offset);
		snprintf(count, sizeof(count), "count=%d", JOBS_OUTPUT_MAX);
		argv[0] = (char *)DD;
		argv[1] = iff;
		argv[2] = (char *)"iflag=nofollow,skip_bytes,count_bytes";
		argv[3] = skip;
		argv[4] = count;
		argv[5] = (char *)"status=none";
		argv[6] = NULL;
		run(q, argv, JOBS_OUTPUT_MAX, output_cb);
		return;
	case Q_LIST:
		break;
	}
	fail(q, 500, "unexpected");
}

/* Runs 'argv' as the question's account; a start that fails ends it. */
static void
run(struct jobq *q, char **argv, size_t max, runas_cb cb)
{
	int r;

	r = runas_start(q->req->hub, q->req->hub->is_root ? q->account : NULL,
	    argv, max, cb, q);
	if (r != 0) {
		log_warnx("jobs: cannot run %s as %s: %s", argv[0], q->account,
		    uv_strerror(r));
		fail(q, 502, "Slurm could not be asked");
	}
}

/* A new question for 'user' (a valid username), the request held; NULL
 * if answered already. */
static struct jobq *
start(struct req *req, const char *user, const char *id, enum jobs_what what,
    jobs_cb cb)
{
	struct jobq *q = xcalloc(1, sizeof(*q));

	q->req = req;
	q->cb = cb;
	q->what = what;
	req->busy = 1;
	if (!jobs_enabled(req->hub)) {
		fail(q, 404,
		    "this hub has no batch jobs (spawner is not "
		    "slurm)");
		return NULL;
	}
	if (account_of(req->hub, user, q->account, sizeof(q->account)) == -1) {
		fail(q, 404, "no such user");
		return NULL;
	}
	if (id != NULL) {
		if (!slurmjob_id_ok(id, NULL)) {
			fail(q, 404, "no such job");
			return NULL;
		}
		snprintf(q->id, sizeof(q->id), "%s", id);
	}
	return q;
}

void
jobs_list(struct req *req, const char *user, jobs_cb cb)
{
	struct jobq *q = start(req, user, NULL, Q_LIST, cb);
	char        *argv[10];

	if (q == NULL)
		return;
	argv[0] = (char *)SQUEUE;
	argv[1] = (char *)"-h";
	argv[2] = (char *)"-t";
	argv[3] = (char *)"all";
	argv[4] = (char *)"-u";
	argv[5] = q->account;
	argv[6] = (char *)"-o";
	argv[7] = (char *)SLURMJOB_QUEUE_FORMAT;
	argv[8] = NULL;
	run(q, argv, LIST_OUT_MAX, list_cb);
}

/* scontrol show job -o ID as the account, then what q->what says. */
static void
show_then(struct req *req, const char *user, const char *id,
    enum jobs_what what, int64_t offset, jobs_cb cb)
{
	struct jobq *q = start(req, user, id, what, cb);
	char        *argv[6];

	if (q == NULL)
		return;
	q->offset = offset;
	argv[0] = (char *)SCONTROL;
	argv[1] = (char *)"show";
	argv[2] = (char *)"job";
	argv[3] = (char *)"-o";
	argv[4] = q->id;
	argv[5] = NULL;
	run(q, argv, LIST_OUT_MAX, show_cb);
}

void
jobs_show(struct req *req, const char *user, const char *id, jobs_cb cb)
{
	show_then(req, user, id, Q_SHOW, 0, cb);
}

void
jobs_cancel(struct req *req, const char *user, const char *id, jobs_cb cb)
{
	show_then(req, user, id, Q_CANCEL, 0, cb);
}

void
jobs_output(struct req *req, const char *user, const char *id, int64_t offset,
    jobs_cb cb)
{
	show_then(req, user, id, Q_OUTPUT, offset, cb);
}
