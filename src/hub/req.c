/* SPDX-License-Identifier: MIT */
/*
 * A request's life, in order: a head is parsed out of the connection's
 * input and copied into a new struct req; the router says whether it is
 * proxied (routed at once, its body streamed by the proxy) or the hub's own
 * (its body read first, at most max_body, within three header timeouts);
 * the router's dispatch answers it; when the answer is queued whole
 * (req_answered) the request is logged and freed and the connection reads
 * the next one. A request that async work holds (req->busy: a password
 * check, a progress stream) outlives its client: whoever finishes the work
 * frees it.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "hub.h"
#include "lib/log.h"
#include "req.h"
#include "lib/url.h"
#include "lib/util.h"

static void conn_input(struct conn *);
static int  conn_half_closed(struct conn *);
static void conn_closing(struct conn *);
static void read_head(struct conn *);
static void read_body(struct conn *);
static void body_cb(void *, const char *, size_t);
static int  head_error_status(int);
static void access_log(struct req *);
static int  normalize_path(struct req *);

const struct conn_ops req_conn_ops = {
	.input = conn_input,
	.half_closed = conn_half_closed,
	.closing = conn_closing,
};

/* Input for the request layer: a head, or the body of a hub request. */
static void
conn_input(struct conn *c)
{
	if (c->state == CONN_HEAD)
		read_head(c);
	else if (c->state == CONN_BODY)
		read_body(c);
}

/* A client that half-closes after a whole request may still read the
 * response; one whose body runs until close has just ended it badly. */
static int
conn_half_closed(struct conn *c)
{
	return c->req != NULL && c->req->framing.kind != BODY_UNTIL_CLOSE;
}

/* The connection closes under its request: a proxied one that had not
 * been answered is logged as 499, the client's giving up. */
static void
conn_closing(struct conn *c)
{
	struct req *req = c->req;

	if (req == NULL)
		return;
	c->req = NULL;
	req->conn = NULL;
	if (c->peer != NULL)
		req->status = req->status ? req->status : 499;
	req_gone(req);
}

static int
head_error_status(int r)
{
	switch (r) {
	case HTTP_ETOOLARGE:
	case HTTP_ETOOMANY:
		return 431;
	case HTTP_ETARGET:
		return 414;
	case HTTP_EVERSION:
		return 505;
	default:
		return 400;
	}
}

/*
 * Routing, authorisation and the proxy all see the normalised path: a
 * "/user/alice/../bob/x" is bob's, never alice's server's (which would
 * resolve the dots itself, after the hub had checked alice's access).
 */
static int
normalize_path(struct req *req)
{
	char *n = url_path_normalize(req->path, strlen(req->path));

	if (n == NULL)
		return -1;
	free(req->path);
	req->path = n;
	return 0;
}

/* Makes a request of a complete head at the start of c->in, and routes it
 * or starts reading its body. */
static void
read_head(struct conn *c)
{
	struct hub       *hub = c->hub;
	struct http_head *h;
	struct req       *req;
	int               r;

	/* Ignore the blank lines some clients send after a body. */
	while (
	    c->in.len > 0 && (c->in.data[0] == '\r' || c->in.data[0] == '\n'))
		buf_consume(&c->in, 1);
	if (c->in.len == 0)
		return;
	/* Not calloc: the head's 4 KiB header array is filled as parsed. */
	req = xmalloc(sizeof(*req));
	memset(req, 0, offsetof(struct req, head));
	memset((char *)req + offsetof(struct req, head) + sizeof(req->head), 0,
	    sizeof(*req) - offsetof(struct req, head) - sizeof(req->head));
	h = &req->head;
	r = http_parse_request(c->in.data, c->in.len, h);
	if (r <= 0) {
		free(req);
		if (r < 0)
			conn_error_close(c, head_error_status(r),
			    "malformed request head");
		return;
	}
	req->hub = hub;
	req->conn = c;
	req->start_ms = now_ms();
	memcpy(req->addr, c->addr, sizeof(req->addr));
	req->internal = c->internal;
	req->raw = xmalloc((size_t)r + 1);
	memcpy(req->raw, c->in.data, (size_t)r);
	req->raw[r] = '\0';
	req->raw_len = (size_t)r;
	http_head_rebase(h, c->in.data, req->raw);
	buf_consume(&c->in, (size_t)r);
	target_split(req->head.target, req->head.target_len, &req->path,
	    &req->query);
	req->keep_alive = req->head.keep_alive;
	buf_init(&req->body, hub->cfg->max_body);
	http_body_init(&req->framing, &req->head);
	c->req = req;
	conn_timeout(c, 0);
	if (normalize_path(req) == -1) {
		c->state = CONN_HANDLING; /* no next head: it closes */
		req_error_close(c, 400, "path cannot be normalised");
		return;
	}

	if (hub->router->proxied(req)) {
		c->state = CONN_PROXY;
		hub->router->dispatch(req);
		return;
	}
	if (req->head.body != BODY_NONE) {
		if (req->head.body == BODY_LENGTH &&
		    req->head.length > hub->cfg->max_body) {
			req_error_close(c, 413, "request body too large");
			return;
		}
		if (req->head.expect_continue)
			conn_write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		c->state = CONN_BODY;
		conn_timeout(c, hub->cfg->header_timeout * 3);
		return;
	}
	c->state = CONN_HANDLING;
	hub->router->dispatch(req);
}

/* Appends decoded body bytes of a hub request; past the limit the body is
 * refused with 413 by read_body(). */
static void
body_cb(void *arg, const char *data, size_t len)
{
	struct req *req = arg;

	if (buf_add(&req->body, data, len) == -1)
		req->status = 413;
}

static void
read_body(struct conn *c)
{
	struct req *req = c->req;
	ssize_t     n;
	int         done;

	n = http_body_feed(&req->framing, c->in.data, c->in.len, &done, body_cb,
	    req);
	if (n < 0) {
		req_error_close(c, 400, "malformed chunked body");
		return;
	}
	buf_consume(&c->in, (size_t)n);
	if (req->status == 413) {
		req->status = 0;
		req_error_close(c, 413, "request body too large");
		return;
	}
	if (!done)
		return;
	c->state = CONN_HANDLING;
	conn_timeout(c, 0);
	c->hub->router->dispatch(req);
}

void
req_error_close(struct conn *c, int status, const char *msg)
{
	if (c->req != NULL) {
		c->req->status = status;
		c->req->keep_alive = 0;
	}
	conn_error_close(c, status, msg);
}

static void
access_log(struct req *req)
{
	const char *who = req->authed ? req->user.name : "-";

	/* The path only: query strings can carry tokens. */
	log_access(req->addr, req->head.method, req->head.method_len, req->path,
	    req->status, (unsigned long long)req->sent,
	    (unsigned long long)(now_ms() - req->start_ms), who);
	if (req->status >= 100 && req->status < 600)
		req->hub->m.requests[req->status / 100]++;
}

void
req_answered(struct conn *c)
{
	struct req *req = c->req;
	int         keep = req != NULL && req->keep_alive;

	if (req != NULL) {
		/* At the connection cap, such connections are kept longest. */
		if (req->authed)
			c->trusted = 1;
		c->req = NULL;
		req->conn = NULL;
		req_gone(req);
	}
	conn_next(c, keep);
}

void
req_gone(struct req *req)
{
	if (req->status != 0 && !req->busy) {
		access_log(req);
		req->status = 0;
	}
	if (!req->busy)
		req_free(req);
}

void
req_free(struct req *req)
{
	if (req == NULL)
		return;
	free(req->raw);
	free(req->path);
	free(req->query);
	free(req->arg[0]);
	free(req->arg[1]);
	buf_release(&req->body);
	db_user_release(&req->user);
	free_secret(req->xsrf);
	free(req->scopes);
	free(req->session);
	free(req);
}
