/* SPDX-License-Identifier: MIT */
/*
 * The API's batch jobs (api-jobs.h): jobs.c asks Slurm as the user's
 * account; this file checks the user exists and shapes the answers.
 * A job is {"id", "name", "state", "reason", "elapsed", "partition",
 * "node", "exit_code"} (exit_code null in a list: squeue has none). The
 * output is text/plain, at most JOBS_OUTPUT_MAX bytes from ?offset=N,
 * with X-Rig-Job-State and X-Rig-Next-Offset, so a client follows a
 * running job by asking again from the next offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api-jobs.h"
#include "db.h"
#include "hub.h"
#include "jobs.h"
#include "lib/url.h"
#include "lib/util.h"
#include "req.h"
#include "respond.h"
#include "users.h"
#include "lib/banned.h"

/* Whether NAME (arg[0]) is a user of the hub; else answered 404. */
static int
user_exists(struct req *req)
{
	struct db_user u;

	if (users_get(req, req->arg[0], &u) == -1)
		return 0;
	db_user_release(&u);
	return 1;
}

static json_t *
job_json(const struct slurmjob *j, int full)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
	    j->id, "name", j->name, "state", j->state, "reason", j->reason,
	    "elapsed", j->elapsed, "partition", j->partition, "node", j->nodes,
	    "exit_code", full ? json_string(j->exit_code) : json_null());
}

static void
list_done(struct req *req, const struct jobs_answer *a)
{
	json_t *arr;

	if (a->status != 200) {
		respond_error(req, a->status, a->why);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < a->n; i++)
		json_array_append_new(arr, job_json(&a->jobs[i], 0));
	respond_json(req, 200, arr);
}

void
api_jobs(struct req *req)
{
	if (user_exists(req))
		jobs_list(req, req->arg[0], list_done);
}

/* One job, or an array's tasks as a list under "tasks". */
static void
show_done(struct req *req, const struct jobs_answer *a)
{
	json_t *j, *tasks;

	if (a->status != 200) {
		respond_error(req, a->status, a->why);
		return;
	}
	if (a->n == 1) {
		respond_json(req, 200, job_json(&a->jobs[0], 1));
		return;
	}
	tasks = json_array();
	for (size_t i = 0; i < a->n; i++)
		json_array_append_new(tasks, job_json(&a->jobs[i], 1));
	j = json_pack("{s:s, s:o}", "id", req->arg[1], "tasks", tasks);
	respond_json(req, 200, j);
}

void
api_job(struct req *req)
{
	if (user_exists(req))
		jobs_show(req, req->arg[0], req->arg[1], show_done);
}

static void
cancel_done(struct req *req, const struct jobs_answer *a)
{
	if (a->status != 200) {
		respond_error(req, a->status, a->why);
		return;
	}
	respond(req, 204, NULL, NULL, NULL, 0);
}

void
api_job_cancel(struct req *req)
{
	if (user_exists(req))
		jobs_cancel(req, req->arg[0], req->arg[1], cancel_done);
}

static void
output_done(struct req *req, const struct jobs_answer *a)
{
	char hdr[160];

	if (a->status != 200) {
		respond_error(req, a->status, a->why);
		return;
	}
	snprintf(hdr, sizeof(hdr),
	    "X-Rig-Job-State: %s\r\nX-Rig-Next-Offset: %lld\r\n",
	    a->jobs[0].state, (long long)(a->offset + (int64_t)a->len));
	respond(req, 200, "text/plain; charset=utf-8", hdr, a->data, a->len);
}

void
api_job_output(struct req *req)
{
	char     *v = form_get(req->query, strlen(req->query), "offset");
	long long off = 0;

	if (v != NULL && parse_int(v, 0, (long long)1 << 50, &off) == -1) {
		free(v);
		respond_error(req, 400, "offset is not a number of bytes");
		return;
	}
	free(v);
	if (user_exists(req))
		jobs_output(req, req->arg[0], req->arg[1], off, output_done);
}
