/* SPDX-License-Identifier: MIT */
/*
 * Building the hub's own responses. Every one carries the same defensive
 * headers: no sniffing, no framing, a strict content security policy (the
 * hub's pages use no outside assets and no inline script), no caching.
 * Bytes go out through the connection's write functions (conn.h); a whole
 * response ends the request through req_answered() (req.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn.h"
#include "html.h"
#include "hub.h"
#include "req.h"
#include "respond.h"
#include "lib/util.h"

#define SECURITY_HEADERS                                                       \
	"X-Content-Type-Options: nosniff\r\n"                                  \
	"X-Frame-Options: DENY\r\n"                                            \
	"Referrer-Policy: same-origin\r\n"                                     \
	"Content-Security-Policy: default-src 'none'; script-src 'self'; "     \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; "         \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"

/* The JupyterHub protocol the hub speaks, for jupyterhub-singleuser's
 * check (it warns when major and minor differ from its own). */
#define JUPYTERHUB_VERSION_HEADER "X-JupyterHub-Version: 3.0.0\r\n"

int
req_wants_html(const struct req *req)
{
	size_t      n;
	const char *accept;

	if (strncmp(req->path, "/hub/api/", 9) == 0 ||
	    strcmp(req->path, "/hub/api") == 0)
		return 0;
	accept = http_header(&req->head, "accept", &n);
	return accept != NULL && memmem(accept, n, "text/html", 9) != NULL;
}

/* Whether the header lines 'headers' (or NULL) have one called 'name':
 * at the start of a line, not inside a value (a Location's). */
static int
has_header(const char *headers, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = headers; p != NULL && *p != '\0';) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return 1;
		p = strstr(p, "\r\n");
		if (p != NULL)
			p += 2;
	}
	return 0;
}

static void
head_to(struct buf *b, struct req *req, int status, const char *ctype,
    const char *headers)
{
	buf_addf(b, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
	if (ctype != NULL)
		buf_addf(b, "Content-Type: %s\r\n", ctype);
	buf_adds(b, SECURITY_HEADERS);
	buf_adds(b, JUPYTERHUB_VERSION_HEADER);
	if (req->hub->ssl_ctx != NULL && !req->internal)
		buf_adds(b, "Strict-Transport-Security: max-age=31536000\r\n");
	/* Nothing is cached unless the caller says how (a static asset). */
	if (!has_header(headers, "Cache-Control"))
		buf_adds(b, "Cache-Control: no-store\r\n");
	if (headers != NULL)
		buf_adds(b, headers);
	if (!req->keep_alive)
		buf_adds(b, "Connection: close\r\n");
}

void
respond(struct req *req, int status, const char *ctype, const char *headers,
    const void *body, size_t len)
{
	struct conn *c = req->conn;
	struct buf   b;

	req->status = status;
	if (c == NULL)
		return;
	/* A proxied request answered before its body was read: the rest of
	 * the body would be taken for the next request. */
	if (c->state == CONN_PROXY && req->head.body != BODY_NONE)
		req->keep_alive = 0;
	buf_init(&b, (size_t)-1 / 2);
	head_to(&b, req, status, ctype, headers);
	buf_addf(&b, "Content-Length: %zu\r\n\r\n", len);
	if (!http_method_is(&req->head, "HEAD"))
		buf_add(&b, body, len);
	req->sent = len;
	conn_write(c, b.data, b.len);
	buf_release(&b);
	conn_peer_drop(c); /* the hub answered instead of the back end */
	req_answered(c);
}

void
respond_json(struct req *req, int status, json_t *json)
{
	char *s = json_dumps(json, JSON_COMPACT);

	json_decref(json);
	if (s == NULL) {
		respond(req, 500, "text/plain", NULL, "error\n", 6);
		return;
	}
	respond(req, status, "application/json", NULL, s, strlen(s));
	free(s);
}

void
respond_redirect(struct req *req, const char *location, const char *headers)
{
	char *h = xasprintf("Location: %s\r\n%s", location,
	    headers != NULL ? headers : "");

	respond(req, 302, "text/plain", h, "", 0);
	free(h);
}

/*
 * Where the error page's "Back" leads: the page the browser came from
 * (Referer), when it is on this hub (the Host the request was sent to) and
 * is not the request itself (a GET that failed). Caller frees result; NULL
 * if none.
 */
static char *
back_path(const struct req *req)
{
	size_t      n, hn;
	const char *v = http_header(&req->head, "referer", &n);
	const char *host = http_header(&req->head, "host", &hn);
	const char *p, *end;
	char       *path;

	if (v == NULL || host == NULL)
		return NULL;
	end = v + n;
	p = memmem(v, n, "://", 3);
	if (p == NULL)
		return NULL;
	p += 3;
	if ((size_t)(end - p) < hn || strncasecmp(p, host, hn) != 0)
		return NULL;
	p += hn;
	if (p == end || *p != '/' || (end - p > 1 && p[1] == '/'))
		return NULL;
	path = xstrndup(p, (size_t)(end - p));
	if (strcspn(path, "\r\n\"<>") != strlen(path) ||
	    (http_method_is(&req->head, "GET") &&
	        strncmp(path, req->path, strlen(req->path)) == 0 &&
	        (path[strlen(req->path)] == '\0' ||
	            path[strlen(req->path)] == '?'))) {
		free(path);
		return NULL;
	}
	return path;
}

void
respond_error(struct req *req, int status, const char *msg)
{
	if (req_wants_html(req)) {
		/* Signed in (by the session: a browser): the top bar stays. */
		int   nav = req->authed && !req->by_token;
		char *back = back_path(req);
		char *page = html_error_page(status, msg,
		    nav ? req->user.name : NULL, nav && req->user.admin, back);

		free(back);

		respond(req, status, "text/html; charset=utf-8", NULL, page,
		    strlen(page));
		free(page);
		return;
	}
	respond_json(req, status,
	    json_pack("{s:i, s:s}", "status", status, "message", msg));
}

void
respond_stream_start(struct req *req, int status, const char *ctype,
    const char *headers)
{
	struct buf b;

	req->status = status;
	if (req->conn == NULL)
		return;
	buf_init(&b, (size_t)-1 / 2);
	head_to(&b, req, status, ctype, headers);
	buf_adds(&b, "Transfer-Encoding: chunked\r\n\r\n");
	req->streaming = 1;
	conn_write(req->conn, b.data, b.len);
	buf_release(&b);
}

int
respond_stream_write(struct req *req, const void *data, size_t len)
{
	char size[32];
	int  n;

	if (req->conn == NULL || len == 0)
		return req->conn == NULL ? -1 : 0;
	n = snprintf(size, sizeof(size), "%zx\r\n", len);
	if (conn_write(req->conn, size, (size_t)n) == -1 ||
	    conn_write(req->conn, data, len) == -1 ||
	    conn_write(req->conn, "\r\n", 2) == -1)
		return -1;
	req->sent += len;
	return 0;
}

void
respond_stream_end(struct req *req)
{
	req->streaming = 0;
	if (req->conn == NULL)
		return;
	conn_write(req->conn, "0\r\n\r\n", 5);
	req_answered(req->conn);
}
