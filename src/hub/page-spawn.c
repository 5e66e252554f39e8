/* SPDX-License-Identifier: MIT */
/*
 * The spawn page's options form (JupyterHub's options_form): with more
 * than one [profile NAME], a start asks first which kind of server, as a
 * list of radio buttons with the profiles' names and descriptions; the
 * choice is posted with the session's _xsrf to /hub/spawn[/NAME] and
 * reaches the server as user_options {"profile": "NAME"}. With one
 * profile or none there is nothing to ask: the page is then a single
 * Start button (a GET never starts a server: a cross-site link could).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "pages-internal.h"
#include "pages.h"
#include "profiles.h"
#include "req.h"
#include "lib/url.h"
#include "lib/util.h"
#include "lib/banned.h"

/* One radio button with its label and description. */
static void
profile_choice(struct buf *b, const struct profile *p, int checked)
{
	buf_adds(b,
	    "<div class=\"choice\"><input type=\"radio\" "
	    "name=\"profile\" id=\"profile-");
	html_add(b, p->name);
	buf_adds(b, "\" value=\"");
	html_add(b, p->name);
	buf_adds(b, "\" required");
	if (checked)
		buf_adds(b, " checked");
	if (p->description != NULL) {
		buf_adds(b, " aria-describedby=\"profile-");
		html_add(b, p->name);
		buf_adds(b, "-about\"");
	}
	buf_adds(b, "><label for=\"profile-");
	html_add(b, p->name);
	buf_adds(b, "\">");
	html_add(b, p->display_name != NULL ? p->display_name : p->name);
	buf_adds(b, "</label>");
	if (p->description != NULL) {
		buf_adds(b, "<span class=\"hint\" id=\"profile-");
		html_add(b, p->name);
		buf_adds(b, "-about\">");
		html_add(b, p->description);
		buf_adds(b, "</span>");
	}
	buf_adds(b, "</div>");
}

void
page_spawn_form(struct req *req, const struct db_user *u, const char *srv,
    int status, const char *error, const char *chosen, const char *next)
{
	const struct config  *cfg = req->hub->cfg;
	const struct profile *dflt = profile_default(cfg);
	struct buf            b;
	char                 *action;
	int                   own = u->id == req->user.id;

	action = srv[0] != '\0' ? xasprintf("/hub/spawn/%s/%s", u->name, srv)
	    : own               ? xstrdup("/hub/spawn")
	                        : xasprintf("/hub/spawn/%s", u->name);
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Server options", req->user.name, req->user.admin);
	buf_adds(&b, "<div class=\"box\"><h1>");
	if (srv[0] != '\0') {
		buf_adds(&b, "Start the server ");
		html_add(&b, srv);
		if (!own) {
			buf_adds(&b, " of ");
			html_add(&b, u->name);
		}
	} else if (own)
		buf_adds(&b, "Start my server");
	else {
		buf_adds(&b, "Start the server of ");
		html_add(&b, u->name);
	}
	buf_adds(&b, "</h1>");
	if (error != NULL) {
		buf_adds(&b, "<p class=\"error\" role=\"alert\">");
		html_add(&b, error);
		buf_adds(&b, "</p>");
	}
	buf_adds(&b, "<form method=\"post\" action=\"");
	html_add(&b, action);
	buf_adds(&b, "\">");
	page_hidden_xsrf(&b, req);
	if (next != NULL) {
		buf_adds(&b, "<input type=\"hidden\" name=\"next\" value=\"");
		html_add(&b, next);
		buf_adds(&b, "\">");
	}
	if (profiles_count(cfg) > 1) {
		buf_adds(&b,
		    "<fieldset><legend>Server options: choose a kind "
		    "of server</legend>");
		for (const struct profile *p = cfg->profiles; p != NULL;
		     p = p->next)
			profile_choice(&b, p,
			    chosen != NULL ? strcmp(chosen, p->name) == 0
			                   : p == dflt);
		buf_adds(&b, "</fieldset>");
	}
	buf_adds(&b, "<button type=\"submit\">Start</button></form></div>");
	html_end(&b);
	page_respond(req, status, &b, NULL);
	free(action);
}

void
pages_spawn_form(struct req *req)
{
	struct db_user u;
	char          *next, *safe;

	if (page_target_user(req, req->arg[0], &u) == -1)
		return;
	next = page_query(req, "next");
	safe = next_sanitize(next);
	page_spawn_form(req, &u, "", 200, NULL, NULL, safe);
	free(next);
	free(safe);
	db_user_release(&u);
}
