/* SPDX-License-Identifier: MIT */
/*
 * Pages. Every form posts back to the hub with the session's _xsrf token
 * (the login form with a double-submit token, since there is no session
 * yet), every reflected value is escaped, and `next` only ever leads to a
 * local path. Password checks run on libuv's thread pool: yescrypt is slow
 * on purpose, and the loop must keep serving meanwhile.
 *
 * Each page is a handler of routes.c's table, which has checked who is
 * asking (and the form's _xsrf) before it runs: a handler that acts for
 * the NAME in its path (req->arg[0]) knows the caller may.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "html.h"
#include "hub.h"
#include "lib/log.h"
#include "pages.h"
#include "progress.h"
#include "req.h"
#include "respond.h"
#include "server.h"
#include "session.h"
#include "users.h"
#include "lib/url.h"
#include "lib/util.h"

#define PASSWORD_MAX 511

static const char *secure_attr(const struct req *req);
static void        respond_page(struct req *req, int status, struct buf *page,
           const char *headers);
static char       *field(const struct req *req, const char *name);
static char       *query_arg(const struct req *req, const char *name);
static void        hidden_xsrf(struct buf *b, const struct req *req);
static void        button_form(struct buf *b, const struct req *req,
           const char *action, const char *label, const char *cls, const char *next);
static void        login_page(struct req *req, int status, const char *error,
           const char *user);
static void        login_verify_cb(uv_work_t *w);
static char       *after_login(struct req *req, const struct db_user *u);
static void        login_done_cb(uv_work_t *w, int status);
static void        time_text(struct buf *b, int64_t t);
static int  target_user(struct req *req, const char *name, struct db_user *u);
static void admin_page(struct req *req, const char *notice, const char *secret);
static void admin_done(struct req *req, int r);
static void token_page(struct req *req, const char *secret);

static const char *
secure_attr(const struct req *req)
{
	return req->hub->ssl_ctx != NULL ? "; Secure" : "";
}

static void
respond_page(struct req *req, int status, struct buf *page, const char *headers)
{
	respond(req, status, "text/html; charset=utf-8", headers, page->data,
	    page->len);
	buf_release(page);
}

/* A form field from the body; caller frees result. */
static char *
field(const struct req *req, const char *name)
{
	return form_get(buf_str(&req->body), req->body.len, name);
}

static char *
query_arg(const struct req *req, const char *name)
{
	return form_get(req->query, strlen(req->query), name);
}

static void
hidden_xsrf(struct buf *b, const struct req *req)
{
	buf_adds(b, "<input type=\"hidden\" name=\"_xsrf\" value=\"");
	html_add(b, req->xsrf);
	buf_adds(b, "\">");
}

/* A POST form with one button. */
static void
button_form(struct buf *b, const struct req *req, const char *action,
    const char *label, const char *cls, const char *next)
{
	buf_adds(b, "<form class=\"inline\" method=\"post\" action=\"");
	html_add(b, action);
	buf_adds(b, "\">");
	hidden_xsrf(b, req);
	if (next != NULL) {
		buf_adds(b, "<input type=\"hidden\" name=\"next\" value=\"");
		html_add(b, next);
		buf_adds(b, "\">");
	}
	buf_adds(b, "<button type=\"submit\"");
	if (cls != NULL)
		buf_addf(b, " class=\"%s\"", cls);
	buf_adds(b, ">");
	html_add(b, label);
	buf_adds(b, "</button></form> ");
}

/* --- login ----------------------------------------------------------- */

static void
login_page(struct req *req, int status, const char *error, const char *user)
{
	struct buf  b;
	char       *next = query_arg(req, "next");
	char       *safe = next_sanitize(next);
	char       *xsrf = NULL, *hdr;
	size_t      n;
	const char *cookie = http_header(&req->head, "cookie", &n);

	if (cookie != NULL)
		xsrf = cookie_get(cookie, n, "rig-xsrf");
	if (xsrf == NULL || strlen(xsrf) != 32 ||
	    strspn(xsrf, "0123456789abcdef") != 32) {
		free(xsrf);
		xsrf = random_hex(16);
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Sign in", NULL, 0);
	buf_adds(&b, "<div class=\"box\"><h1>Sign in</h1>");
	if (error != NULL) {
		buf_adds(&b, "<p class=\"error\">");
		html_add(&b, error);
		buf_adds(&b, "</p>");
	}
	buf_adds(&b, "<form method=\"post\" action=\"/hub/login");
	if (safe != NULL) {
		char *enc = url_encode(safe, 1);

		buf_adds(&b, "?next=");
		html_add(&b, enc);
		free(enc);
	}
	buf_adds(&b, "\"><input type=\"hidden\" name=\"_xsrf\" value=\"");
	html_add(&b, xsrf);
	buf_adds(&b,
	    "\"><label for=\"username\">Username</label>"
	    "<input id=\"username\" name=\"username\" "
	    "autocomplete=\"username\" autocapitalize=\"none\" "
	    "required autofocus value=\"");
	html_add(&b, user != NULL ? user : "");
	buf_adds(&b,
	    "\"><label for=\"password\">Password</label>"
	    "<input id=\"password\" name=\"password\" "
	    "type=\"password\" autocomplete=\"current-password\" "
	    "required><p><button type=\"submit\">Sign in</button>"
	    "</p></form></div>");
	html_end(&b);
	hdr = xasprintf("Set-Cookie: rig-xsrf=%s; Path=/hub/; HttpOnly; "
	                "SameSite=Strict%s\r\n",
	    xsrf, secure_attr(req));
	respond_page(req, status, &b, hdr);
	free(hdr);
	free(xsrf);
	free(next);
	free(safe);
}

struct login_work {
	uv_work_t   work;
	struct req *req;
	char       *name;
	char       *password;
	char       *hash; /* "" for an unknown user: same work, no match */
	int64_t     user_id;
	int         ok;
};

static void
login_verify_cb(uv_work_t *w)
{
	struct login_work *lw = container_of(w, struct login_work, work);

	lw->ok = password_verify(lw->password, lw->hash);
}

/* Where to go after logging in: next, or the user's server. Starts the
 * server when the destination is the user's own server. */
static char *
after_login(struct req *req, const struct db_user *u)
{
	char       *next = query_arg(req, "next");
	char       *safe = next_sanitize(next);
	char       *own = xasprintf("/user/%s/", u->name);
	char       *loc;
	const char *err;

	free(next);
	if (safe != NULL && strncmp(safe, own, strlen(own)) != 0 &&
	    strncmp(safe, "/user/", 6) != 0 && strcmp(safe, "/") != 0) {
		free(own);
		return safe;
	}
	if (safe == NULL || strcmp(safe, "/") == 0) {
		free(safe);
		safe = xasprintf("/user/%s/tree", u->name);
	}
	if (strncmp(safe, own, strlen(own)) == 0) {
		struct server *s =
		    hub_server(req->hub, u->name, strlen(u->name));

		if (s == NULL || s->state != SERVER_READY) {
			char *enc = url_encode(safe, 1);

			if (users_start(req, u, &err) == -1)
				log_warnx("server %s: %s", u->name, err);
			loc = xasprintf("/hub/spawn-pending/%s?next=%s",
			    u->name, enc);
			free(enc);
			free(safe);
			free(own);
			return loc;
		}
	}
	free(own);
	return safe;
}

static void
login_done_cb(uv_work_t *w, int status)
{
	struct login_work *lw = container_of(w, struct login_work, work);
	struct req        *req = lw->req;
	struct hub        *hub = req->hub;

	(void)status;
	req->busy = 0;
	/* Counted as a failure when it began; a client that left still
	 * made its guess. */
	login_throttle_end(hub->throttle, req->addr, lw->name, lw->ok);
	if (!lw->ok)
		hub->m.login_failures++;
	if (req->conn == NULL) {
		req_free(req);
		goto out;
	}
	if (!lw->ok) {
		log_warnx("login failed from %s", req->addr);
		login_page(req, 401, "Invalid username or password.", NULL);
		goto out;
	}
	hub->m.logins++;
	{
		struct db_user u;
		char          *sid = token_new(), *xsrf = random_hex(16);
		char           hash[TOKEN_HASH_LEN + 1], *hdr, *loc;
		int64_t        expires =
		    now_sec() + (int64_t)hub->cfg->session_days * 86400;

		token_hash(sid, hash);
		if (db_user_get_id(hub->db, lw->user_id, &u) != 0 ||
		    db_session_add(hub->db, u.id, hash, xsrf, expires) != 0) {
			free_secret(sid);
			free_secret(xsrf);
			respond_error(req, 500, "cannot create a session");
			goto out;
		}
		db_user_touch(hub->db, u.id, now_sec());
		/* The redirect's handlers look at the new user. */
		db_user_release(&req->user);
		req->user = u;
		req->authed = 1;
		free_secret(req->xsrf);
		req->xsrf = xsrf;
		log_info("login: %s from %s", u.name, req->addr);
		loc = after_login(req, &u);
		hdr = xasprintf(
		    "Location: %s\r\nSet-Cookie: rig-session=%s; "
		    "Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s\r\n"
		    "Set-Cookie: rig-xsrf=; Path=/hub/; Max-Age=0\r\n",
		    loc, sid, hub->cfg->session_days * 86400, secure_attr(req));
		respond(req, 302, "text/plain", hdr, "", 0);
		free(hdr);
		free(loc);
		free_secret(sid);
	}
out:
	free(lw->name);
	free_secret(lw->password);
	free(lw->hash);
	free(lw);
}

/* The form's _xsrf was checked against its cookie (XSRF_LOGIN). */
void
pages_login_try(struct req *req)
{
	struct login_work *lw;
	char   *name = field(req, "username"), *pw = field(req, "password");
	int64_t wait;
	struct db_user u;
	int            r;

	if (name == NULL || pw == NULL || strlen(pw) > PASSWORD_MAX) {
		login_page(req, 400, "Username and password are required.",
		    NULL);
		goto out;
	}
	/* Normalise only case: "Alice" is alice, anything else that is not
	 * a valid name fails like a wrong password (and is not logged). */
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	wait = login_throttle_begin(req->hub->throttle, req->addr, name,
	    now_sec());
	if (wait > 0) {
		char *hdr = xasprintf("Retry-After: %lld\r\n", (long long)wait);
		struct buf b;

		buf_init(&b, (size_t)-1 / 2);
		html_begin(&b, "Too many attempts", NULL, 0);
		buf_addf(&b,
		    "<div class=\"box\"><h1>Too many attempts</h1>"
		    "<p>Try again in %lld seconds.</p></div>",
		    (long long)wait);
		html_end(&b);
		respond_page(req, 429, &b, hdr);
		free(hdr);
		goto out;
	}
	lw = xcalloc(1, sizeof(*lw));
	lw->req = req;
	lw->password = pw;
	pw = NULL;
	lw->name = xstrndup(name, 64);
	memset(&u, 0, sizeof(u));
	r = username_valid(name) ? db_user_get(req->hub->db, name, &u) : 1;
	if (r == 0) {
		lw->hash = xstrdup(u.pwhash ? u.pwhash : "");
		lw->user_id = u.id;
		db_user_release(&u);
	} else
		lw->hash = xstrdup("");
	req->busy = 1;
	if (uv_queue_work(req->hub->loop, &lw->work, login_verify_cb,
	        login_done_cb) != 0) {
		req->busy = 0;
		free(lw->name);
		free_secret(lw->password);
		free(lw->hash);
		free(lw);
		respond_error(req, 503, "busy");
	}
out:
	free(name);
	free_secret(pw);
}

void
pages_logout(struct req *req)
{
	size_t      n;
	const char *v = http_header(&req->head, "cookie", &n);
	char       *sid = v != NULL ? cookie_get(v, n, "rig-session") : NULL;
	char       *hdr;

	if (sid != NULL && strlen(sid) <= 256) {
		char hash[TOKEN_HASH_LEN + 1];

		token_hash(sid, hash);
		db_session_del(req->hub->db, hash);
	}
	free_secret(sid);
	hdr = xasprintf("Set-Cookie: rig-session=; Path=/; HttpOnly; "
	                "SameSite=Lax; Max-Age=0%s\r\n",
	    secure_attr(req));
	respond_redirect(req, "/hub/login", hdr);
	free(hdr);
}

/* --- home and spawning ------------------------------------------------ */

static void
time_text(struct buf *b, int64_t t)
{
	char iso[40];

	if (t <= 0) {
		buf_adds(b, "never");
		return;
	}
	iso_time(t, iso, sizeof(iso));
	iso[19] = '\0';
	iso[10] = ' ';
	buf_addf(b, "%s UTC", iso);
}

void
pages_home(struct req *req)
{
	struct buf     b;
	struct server *s =
	    hub_server(req->hub, req->user.name, strlen(req->user.name));
	char *url = xasprintf("/user/%s/", req->user.name);

	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Home", req->user.name, req->user.admin);
	buf_adds(&b, "<div class=\"box\"><h1>My server</h1><p>Status: <b>");
	if (s == NULL)
		buf_adds(&b, "not running");
	else
		buf_adds(&b, server_state_name(s->state));
	buf_adds(&b, "</b></p><p>Last activity: ");
	time_text(&b,
	    s != NULL && s->last_activity ? s->last_activity
	                                  : req->user.last_activity);
	buf_adds(&b, "</p><p>");
	if (s != NULL && s->state == SERVER_READY) {
		buf_adds(&b, "<a href=\"");
		html_add(&b, url);
		buf_adds(&b,
		    "tree\"><button type=\"button\">Open my server"
		    "</button></a> ");
		button_form(&b, req, "/hub/stop", "Stop my server", "danger",
		    NULL);
	} else if (s != NULL && s->state == SERVER_PENDING) {
		char *p = xasprintf("/hub/spawn-pending/%s", req->user.name);

		buf_adds(&b, "<a href=\"");
		html_add(&b, p);
		buf_adds(&b, "\">Starting: follow its progress</a>");
		free(p);
	} else {
		if (s != NULL && s->state == SERVER_FAILED && s->error) {
			buf_adds(&b,
			    "<span class=\"error\">Last start failed: ");
			html_add(&b, s->error);
			buf_adds(&b, "</span></p><p>");
		}
		button_form(&b, req, "/hub/spawn", "Start my server", NULL,
		    NULL);
	}
	buf_adds(&b, "</p></div>");
	html_end(&b);
	respond_page(req, 200, &b, NULL);
	free(url);
}

/* The user a /hub/x/NAME path names: the requester if NAME is empty or
 * missing, else NAME (the route let only its owner or an admin in).
 * Returns 0 and fills *u, or responds and returns -1. */
static int
target_user(struct req *req, const char *name, struct db_user *u)
{
	int r;

	memset(u, 0, sizeof(*u));
	if (name == NULL || *name == '\0' || strcmp(name, req->user.name) == 0)
		return db_user_get_id(req->hub->db, req->user.id, u) == 0
		    ? 0
		    : (respond_error(req, 500, "user vanished"), -1);
	if (!username_valid(name)) {
		respond_error(req, 404, "no such user");
		return -1;
	}
	r = db_user_get(req->hub->db, name, u);
	if (r != 0) {
		respond_error(req, r == 1 ? 404 : 500, "no such user");
		return -1;
	}
	return 0;
}

void
pages_spawn(struct req *req)
{
	const char    *name = req->arg[0];
	struct db_user u;
	const char    *err;
	char          *next, *safe, *loc, *enc;

	if (target_user(req, name, &u) == -1)
		return;
	if (users_start(req, &u, &err) == -1) {
		respond_error(req, 409, err);
		db_user_release(&u);
		return;
	}
	next = field(req, "next");
	safe = next_sanitize(next);
	enc = url_encode(safe != NULL ? safe : "", 1);
	loc = xasprintf("/hub/spawn-pending/%s%s%s", u.name,
	    safe != NULL ? "?next=" : "", safe != NULL ? enc : "");
	respond_redirect(req, loc, NULL);
	free(loc);
	free(enc);
	free(next);
	free(safe);
	db_user_release(&u);
}

void
pages_stop(struct req *req)
{
	const char    *name = req->arg[0];
	struct db_user u;
	struct server *s;

	if (target_user(req, name, &u) == -1)
		return;
	s = hub_server(req->hub, u.name, strlen(u.name));
	if (s != NULL)
		server_stop(s);
	respond_redirect(req,
	    name != NULL && *name ? "/hub/admin" : "/hub/home", NULL);
	db_user_release(&u);
}

void
pages_pending(struct req *req)
{
	const char    *name = req->arg[0];
	struct db_user u;
	struct server *s;
	struct buf     b;
	char          *next, *safe, *dflt;

	if (target_user(req, name, &u) == -1)
		return;
	s = hub_server(req->hub, u.name, strlen(u.name));
	next = query_arg(req, "next");
	safe = next_sanitize(next);
	dflt = xasprintf("/user/%s/tree", u.name);
	if (safe == NULL)
		safe = xstrdup(dflt);
	if (s != NULL && s->state == SERVER_READY) {
		respond_redirect(req, safe, NULL);
		goto out;
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Starting", req->user.name, req->user.admin);
	buf_adds(&b, "<div class=\"box\">");
	if (s != NULL && s->state == SERVER_PENDING) {
		char *purl =
		    xasprintf("/hub/api/users/%s/server/progress", u.name);
		const char *msg;
		int         pct;

		buf_adds(&b, "<h1>Starting the server of ");
		html_add(&b, u.name);
		buf_adds(&b, "</h1><div id=\"progress\" data-url=\"");
		html_add(&b, purl);
		buf_adds(&b, "\" data-next=\"");
		html_add(&b, safe);
		buf_adds(&b, "\"><progress id=\"bar\" max=\"100\" value=\"");
		pct = server_progress_latest(s, &msg);
		buf_addf(&b, "%d", pct);
		buf_adds(&b, "\"></progress><p id=\"message\">");
		html_add(&b, msg != NULL ? msg : "Starting");
		buf_adds(&b,
		    "</p></div><noscript><meta http-equiv=\"refresh\" "
		    "content=\"2\"></noscript>"
		    "<script src=\"/hub/static/spawn.js\"></script>");
		free(purl);
	} else if (s != NULL && s->state == SERVER_FAILED) {
		char *tail = server_log_tail(s, 20);

		buf_adds(&b,
		    "<h1>The server failed to start</h1>"
		    "<p class=\"error\">");
		html_add(&b, s->error);
		buf_adds(&b, "</p><p>The last lines of its log:</p><pre>");
		html_add(&b, tail);
		buf_adds(&b, "</pre>");
		free(tail);
		{
			char *action = xasprintf("/hub/spawn/%s", u.name);

			button_form(&b, req, action, "Try again", NULL, safe);
			free(action);
		}
	} else {
		char *action = xasprintf("/hub/spawn/%s", u.name);

		buf_adds(&b, "<h1>Server not running</h1><p>The server of ");
		html_add(&b, u.name);
		buf_adds(&b, " is not running.</p>");
		if (s != NULL && s->state == SERVER_STOPPING)
			buf_adds(&b,
			    "<p>It is stopping; start it again in a "
			    "moment.</p><noscript></noscript>");
		button_form(&b, req, action, "Start the server", NULL, safe);
		free(action);
	}
	buf_adds(&b, "</div>");
	html_end(&b);
	respond_page(req, 200, &b, NULL);
out:
	free(next);
	free(safe);
	free(dflt);
	db_user_release(&u);
}

/* --- admin ------------------------------------------------------------- */

static void
admin_page(struct req *req, const char *notice, const char *secret)
{
	struct db_user *users;
	size_t          n;
	struct buf      b;

	if (db_user_list(req->hub->db, &users, &n) == -1) {
		respond_error(req, 500, "cannot list users");
		return;
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Admin", req->user.name, 1);
	buf_adds(&b, "<h1>Users</h1>");
	if (notice != NULL) {
		buf_adds(&b, "<div class=\"box\"><p>");
		html_add(&b, notice);
		buf_adds(&b, "</p>");
		if (secret != NULL) {
			buf_adds(&b, "<p class=\"secret\" id=\"secret\">");
			html_add(&b, secret);
			buf_adds(&b, "</p><p>It is shown only this once.</p>");
		}
		buf_adds(&b, "</div>");
	}
	buf_adds(&b,
	    "<table><tr><th>User</th><th>Admin</th><th>Server</th>"
	    "<th>Last activity</th><th></th></tr>");
	for (size_t i = 0; i < n; i++) {
		struct server *s =
		    hub_server(req->hub, users[i].name, strlen(users[i].name));
		char *a;

		buf_adds(&b, "<tr><td>");
		html_add(&b, users[i].name);
		buf_addf(&b, "</td><td>%s</td><td>",
		    users[i].admin ? "yes" : "no");
		buf_adds(&b, s ? server_state_name(s->state) : "not running");
		if (s != NULL)
			server_usage_text(s, &b); /* memory, CPU */
		buf_adds(&b, "</td><td>");
		time_text(&b,
		    s && s->last_activity ? s->last_activity
		                          : users[i].last_activity);
		buf_adds(&b, "</td><td>");
		if (s != NULL &&
		    (s->state == SERVER_READY || s->state == SERVER_PENDING)) {
			a = xasprintf("/hub/stop/%s", users[i].name);
			button_form(&b, req, a, "Stop", "quiet", NULL);
		} else {
			a = xasprintf("/hub/spawn/%s", users[i].name);
			button_form(&b, req, a, "Start", NULL, "/hub/admin");
		}
		free(a);
		a = xasprintf("/hub/admin/%s/%s",
		    users[i].admin ? "unadmin" : "admin", users[i].name);
		button_form(&b, req, a,
		    users[i].admin ? "Remove admin" : "Make admin", "quiet",
		    NULL);
		free(a);
		if (strcmp(users[i].name, req->user.name) != 0) {
			a = xasprintf("/hub/admin/delete/%s", users[i].name);
			button_form(&b, req, a, "Delete", "danger", NULL);
			free(a);
		}
		buf_adds(&b, "</td></tr>");
	}
	buf_adds(&b,
	    "</table><div class=\"box\"><h2>Add a user</h2>"
	    "<form method=\"post\" action=\"/hub/admin/add\">");
	hidden_xsrf(&b, req);
	buf_adds(&b,
	    "<label for=\"name\">Username</label><input id=\"name\" "
	    "name=\"name\" required pattern=\"[a-z0-9][a-z0-9._-]{0,31}\">"
	    "<label><input type=\"checkbox\" name=\"admin\" "
	    "value=\"yes\"> Admin</label><p><button type=\"submit\">"
	    "Add user</button></p></form></div>");
	html_end(&b);
	db_users_free(users, n);
	respond_page(req, 200, &b, NULL);
}

void
pages_admin_add(struct req *req)
{
	char       *name = field(req, "name"), *admin = field(req, "admin");
	char       *pw = NULL, *hash = NULL, *msg = NULL;
	const char *why;
	int         r;

	if (name == NULL || (why = username_error(name)) != NULL) {
		respond_error(req, 400,
		    name == NULL ? "a name is required" : why);
		goto out;
	}
	pw = password_generate();
	/* XXX: hashing here blocks the loop for one yescrypt; acceptable for
	 * an admin's rare action, unlike logins. */
	hash = password_hash(pw);
	if (hash == NULL) {
		respond_error(req, 500, "cannot hash the password");
		goto out;
	}
	r = db_user_add(req->hub->db, name, hash, admin != NULL);
	if (r != 0) {
		respond_error(req, r == 1 ? 409 : 500,
		    r == 1 ? "that user exists already"
		           : "cannot add the user");
		goto out;
	}
	log_info("admin %s added user %s", req->user.name, name);
	msg = xasprintf("Added %s. Their password:", name);
	admin_page(req, msg, pw);
out:
	free(name);
	free(admin);
	free_secret(pw);
	free(hash);
	free(msg);
}

void
pages_admin(struct req *req)
{
	admin_page(req, NULL, NULL);
}

/* The admin pages' actions end on the admin page; r from db.c. */
static void
admin_done(struct req *req, int r)
{
	if (r != 0) {
		respond_error(req, r == 1 ? 404 : 500, "no such user");
		return;
	}
	respond_redirect(req, "/hub/admin", NULL);
}

void
pages_admin_del(struct req *req)
{
	const char *name = req->arg[0];
	int         r;

	if (strcmp(name, req->user.name) == 0) {
		respond_error(req, 400, "you cannot delete yourself");
		return;
	}
	servers_drop_user(req->hub, name);
	r = username_valid(name) ? db_user_del(req->hub->db, name) : 1;
	if (r == 0)
		log_info("admin %s deleted user %s", req->user.name, name);
	admin_done(req, r);
}

void
pages_admin_on(struct req *req)
{
	const char *name = req->arg[0];

	admin_done(req,
	    username_valid(name) ? db_user_set_admin(req->hub->db, name, 1)
	                         : 1);
}

void
pages_admin_off(struct req *req)
{
	const char *name = req->arg[0];

	admin_done(req,
	    username_valid(name) ? db_user_set_admin(req->hub->db, name, 0)
	                         : 1);
}

/* --- tokens ------------------------------------------------------------ */

static void
token_page(struct req *req, const char *secret)
{
	struct db_token *t;
	size_t           n;
	struct buf       b;

	if (db_token_list(req->hub->db, req->user.id, &t, &n) == -1) {
		respond_error(req, 500, "cannot list tokens");
		return;
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Tokens", req->user.name, req->user.admin);
	buf_adds(&b, "<h1>API tokens</h1>");
	if (secret != NULL) {
		buf_adds(&b,
		    "<div class=\"box\"><p>Your new token:</p>"
		    "<p class=\"secret\" id=\"token\">");
		html_add(&b, secret);
		buf_adds(&b,
		    "</p><p>Copy it now: it is shown only this once."
		    "</p></div>");
	}
	buf_adds(&b,
	    "<div class=\"box\"><form method=\"post\" "
	    "action=\"/hub/token\">");
	hidden_xsrf(&b, req);
	buf_adds(&b,
	    "<label for=\"note\">Note</label><input id=\"note\" "
	    "name=\"note\" maxlength=\"200\"><p><button type=\"submit\">"
	    "Create a token</button></p></form></div>"
	    "<table><tr><th>Id</th><th>Note</th><th>Created</th>"
	    "<th>Last used</th><th></th></tr>");
	for (size_t i = 0; i < n; i++) {
		char action[64];

		buf_addf(&b, "<tr><td>a%lld</td><td>", (long long)t[i].id);
		html_add(&b, t[i].note);
		buf_adds(&b, "</td><td>");
		time_text(&b, t[i].created);
		buf_adds(&b, "</td><td>");
		time_text(&b, t[i].last_activity);
		buf_adds(&b, "</td><td>");
		snprintf(action, sizeof(action), "/hub/token/revoke/%lld",
		    (long long)t[i].id);
		button_form(&b, req, action, "Revoke", "danger", NULL);
		buf_adds(&b, "</td></tr>");
	}
	buf_adds(&b, "</table>");
	html_end(&b);
	db_tokens_free(t, n);
	respond_page(req, 200, &b, NULL);
}

void
pages_tokens(struct req *req)
{
	token_page(req, NULL);
}

void
pages_token_add(struct req *req)
{
	char   *note = field(req, "note"), *tok = token_new();
	char    hash[TOKEN_HASH_LEN + 1];
	int64_t id;

	if (note != NULL && strlen(note) > 200)
		note[200] = '\0';
	token_hash(tok, hash);
	if (db_token_add(req->hub->db, req->user.id, hash,
	        note != NULL ? note : "", &id) != 0)
		respond_error(req, 500, "cannot create the token");
	else
		token_page(req, tok);
	free(note);
	free_secret(tok);
}

void
pages_token_del(struct req *req)
{
	const char *id = req->arg[0];
	long long   n;

	if (parse_int(id, 1, INT64_MAX, &n) == -1 ||
	    db_token_del(req->hub->db, req->user.id, n) != 0) {
		respond_error(req, 404, "no such token");
		return;
	}
	respond_redirect(req, "/hub/token", NULL);
}

/* --- the rest ---------------------------------------------------------- */

void
pages_css(struct req *req)
{
	respond(req, 200, "text/css", NULL, html_css, strlen(html_css));
}

void
pages_logo(struct req *req)
{
	respond(req, 200, "image/svg+xml", NULL, html_logo_svg,
	    strlen(html_logo_svg));
}

void
pages_js(struct req *req)
{
	respond(req, 200, "text/javascript", NULL, html_spawn_js,
	    strlen(html_spawn_js));
}

/* Signed in already: on to where the login would have led. */
void
pages_login(struct req *req)
{
	if (auth_request(req)) {
		char *loc = after_login(req, &req->user);

		respond_redirect(req, loc, NULL);
		free(loc);
		return;
	}
	login_page(req, 200, NULL, NULL);
}

void
pages_to_home(struct req *req)
{
	respond_redirect(req, "/hub/home", NULL);
}

/* JupyterHub's "server not running" address. */
void
pages_user(struct req *req)
{
	const char *rest = req->arg[0];
	char       *loc =
	    xasprintf("/hub/spawn-pending/%.*s", (int)strcspn(rest, "/"), rest);

	respond_redirect(req, loc, NULL);
	free(loc);
}
