/* SPDX-License-Identifier: MIT */
/*
 * The OAuth consent page (pages.h): where JupyterHub asks before it
 * gives a client a code (a service that did not say oauth_no_confirm,
 * another user's server). Its form posts the request's own parameters
 * back to /hub/api/oauth2/authorize with the session's _xsrf; the hub
 * checks them all again there.
 */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pages-internal.h"
#include "pages.h"
#include "req.h"
#include "lib/buf.h"
#include "lib/banned.h"

void
pages_oauth_consent(struct req *req, const char *client, const char *grant,
    const char *const fields[][2], size_t nfields)
{
	struct buf b;

	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Authorize access", req->user.name, req->user.admin);
	buf_adds(&b, "<div class=\"box\"><h1>Authorize access</h1><p>");
	html_add(&b, client);
	buf_adds(&b, " asks to sign you in as <b>");
	html_add(&b, req->user.name);
	buf_adds(&b, "</b>. It will be able to: ");
	html_add(&b, grant);
	buf_adds(&b,
	    "</p><form class=\"inline\" method=\"post\" "
	    "action=\"/hub/api/oauth2/authorize\">");
	page_hidden_xsrf(&b, req);
	for (size_t i = 0; i < nfields; i++) {
		buf_adds(&b, "<input type=\"hidden\" name=\"");
		html_add(&b, fields[i][0]);
		buf_adds(&b, "\" value=\"");
		html_add(&b, fields[i][1]);
		buf_adds(&b, "\">");
	}
	buf_adds(&b,
	    "<button type=\"submit\" name=\"decision\" "
	    "value=\"allow\">Authorize</button> "
	    "<button type=\"submit\" name=\"decision\" value=\"deny\" "
	    "class=\"quiet\">Deny</button></form></div>");
	html_end(&b);
	page_respond(req, 200, &b, NULL);
}
