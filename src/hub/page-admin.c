/* SPDX-License-Identifier: MIT */
/*
 * The admin page: the users, their servers, adding and deleting users and
 * their admin right. Only admins get here (routes.c).
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "lib/log.h"
#include "pages-internal.h"
#include "pages.h"
#include "req.h"
#include "respond.h"
#include "server.h"
#include "lib/util.h"

static void admin_page(struct req *req, const char *notice, const char *secret);
static void admin_done(struct req *req, int r);

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
		page_time(&b,
		    s && s->last_activity ? s->last_activity
		                          : users[i].last_activity);
		buf_adds(&b, "</td><td>");
		if (s != NULL &&
		    (s->state == SERVER_READY || s->state == SERVER_PENDING)) {
			a = xasprintf("/hub/stop/%s", users[i].name);
			page_button_form(&b, req, a, "Stop", "quiet", NULL);
		} else {
			a = xasprintf("/hub/spawn/%s", users[i].name);
			page_button_form(&b, req, a, "Start", NULL,
			    "/hub/admin");
		}
		free(a);
		a = xasprintf("/hub/admin/%s/%s",
		    users[i].admin ? "unadmin" : "admin", users[i].name);
		page_button_form(&b, req, a,
		    users[i].admin ? "Remove admin" : "Make admin", "quiet",
		    NULL);
		free(a);
		if (strcmp(users[i].name, req->user.name) != 0) {
			a = xasprintf("/hub/admin/delete/%s", users[i].name);
			page_button_form(&b, req, a, "Delete", "danger", NULL);
			free(a);
		}
		buf_adds(&b, "</td></tr>");
	}
	buf_adds(&b,
	    "</table><div class=\"box\"><h2>Add a user</h2>"
	    "<form method=\"post\" action=\"/hub/admin/add\">");
	page_hidden_xsrf(&b, req);
	buf_adds(&b,
	    "<label for=\"name\">Username</label><input id=\"name\" "
	    "name=\"name\" required pattern=\"[a-z0-9][a-z0-9._-]{0,31}\">"
	    "<label><input type=\"checkbox\" name=\"admin\" "
	    "value=\"yes\"> Admin</label><p><button type=\"submit\">"
	    "Add user</button></p></form></div>");
	html_end(&b);
	db_users_free(users, n);
	page_respond(req, 200, &b, NULL);
}

void
pages_admin_add(struct req *req)
{
	char *name = page_field(req, "name"), *admin = page_field(req, "admin");
	char *pw = NULL, *hash = NULL, *msg = NULL;
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
