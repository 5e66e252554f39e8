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

static void token_page(struct req *req, const char *secret);

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
	page_hidden_xsrf(&b, req);
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
		page_time(&b, t[i].created);
		buf_adds(&b, "</td><td>");
		page_time(&b, t[i].last_activity);
		buf_adds(&b, "</td><td>");
		snprintf(action, sizeof(action), "/hub/token/revoke/%lld",
		    (long long)t[i].id);
		page_button_form(&b, req, action, "Revoke", "danger", NULL);
		buf_adds(&b, "</td></tr>");
	}
	buf_adds(&b, "</table>");
	html_end(&b);
	db_tokens_free(t, n);
	page_respond(req, 200, &b, NULL);
}

void
pages_tokens(struct req *req)
{
	token_page(req, NULL);
}

void
pages_token_add(struct req *req)
{
	char   *note = page_field(req, "note"), *tok = token_new();
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
