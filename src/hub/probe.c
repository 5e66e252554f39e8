/* SPDX-License-Identifier: MIT */
/*
 * The hub's HTTP client for user servers. Each probe owns a stream (TCP or
 * a Unix socket: endpoint.h) and a timer; it finishes when the response ends,
 * the server closes, or the timer fires, whichever comes first, and calls back
 * once.
 */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "lib/buf.h"
#include "lib/http.h"
#include "lib/log.h"
#include "probe.h"
#include "lib/util.h"

struct probe {
	union endpoint_stream conn;
	uv_timer_t            timer;
	uv_connect_t          connect;
	uv_write_t            write;
	char                 *request;
	struct buf            in;
	struct buf            body;
	struct http_body      framing;
	int      status; /* parsed status, 0 until the head is in */
	size_t   head_len;
	int      done;
	int      handles;
	probe_cb cb;
	void    *arg;
};

static void
probe_close_cb(uv_handle_t *h)
{
	struct probe *p = h->data;

	if (--p->handles > 0)
		return;
	free(p->request);
	buf_release(&p->in);
	buf_release(&p->body);
	free(p);
}

static void
probe_finish(struct probe *p, int status)
{
	if (p->done)
		return;
	p->done = 1;
	p->cb(p->arg, status, buf_str(&p->body), p->body.len);
	uv_close(&p->conn.handle, probe_close_cb);
	uv_close((uv_handle_t *)&p->timer, probe_close_cb);
}

static void
probe_timer_cb(uv_timer_t *t)
{
	probe_finish(t->data, -1);
}

static void
probe_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	static char space[16384];

	(void)h;
	(void)hint;
	b->base = space;
	b->len = sizeof(space);
}

static void
body_cb(void *arg, const char *data, size_t len)
{
	struct probe *p = arg;

	/* Past the limit the body is cut; callers only read small JSON. */
	buf_add(&p->body, data, len);
}

static void
probe_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct probe *p = s->data;
	const char   *data;
	size_t        len;
	ssize_t       used;
	int           done;

	if (p->done)
		return;
	if (n < 0) {
		if (p->status > 0 && p->framing.kind == BODY_UNTIL_CLOSE)
			probe_finish(p, p->status);
		else
			probe_finish(p, -1);
		return;
	}
	data = b->base;
	len = (size_t)n;
	if (p->status == 0) {
		struct http_head *h;
		int               r;

		if (buf_add(&p->in, data, len) == -1) {
			probe_finish(p, -1);
			return;
		}
		h = xmalloc(sizeof(*h));
		r = http_parse_response(p->in.data, p->in.len, h, "GET", 3);
		if (r > 0) {
			p->status = h->status;
			http_body_init(&p->framing, h);
		}
		free(h);
		if (r == 0)
			return;
		if (r < 0) {
			probe_finish(p, -1);
			return;
		}
		data = p->in.data + r;
		len = p->in.len - (size_t)r;
	}
	used = http_body_feed(&p->framing, data, len, &done, body_cb, p);
	if (used < 0) {
		probe_finish(p, -1);
		return;
	}
	if (done)
		probe_finish(p, p->status);
}

static void
probe_write_cb(uv_write_t *w, int status)
{
	struct probe *p = w->data;

	if (status != 0)
		probe_finish(p, -1);
}

static void
probe_connect_cb(uv_connect_t *c, int status)
{
	struct probe *p = c->data;
	uv_buf_t      b;

	if (p->done)
		return;
	if (status != 0) {
		probe_finish(p, -1);
		return;
	}
	b = uv_buf_init(p->request, (unsigned int)strlen(p->request));
	p->write.data = p;
	if (uv_write(&p->write, &p->conn.stream, &b, 1, probe_write_cb) != 0 ||
	    uv_read_start(&p->conn.stream, probe_alloc_cb, probe_read_cb) != 0)
		probe_finish(p, -1);
}

void
probe_get(uv_loop_t *loop, const struct endpoint *to, const char *path,
    const char *token, unsigned timeout_ms, probe_cb cb, void *arg)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	char          host[ENDPOINT_PATH_MAX + 16];

	p->cb = cb;
	p->arg = arg;
	buf_init(&p->in, HTTP_MAX_HEAD);
	buf_init(&p->body, PROBE_MAX_BODY);
	p->request =
	    xasprintf("GET %s HTTP/1.1\r\nHost: %s\r\n"
	              "Authorization: token %s\r\nAccept: application/json\r\n"
	              "Connection: close\r\n\r\n",
	        path, endpoint_host_header(to, host, sizeof(host)), token);
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	p->connect.data = p;
	p->handles = 2;
	uv_timer_start(&p->timer, probe_timer_cb, timeout_ms, 0);
	if (endpoint_connect(loop, to, &p->conn, &p->connect,
	        probe_connect_cb) != 0) {
		/* Report from the loop, as promised, not from here. */
		uv_timer_start(&p->timer, probe_timer_cb, 0, 0);
	}
	p->conn.handle.data = p;
}
