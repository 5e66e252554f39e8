/* SPDX-License-Identifier: MIT */
/*
 * What the hub's pages share (pages-internal.h): answering with a page,
 * reading a form's fields and the query, the session's _xsrf in a form,
 * one-button POST forms, times, and the user a /hub/x/NAME path names.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "html.h"
#include "hub.h"
#include "pages-internal.h"
#include "req.h"
#include "respond.h"
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
page_time(struct buf *b, int64_t t)
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

/* The user a /hub/x/NAME path names: the requester if NAME is empty or
 * missing, else NAME (the route let only its owner or an admin in).
 * Returns 0 and fills *u, or responds and returns -1. */
int
page_target_user(struct req *req, const char *name, struct db_user *u)
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
