/* SPDX-License-Identifier: MIT */
/*
 * The hub's HTTP client for user servers. Each probe owns a stream (TCP or
 * a Unix socket: endpoint.h) and a timer; it finishes when the response ends,
 * the server closes, or the timer fires, whichever comes first, and calls back
 * once. To a TLS endpoint (a Slurm job's server) it speaks TLS itself, and
 * the request (with the server's token) goes only after the pin is checked
 * (uptls.h).
 */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "lib/buf.h"
#include "lib/http.h"
#include "chunk.h"
#include "lib/log.h"
#include "probe.h"
#include "tlspeer.h"
#include "uptls.h"
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
	int             status; /* parsed status, 0 until the head is in */
	size_t          head_len;
	int             done;
	int             handles;
	probe_cb        cb;
	void           *arg;
	struct endpoint to; /* for logs */
	struct tlspeer *peer; /* a TLS endpoint's (a reference), or NULL */
	struct uptls    tls;
	int             tls_started;
};

/* A chunk of TLS's ciphertext being written. */
struct probe_wreq {
	uv_write_t    w;
	struct probe *p;
	char         *chunk;
};

static void probe_finish(struct probe *, int);

static void
probe_close_cb(uv_handle_t *h)
{
	struct probe *p = h->data;

	if (--p->handles > 0)
		return;
	free(p->request);
	if (p->tls_started)
		uptls_release(&p->tls);
	tlspeer_unref(p->peer);
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

/* 'n' bytes of the response at 'data', or the end of the stream. */
static void
probe_input(struct probe *p, ssize_t n, const char *data)
{
	size_t  len;
	ssize_t used;
	int     done;

	if (p->done)
		return;
	if (n < 0) {
		if (p->status > 0 && p->framing.kind == BODY_UNTIL_CLOSE)
			probe_finish(p, p->status);
		else
			probe_finish(p, -1);
		return;
	}
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

static int
probe_tls_ready(void *arg)
{
	struct probe *p = arg;

	if (uptls_write(&p->tls, p->request, strlen(p->request)) == -1) {
		probe_finish(p, -1);
		return -1;
	}
	return 0;
}

static int
probe_tls_deliver(void *arg, char *chunk, size_t len)
{
	struct probe *p = arg;

	probe_input(p, (ssize_t)len, chunk);
	return p->done ? -1 : 0;
}

static const struct uptls_ops probe_tls_ops = { probe_tls_ready,
	probe_tls_deliver };

static void
probe_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct probe *p = s->data;
	char          where[ENDPOINT_PATH_MAX + 16];

	if (p->done)
		return;
	if (!p->tls_started || n <= 0) {
		probe_input(p, n, b->base);
		return;
	}
	if (uptls_input(&p->tls, b->base, (size_t)n, &probe_tls_ops, p) == -1) {
		if (!p->tls.ready) /* not the pinned server: logged */
			log_warnx("probe: %s: %s",
			    endpoint_text(&p->to, where, sizeof(where)),
			    p->tls.why);
		probe_finish(p, -1);
		return;
	}
	if (p->tls.eof)
		probe_input(p, UV_EOF, NULL);
}

static void
probe_tls_write_cb(uv_write_t *w, int status)
{
	struct probe_wreq *wr = container_of(w, struct probe_wreq, w);
	struct probe      *p = wr->p;

	chunk_unref(wr->chunk);
	free(wr);
	if (status != 0)
		probe_finish(p, -1);
}

/* TLS's ciphertext to the server (tls_io's send). */
static int
probe_send_tls(void *arg, char *chunk, size_t len)
{
	struct probe      *p = arg;
	struct probe_wreq *wr;
	uv_buf_t           b = uv_buf_init(chunk, (unsigned int)len);

	if (p->done)
		return -1;
	wr = xmalloc(sizeof(*wr));
	wr->p = p;
	wr->chunk = chunk;
	chunk_ref(chunk);
	if (uv_write(&wr->w, &p->conn.stream, &b, 1, probe_tls_write_cb) != 0) {
		chunk_unref(chunk);
		free(wr);
		return -1;
	}
	return 0;
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
	if (p->peer != NULL) {
		/* The request waits for the pin (probe_tls_ready). */
		p->tls_started = 1;
		if (uv_read_start(&p->conn.stream, probe_alloc_cb,
		        probe_read_cb) != 0 ||
		    uptls_start(&p->tls, p->peer, probe_send_tls, p) == -1)
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
	p->to = *to;
	p->peer = to->tls;
	if (p->peer != NULL)
		tlspeer_ref(p->peer);
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
