/* SPDX-License-Identifier: MIT */
/*
 * The REST API's server routes (api-servers.h): start, stop and follow a
 * user's default server or one of their named servers, as JupyterHub's
 * handlers answer (codes and messages from its apihandlers/users.py:
 * "Named servers are not enabled.", the limit's 400, "NAME has no server
 * named 'SRV'"), and the user model's "servers" dict.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api-json.h"
#include "api-servers.h"
#include "api.h"
#include "auth.h"
#include "config.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "progress.h"
#include "req.h"
#include "respond.h"
#include "scopes.h"
#include "server.h"
#include "servername.h"
#include "spawn-options.h"
#include "users.h"

static int  named_ok(struct req *, const char *srv);
static void server_post(struct req *, struct db_user *, const char *srv);
static void server_post_with(struct req *, struct db_user *, const char *srv,
    struct server *, struct spawn_options *);
static void server_delete(struct req *, struct db_user *, const char *srv);
static void server_progress(struct req *, struct db_user *, const char *srv);
static int  progress_event_cb(void *arg, const struct server_progress *p);
static int  active(const struct server *);

static int
active(const struct server *s)
{
	return s != NULL &&
	    (s->state == SERVER_READY || s->state == SERVER_PENDING ||
	        s->state == SERVER_STOPPING);
}

json_t *
api_pending_json(const struct server *s)
{
	if (s != NULL && s->state == SERVER_PENDING)
		return json_string("spawn");
	if (s != NULL && s->state == SERVER_STOPPING)
		return json_string("stop");
	return json_null();
}

int
api_query_flag(const struct req *req, const char *name)
{
	const char *q = req->query;
	size_t      nl = strlen(name);

	while (*q != '\0') {
		size_t len = strcspn(q, "&");

		if (len >= nl && strncmp(q, name, nl) == 0 &&
		    (len == nl || q[nl] == '=')) {
			const char *v = len == nl ? "" : q + nl + 1;
			size_t      vl = len == nl ? 0 : len - nl - 1;

			return !((vl == 5 && strncmp(v, "false", 5) == 0) ||
			    (vl == 1 && v[0] == '0'));
		}
		q += len;
		q += strspn(q, "&");
	}
	return 0;
}

/* The options a server was started with (JSON text, or NULL), as its
 * model shows them. */
static json_t *
options_json(const char *text)
{
	json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;

	if (json_is_object(j))
		return j;
	json_decref(j);
	return json_object();
}

/* JupyterHub's server model of u's server srv: 's' if in the table, else
 * 'row' (a stopped named server). */
static json_t *
server_model(struct req *req, const struct db_user *u, const char *srv,
    const struct server *s, const struct db_server *row, const char *held)
{
	char   *url = server_url(u->name, srv);
	char   *purl = srv[0] == '\0'
	      ? xasprintf("/hub/api/users/%s/server/progress", u->name)
	      : xasprintf("/hub/api/users/%s/servers/%s/progress", u->name, srv);
	int     on = active(s);
	json_t *m;

	m = json_pack("{s:s, s:b, s:o, s:s, s:s, s:o, s:o, s:b, s:o}", "name",
	    srv, "ready", on && s->state == SERVER_READY, "pending",
	    api_pending_json(on ? s : NULL), "url", url, "progress_url", purl,
	    "started",
	    api_iso_json(on       ? s->started
	            : row != NULL ? row->started
	                          : 0),
	    "last_activity",
	    api_iso_json(on       ? s->last_activity
	            : row != NULL ? row->last_activity
	                          : 0),
	    "stopped", !on, "user_options",
	    options_json(on       ? s->opts.json
	            : row != NULL ? row->user_options
	                          : NULL));
	if (scopes_grant_server(held, "admin:server_state", u->name, srv))
		json_object_set_new(m, "state", json_object());
	(void)req;
	free(url);
	free(purl);
	return m;
}

json_t *
api_servers_json(struct req *req, const struct db_user *u, const char *held,
    int stopped)
{
	struct hub       *hub = req->hub;
	json_t           *d = json_object();
	struct db_server *rows = NULL;
	size_t            n = 0;
	struct server    *s = hub_server(hub, u->name, strlen(u->name), "");

	if (active(s) && scopes_grant(held, "read:servers", u->name))
		json_object_set_new(d, "",
		    server_model(req, u, "", s, NULL, held));
	if (db_server_list_user(hub->db, u->id, &rows, &n) == -1)
		return d;
	for (size_t i = 0; i < n; i++) {
		const char *srv = rows[i].name;

		if (srv[0] == '\0' ||
		    !scopes_grant_server(held, "read:servers", u->name, srv))
			continue;
		s = hub_server(hub, u->name, strlen(u->name), srv);
		if (active(s) || stopped)
			json_object_set_new(d, srv,
			    server_model(req, u, srv, s, &rows[i], held));
	}
	db_servers_free(rows, n);
	return d;
}

void
api_servers_state(struct req *req, const struct db_user *u, int *on, int *ready)
{
	struct db_server *rows = NULL;
	size_t            n = 0;
	struct server    *s;

	s = hub_server(req->hub, u->name, strlen(u->name), "");
	*on = active(s);
	*ready = s != NULL && s->state == SERVER_READY;
	if (db_server_list_user(req->hub->db, u->id, &rows, &n) == -1)
		return;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].name[0] == '\0')
			continue;
		s = hub_server(req->hub, u->name, strlen(u->name),
		    rows[i].name);
		*on |= active(s);
		*ready |= s != NULL && s->state == SERVER_READY;
	}
	db_servers_free(rows, n);
}

/* A named server's routes: 1 if they may go on, else 0 after 400. */
static int
named_ok(struct req *req, const char *srv)
{
	const char *why;

	if (!req->hub->cfg->allow_named_servers) {
		respond_error(req, 400, "Named servers are not enabled.");
		return 0;
	}
	why = server_name_check(srv);
	if (why != NULL) {
		char *msg = xasprintf("Invalid server_name: %s", why);

		respond_error(req, 400, msg);
		free(msg);
		return 0;
	}
	return 1;
}

/*
 * The body is user_options (JupyterHub's): checked whole before anything
 * starts, so a refused key or value is a 400 that names it and nothing
 * else happens.
 */
static void
server_post(struct req *req, struct db_user *u, const char *srv)
{
	struct server *s = hub_server(req->hub, u->name, strlen(u->name), srv);
	struct spawn_options opts;
	char                 why[256];
	json_t              *body;
	int                  r;

	if (req->body.len > SPAWN_OPTIONS_MAX) {
		respond_error(req, 413, "user_options: the body is too large");
		return;
	}
	body = api_body_object(req);
	if (body == NULL)
		return;
	memset(&opts, 0, sizeof(opts));
	r = spawn_options_parse(req->hub->cfg, body, &opts, why, sizeof(why));
	json_decref(body);
	if (r == -1) {
		respond_error(req, 400, why);
		return;
	}
	server_post_with(req, u, srv, s, &opts);
	spawn_options_release(&opts);
}

/* The start itself, 'opts' checked (taken over if it starts). */
static void
server_post_with(struct req *req, struct db_user *u, const char *srv,
    struct server *s, struct spawn_options *opts)
{
	const char *err;
	int         r;

	if (s != NULL && s->state == SERVER_PENDING) {
		respond(req, 202, NULL, NULL, "", 0);
		return;
	}
	if (s != NULL && s->state == SERVER_READY) {
		respond_error(req, 400, "the server is already running");
		return;
	}
	r = users_start_with(req, u, srv, opts, &err);
	if (r == -1) {
		respond_error(req, 400, err);
		return;
	}
	s = hub_server(req->hub, u->name, strlen(u->name), srv);
	if (s != NULL && s->state == SERVER_FAILED) {
		respond_error(req, 500, s->error ? s->error : "start failed");
		return;
	}
	respond(req, s != NULL && s->state == SERVER_READY ? 201 : 202, NULL,
	    NULL, "", 0);
}

/* {"remove": true} in DELETE's body: the named server goes too. */
static void
server_delete(struct req *req, struct db_user *u, const char *srv)
{
	struct server *s = hub_server(req->hub, u->name, strlen(u->name), srv);
	struct db_server row;
	json_t          *body;
	int              remove;

	if (srv[0] != '\0' && s == NULL) {
		int r = db_server_get(req->hub->db, u->id, srv, &row);

		if (r != 0) {
			char *msg = xasprintf("%s has no server named '%s'",
			    u->name, srv);

			respond_error(req, r == 1 ? 404 : 500, msg);
			free(msg);
			return;
		}
		db_server_release(&row);
	}
	body = api_body_object(req);
	if (body == NULL)
		return;
	remove = json_is_true(json_object_get(body, "remove"));
	json_decref(body);
	if (remove && srv[0] == '\0') {
		respond_error(req, 400, "Cannot delete the default server");
		return;
	}
	if (remove) {
		log_info("server %s/%s: removed by %s", u->name, srv,
		    req->user.name);
		(void)server_forget_named(req->hub, u, srv);
		s = hub_server(req->hub, u->name, strlen(u->name), srv);
		respond(req, active(s) ? 202 : 204, NULL, NULL, "", 0);
		return;
	}
	if (s == NULL || server_stop(s) == 0) {
		respond(req, 204, NULL, NULL, "", 0);
		return;
	}
	respond(req, 202, NULL, NULL, "", 0);
}

/*
 * A progress event (progress.h) as JupyterHub's server-sent event:
 * "data: {progress, message, html_message[, ready|failed, url]}". The
 * stream ends with the last event, or quietly when the server goes.
 */
static int
progress_event_cb(void *arg, const struct server_progress *p)
{
	struct req *req = arg;
	json_t     *ev;
	char       *data, *line;
	int         r;

	if (p->kind == SERVER_PROGRESS_CLOSED)
		goto end;
	if (p->kind == SERVER_PROGRESS_READY)
		ev = json_pack("{s:i, s:b, s:s, s:s, s:s}", "progress",
		    p->progress, "ready", 1, "message", p->message,
		    "html_message", p->message, "url", p->url);
	else if (p->kind == SERVER_PROGRESS_FAILED)
		ev = json_pack("{s:i, s:b, s:s, s:s}", "progress", p->progress,
		    "failed", 1, "message", p->message, "html_message",
		    p->message);
	else
		ev = json_pack("{s:i, s:s, s:s}", "progress", p->progress,
		    "message", p->message, "html_message", p->message);
	data = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	line = xasprintf("data: %s\n\n", data);
	free(data);
	r = respond_stream_write(req, line, strlen(line));
	free(line);
	if (r == 0 && p->kind == SERVER_PROGRESS_STEP)
		return 0;
end:
	req->busy = 0;
	if (req->conn == NULL)
		req_free(req);
	else
		respond_stream_end(req);
	return -1;
}

static void
server_progress(struct req *req, struct db_user *u, const char *srv)
{
	struct server *s = hub_server(req->hub, u->name, strlen(u->name), srv);

	if (srv[0] != '\0' && s == NULL) {
		struct db_server row;

		if (db_server_get(req->hub->db, u->id, srv, &row) != 0) {
			respond_error(req, 404, "no such server");
			return;
		}
		db_server_release(&row);
	}
	if (s == NULL || s->state == SERVER_STOPPING) {
		respond_error(req, 400, "the server is not starting");
		return;
	}
	respond_stream_start(req, 200, "text/event-stream",
	    "X-Accel-Buffering: no\r\n");
	if (server_progress_listen(s, progress_event_cb, req) == 1)
		req->busy = 1;
}

/* The handlers: NAME is arg[0], SRV arg[1]. */
static void
run(struct req *req, int named,
    void (*fn)(struct req *, struct db_user *, const char *))
{
	struct db_user u;

	if (users_get(req, req->arg[0], &u) == -1)
		return;
	if (!named || named_ok(req, req->arg[1]))
		fn(req, &u, named ? req->arg[1] : "");
	db_user_release(&u);
}

void
api_start(struct req *req)
{
	run(req, 0, server_post);
}

void
api_stop(struct req *req)
{
	run(req, 0, server_delete);
}

void
api_progress(struct req *req)
{
	run(req, 0, server_progress);
}

void
api_named_start(struct req *req)
{
	run(req, 1, server_post);
}

void
api_named_stop(struct req *req)
{
	run(req, 1, server_delete);
}

void
api_named_progress(struct req *req)
{
	run(req, 1, server_progress);
}
