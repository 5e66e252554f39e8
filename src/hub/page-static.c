/* SPDX-License-Identifier: MIT */
/*
 * The pages' static assets: the style sheet and the spawn page's script.
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
	respond(req, 200, "text/javascript", NULL, html_spawn_js,
	    strlen(html_spawn_js));
}
