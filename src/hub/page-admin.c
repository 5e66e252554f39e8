/* SPDX-License-Identifier: MIT */
/*
 * The admin page: the users, their servers, adding and deleting users and
 * their admin right. Only admins get here (routes.c). Adding a user ends
 * in a redirect to the page, which shows the new password once (a reload
 * adds no one); deleting asks first (page_confirm()); a refused form comes
 * back with what was typed in it.
 */
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "lib/log.h"
#include "oneuser.h"
#include "pages-internal.h"
#include "pages.h"
#include "poolquery.h"
#include "req.h"
#include "respond.h"
#include "server.h"
#include "users.h"
#include "lib/util.h"

#define ADMIN_PAGE "/hub/admin"

/* What the add form held when it is shown again. */
struct add_form {
	const char *error;
	const char *name;
	int         admin;
};

static void admin_page(struct req *, int status, const struct add_form *);
static void user_row(struct buf *, struct req *, const struct db_user *);
static void named_states(struct buf *, struct req *, const struct db_user *);
static void add_form(struct buf *, struct req *, const struct add_form *);
static void set_admin(struct req *, int on);
static void admin_pool_cb(void *, json_t *);

/* The user's named servers, each with its state and a button to stop a
 * running one. */
static void
named_states(struct buf *b, struct req *req, const struct db_user *u)
{
	struct db_server *rows = NULL;
	size_t            n = 0;

	if (db_server_list_user(req->hub->db, u->id, &rows, &n) == -1)
		return;
	for (size_t i = 0; i < n; i++) {
		const char    *srv = rows[i].name;
		struct server *s;
		char          *a;

		if (srv[0] == '\0')
			continue;
		s = hub_server(req->hub, u->name, strlen(u->name), srv);
		buf_adds(b, "<div class=\"named\" data-server=\"");
		html_add(b, srv);
		buf_adds(b, "\">");
		html_add(b, srv);
		buf_addf(b, ": %s ",
		    server_state_name(s != NULL ? s->state : rows[i].state));
		if (s != NULL &&
		    (s->state == SERVER_READY || s->state == SERVER_PENDING)) {
			a = xasprintf("/hub/stop/%s/%s", u->name, srv);
			page_button_form(b, req, a, "Stop", "quiet", NULL);
			free(a);
		}
		buf_adds(b, "</div>");
	}
	db_servers_free(rows, n);
}

static void
user_row(struct buf *b, struct req *req, const struct db_user *u)
{
	struct server *s = hub_server(req->hub, u->name, strlen(u->name), "");
	int            self = strcmp(u->name, req->user.name) == 0;
	char          *a;

	buf_adds(b, "<tr><td>");
	html_add(b, u->name);
	buf_addf(b, "</td><td>%s</td><td>", u->admin ? "yes" : "no");
	buf_adds(b, s ? server_state_name(s->state) : "not running");
	if (s != NULL)
		server_usage_text(s, b); /* memory, CPU */
	named_states(b, req, u);
	buf_adds(b, "</td><td>");
	page_time(b,
	    s && s->last_activity ? s->last_activity : u->last_activity);
	buf_adds(b, "</td><td>");
	if (s != NULL &&
	    (s->state == SERVER_READY || s->state == SERVER_PENDING)) {
		a = xasprintf("/hub/stop/%s", u->name);
		page_button_form(b, req, a, "Stop", "quiet", NULL);
	} else {
		a = xasprintf("/hub/spawn/%s", u->name);
		page_button_form(b, req, a, "Start", NULL, ADMIN_PAGE);
	}
	free(a);
	/* One's own admin right is another admin's to take (users.c). */
	if (!u->admin || !self) {
		a = xasprintf("/hub/admin/%s/%s",
		    u->admin ? "unadmin" : "admin", u->name);
		page_button_form(b, req, a,
		    u->admin ? "Remove admin" : "Make admin", "quiet", NULL);
		free(a);
	}
	if (!self) {
		/* With pam the passwords are the Unix accounts'. */
		if (req->hub->cfg->authenticator == AUTH_LOCAL) {
			a = xasprintf("/hub/admin/password/%s", u->name);
			page_link_button(b, a, "Reset password", "quiet");
			free(a);
		}
		a = xasprintf("/hub/admin/delete/%s", u->name);
		page_link_button(b, a, "Delete", "danger");
		free(a);
	}
	buf_adds(b, "</td></tr>");
}

static void
add_form(struct buf *b, struct req *req, const struct add_form *f)
{
	size_t max = account_user_max(req->hub->cfg->user_prefix);

	buf_adds(b, "<div class=\"box\"><h2>Add a user</h2>");
	if (req->hub->cfg->authenticator == AUTH_PAM)
		buf_adds(b,
		    "<p>A Unix account of this machine, who signs in with its "
		    "own password (users are also added at their first "
		    "login).</p>");
	if (f != NULL && f->error != NULL) {
		buf_adds(b, "<p class=\"error\" role=\"alert\">");
		html_add(b, f->error);
		buf_adds(b, "</p>");
	}
	buf_adds(b, "<form method=\"post\" action=\"/hub/admin/add\">");
	page_hidden_xsrf(b, req);
	/* The browser's check of the rule the hub applies (accounts.c),
	 * written for the `v` flag pattern attributes are compiled with:
	 * '-' escaped in a class. */
	buf_addf(b,
	    "<label for=\"name\">Username</label><input id=\"name\" "
	    "name=\"name\" required autocapitalize=\"none\" maxlength=\"%zu\" "
	    "pattern=\"[a-z0-9_][a-z0-9._\\-]{0,%zu}\" "
	    "title=\"lower-case letters, digits, '.', '_' and '-', at most %zu\" "
	    "value=\"",
	    max, max > 0 ? max - 1 : 0, max);
	html_add(b, f != NULL && f->name != NULL ? f->name : "");
	buf_addf(b,
	    "\"><label><input type=\"checkbox\" name=\"admin\" "
	    "value=\"yes\"%s> Admin</label><p><button type=\"submit\">"
	    "Add user</button></p></form></div>",
	    f != NULL && f->admin ? " checked" : "");
}

static void
admin_page(struct req *req, int status, const struct add_form *f)
{
	struct db_user *users;
	size_t          n;
	struct buf      b;
	char           *notice, *secret;

	if (db_user_list(req->hub->db, &users, &n) == -1) {
		respond_error(req, 500, "cannot list users");
		return;
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Admin", req->user.name, 1);
	buf_adds(&b, "<h1>Users</h1>");
	if (page_flash_take(req, ADMIN_PAGE, &notice, &secret)) {
		buf_adds(&b, "<div class=\"box\" role=\"status\">");
		page_made_paras(&b, notice, secret);
		buf_adds(&b, "</div>");
		free_secret(notice);
		free_secret(secret);
	}
	buf_adds(&b,
	    "<table><tr><th>User</th><th>Admin</th><th>Server</th>"
	    "<th>Last activity</th><th></th></tr>");
	for (size_t i = 0; i < n; i++)
		user_row(&b, req, &users[i]);
	buf_adds(&b, "</table>");
	add_form(&b, req, f);
	if (poolquery_enabled(req->hub))
		page_pool_section(&b, poolquery_last());
	html_end(&b);
	db_users_free(users, n);
	page_respond(req, status, &b, NULL);
}

/* The pool's view is in: the page with it. */
static void
admin_pool_cb(void *arg, json_t *view)
{
	struct req *req = arg;

	(void)view; /* poolquery_last() now */
	req->busy = 0;
	if (req->conn == NULL) { /* left while Slurm was asked */
		req_free(req);
		return;
	}
	admin_page(req, 200, NULL);
}

/* With a pool, the page waits for a fresh view of it (other answers,
 * after a form, show the last one). */
void
pages_admin(struct req *req)
{
	if (poolquery_enabled(req->hub)) {
		req->busy = 1;
		if (poolquery_get(req->hub, admin_pool_cb, req) == 0)
			return;
		req->busy = 0;
	}
	admin_page(req, 200, NULL);
}

void
pages_admin_add(struct req *req)
{
	char *name = page_field(req, "name"), *admin = page_field(req, "admin");
	char *pw = NULL, *hash = NULL, *msg = NULL, why[160];
	struct add_form f = { .name = name, .admin = admin != NULL };
	int             r;

	f.error = name == NULL ? "a name is required"
	                       : account_user_error(req->hub->cfg->user_prefix,
	                             name, why, sizeof(why));
	if (f.error != NULL) {
		admin_page(req, 400, &f);
		goto out;
	}
	if (oneuser_may_add(req->hub->db, req->hub->is_root) == -1) {
		f.error = ONEUSER_WHY;
		admin_page(req, 403, &f);
		goto out;
	}
	if (req->hub->cfg->authenticator == AUTH_PAM) {
		struct passwd *acct;

		/* The machine's account, not one rig makes. */
		if (account_lookup(name, &acct) != 1) {
			f.error = "there is no Unix account of that name for a "
			          "person on this machine";
			admin_page(req, 400, &f);
			goto out;
		}
		hash = xstrdup("");
	} else {
		pw = password_generate();
		/* XXX: hashing here blocks the loop for one yescrypt;
		 * acceptable for an admin's rare action, unlike logins. */
		hash = password_hash(pw);
	}
	if (hash == NULL) {
		respond_error(req, 500, "cannot hash the password");
		goto out;
	}
	r = db_user_add(req->hub->db, name, hash, admin != NULL);
	if (r != 0) {
		f.error =
		    r == 1 ? "that user exists already" : "cannot add the user";
		admin_page(req, r == 1 ? 409 : 500, &f);
		goto out;
	}
	log_info("admin %s added user %s", req->user.name, name);
	/* POST/redirect/GET: the page shows the password once. */
	msg = pw != NULL ? xasprintf("Added %s. Their password:", name)
	                 : xasprintf("Added %s, who signs in with the Unix "
	                             "account's password.",
	                       name);
	page_made(req, ADMIN_PAGE, msg, pw);
out:
	free(name);
	free(admin);
	free_secret(pw);
	free(hash);
	free(msg);
}

/* GET shows the question; a POST deletes only with the confirmation. */
void
pages_admin_del(struct req *req)
{
	const char    *name = req->arg[0];
	struct db_user u;
	char          *action, *q, *msg;
	int            r;

	if (strcmp(name, req->user.name) == 0) {
		respond_error(req, 400, "you cannot delete yourself");
		return;
	}
	if (users_get(req, name, &u) == -1)
		return;
	db_user_release(&u);
	action = xasprintf("/hub/admin/delete/%s", name);
	if (!http_method_is(&req->head, "POST") ||
	    !page_confirmed(req, action)) {
		q = req->hub->cfg->authenticator != AUTH_LOCAL
		    ? xasprintf("Delete the user %s and stop their server? "
		                "Their Unix account and its files stay.",
		          name)
		    : xasprintf("Delete the user %s, their server and, when "
		                "the hub runs as root, their Unix account and "
		                "its home? This cannot be undone.",
		          name);
		page_confirm(req, "Delete a user", q, action, "Delete",
		    ADMIN_PAGE);
		free(q);
		free(action);
		return;
	}
	free(action);
	servers_drop_user(req->hub, name);
	r = db_user_del(req->hub->db, name);
	if (r != 0) {
		respond_error(req, r == 1 ? 404 : 500, "no such user");
		return;
	}
	log_info("admin %s deleted user %s", req->user.name, name);
	msg = xasprintf("Deleted %s.", name);
	page_made(req, ADMIN_PAGE, msg, NULL);
	free(msg);
}

static void
set_admin(struct req *req, int on)
{
	const char *err = NULL;
	int         r = users_set_admin(req, req->arg[0], on, &err);

	if (r == 0)
		respond_redirect(req, ADMIN_PAGE, NULL);
	else if (r == 2)
		respond_error(req, 409, err);
	else
		respond_error(req, r == 1 ? 404 : 500, "no such user");
}

void
pages_admin_on(struct req *req)
{
	set_admin(req, 1);
}

void
pages_admin_off(struct req *req)
{
	set_admin(req, 0);
}
