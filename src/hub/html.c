/* SPDX-License-Identifier: MIT */
/*
 * Page frame and assets. The pages are plain server-rendered HTML with one
 * small style sheet and one script, both served by the hub itself from
 * /hub/static/, so the content security policy can forbid everything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "lib/http.h"
#include "lib/util.h"

/* Where the page frame's notice comes from (html_banner_from()). */
static const char *(*banner)(void);

void
html_banner_from(const char *(*fn)(void))
{
	banner = fn;
}

void
html_add(struct buf *b, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			buf_add(b, s, 1);
		}
	}
}

char *
html_escape(const char *s)
{
	struct buf b;

	buf_init(&b, (size_t)-1 / 2);
	html_add(&b, s);
	return buf_detach(&b, NULL);
}

void
html_begin(struct buf *b, const char *title, const char *user, int admin)
{
	buf_adds(b,
	    "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>");
	html_add(b, title);
	buf_adds(b,
	    " - rig</title>"
	    "<link rel=\"stylesheet\" href=\"/hub/static/rig.css\">"
	    "</head><body><header><a class=\"brand\" "
	    "href=\"/hub/home\">rig</a>");
	if (user != NULL) {
		buf_adds(b,
		    "<nav><a href=\"/hub/home\">Home</a>"
		    "<a href=\"/hub/token\">Token</a>");
		if (admin)
			buf_adds(b, "<a href=\"/hub/admin\">Admin</a>");
		buf_adds(b, "<span class=\"who\">");
		html_add(b, user);
		buf_adds(b, "</span><a href=\"/hub/logout\">Logout</a></nav>");
	}
	buf_adds(b, "</header>");
	if (banner != NULL && banner() != NULL) {
		buf_adds(b, "<p class=\"notice\" role=\"alert\">");
		html_add(b, banner());
		buf_adds(b, "</p>");
	}
	buf_adds(b, "<main>");
}

void
html_end(struct buf *b)
{
	buf_adds(b, "</main></body></html>\n");
}

char *
html_error_page(int status, const char *msg)
{
	struct buf b;
	char       title[64];

	snprintf(title, sizeof(title), "%d %s", status, http_reason(status));
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, title, NULL, 0);
	buf_adds(&b, "<h1>");
	html_add(&b, title);
	buf_adds(&b, "</h1><p>");
	html_add(&b, msg);
	buf_adds(&b, "</p><p><a href=\"/hub/home\">Home</a></p>");
	html_end(&b);
	return buf_detach(&b, NULL);
}

const char html_css[] =
    "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222;"
    "background:#f6f7f9}"
    "header{display:flex;align-items:center;gap:1em;padding:.6em 1.2em;"
    "background:#1f2937;color:#fff}"
    "header a{color:#e5e7eb;text-decoration:none;margin-right:1em}"
    ".brand{font-weight:700;font-size:1.2em;color:#fff}"
    "nav{margin-left:auto}.who{color:#9ca3af;margin-right:1em}"
    "main{max-width:60em;margin:2em auto;padding:0 1em}"
    "form.inline{display:inline}"
    ".notice{margin:0;padding:.6em 1.2em;background:#fef3c7;color:#78350f}"
    "input,button{font:inherit;padding:.35em .6em;margin:.2em 0}"
    "button{background:#2563eb;color:#fff;border:0;border-radius:4px;"
    "cursor:pointer}button.danger{background:#b91c1c}"
    "button.quiet{background:#6b7280}"
    "table{border-collapse:collapse;width:100%;background:#fff}"
    "td,th{border-bottom:1px solid #e5e7eb;padding:.4em;text-align:left}"
    ".box{background:#fff;border:1px solid #e5e7eb;border-radius:6px;"
    "padding:1.2em;margin-bottom:1.2em}"
    ".error{color:#b91c1c}.secret{font-family:monospace;background:#fef3c7;"
    "padding:.3em .5em;word-break:break-all}"
    "pre{background:#111827;color:#e5e7eb;padding:1em;overflow:auto;"
    "max-height:24em}"
    "progress{width:100%}"
    "label{display:block;margin-top:.6em}\n";

/* Follows the spawn's progress events; on success goes on to the server,
 * on failure reloads so the page shows the error and the log. */
const char html_logo_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"28\" "
    "viewBox=\"0 0 60 28\"><text x=\"2\" y=\"22\" font-family=\"sans-serif\" "
    "font-size=\"22\" font-weight=\"bold\" fill=\"#333\">rig</text></svg>";

const char html_spawn_js[] =
    "(function(){\n"
    "var el=document.getElementById('progress');\n"
    "if(!el)return;\n"
    "var bar=document.getElementById('bar'),msg=document.getElementById("
    "'message'),next=el.getAttribute('data-next');\n"
    "var es=new EventSource(el.getAttribute('data-url'));\n"
    "es.onmessage=function(e){var ev=JSON.parse(e.data);\n"
    " if(ev.progress!==undefined)bar.value=ev.progress;\n"
    " if(ev.message)msg.textContent=ev.message;\n"
    " if(ev.ready){es.close();window.location.href=next;}\n"
    " else if(ev.failed){es.close();window.location.reload();}};\n"
    "es.onerror=function(){es.close();setTimeout(function(){"
    "window.location.reload();},1000);};\n"
    "})();\n";
