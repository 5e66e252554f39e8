/* SPDX-License-Identifier: MIT */
/*
 * REST API. Authentication is "Authorization: token T" or the session
 * cookie; cookie-authenticated writes also need X-XSRFToken (JupyterHub's
 * rule, CVE-2020-36191). Only admins see or change other users; no one can
 * make themselves admin except an admin. routes.c's table says which
 * route needs what and checks it before a handler here runs; NAME in a
 * path is req->arg[0], a token's id req->arg[1].
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "accounts.h"
#include "api.h"
#include "auth.h"
#include "config.h"
#include "hub.h"
#include "lib/log.h"
#include "oneuser.h"
#include "progress.h"
#include "req.h"
#include "respond.h"
#include "scopes.h"
#include "server.h"
#include "users.h"
#include "lib/util.h"
#include "version.h"

static json_t *iso_json(int64_t t);
static json_t *words_json(const char *s);
static json_t *pending_json(const struct server *s);
static json_t *user_json(struct hub *hub, const struct db_user *u);
static json_t *token_json(const struct db_token *t, const char *user);
static json_t *body_object(struct req *req);
static void    with_user(struct req *req,
       void (*fn)(struct req *, struct db_user *));
static void    user_patch(struct req *req, struct db_user *u);
static void    user_delete(struct req *req, struct db_user *u);
static void    server_post(struct req *req, struct db_user *u);
static void    server_delete(struct req *req, struct db_user *u);
static int     progress_event_cb(void *arg, const struct server_progress *p);
static void    server_progress(struct req *req, struct db_user *u);
static void    tokens_list(struct req *req, struct db_user *u);
static void    token_create(struct req *req, struct db_user *u);
static int     token_id(const char *s, int64_t *id);
static void    token_one(struct req *req, struct db_user *u, int del);
static void    token_get(struct req *req, struct db_user *u);
static void    token_delete(struct req *req, struct db_user *u);
static void    user_get(struct req *req, struct db_user *u);
static void    activity(struct req *req, struct db_user *u);
static void    bad_method(struct req *req, struct db_user *u);
static void    no_such_path(struct req *req, struct db_user *u);

static json_t *
iso_json(int64_t t)
{
	char s[40];

	if (t <= 0)
		return json_null();
	iso_time(t, s, sizeof(s));
	return json_string(s);
}

static json_t *
pending_json(const struct server *s)
{
	if (s != NULL && s->state == SERVER_PENDING)
		return json_string("spawn");
	if (s != NULL && s->state == SERVER_STOPPING)
		return json_string("stop");
	return json_null();
}

/* JupyterHub's user model. */
static json_t *
user_json(struct hub *hub, const struct db_user *u)
{
	struct server *s = hub_server(hub, u->name, strlen(u->name));
	json_t        *servers = json_object(), *j;
	char           url[64];
	int            active = s != NULL &&
	    (s->state == SERVER_READY || s->state == SERVER_PENDING ||
	        s->state == SERVER_STOPPING);
	int64_t last = u->last_activity;

	snprintf(url, sizeof(url), "/user/%s/", u->name);
	if (s != NULL && s->last_activity > last)
		last = s->last_activity;
	if (active) {
		char purl[96];

		snprintf(purl, sizeof(purl),
		    "/hub/api/users/%s/server/progress", u->name);
		json_object_set_new(servers, "",
		    json_pack("{s:s, s:b, s:o, s:s, s:s, s:o, s:o, s:b, s:{}, "
		              "s:{}}",
		        "name", "", "ready", s->state == SERVER_READY,
		        "pending", pending_json(s), "url", url, "progress_url",
		        purl, "started", iso_json(s->started), "last_activity",
		        iso_json(s->last_activity), "stopped", 0, "state",
		        "user_options"));
	}
	j = json_pack("{s:s, s:s, s:b, s:[], s:o, s:o, s:o, s:o, s:o}", "kind",
	    "user", "name", u->name, "admin", u->admin, "groups", "server",
	    active && s->state == SERVER_READY ? json_string(url) : json_null(),
	    "pending", pending_json(active ? s : NULL), "created",
	    iso_json(u->created), "last_activity", iso_json(last), "servers",
	    servers);
	return j;
}

static json_t *
token_json(const struct db_token *t, const char *user)
{
	char id[32];

	snprintf(id, sizeof(id), "a%lld", (long long)t->id);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:n, s:[s]}", "id", id,
	    "kind", "api_token", "user", user, "note", t->note, "created",
	    iso_json(t->created), "last_activity", iso_json(t->last_activity),
	    "expires_at", "scopes", "inherit");
}

/* The request body as a JSON object; an empty body is {}. NULL after
 * responding 400. */
static json_t *
body_object(struct req *req)
{
	json_t      *j;
	json_error_t e;

	if (req->body.len == 0)
		return json_object();
	j = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES,
	    &e);
	if (!json_is_object(j)) {
		json_decref(j);
		respond_error(req, 400, "the body is not a JSON object");
		return NULL;
	}
	return j;
}

/* Runs fn with the user NAME names, loaded; answers 404 (or 500) if
 * there is none. */
static void
with_user(struct req *req, void (*fn)(struct req *, struct db_user *))
{
	const char    *name = req->arg[0];
	struct db_user u;
	int            r;

	if (!username_valid(name)) {
		respond_error(req, 404, "no such user");
		return;
	}
	r = db_user_get(req->hub->db, name, &u);
	if (r != 0) {
		respond_error(req, r == 1 ? 404 : 500, "no such user");
		return;
	}
	fn(req, &u);
	db_user_release(&u);
}

void
api_version(struct req *req)
{
	respond_json(req, 200, json_pack("{s:s}", "version", RIG_VERSION));
}

/* Space-separated words as a JSON list. */
static json_t *
words_json(const char *s)
{
	json_t *a = json_array();

	while (*s != '\0') {
		size_t len = strcspn(s, " ");

		if (len > 0)
			json_array_append_new(a, json_stringn(s, len));
		s += len;
		s += strspn(s, " ");
	}
	return a;
}

/*
 * Who the credential is, with what it may do: JupyterHub's user model
 * plus "scopes" (a token's own, or what the user's role stands for) and
 * "session_id", which single-user servers key their caches with. The id
 * is derived from the session's hash, never the cookie's value.
 */
void
api_self(struct req *req)
{
	json_t *j = user_json(req->hub, &req->user);
	char   *mine = NULL, sid[TOKEN_HASH_LEN + 1];

	if (req->scopes == NULL)
		mine = scopes_of_user(req->user.name, req->user.admin,
		    req->hub->cfg->admin_access);
	json_object_set_new(j, "scopes",
	    words_json(req->scopes != NULL ? req->scopes : mine));
	free(mine);
	if (req->session != NULL) {
		token_hash(req->session, sid);
		sid[32] = '\0';
		json_object_set_new(j, "session_id", json_string(sid));
	} else
		json_object_set_new(j, "session_id", json_null());
	respond_json(req, 200, j);
}

void
api_users(struct req *req)
{
	struct db_user *users;
	size_t          n;
	json_t         *a;

	if (db_user_list(req->hub->db, &users, &n) == -1) {
		respond_error(req, 500, "cannot list users");
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, user_json(req->hub, &users[i]));
	db_users_free(users, n);
	respond_json(req, 200, a);
}

void
api_user_add(struct req *req)
{
	const char    *name = req->arg[0];
	json_t        *body = body_object(req);
	struct db_user u;
	const char    *why;
	char           msg[160];
	int            r, admin;

	if (body == NULL)
		return;
	admin = json_is_true(json_object_get(body, "admin"));
	json_decref(body);
	why = account_user_error(req->hub->cfg->user_prefix, name, msg,
	    sizeof(msg));
	if (why != NULL) {
		respond_error(req, 400, why);
		return;
	}
	if (oneuser_may_add(req->hub->db, req->hub->is_root) == -1) {
		respond_error(req, 403, ONEUSER_WHY);
		return;
	}
	/* JupyterHub's LocalAuthenticator: the system user must exist. */
	if (req->hub->cfg->authenticator == AUTH_PAM) {
		struct passwd *pw;

		if (account_lookup(name, &pw) != 1) {
			respond_error(req, 400,
			    "there is no Unix account of that name for a "
			    "person on this machine (authenticator = pam)");
			return;
		}
	}
	r = db_user_add(req->hub->db, name, "", admin);
	if (r != 0) {
		respond_error(req, r == 1 ? 409 : 500,
		    r == 1 ? "user already exists" : "cannot add the user");
		return;
	}
	log_info("api: %s added user %s", req->user.name, name);
	if (db_user_get(req->hub->db, name, &u) != 0) {
		respond_error(req, 500, "cannot read the user back");
		return;
	}
	respond_json(req, 201, user_json(req->hub, &u));
	db_user_release(&u);
}

static void
user_patch(struct req *req, struct db_user *u)
{
	json_t *body = body_object(req), *admin;

	if (body == NULL)
		return;
	admin = json_object_get(body, "admin");
	if (admin != NULL) {
		const char *err = NULL;
		int         r;

		if (!json_is_boolean(admin)) {
			json_decref(body);
			respond_error(req, 400, "admin must be true or false");
			return;
		}
		r = users_set_admin(req, u->name, json_is_true(admin), &err);
		if (r != 0) {
			json_decref(body);
			respond_error(req,
			    r == 2       ? 409
			        : r == 1 ? 404
			                 : 500,
			    r == 2 ? err : "cannot change the user");
			return;
		}
		u->admin = json_is_true(admin);
	}
	json_decref(body);
	respond_json(req, 200, user_json(req->hub, u));
}

static void
user_delete(struct req *req, struct db_user *u)
{
	if (u->id == req->user.id) {
		respond_error(req, 400, "you cannot delete yourself");
		return;
	}
	servers_drop_user(req->hub, u->name);
	if (db_user_del(req->hub->db, u->name) != 0) {
		respond_error(req, 500, "cannot delete the user");
		return;
	}
	log_info("api: %s deleted user %s", req->user.name, u->name);
	respond(req, 204, NULL, NULL, "", 0);
}

static void
server_post(struct req *req, struct db_user *u)
{
	struct server *s = hub_server(req->hub, u->name, strlen(u->name));
	const char    *err;
	int            r;

	if (s != NULL && s->state == SERVER_PENDING) {
		respond(req, 202, NULL, NULL, "", 0);
		return;
	}
	if (s != NULL && s->state == SERVER_READY) {
		respond_error(req, 400, "the server is already running");
		return;
	}
	r = users_start(req, u, &err);
	if (r == -1) {
		respond_error(req, 400, err);
		return;
	}
	s = hub_server(req->hub, u->name, strlen(u->name));
	if (s != NULL && s->state == SERVER_FAILED) {
		respond_error(req, 500, s->error ? s->error : "start failed");
		return;
	}
	respond(req, s != NULL && s->state == SERVER_READY ? 201 : 202, NULL,
	    NULL, "", 0);
}

static void
server_delete(struct req *req, struct db_user *u)
{
	struct server *s = hub_server(req->hub, u->name, strlen(u->name));

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
server_progress(struct req *req, struct db_user *u)
{
	struct server *s = hub_server(req->hub, u->name, strlen(u->name));

	if (s == NULL || s->state == SERVER_STOPPING) {
		respond_error(req, 400, "the server is not starting");
		return;
	}
	respond_stream_start(req, 200, "text/event-stream",
	    "X-Accel-Buffering: no\r\n");
	if (server_progress_listen(s, progress_event_cb, req) == 1)
		req->busy = 1;
}

static void
tokens_list(struct req *req, struct db_user *u)
{
	struct db_token *t;
	size_t           n;
	json_t          *a;

	if (db_token_list(req->hub->db, u->id, &t, &n) == -1) {
		respond_error(req, 500, "cannot list tokens");
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, token_json(&t[i], u->name));
	db_tokens_free(t, n);
	respond_json(req, 200,
	    json_pack("{s:o, s:[]}", "api_tokens", a, "oauth_tokens"));
}

static void
token_create(struct req *req, struct db_user *u)
{
	json_t         *body = body_object(req), *j;
	const char     *note;
	char           *tok, hash[TOKEN_HASH_LEN + 1];
	int64_t         id;
	struct db_token t;

	if (body == NULL)
		return;
	note = json_string_value(json_object_get(body, "note"));
	if (note == NULL)
		note = "";
	if (strlen(note) > 200) {
		json_decref(body);
		respond_error(req, 400, "the note is too long");
		return;
	}
	tok = token_new();
	token_hash(tok, hash);
	if (db_token_add(req->hub->db, u->id, hash, note, &id) != 0 ||
	    db_token_get(req->hub->db, u->id, id, &t) != 0) {
		free_secret(tok);
		json_decref(body);
		respond_error(req, 500, "cannot create the token");
		return;
	}
	json_decref(body);
	/* Only with admin_access (the route's OWNER_ACCESS): a token acts as
	 * its user, so an admin making one for someone else is on record. */
	if (strcmp(req->user.name, u->name) != 0)
		log_info("token %lld for %s created by admin %s", (long long)id,
		    u->name, req->user.name);
	j = token_json(&t, u->name);
	free(t.note);
	json_object_set_new(j, "token", json_string(tok));
	free_secret(tok);
	respond_json(req, 201, j);
}

static int
token_id(const char *s, int64_t *id)
{
	long long n;

	if (s[0] != 'a' || parse_int(s + 1, 1, INT64_MAX, &n) == -1)
		return -1;
	*id = n;
	return 0;
}

static void
token_one(struct req *req, struct db_user *u, int del)
{
	const char     *ids = req->arg[1];
	int64_t         id;
	struct db_token t;
	json_t         *j;

	if (token_id(ids, &id) == -1 ||
	    db_token_get(req->hub->db, u->id, id, &t) != 0) {
		respond_error(req, 404, "no such token");
		return;
	}
	if (del) {
		free(t.note);
		db_token_del(req->hub->db, u->id, id);
		respond(req, 204, NULL, NULL, "", 0);
		return;
	}
	j = token_json(&t, u->name);
	free(t.note);
	respond_json(req, 200, j);
}

static void
token_get(struct req *req, struct db_user *u)
{
	token_one(req, u, 0);
}

static void
token_delete(struct req *req, struct db_user *u)
{
	token_one(req, u, 1);
}

static void
user_get(struct req *req, struct db_user *u)
{
	respond_json(req, 200, user_json(req->hub, u));
}

/*
 * Reported by single-user servers (jupyterhub-singleuser every 5 minutes,
 * with its own token): {"last_activity": ISO, "servers": {"": {...}}}.
 * The latest time counts for the server and the user; one in the future
 * is taken as now, so a wrong clock cannot keep a server from the culler
 * for ever.
 */
static void
activity(struct req *req, struct db_user *u)
{
	json_t        *body = body_object(req), *v, *srv;
	struct server *s = hub_server(req->hub, u->name, strlen(u->name));
	int64_t        t = -1, now = now_sec();
	const char    *iso;

	if (body == NULL)
		return;
	v = json_object_get(body, "last_activity");
	srv = json_object_get(json_object_get(body, "servers"), "");
	if (v == NULL && srv != NULL)
		v = json_object_get(srv, "last_activity");
	iso = json_string_value(v);
	if (iso != NULL)
		t = iso_parse(iso);
	json_decref(body);
	if (t < 0) {
		respond_error(req, 400,
		    "last_activity must be an ISO 8601 time");
		return;
	}
	if (t > now)
		t = now;
	if (s != NULL && s->state == SERVER_READY && t > s->last_activity)
		s->last_activity = t;
	if (t > u->last_activity)
		db_user_touch(req->hub->db, u->id, t);
	respond(req, 200, NULL, NULL, "", 0);
}

static void
bad_method(struct req *req, struct db_user *u)
{
	(void)u;
	respond_error(req, 405, "method not allowed");
}

static void
no_such_path(struct req *req, struct db_user *u)
{
	(void)u;
	respond_error(req, 404, "not found");
}

void
api_user_get(struct req *req)
{
	with_user(req, user_get);
}

void
api_user_set(struct req *req)
{
	with_user(req, user_patch);
}

void
api_user_del(struct req *req)
{
	with_user(req, user_delete);
}

void
api_user_405(struct req *req)
{
	with_user(req, bad_method);
}

void
api_user_404(struct req *req)
{
	with_user(req, no_such_path);
}

void
api_start(struct req *req)
{
	with_user(req, server_post);
}

void
api_stop(struct req *req)
{
	with_user(req, server_delete);
}

void
api_progress(struct req *req)
{
	with_user(req, server_progress);
}

void
api_tokens(struct req *req)
{
	with_user(req, tokens_list);
}

void
api_token_add(struct req *req)
{
	with_user(req, token_create);
}

void
api_token_get(struct req *req)
{
	with_user(req, token_get);
}

void
api_token_del(struct req *req)
{
	with_user(req, token_delete);
}

void
api_activity(struct req *req)
{
	with_user(req, activity);
}
