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
static int password_link = 1; /* html_password_page() */
static int jobs_link; /* html_jobs_page() */

void
html_password_page(int on)
{
	password_link = on;
}

void
html_jobs_page(int on)
{
	jobs_link = on;
}

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
	    "<link rel=\"icon\" href=\"/hub/static/favicon.svg\" "
	    "type=\"image/svg+xml\">"
	    "<script src=\"/hub/static/rig.js\" defer></script>"
	    "</head><body><header><a class=\"brand\" "
	    "href=\"/hub/home\">rig</a>");
	if (user != NULL) {
		buf_adds(b,
		    "<nav><a href=\"/hub/home\">Home</a>"
		    "<a href=\"/hub/token\">Token</a>");
		if (jobs_link)
			buf_adds(b, "<a href=\"/hub/jobs\">Jobs</a>");
		if (password_link)
			buf_adds(b, "<a href=\"/hub/password\">Password</a>");
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
html_error_page(int status, const char *msg, const char *user, int admin,
    const char *back)
{
	struct buf b;
	char       title[64];

	snprintf(title, sizeof(title), "%d %s", status, http_reason(status));
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, title, user, admin);
	buf_adds(&b, "<div class=\"box\"><h1>");
	html_add(&b, title);
	buf_adds(&b, "</h1><p class=\"error\" role=\"alert\">");
	html_add(&b, msg);
	buf_adds(&b, "</p><p>");
	if (back != NULL) {
		buf_adds(&b, "<a href=\"");
		html_add(&b, back);
		buf_adds(&b, "\">Back</a> &middot; ");
	}
	buf_adds(&b,
	    user != NULL ? "<a href=\"/hub/home\">Home</a>"
	                 : "<a href=\"/hub/login\">Sign in</a>");
	buf_adds(&b, "</p></div>");
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
    "a.button{display:inline-block;background:#2563eb;color:#fff;"
    "border-radius:4px;padding:.35em .6em;margin:.2em 0;"
    "text-decoration:none}a.button.danger{background:#b91c1c}"
    "a.button.quiet{background:#6b7280}"
    "label{display:block;margin-top:.6em}"
    "fieldset{border:1px solid #e5e7eb;border-radius:6px;margin:.6em 0}"
    ".choice{margin:.5em 0}.choice label{display:inline;margin:0 0 0 .4em}"
    ".hint{display:block;margin-left:1.8em;color:#4b5563}\n";

/* A small icon: the letter r on the header's colour. */
const char html_favicon_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
    "<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1f2937\"/>"
    "<path d=\"M11 25V11h4v2.2c1.2-1.7 3-2.6 5.6-2.4v4c-3.4-.3-5.6 1-5.6 "
    "4.4V25z\" fill=\"#fff\"/></svg>\n";

/* The hub's logo, for the header of single-user servers (/hub/logo). */
const char html_logo_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"28\" "
    "viewBox=\"0 0 60 28\"><text x=\"2\" y=\"22\" font-family=\"sans-serif\" "
    "font-size=\"22\" font-weight=\"bold\" fill=\"#333\">rig</text></svg>";

/*
 * The pages' one script, each part for the elements it finds (every page
 * works without it):
 * - <time datetime> in the browser's own time zone, UTC kept as the title;
 * - home: while the server is starting or stopping, a poll of the user's
 *   state each second, and the page again once it changed;
 * - spawn-pending: the start's progress events; on success on to the
 *   server, on failure the page again, with the error and the log.
 */
const char html_rig_js[] =
    "(function(){\n"
    "'use strict';\n"
    "function two(n){return(n<10?'0':'')+n;}\n"
    "document.querySelectorAll('time[datetime]').forEach(function(el){\n"
    " var d=new Date(el.getAttribute('datetime'));\n"
    " if(isNaN(d))return;\n"
    " var z=-d.getTimezoneOffset(),s=z<0?'-':'+';z=Math.abs(z);\n"
    " el.textContent=d.getFullYear()+'-'+two(d.getMonth()+1)+'-'+"
    "two(d.getDate())+' '+two(d.getHours())+':'+two(d.getMinutes())+':'+"
    "two(d.getSeconds())+' (UTC'+s+two(Math.floor(z/60))+':'+two(z%60)+')';\n"
    "});\n"
    "var st=document.getElementById('state');\n"
    "if(st&&(st.dataset.state==='pending'||st.dataset.state==='stopping')){\n"
    " var poll=function(){fetch('/hub/api/user',{credentials:'same-origin'})"
    ".then(function(r){return r.ok?r.json():null;}).then(function(u){\n"
    "  if(!u){setTimeout(poll,2000);return;}\n"
    "  var now=u.pending==='stop'?'stopping':u.pending==='spawn'?'pending'"
    ":u.server?'ready':'stopped';\n"
    "  if(now!==st.dataset.state)window.location.reload();\n"
    "  else setTimeout(poll,1000);\n"
    " },function(){setTimeout(poll,2000);});};\n"
    " setTimeout(poll,1000);\n"
    "}\n"
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
