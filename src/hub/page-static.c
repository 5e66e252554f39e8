/* SPDX-License-Identifier: MIT */
/*
 * The pages' static assets: the style sheet, the script and the icon
 * (html.c). The icon may be cached (a day): browsers ask for it on every
 * page otherwise; the style sheet and script change with the hub, so they
 * are asked for again.
 */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pages.h"
#include "respond.h"
#include "lib/util.h"

void
pages_css(struct req *req)
{
	respond(req, 200, "text/css", NULL, html_css, strlen(html_css));
}

void
pages_js(struct req *req)
{
	respond(req, 200, "text/javascript", NULL, html_rig_js,
	    strlen(html_rig_js));
}

void
pages_favicon(struct req *req)
{
	respond(req, 200, "image/svg+xml",
	    "Cache-Control: public, max-age=86400\r\n", html_favicon_svg,
	    strlen(html_favicon_svg));
}

void
pages_logo(struct req *req)
{
	respond(req, 200, "image/svg+xml", NULL, html_logo_svg,
	    strlen(html_logo_svg));
}
