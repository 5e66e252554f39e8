/* SPDX-License-Identifier: MIT */
/*
 * The jobs page: one's own batch jobs on the pool's Slurm (jobs.c asks
 * as one's account), a job with its output, and a cancel (a form with
 * the session's _xsrf). While a job is not over its page reloads itself
 * every few seconds (a Refresh header: no script), so its output grows
 * as the job writes it; the list does the same while any job is live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "hub.h"
#include "jobs.h"
#include "pages-internal.h"
#include "pages.h"
#include "req.h"
#include "respond.h"
#include "lib/util.h"
#include "lib/banned.h"

#define REFRESH "Refresh: 3\r\n" /* while something runs */

static void
cell(struct buf *b, const char *s)
{
	buf_adds(b, "<td>");
	html_add(b, s[0] != '\0' ? s : "-");
	buf_adds(b, "</td>");
}

static void
list_done(struct req *req, const struct jobs_answer *a)
{
	struct buf b;
	int        live = 0;

	if (a->status != 200) {
		respond_error(req, a->status, a->why);
		return;
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Jobs", req->user.name, req->user.admin);
	buf_adds(&b, "<h1>Batch jobs</h1>");
	if (a->n == 0)
		buf_adds(&b,
		    "<p>No jobs in Slurm's queue. Submit one with "
		    "<code>rig job submit -- CMD</code> from a "
		    "project folder.</p>");
	else
		buf_adds(&b,
		    "<table><tr><th>Id</th><th>Name</th>"
		    "<th>State</th><th>Elapsed</th>"
		    "<th>Partition</th><th>Node</th></tr>");
	for (size_t i = 0; i < a->n; i++) {
		const struct slurmjob *j = &a->jobs[i];

		live |= !slurmjob_state_done(j->state);
		buf_adds(&b, "<tr><td><a href=\"/hub/jobs/");
		html_add(&b, j->id);
		buf_adds(&b, "\">");
		html_add(&b, j->id);
		buf_adds(&b, "</a></td>");
		cell(&b, j->name);
		cell(&b, j->state);
		cell(&b, j->elapsed);
		cell(&b, j->partition);
		cell(&b, j->nodes);
		buf_adds(&b, "</tr>");
	}
	if (a->n > 0)
		buf_adds(&b, "</table>");
	buf_adds(&b,
	    "<p>Slurm forgets a finished job 5 minutes after its "
	    "end; <code>rig job logs ID</code> still prints its "
	    "output.</p>");
	html_end(&b);
	page_respond(req, 200, &b, live ? REFRESH : NULL);
}

void
pages_jobs(struct req *req)
{
	jobs_list(req, req->user.name, list_done);
}

/* The job's facts as a definition list. */
static void
facts(struct buf *b, const struct slurmjob *j)
{
	static const char *const names[] = { "Name", "State", "Reason",
		"Partition", "Node", "Elapsed", "Exit code" };
	const char *vals[] = { j->name, j->state, j->reason, j->partition,
		j->nodes, j->elapsed, j->exit_code };

	buf_adds(b, "<dl class=\"box\">");
	for (size_t i = 0; i < nitems(names); i++) {
		buf_addf(b, "<dt>%s</dt><dd>", names[i]);
		html_add(b, vals[i][0] != '\0' ? vals[i] : "-");
		buf_adds(b, "</dd>");
	}
	buf_adds(b, "</dl>");
}

/* A job's page: its facts, a cancel while it is not over, 'data' (its
 * output, or NULL with 'note'). */
static void
job_page(struct req *req, const struct slurmjob *jobs, size_t n,
    const char *data, size_t len, const char *note)
{
	struct buf b;
	char       action[SLURMJOB_ID_MAX + 32], title[SLURMJOB_ID_MAX + 8];
	int        live = 0;

	(void)len;
	buf_init(&b, (size_t)-1 / 2);
	snprintf(title, sizeof(title), "Job %s", req->arg[0]);
	html_begin(&b, title, req->user.name, req->user.admin);
	buf_adds(&b, "<h1>");
	html_add(&b, title);
	buf_adds(&b, "</h1><p><a href=\"/hub/jobs\">All jobs</a></p>");
	for (size_t i = 0; i < n; i++) {
		live |= !slurmjob_state_done(jobs[i].state);
		if (n > 1) {
			buf_adds(&b, "<h2><a href=\"/hub/jobs/");
			html_add(&b, jobs[i].id);
			buf_adds(&b, "\">Task ");
			html_add(&b, jobs[i].id);
			buf_adds(&b, "</a></h2>");
		}
		facts(&b, &jobs[i]);
	}
	if (live) {
		snprintf(action, sizeof(action), "/hub/jobs/%s/cancel",
		    req->arg[0]);
		page_button_form(&b, req, action, "Cancel", "danger", NULL);
	}
	if (data != NULL) {
		buf_adds(&b, "<h2>Output</h2><pre id=\"output\">");
		html_add(&b, data);
		buf_adds(&b, "</pre>");
		if (len >= JOBS_OUTPUT_MAX)
			buf_adds(&b,
			    "<p>(the first 256 KiB; <code>rig job "
			    "logs</code> prints it all)</p>");
	} else if (note != NULL) {
		buf_adds(&b, "<p>");
		html_add(&b, note);
		buf_adds(&b, "</p>");
	}
	html_end(&b);
	page_respond(req, 200, &b, live ? REFRESH : NULL);
}

static void
show_done(struct req *req, const struct jobs_answer *a)
{
	if (a->status != 200) {
		respond_error(req, a->status, a->why);
		return;
	}
	job_page(req, a->jobs, a->n, NULL, 0,
	    a->n > 1 ? "Each task has its own output." : "No output yet.");
}

/* The output first; without one (an array, nothing written yet), the
 * job alone. */
static void
output_done(struct req *req, const struct jobs_answer *a)
{
	if (a->status == 200)
		job_page(req, a->jobs, a->n, a->data, a->len, NULL);
	else if (a->status == 404 || a->status == 400)
		jobs_show(req, req->user.name, req->arg[0], show_done);
	else
		respond_error(req, a->status, a->why);
}

void
pages_job(struct req *req)
{
	jobs_output(req, req->user.name, req->arg[0], 0, output_done);
}

static void
cancel_done(struct req *req, const struct jobs_answer *a)
{
	char *loc;

	if (a->status != 200) {
		respond_error(req, a->status, a->why);
		return;
	}
	/* POST/redirect/GET: the job's page shows it cancelled. */
	loc = xasprintf("/hub/jobs/%s", req->arg[0]);
	respond_redirect(req, loc, NULL);
	free(loc);
}

void
pages_job_cancel(struct req *req)
{
	jobs_cancel(req, req->user.name, req->arg[0], cancel_done);
}
