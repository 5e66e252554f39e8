/* SPDX-License-Identifier: MIT */
/*
 * The pool on the hub's admin side, when its servers are Slurm jobs:
 * a section of the admin page (every node, its partitions, its state
 * and Slurm's reason, cores and memory in use, its jobs and the hub's
 * servers) and GET /hub/api/pool, the same view as JSON (poolview.h).
 * Without a pool there is neither: no section, and the API's path is
 * 404. Everything Slurm says is escaped (a reason is any text an admin
 * of Slurm typed).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "html.h"
#include "hub.h"
#include "lib/buf.h"
#include "pages-internal.h"
#include "pages.h"
#include "poolquery.h"
#include "req.h"
#include "respond.h"
#include "lib/util.h"

static void cell(struct buf *, const char *);
static void cells(struct buf *, json_t *);
static void node_row(struct buf *, json_t *);
static void api_pool_cb(void *, json_t *);

/* Slurm's text on the page: HTML escaped, and control characters (an
 * escape sequence a reason carries) shown as '?', as in the terminal. */
static void
cell(struct buf *b, const char *s)
{
	char *c = xstrdup(s != NULL ? s : "");

	for (unsigned char *p = (unsigned char *)c; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	html_add(b, c);
	free(c);
}

/* The strings of the JSON array 'a', each as cell() writes it, ", "
 * between them. */
static void
cells(struct buf *b, json_t *a)
{
	json_t *v;
	size_t  i;

	json_array_foreach(a, i, v) {
		if (i > 0)
			buf_adds(b, ", ");
		cell(b, json_string_value(v));
	}
}

/* One node: its cells, each value escaped. */
static void
node_row(struct buf *b, json_t *n)
{
	json_t     *v;
	size_t      i;
	const char *reason = json_string_value(json_object_get(n, "reason"));

	buf_adds(b, "<tr><td>");
	cell(b, json_string_value(json_object_get(n, "name")));
	buf_adds(b, "</td><td>");
	cells(b, json_object_get(n, "partitions"));
	buf_adds(b, "</td><td class=\"state\">");
	cell(b, json_string_value(json_object_get(n, "state")));
	if (reason != NULL) {
		buf_adds(b, ": <span class=\"reason\">");
		cell(b, reason);
		buf_adds(b, "</span>");
	}
	buf_addf(b, "</td><td>%lld of %lld</td><td>%lld of %lld MiB</td><td>",
	    (long long)json_integer_value(json_object_get(n, "cpus_used")),
	    (long long)json_integer_value(json_object_get(n, "cpus_total")),
	    (long long)json_integer_value(json_object_get(n, "memory_used_mb")),
	    (long long)json_integer_value(
	        json_object_get(n, "memory_total_mb")));
	json_array_foreach(json_object_get(n, "jobs"), i, v) {
		if (i > 0)
			buf_adds(b, "<br>");
		cell(b, json_string_value(json_object_get(v, "id")));
		buf_adds(b, " ");
		cell(b, json_string_value(json_object_get(v, "user")));
		buf_adds(b, " ");
		cell(b, json_string_value(json_object_get(v, "name")));
	}
	buf_adds(b, "</td><td>");
	cells(b, json_object_get(n, "servers"));
	buf_adds(b, "</td></tr>");
}

void
page_pool_section(struct buf *b, json_t *view)
{
	json_t *n, *err = json_object_get(view, "error");
	size_t  i;

	buf_adds(b, "<h2 id=\"pool\">Pool</h2>");
	if (view == NULL || json_is_string(err)) {
		buf_adds(b,
		    "<p class=\"error\" role=\"alert\">Slurm could not "
		    "be asked: ");
		html_add(b,
		    json_is_string(err) ? json_string_value(err)
		                        : "no answer yet");
		buf_adds(b, "</p>");
		return;
	}
	buf_adds(b,
	    "<table id=\"pool-nodes\"><tr><th>Node</th><th>Partitions</th>"
	    "<th>State</th><th>Cores in use</th><th>Memory in use</th>"
	    "<th>Jobs</th><th>Servers</th></tr>");
	json_array_foreach(json_object_get(view, "nodes"), i, n)
		node_row(b, n);
	buf_adds(b, "</table>");
}

static void
api_pool_cb(void *arg, json_t *view)
{
	struct req *req = arg;

	req->busy = 0;
	if (req->conn == NULL) { /* left while Slurm was asked */
		req_free(req);
		return;
	}
	if (json_is_string(json_object_get(view, "error")))
		respond_error(req, 503,
		    json_string_value(json_object_get(view, "error")));
	else
		respond_json(req, 200, json_incref(view));
}

void
pages_pool_api(struct req *req)
{
	if (!poolquery_enabled(req->hub)) {
		respond_error(req, 404, "this hub has no pool");
		return;
	}
	req->busy = 1;
	if (poolquery_get(req->hub, api_pool_cb, req) == -1) {
		req->busy = 0;
		respond_error(req, 503, "busy");
	}
}
