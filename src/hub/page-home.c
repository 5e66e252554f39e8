/* SPDX-License-Identifier: MIT */
/*
 * The user's own pages: home (my server), starting and stopping a server
 * and the spawn-pending page that follows a start's progress.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "db.h"
#include "html.h"
#include "lib/log.h"
#include "hub.h"
#include "pages-internal.h"
#include "pages.h"
#include "progress.h"
#include "req.h"
#include "respond.h"
#include "profiles.h"
#include "server.h"
#include "serverend.h"
#include "spawn-options.h"
#include "servername.h"
#include "users.h"
#include "lib/url.h"
#include "lib/util.h"

/*
 * Home: the user's server and what can be done with it. While it starts
 * or stops, rig.js asks for the user's state each second and shows the
 * page again when it changed (without a script, the page refreshes).
 */
void
pages_home(struct req *req)
{
	struct buf     b;
	struct server *s =
	    hub_server(req->hub, req->user.name, strlen(req->user.name), "");
	const char *state = s != NULL ? server_state_name(s->state) : "stopped";
	const char *why;
	char       *url;

	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Home", req->user.name, req->user.admin);
	buf_addf(&b,
	    "<div class=\"box\"><h1>My server</h1><p>Status: "
	    "<b id=\"state\" data-state=\"%s\">%s</b></p><p>Last activity: ",
	    state, s != NULL ? state : "not running");
	page_time(&b,
	    s != NULL && s->last_activity ? s->last_activity
	                                  : req->user.last_activity);
	buf_adds(&b, "</p><p>");
	if (s != NULL && s->state == SERVER_READY) {
		url = xasprintf("/user/%s/tree", req->user.name);
		page_link_button(&b, url, "Open my server", NULL);
		free(url);
		page_button_form(&b, req, "/hub/stop", "Stop my server",
		    "danger", NULL);
	} else if (s != NULL && s->state == SERVER_PENDING) {
		url = xasprintf("/hub/spawn-pending/%s", req->user.name);
		buf_adds(&b, "<a href=\"");
		html_add(&b, url);
		buf_adds(&b,
		    "\">Starting: follow its progress</a><noscript><meta "
		    "http-equiv=\"refresh\" content=\"2\"></noscript>");
		free(url);
	} else if (s != NULL && s->state == SERVER_STOPPING) {
		buf_adds(&b,
		    "It is stopping; you can start it again once it "
		    "stopped.<noscript><meta http-equiv=\"refresh\" "
		    "content=\"2\"></noscript>");
	} else {
		if (s != NULL && s->state == SERVER_FAILED && s->error) {
			buf_adds(&b,
			    "<span class=\"error\">Last start failed: ");
			html_add(&b, s->error);
			buf_adds(&b, "</span></p><p>");
		}
		if (s == NULL &&
		    (why = serverend_why(req->user.name)) != NULL) {
			buf_adds(&b,
			    "<span class=\"error\" id=\"ended\">Your server "
			    "stopped on its own: it ");
			html_add(&b, why);
			buf_adds(&b, "</span></p><p>");
		}
		/* With profiles to choose from, the options form first. */
		if (profiles_count(req->hub->cfg) > 1)
			page_link_button(&b, "/hub/spawn", "Start my server",
			    NULL);
		else
			page_button_form(&b, req, "/hub/spawn",
			    "Start my server", NULL, NULL);
	}
	buf_adds(&b, "</p></div>");
	if (req->hub->cfg->allow_named_servers)
		page_named_servers(&b, req);
	html_end(&b);
	page_respond(req, 200, &b, NULL);
}

/*
 * POST /hub/spawn[/NAME[/SRV]]: the default server, or named server SRV
 * (also the home page's add form: /hub/spawn with a server_name field).
 * With several profiles the form's choice comes along ('profile'); a
 * post without one (the pending page's "Start the server", an old page)
 * gets the form to choose first.
 */
void
pages_spawn(struct req *req)
{
	struct db_user       u;
	struct spawn_options opts;
	const char          *err;
	char                *next = NULL, *safe = NULL, *loc, *enc, *field;
	char                *profile = NULL, why[256];
	char                 srv[SERVER_NAME_MAX + 1];
	json_t              *j;
	int                  r;

	memset(&opts, 0, sizeof(opts));
	if (page_target_server(req, req->arg[0], &u, srv) == -1)
		return;
	field = req->arg[0] == NULL ? page_field(req, "server_name") : NULL;
	if (field != NULL && field[0] != '\0') {
		err = server_name_check(field);
		if (err == NULL && !req->hub->cfg->allow_named_servers)
			err = "Named servers are not enabled.";
		if (err != NULL) {
			respond_error(req, 400, err);
			goto out;
		}
		snprintf(srv, sizeof(srv), "%s", field);
	}
	next = page_field(req, "next");
	safe = next_sanitize(next);
	profile = page_field(req, "profile");
	if (profile == NULL && profiles_count(req->hub->cfg) > 1) {
		page_spawn_form(req, &u, srv, 200, NULL, NULL, safe);
		goto out;
	}
	j = profile != NULL ? json_pack("{s:s}", "profile", profile) : NULL;
	r = spawn_options_parse(req->hub->cfg, j, &opts, why, sizeof(why));
	json_decref(j);
	if (r == -1) {
		page_spawn_form(req, &u, srv, 400, why, NULL, safe);
		goto out;
	}
	if (users_start_with(req, &u, srv, &opts, &err) == -1) {
		respond_error(req, 409, err);
		goto out;
	}
	enc = url_encode(safe != NULL ? safe : "", 1);
	loc = xasprintf("/hub/spawn-pending/%s%s%s%s%s", u.name,
	    srv[0] != '\0' ? "/" : "", srv, safe != NULL ? "?next=" : "",
	    safe != NULL ? enc : "");
	respond_redirect(req, loc, NULL);
	free(loc);
	free(enc);
out:
	spawn_options_release(&opts);
	free(profile);
	free(next);
	free(safe);
	free(field);
	db_user_release(&u);
}

/* Back to where the stop or removal was asked: an admin's other user is on
 * the admin page. */
static const char *
back_page(const struct req *req, const struct db_user *u)
{
	return strcmp(u->name, req->user.name) != 0 ? "/hub/admin"
	                                            : "/hub/home";
}

void
pages_stop(struct req *req)
{
	struct db_user u;
	struct server *s;
	char           srv[SERVER_NAME_MAX + 1];

	if (page_target_server(req, req->arg[0], &u, srv) == -1)
		return;
	s = hub_server(req->hub, u.name, strlen(u.name), srv);
	if (s != NULL)
		server_stop(s);
	respond_redirect(req, back_page(req, &u), NULL);
	db_user_release(&u);
}

/* POST /hub/remove/NAME/SRV: a named server stops and goes. */
void
pages_remove(struct req *req)
{
	struct db_user u;
	char           srv[SERVER_NAME_MAX + 1];

	if (page_target_server(req, req->arg[0], &u, srv) == -1)
		return;
	if (srv[0] == '\0') {
		respond_error(req, 400, "Cannot delete the default server");
		db_user_release(&u);
		return;
	}
	if (server_forget_named(req->hub, &u, srv) == 1) {
		respond_error(req, 404, "no such server");
		db_user_release(&u);
		return;
	}
	log_info("server %s/%s: removed by %s", u.name, srv, req->user.name);
	respond_redirect(req, back_page(req, &u), NULL);
	db_user_release(&u);
}

void
pages_pending(struct req *req)
{
	struct db_user u;
	struct server *s;
	struct buf     b;
	char          *next, *safe, *dflt, *base, *action;
	char           srv[SERVER_NAME_MAX + 1], label[80];

	if (page_target_server(req, req->arg[0], &u, srv) == -1)
		return;
	s = hub_server(req->hub, u.name, strlen(u.name), srv);
	snprintf(label, sizeof(label), "%s%s%s", u.name,
	    srv[0] != '\0' ? "/" : "", srv);
	next = page_query(req, "next");
	safe = next_sanitize(next);
	base = server_url(u.name, srv);
	dflt = xasprintf("%stree", base);
	action = xasprintf("/hub/spawn/%s", label);
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
		char       *purl = srv[0] == '\0'
		          ? xasprintf("/hub/api/users/%s/server/progress", u.name)
		          : xasprintf("/hub/api/users/%s/servers/%s/progress", u.name,
		                srv);
		const char *msg;
		char       *tail;
		int         pct;

		buf_adds(&b, "<h1>Starting the server of ");
		html_add(&b, label);
		buf_adds(&b, "</h1><div id=\"progress\" data-url=\"");
		html_add(&b, purl);
		buf_adds(&b, "\" data-next=\"");
		html_add(&b, safe);
		buf_adds(&b, "\"><progress id=\"bar\" max=\"100\" value=\"");
		pct = server_progress_latest(s, &msg);
		buf_addf(&b, "%d", pct);
		buf_adds(&b, "\"></progress><p id=\"message\">");
		html_add(&b, msg != NULL ? msg : "Starting");
		buf_adds(&b, "</p></div>");
		tail = server_log_tail(s, 20);
		if (tail[0] != '\0') {
			buf_adds(&b, "<p>Its log so far:</p><pre id=\"log\">");
			html_add(&b, tail);
			buf_adds(&b, "</pre>");
		}
		free(tail);
		buf_adds(&b,
		    "<noscript><meta http-equiv=\"refresh\" "
		    "content=\"2\"></noscript>");
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
		page_button_form(&b, req, action, "Try again", NULL, safe);
	} else {
		buf_adds(&b, "<h1>Server not running</h1><p>The server of ");
		html_add(&b, label);
		buf_adds(&b, " is not running.</p>");
		if (s != NULL && s->state == SERVER_STOPPING)
			buf_adds(&b,
			    "<p>It is stopping; start it again in a "
			    "moment.</p><noscript></noscript>");
		page_button_form(&b, req, action, "Start the server", NULL,
		    safe);
	}
	buf_adds(&b, "</div>");
	html_end(&b);
	page_respond(req, 200, &b, NULL);
out:
	free(next);
	free(safe);
	free(dflt);
	free(base);
	free(action);
	db_user_release(&u);
}

void
pages_to_home(struct req *req)
{
	respond_redirect(req, "/hub/home", NULL);
}

/* JupyterHub's "server not running" address: /hub/user/NAME[/SRV]/...,
 * SRV if NAME has a named server of that name. */
void
pages_user(struct req *req)
{
	const char *rest = req->arg[0];
	size_t      ulen = strcspn(rest, "/"), slen = 0;
	char        user[64], srv[SERVER_NAME_MAX + 1];
	char       *loc;

	if (req->hub->cfg->allow_named_servers && rest[ulen] == '/' &&
	    ulen < sizeof(user)) {
		slen = strcspn(rest + ulen + 1, "/");
		if (slen > SERVER_NAME_MAX)
			slen = 0;
		else {
			memcpy(user, rest, ulen);
			user[ulen] = '\0';
			memcpy(srv, rest + ulen + 1, slen);
			srv[slen] = '\0';
			if (server_name_check(srv) != NULL ||
			    db_server_named(req->hub->db, user, srv) != 1)
				slen = 0;
		}
	}
	loc = slen > 0
	    ? xasprintf("/hub/spawn-pending/%.*s", (int)(ulen + 1 + slen), rest)
	    : xasprintf("/hub/spawn-pending/%.*s", (int)ulen, rest);
	respond_redirect(req, loc, NULL);
	free(loc);
}
