/* SPDX-License-Identifier: MIT */
/*
 * What the hub's pages share (pages-internal.h): answering with a page,
 * reading a form's fields and the query, the session's _xsrf in a form,
 * one-button POST forms, times, and the user a /hub/x/NAME path names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "pages-internal.h"
#include "servername.h"
#include "req.h"
#include "respond.h"
#include "users.h"
#include "lib/url.h"
#include "lib/util.h"

const char *
page_secure_attr(const struct req *req)
{
	return req->hub->ssl_ctx != NULL ? "; Secure" : "";
}

void
page_respond(struct req *req, int status, struct buf *page, const char *headers)
{
	respond(req, status, "text/html; charset=utf-8", headers, page->data,
	    page->len);
	buf_release(page);
}

/* A form field from the body; caller frees result. */
char *
page_field(const struct req *req, const char *name)
{
	return form_get(buf_str(&req->body), req->body.len, name);
}

char *
page_query(const struct req *req, const char *name)
{
	return form_get(req->query, strlen(req->query), name);
}

void
page_hidden_xsrf(struct buf *b, const struct req *req)
{
	buf_adds(b, "<input type=\"hidden\" name=\"_xsrf\" value=\"");
	html_add(b, req->xsrf);
	buf_adds(b, "\">");
}

/* A POST form with one button. */
void
page_button_form(struct buf *b, const struct req *req, const char *action,
    const char *label, const char *cls, const char *next)
{
	buf_adds(b, "<form class=\"inline\" method=\"post\" action=\"");
	html_add(b, action);
	buf_adds(b, "\">");
	page_hidden_xsrf(b, req);
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

void
page_link_button(struct buf *b, const char *href, const char *label,
    const char *cls)
{
	buf_addf(b, "<a class=\"button%s%s\" href=\"", cls ? " " : "",
	    cls ? cls : "");
	html_add(b, href);
	buf_adds(b, "\">");
	html_add(b, label);
	buf_adds(b, "</a> ");
}

/* UTC in the page, which rig.js shows in the browser's own time, keeping
 * UTC as the element's title (what a pointer over it shows). */
void
page_time(struct buf *b, int64_t t)
{
	char iso[40], text[40];

	if (t <= 0) {
		buf_adds(b, "never");
		return;
	}
	iso_time(t, iso, sizeof(iso));
	iso[19] = '\0';
	snprintf(text, sizeof(text), "%.10s %.8s UTC", iso, iso + 11);
	buf_addf(b, "<time datetime=\"%sZ\" title=\"%s\">%s</time>", iso, text,
	    text);
}

const char *
page_plural(long long n)
{
	return n == 1 ? "" : "s";
}

/* The session's XSRF token bound to one action: what only the action's
 * confirmation page carries. */
static void
confirm_token(const struct req *req, const char *action,
    char out[TOKEN_HASH_LEN + 1])
{
	char *s =
	    xasprintf("confirm %s %s", req->xsrf ? req->xsrf : "", action);

	token_hash(s, out);
	free_secret(s);
}

int
page_confirmed(const struct req *req, const char *action)
{
	char  want[TOKEN_HASH_LEN + 1];
	char *got = page_field(req, "confirm");
	int   ok;

	confirm_token(req, action, want);
	ok = got != NULL && secret_equal(got, want);
	free(got);
	return ok;
}

void
page_confirm(struct req *req, const char *title, const char *question,
    const char *action, const char *button, const char *cancel)
{
	struct buf b;
	char       tok[TOKEN_HASH_LEN + 1];

	confirm_token(req, action, tok);
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, title, req->user.name, req->user.admin);
	buf_adds(&b, "<div class=\"box\"><h1>");
	html_add(&b, title);
	buf_adds(&b, "</h1><p>");
	html_add(&b, question);
	buf_adds(&b, "</p><form class=\"inline\" method=\"post\" action=\"");
	html_add(&b, action);
	buf_adds(&b, "\">");
	page_hidden_xsrf(&b, req);
	buf_addf(&b,
	    "<input type=\"hidden\" name=\"confirm\" value=\"%s\">"
	    "<button type=\"submit\" class=\"danger\">",
	    tok);
	html_add(&b, button);
	buf_adds(&b, "</button></form> <a class=\"button quiet\" href=\"");
	html_add(&b, cancel);
	buf_adds(&b, "\">Cancel</a></div>");
	html_end(&b);
	page_respond(req, 200, &b, NULL);
}

/* The user a /hub/x/NAME path names: the requester if NAME is empty or
 * missing, else NAME (the route let only its owner or an admin in).
 * Returns 0 and fills *u, or responds and returns -1. */
int
page_target_user(struct req *req, const char *name, struct db_user *u)
{
	memset(u, 0, sizeof(*u));
	if (name == NULL || *name == '\0' || strcmp(name, req->user.name) == 0)
		return db_user_get_id(req->hub->db, req->user.id, u) == 0
		    ? 0
		    : (respond_error(req, 500, "user vanished"), -1);
	return users_get(req, name, u);
}

int
page_target_server(struct req *req, const char *arg, struct db_user *u,
    char *srv)
{
	const char *slash = arg != NULL ? strchr(arg, '/') : NULL;
	char        name[64];

	srv[0] = '\0';
	if (slash == NULL)
		return page_target_user(req, arg, u);
	if ((size_t)(slash - arg) >= sizeof(name) ||
	    server_name_check(slash + 1) != NULL) {
		respond_error(req, 404, "no such server");
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(slash - arg), arg);
	snprintf(srv, SERVER_NAME_MAX + 1, "%s", slash + 1);
	return page_target_user(req, name, u);
}
