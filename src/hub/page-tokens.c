/* SPDX-License-Identifier: MIT */
/*
 * The token page: a user's API tokens, a new one shown once, revoking.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "pages-internal.h"
#include "pages.h"
#include "req.h"
#include "respond.h"
#include "lib/util.h"

#define TOKEN_PAGE "/hub/token"
#define NOTE_MAX 200

static void token_page(struct req *, int status, const char *error,
    const char *note);

/* The list, the form (with 'error' and the 'note' typed, when it comes
 * back refused) and a new token, shown once after the POST's redirect. */
static void
token_page(struct req *req, int status, const char *error, const char *note)
{
	struct db_token *t;
	size_t           n;
	struct buf       b;
	char            *notice, *secret;

	if (db_token_list(req->hub->db, req->user.id, &t, &n) == -1) {
		respond_error(req, 500, "cannot list tokens");
		return;
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Tokens", req->user.name, req->user.admin);
	buf_adds(&b, "<h1>API tokens</h1>");
	if (page_flash_take(req, TOKEN_PAGE, &notice, &secret)) {
		buf_adds(&b, "<div class=\"box\" role=\"status\"><p>");
		html_add(&b, notice);
		buf_adds(&b, "</p>");
		if (secret != NULL) {
			buf_adds(&b, "<p class=\"secret\" id=\"token\">");
			html_add(&b, secret);
			buf_adds(&b,
			    "</p><p>Copy it now: it is shown only this once."
			    "</p>");
		}
		buf_adds(&b, "</div>");
		free_secret(notice);
		free_secret(secret);
	}
	buf_adds(&b, "<div class=\"box\">");
	if (error != NULL) {
		buf_adds(&b, "<p class=\"error\" role=\"alert\">");
		html_add(&b, error);
		buf_adds(&b, "</p>");
	}
	buf_adds(&b, "<form method=\"post\" action=\"/hub/token\">");
	page_hidden_xsrf(&b, req);
	buf_addf(&b,
	    "<label for=\"note\">Note</label><input id=\"note\" "
	    "name=\"note\" maxlength=\"%d\" value=\"",
	    NOTE_MAX);
	html_add(&b, note != NULL ? note : "");
	buf_adds(&b,
	    "\"><p><button type=\"submit\">"
	    "Create a token</button></p></form></div>"
	    "<table><tr><th>Id</th><th>Note</th><th>Created</th>"
	    "<th>Last used</th><th></th></tr>");
	for (size_t i = 0; i < n; i++) {
		char action[64];

		buf_addf(&b, "<tr><td>a%lld</td><td>", (long long)t[i].id);
		html_add(&b, t[i].note);
		buf_adds(&b, "</td><td>");
		page_time(&b, t[i].created);
		buf_adds(&b, "</td><td>");
		page_time(&b, t[i].last_activity);
		buf_adds(&b, "</td><td>");
		snprintf(action, sizeof(action), "/hub/token/revoke/%lld",
		    (long long)t[i].id);
		page_link_button(&b, action, "Revoke", "danger");
		buf_adds(&b, "</td></tr>");
	}
	buf_adds(&b, "</table>");
	html_end(&b);
	db_tokens_free(t, n);
	page_respond(req, status, &b, NULL);
}

void
pages_tokens(struct req *req)
{
	token_page(req, 200, NULL, NULL);
}

/* POST/redirect/GET: the token page shows the new token once. */
void
pages_token_add(struct req *req)
{
	char   *note = page_field(req, "note"), *tok;
	char    hash[TOKEN_HASH_LEN + 1];
	int64_t id;

	if (note != NULL && strlen(note) > NOTE_MAX) {
		token_page(req, 400, "A note has at most 200 characters.",
		    note);
		free(note);
		return;
	}
	tok = token_new();
	token_hash(tok, hash);
	if (db_token_add(req->hub->db, req->user.id, hash,
	        note != NULL ? note : "", &id) != 0)
		token_page(req, 500, "The token could not be made.", note);
	else {
		page_made(req, TOKEN_PAGE, "Your new token:", tok);
	}
	free(note);
	free_secret(tok);
}

/* GET shows the question; a POST revokes only with the confirmation. */
void
pages_token_del(struct req *req)
{
	const char     *id = req->arg[0];
	struct db_token t;
	long long       n;
	char           *action, *q;

	if (parse_int(id, 1, INT64_MAX, &n) == -1 ||
	    db_token_get(req->hub->db, req->user.id, n, &t) != 0) {
		respond_error(req, 404, "no such token");
		return;
	}
	action = xasprintf("/hub/token/revoke/%lld", n);
	if (!http_method_is(&req->head, "POST") ||
	    !page_confirmed(req, action)) {
		q = xasprintf("Revoke token a%lld%s%s%s? Whatever uses it "
		              "loses access at once.",
		    n, *t.note ? " (\"" : "", t.note, *t.note ? "\")" : "");
		page_confirm(req, "Revoke a token", q, action, "Revoke",
		    TOKEN_PAGE);
		free(q);
	} else if (db_token_del(req->hub->db, req->user.id, n) != 0)
		respond_error(req, 404, "no such token");
	else {
		page_made(req, TOKEN_PAGE, "The token is revoked.", NULL);
	}
	free(action);
	db_token_release(&t);
}
