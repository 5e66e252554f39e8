/* SPDX-License-Identifier: MIT */
/*
 * The home page's named servers (allow_named_servers): each with its
 * state and last activity, a link to it when it runs, and buttons to
 * start, stop or delete it (POST forms with the session's _xsrf), then a
 * field to add one while named_server_limit_per_user allows.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "pages-internal.h"
#include "req.h"
#include "server.h"
#include "servername.h"
#include "lib/util.h"

static void named_row(struct buf *, struct req *, const struct db_server *);

static void
named_row(struct buf *b, struct req *req, const struct db_server *row)
{
	const char       *user = req->user.name, *srv = row->name;
	struct server    *s = hub_server(req->hub, user, strlen(user), srv);
	enum server_state st = s != NULL ? s->state : row->state;
	char             *a, *url;

	buf_adds(b, "<tr data-server=\"");
	html_add(b, srv);
	buf_adds(b, "\"><td>");
	html_add(b, srv);
	buf_addf(b, "</td><td class=\"state\">%s</td><td>",
	    server_state_name(st));
	page_time(b,
	    s != NULL && s->last_activity ? s->last_activity
	                                  : row->last_activity);
	buf_adds(b, "</td><td>");
	if (st == SERVER_READY) {
		url = server_url(user, srv);
		a = xasprintf("%stree", url);
		page_link_button(b, a, "Open", NULL);
		free(a);
		free(url);
	}
	if (st == SERVER_READY || st == SERVER_PENDING) {
		a = xasprintf("/hub/stop/%s/%s", user, srv);
		page_button_form(b, req, a, "Stop", "quiet", NULL);
		free(a);
	} else if (st != SERVER_STOPPING) {
		a = xasprintf("/hub/spawn/%s/%s", user, srv);
		page_button_form(b, req, a, "Start", NULL, NULL);
		free(a);
	}
	a = xasprintf("/hub/remove/%s/%s", user, srv);
	page_button_form(b, req, a, "Delete", "danger", NULL);
	free(a);
	buf_adds(b, "</td></tr>");
}

void
page_named_servers(struct buf *b, struct req *req)
{
	struct db_server *rows = NULL;
	size_t            n = 0, named = 0;
	int               limit = req->hub->cfg->named_server_limit_per_user;

	buf_adds(b,
	    "<div class=\"box\" id=\"named-servers\"><h2>Named "
	    "servers</h2>");
	if (db_server_list_user(req->hub->db, req->user.id, &rows, &n) == -1)
		buf_adds(b, "<p class=\"error\">Cannot read your servers.</p>");
	for (size_t i = 0; i < n; i++)
		if (rows[i].name[0] != '\0')
			named++;
	if (named > 0) {
		buf_adds(b,
		    "<table><thead><tr><th>Name</th><th>Status</th>"
		    "<th>Last activity</th><th></th></tr></thead>"
		    "<tbody>");
		for (size_t i = 0; i < n; i++)
			if (rows[i].name[0] != '\0')
				named_row(b, req, &rows[i]);
		buf_adds(b, "</tbody></table>");
	}
	db_servers_free(rows, n);
	if (limit > 0 && named >= (size_t)limit) {
		buf_addf(b,
		    "<p>You have the most named servers allowed (%d): "
		    "delete one to add another.</p></div>",
		    limit);
		return;
	}
	buf_adds(b,
	    "<form method=\"post\" action=\"/hub/spawn\" "
	    "class=\"inline\">");
	page_hidden_xsrf(b, req);
	buf_addf(b,
	    "<label for=\"server_name\">New server</label> "
	    "<input id=\"server_name\" name=\"server_name\" required "
	    "maxlength=\"%d\" pattern=\"[a-z0-9]([a-z0-9._\\-]*[a-z0-9])?\" "
	    "autocomplete=\"off\"> <button type=\"submit\">Add new "
	    "server</button></form></div>",
	    SERVER_NAME_MAX);
}
