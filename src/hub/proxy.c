/* SPDX-License-Identifier: MIT */
/*
 * Reverse proxy to user servers and services.
 *
 * The request head is rewritten (hop-by-hop headers dropped, the hub's own
 * cookies stripped, the server's secret injected, X-Forwarded-* set); the
 * body and the whole response are forwarded as the raw bytes that arrived,
 * with the parser in http.c only finding where each message ends. Memory
 * per request stays bounded whatever the body size: when the back end has
 * more than CONN_WRITE_HIGH bytes queued, the client is not read until it
 * drains; the back end is read only while the client's socket takes what
 * it is sent (client_hold), so a client that reads nothing holds one read,
 * a small one past proxy_memory held for all. Every exchange but a tunnel
 * ends after proxy_timeout seconds without progress, and a client that
 * stops sending before its request is whole ends it at once. The rest of
 * a large response body to a plain client goes by splice(2) instead
 * (relay.c): back end -> pipe -> client, never through user space.
 *
 * The proxy knows neither routes nor servers: it is given a target, an
 * authorised request and, for a user's server, two hooks to report
 * traffic and a refused connection to. The client connection reaches it as
 * its peer (struct conn_peer_ops).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chunk.h"
#include "conn.h"
#include "hub.h"
#include "lib/log.h"
#include "proxy.h"
#include "relay.h"
#include "tlspeer.h"
#include "uptls.h"
#include "req.h"
#include "respond.h"
#include "lib/util.h"

#define RELAY_MIN (128 * 1024) /* a smaller rest is not worth a relay */
#define PROXY_KEEPALIVE 60 /* seconds idle before a tunnel's first probe */
#define PROXY_READ_SMALL (16 * 1024) /* a read past proxy_memory */
/* An idle TLS connection to a server is closed after this: it holds ~30
 * kB of OpenSSL's (a clear one ~1 kB), and a new one costs a handshake
 * (a resumed one where the server allows). Node's HTTP agent keeps idle
 * connections 5 s too. */
#define PROXY_TLS_IDLE_MS 5000

enum up_state {
	UP_CONNECTING,
	UP_HEAD, /* request sent or being sent; reading the response head */
	UP_BODY,
	UP_TUNNEL,
	UP_IDLE, /* in the pool */
};

struct upstream {
	union endpoint_stream conn; /* TCP or a Unix socket */
	uv_connect_t          connect;
	struct hub           *hub;
	struct conn          *client; /* NULL while idle */
	void (*activity)(void *); /* the target's hooks, or NULL */
	void (*refused)(void *);
	void (*busy)(void *, int);
	void            *owner; /* their argument */
	int              in_exchange; /* busy(owner, 1) told, 0 not yet */
	struct endpoint  to;
	enum up_state    state;
	struct buf       in; /* response head bytes */
	struct http_body framing; /* of the response */
	char             method[16];
	int              status;
	int              resp_keep_alive;
	int              req_done; /* the request body is all sent */
	int              reused;
	int              got_bytes; /* any response byte seen */
	int              reading;
	int              closing;
	char            *chunk; /* being read from, during up_read_cb */
	struct relay    *relay; /* moving the rest of the body, or NULL */
	int              no_relay; /* a relay failed to start: not again */
	size_t           queued;
	char            *head; /* rewritten request head, kept for a retry */
	size_t           head_len;
	struct uptls     tls; /* when to.tls: started once connected */
	int              tls_started;
	int              tls_retried; /* a fresh handshake after a failed
	                                 resumption: not again */
	uint64_t idle_since; /* uv_now() when it went UP_IDLE */
	TAILQ_ENTRY(upstream) entry; /* in its idle_list(), newest first */
};

struct up_wreq {
	uv_write_t       w;
	struct upstream *up;
	size_t           len;
	char            *chunk; /* a referenced chunk 'data' points into, or
	                           NULL: data[] holds the copy */
	char data[];
};

static int                   name_is(const char *, size_t, const char *);
static struct upstream_list *idle_list(struct hub *, const struct endpoint *);
static void             up_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void             up_close(struct upstream *, const char *why);
static void             up_connect(struct upstream *);
static void             retry_fresh(struct upstream *, int, int, const char *);
static struct upstream *up_new(struct hub *, const struct endpoint *);
static void             tls_handshake_failed(struct upstream *);
static void             response_done(struct upstream *);
static void             client_input(void *);
static void             client_drained(void *);
static void             client_eof(void *);
static void             client_gone(void *);
static void             progress(struct upstream *);
static void             exchange_end(struct upstream *);
static size_t           client_hold(const struct upstream *);

/* How the client connection reaches its upstream. */
static const struct conn_peer_ops client_side = {
	.input = client_input,
	.drained = client_drained,
	.eof = client_eof,
	.gone = client_gone,
};

/* Bytes moved in a proxied exchange: it has proxy_timeout seconds again
 * to move more. A tunnel has no timeout (TCP keep-alive instead): an idle
 * kernel's WebSocket is normal. */
static void
progress(struct upstream *up)
{
	if (up->client != NULL && up->state != UP_TUNNEL)
		conn_timeout(up->client, up->hub->cfg->proxy_timeout);
}

/* The exchange is over (answered, failed, or a tunnel now): the target
 * stops counting it as in flight. */
static void
exchange_end(struct upstream *up)
{
	if (!up->in_exchange)
		return;
	up->in_exchange = 0;
	up->busy(up->owner, 0);
}

/*
 * How much may wait queued to the client while the back end is still read.
 * A client that has shown it reads (it once took a whole queue) may have a
 * read's worth waiting, so a fast one is fed without a stop and start per
 * read; one that has not, or any once proxy_memory is held in all, none.
 */
static size_t
client_hold(const struct upstream *up)
{
	const struct conn *c = up->client;

	if (c == NULL || !c->drained ||
	    conn_held() >= up->hub->cfg->proxy_memory)
		return 0;
	return CHUNK_SIZE;
}

/* Traffic passed: the target is in use. */
static void
touch(struct upstream *up)
{
	if (up->activity != NULL)
		up->activity(up->owner);
}

/* Responses are read into chunks, so the body can be written on to the
 * client without a copy (see to_client). */
static void
up_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct upstream *up =
	    container_of((union endpoint_stream *)h, struct upstream, conn);

	(void)hint;
	b->base = chunk_new();
	b->len = CHUNK_SIZE;
	/* Past proxy_memory held for slow clients, reads for a client that
	 * is not taking what it is sent shrink: one that stops reading then
	 * holds at most one small read, and fast ones are not slowed. */
	if (conn_held() + CHUNK_SIZE > up->hub->cfg->proxy_memory &&
	    up->client != NULL && conn_stalled(up->client))
		b->len = PROXY_READ_SMALL;
}

static void
up_close_cb(uv_handle_t *h)
{
	struct upstream *up =
	    container_of((union endpoint_stream *)h, struct upstream, conn);

	buf_release(&up->in);
	free(up->head);
	if (up->tls_started)
		uptls_release(&up->tls);
	tlspeer_unref(up->to.tls);
	free(up);
}

static void
up_close(struct upstream *up, const char *why)
{
	char where[ENDPOINT_PATH_MAX + 16];

	if (up->closing)
		return;
	exchange_end(up);
	if (log_verbose) /* not a format per closed connection otherwise */
		log_debug("%s: %s: %s", __func__,
		    endpoint_text(&up->to, where, sizeof(where)), why);
	up->closing = 1;
	if (up->state == UP_IDLE) {
		TAILQ_REMOVE(idle_list(up->hub, &up->to), up, entry);
		up->hub->nidle--;
	}
	if (up->client != NULL && up->client->peer == up)
		conn_peer_set(up->client, NULL, NULL);
	up->client = NULL;
	/* Before the socket: the relay polls a dup of it. */
	if (up->relay != NULL) {
		relay_stop(up->relay);
		up->relay = NULL;
	}
	uv_close(&up->conn.handle, up_close_cb);
}

static void
up_write_cb(uv_write_t *w, int status)
{
	struct up_wreq  *wr = container_of(w, struct up_wreq, w);
	struct upstream *up = wr->up;

	up->queued -= wr->len;
	chunk_unref(wr->chunk);
	free(wr);
	if (up->closing)
		return;
	if (status != 0) {
		struct conn *c = up->client;

		up_close(up, "write failed");
		if (c != NULL && c->req != NULL && c->req->status == 0)
			respond_error(c->req, 502, "the server went away");
		else if (c != NULL)
			conn_close(c, "upstream write failed");
		return;
	}
	progress(up);
	if (up->queued < CONN_WRITE_LOW && up->client != NULL)
		conn_resume(up->client);
}

/* Bytes to the socket as they are: 'data' in 'chunk' (referenced while
 * queued), or copied if 'chunk' is NULL. */
static int
up_send(struct upstream *up, const char *data, size_t len, char *chunk)
{
	struct up_wreq *wr;
	uv_buf_t        b;
	size_t          left;
	int             r;

	if (len == 0)
		return 0;
	left = stream_write_now(&up->conn.stream, data, len);
	if (left == 0)
		return 0;
	data += len - left;
	len = left;
	wr = xmalloc(sizeof(*wr) + (chunk != NULL ? 0 : len));
	wr->up = up;
	wr->len = len;
	wr->chunk = chunk;
	if (chunk != NULL) {
		chunk_ref(chunk);
		b = uv_buf_init((char *)data, (unsigned int)len);
	} else {
		memcpy(wr->data, data, len);
		b = uv_buf_init(wr->data, (unsigned int)len);
	}
	r = uv_write(&wr->w, &up->conn.stream, &b, 1, up_write_cb);
	if (r != 0) {
		chunk_unref(wr->chunk);
		free(wr);
		return -1;
	}
	up->queued += len;
	if (up->queued > CONN_WRITE_HIGH && up->client != NULL)
		conn_pause(up->client);
	return 0;
}

/* TLS's ciphertext, a chunk from tls_io (tls-bio.h). */
static int
up_send_tls(void *arg, char *chunk, size_t len)
{
	struct upstream *up = arg;

	if (up->closing)
		return -1;
	return up_send(up, chunk, len, chunk);
}

/* Plaintext to the server: through TLS if it is a TLS endpoint. */
static int
up_write(struct upstream *up, const void *data, size_t len)
{
	if (up->to.tls != NULL)
		return len == 0 ? 0 : uptls_write(&up->tls, data, len);
	return up_send(up, data, len, NULL);
}

/*
 * Whether a header name is 'lower' (lower case, with '-'), reading '_' as
 * '-': servers behind CGI-like layers (WSGI, Tornado's and PHP's
 * environments) see X_Rig_User and X-Rig-User as one name.
 */
static int
name_is(const char *name, size_t len, const char *lower)
{
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (lower[i] == '\0')
			return 0;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '_')
			c = '-';
		if (c != lower[i])
			return 0;
	}
	return lower[len] == '\0';
}

int
proxy_skip_header(const struct http_header *f)
{
	static const char *drop[] = { "connection", "keep-alive",
		"proxy-connection", "te", "upgrade", "authorization", "cookie",
		"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
		"x-rig-user", "forwarded", "proxy-authorization" };

	for (size_t i = 0; i < nitems(drop); i++)
		if (name_is(f->name, f->name_len, drop[i]))
			return 1;
	/* Framing the hub did not read: a server that took it for the real
	 * one would see another message boundary than the hub did. */
	if (memchr(f->name, '_', f->name_len) != NULL &&
	    (name_is(f->name, f->name_len, "content-length") ||
	        name_is(f->name, f->name_len, "transfer-encoding")))
		return 1;
	return 0;
}

/* The client's cookies minus the hub's own, which no server may see. */
static void
add_filtered_cookies(struct buf *b, const struct http_head *h)
{
	struct buf kept;

	buf_init(&kept, HTTP_MAX_HEAD);
	for (size_t i = 0; i < h->nhdr; i++) {
		const char *p, *end;

		if (h->hdr[i].name_len != 6 ||
		    strncasecmp(h->hdr[i].name, "cookie", 6) != 0)
			continue;
		p = h->hdr[i].value;
		end = p + h->hdr[i].value_len;
		while (p < end) {
			const char *semi = memchr(p, ';', (size_t)(end - p));
			const char *pe = semi ? semi : end;

			/* Spaces and tabs, as cookie_get() skips them: a
			 * cookie the hub reads as its own never goes on. */
			while (p < pe && (*p == ' ' || *p == '\t'))
				p++;
			if (pe > p && strncmp(p, "rig-session=", 12) != 0 &&
			    strncmp(p, "rig-xsrf=", 9) != 0) {
				if (kept.len > 0)
					buf_add(&kept, "; ", 2);
				buf_add(&kept, p, (size_t)(pe - p));
			}
			p = semi ? semi + 1 : end;
		}
	}
	if (kept.len > 0)
		buf_addf(b, "Cookie: %s\r\n", kept.data);
	buf_release(&kept);
}

char *
proxy_head(const struct req *req, const struct target *t, size_t *lenp)
{
	const struct http_head *h = &req->head;
	struct buf              b;
	size_t                  hostlen = 0;
	const char             *host = http_header(h, "host", &hostlen);

	buf_init(&b, 2 * HTTP_MAX_HEAD);
	buf_add(&b, h->method, h->method_len);
	buf_add(&b, " ", 1);
	/* The normalised path, which routing and access were decided on,
	 * and the query as it came. */
	buf_adds(&b, req->path);
	if (memchr(h->target, '?', h->target_len) != NULL) {
		buf_add(&b, "?", 1);
		buf_adds(&b, req->query);
	}
	buf_adds(&b, " HTTP/1.1\r\n");
	for (size_t i = 0; i < h->nhdr; i++) {
		if (proxy_skip_header(&h->hdr[i]))
			continue;
		buf_add(&b, h->hdr[i].name, h->hdr[i].name_len);
		buf_add(&b, ": ", 2);
		buf_add(&b, h->hdr[i].value, h->hdr[i].value_len);
		buf_add(&b, "\r\n", 2);
	}
	add_filtered_cookies(&b, h);
	/* Plain appends, not printf: this runs for every proxied request. */
	if (t->secret != NULL) {
		buf_adds(&b, "Authorization: token ");
		buf_adds(&b, t->secret);
		buf_add(&b, "\r\n", 2);
	}
	if (t->user != NULL) {
		buf_adds(&b, "X-Rig-User: ");
		buf_adds(&b, t->user);
		buf_add(&b, "\r\n", 2);
	}
	buf_adds(&b, "X-Forwarded-For: ");
	buf_adds(&b, req->addr);
	buf_adds(&b,
	    req->hub->ssl_ctx != NULL ? "\r\nX-Forwarded-Proto: https\r\n"
	                              : "\r\nX-Forwarded-Proto: http\r\n");
	if (host != NULL) {
		buf_adds(&b, "X-Forwarded-Host: ");
		buf_add(&b, host, hostlen);
		buf_add(&b, "\r\n", 2);
	} else {
		/* An HTTP/1.0 client may send no Host; what goes on is
		 * HTTP/1.1, which must have one (RFC 9112 §3.2). */
		char hh[80]; /* "[IPv6]:port" or "localhost" */

		buf_addf(&b, "Host: %s\r\n",
		    endpoint_host_header(&t->to, hh, sizeof(hh)));
	}
	if (h->upgrade) {
		size_t      ulen;
		const char *u = http_header(h, "upgrade", &ulen);

		buf_adds(&b, "Connection: Upgrade\r\nUpgrade: ");
		buf_add(&b, u, ulen);
		buf_add(&b, "\r\n", 2);
	} else
		buf_adds(&b, "Connection: keep-alive\r\n");
	buf_add(&b, "\r\n", 2);
	return buf_detach(&b, lenp);
}

/* The pool's list for 'to' (FNV-1a of what endpoint_eq compares). */
static struct upstream_list *
idle_list(struct hub *hub, const struct endpoint *to)
{
	const char *p = endpoint_is_unix(to) ? to->path : to->host;
	uint32_t    h = 2166136261u;

	for (; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	if (!endpoint_is_unix(to))
		h = (h ^ (uint32_t)to->port) * 16777619u;
	return &hub->idle[h % IDLE_UP_BUCKETS];
}

static struct upstream *
pool_take(struct hub *hub, const struct endpoint *to)
{
	struct upstream *up;

	TAILQ_FOREACH(up, idle_list(hub, to), entry) {
		if (endpoint_eq(&up->to, to)) {
			TAILQ_REMOVE(idle_list(hub, to), up, entry);
			hub->nidle--;
			return up;
		}
	}
	return NULL;
}

static void
start_request(struct upstream *up)
{
	up->state = UP_HEAD;
	up->got_bytes = 0;
	up->no_relay = 0;
	buf_reset(&up->in);
	if (!up->reading) {
		uv_read_start(&up->conn.stream, up_alloc_cb, up_read_cb);
		up->reading = 1;
	}
	if (up_write(up, up->head, up->head_len) == -1) {
		struct conn *c = up->client;

		up_close(up, "write failed");
		if (c != NULL && c->req != NULL)
			respond_error(c->req, 502, "the server went away");
		return;
	}
	/* Through the connection, which reads again once its input (a body
	 * that came while connecting) is taken. */
	if (up->client != NULL)
		conn_process(up->client);
}

static void
connect_cb(uv_connect_t *cr, int status)
{
	struct upstream *up = container_of(cr, struct upstream, connect);
	struct conn     *c = up->client;

	if (up->closing)
		return;
	if (status != 0) {
		char where[ENDPOINT_PATH_MAX + 16];

		log_warnx("proxy: connect to %s: %s",
		    endpoint_text(&up->to, where, sizeof(where)),
		    uv_strerror(status));
		up_close(up, "connect failed");
		if (c != NULL && c->req != NULL) {
			if (up->refused != NULL)
				up->refused(up->owner);
			respond_error(c->req, 503,
			    "the server is not answering");
		}
		return;
	}
	endpoint_connected(&up->to, &up->conn);
	if (up->to.tls == NULL) {
		start_request(up);
		return;
	}
	/* The request waits for the handshake and the pin (tls_ready). */
	uv_read_start(&up->conn.stream, up_alloc_cb, up_read_cb);
	up->reading = 1;
	up->tls_started = 1;
	if (uptls_start(&up->tls, up->to.tls, up_send_tls, up) == -1)
		tls_handshake_failed(up);
}

/* A connection to 'to', not yet connected; it holds a reference to a TLS
 * endpoint's peer (a ticket may come after the server stopped). */
static struct upstream *
up_new(struct hub *hub, const struct endpoint *to)
{
	struct upstream *up = xcalloc(1, sizeof(*up));

	up->hub = hub;
	up->to = *to;
	if (up->to.tls != NULL)
		tlspeer_ref(up->to.tls);
	buf_init(&up->in, HTTP_MAX_HEAD);
	up->state = UP_CONNECTING;
	return up;
}

static void
up_connect(struct upstream *up)
{
	struct conn *c;
	char         where[ENDPOINT_PATH_MAX + 16];
	int          r;

	/* The handle exists from here on, so every failure below closes it
	 * and frees the upstream in up_close_cb, as libuv requires. */
	r = endpoint_connect(up->hub->loop, &up->to, &up->conn, &up->connect,
	    connect_cb);
	if (r == 0)
		return;
	log_warnx("proxy: connect to %s: %s",
	    endpoint_text(&up->to, where, sizeof(where)), uv_strerror(r));
	c = up->client;
	up_close(up, "connect failed");
	if (c != NULL && c->req != NULL)
		respond_error(c->req,
		    r == UV_EMFILE || r == UV_ENFILE ? 503 : 502,
		    "cannot reach the server");
}

void
proxy_forward(struct req *req, const struct target *t)
{
	struct conn     *c = req->conn;
	struct upstream *up;

	up = pool_take(req->hub, &t->to);
	if (up == NULL)
		up = up_new(req->hub, &t->to);
	else
		up->reused = 1;
	up->client = c;
	up->activity = t->activity;
	up->refused = t->refused;
	up->busy = t->busy;
	up->owner = t->owner;
	if (up->busy != NULL) {
		up->busy(up->owner, 1);
		up->in_exchange = 1;
	}
	up->req_done = req->head.body == BODY_NONE;
	up->status = 0;
	snprintf(up->method, sizeof(up->method), "%.*s",
	    (int)req->head.method_len, req->head.method);
	free(up->head);
	up->head = proxy_head(req, t, &up->head_len);
	conn_peer_set(c, &client_side, up);
	req->hub->m.proxied++;
	touch(up);
	progress(up);
	if (up->state == UP_CONNECTING)
		up_connect(up);
	else
		start_request(up);
}

/* The client sent bytes: more of the request's body, or tunnel data. */
static void
client_input(void *arg)
{
	struct upstream *up = arg;
	struct conn     *c = up->client;
	struct req      *req;
	ssize_t          n;
	int              done;

	if (c == NULL || up->state == UP_CONNECTING || up->closing)
		return;
	if (c->state == CONN_TUNNEL) {
		if (up_write(up, c->in.data, c->in.len) == -1) {
			conn_close(c, "upstream write failed");
			return;
		}
		/* An idle tunnel (a WebSocket between messages) keeps no
		 * input buffer. */
		buf_release(&c->in);
		touch(up);
		return;
	}
	req = c->req;
	if (req == NULL || up->req_done || c->in.len == 0)
		return;
	n = http_body_feed(&req->framing, c->in.data, c->in.len, &done, NULL,
	    NULL);
	if (n < 0) {
		up_close(up, "bad request body");
		req_error_close(c, 400, "malformed chunked body");
		return;
	}
	if (up_write(up, c->in.data, (size_t)n) == -1) {
		up_close(up, "write failed");
		conn_close(c, "upstream write failed");
		return;
	}
	buf_consume(&c->in, (size_t)n);
	progress(up);
	if (done)
		up->req_done = 1;
}

/*
 * Whether the rest of this response's body may go by splice: to a plain
 * client (TLS must encrypt in user space), with a length large enough to
 * pay for the relay's set-up, or until the server closes. HEAD, 1xx, 204
 * and 304 responses have no body (BODY_NONE); chunked bodies would need
 * their framing parsed on the way.
 */
static int
relay_wanted(const struct upstream *up)
{
	const struct conn *c = up->client;

	/* A TLS back end's bytes must be decrypted here: never spliced. */
	if (c == NULL || c->ssl != NULL || up->to.tls != NULL || c->closing ||
	    up->relay != NULL || up->no_relay || up->state != UP_BODY ||
	    !up->hub->cfg->splice || !relay_usable())
		return 0;
	if (up->framing.kind == BODY_LENGTH)
		return up->framing.remaining >= RELAY_MIN;
	return up->framing.kind == BODY_UNTIL_CLOSE;
}

static void
relay_moved(void *arg, size_t n)
{
	struct upstream *up = arg;

	if (up->client != NULL && up->client->req != NULL)
		up->client->req->sent += n;
	up->hub->m.spliced_bytes += n;
	progress(up);
}

static void
relay_ended(void *arg, enum relay_end how)
{
	struct upstream *up = arg;
	struct conn     *c = up->client;

	up->relay = NULL;
	switch (how) {
	case RELAY_DONE:
		if (up->framing.kind == BODY_UNTIL_CLOSE) {
			/* As up_read does at the server's EOF. */
			up->resp_keep_alive = 0;
			up->req_done = 1;
		}
		up->framing.remaining = 0;
		response_done(up);
		return;
	case RELAY_NOT_STARTED:
		/* Nothing moved: this body goes the ordinary way. */
		up->no_relay = 1;
		if (!up->reading) {
			uv_read_start(&up->conn.stream, up_alloc_cb,
			    up_read_cb);
			up->reading = 1;
		}
		return;
	case RELAY_SRC_EOF:
	case RELAY_SRC_ERROR:
		up_close(up, "server closed mid-response");
		if (c != NULL)
			conn_close(c, "server closed mid-response");
		return;
	case RELAY_DST_ERROR:
		up_close(up, "client gone");
		if (c != NULL)
			conn_close(c, "write failed");
		return;
	}
}

/*
 * Hands the rest of the body to a relay; 0 if it stays on the ordinary way.
 * Only with nothing queued to the client, which the relay's bytes would
 * overtake. The relay may finish the response before this returns.
 */
static int
relay_begin(struct upstream *up)
{
	struct conn *c = up->client;
	uv_os_fd_t   from, to;
	uint64_t     len;

	if (c->queued > 0 || uv_fileno(&up->conn.handle, &from) != 0 ||
	    uv_fileno((uv_handle_t *)&c->tcp, &to) != 0)
		return 0;
	len = up->framing.kind == BODY_LENGTH ? up->framing.remaining
	                                      : RELAY_UNTIL_EOF;
	up->relay = relay_new(up->hub->loop, from, to, len, relay_moved,
	    relay_ended, up);
	if (up->relay == NULL) {
		up->no_relay = 1;
		return 0;
	}
	up->hub->m.spliced++;
	if (up->reading) {
		uv_read_stop(&up->conn.stream);
		up->reading = 0;
	}
	relay_run(up->relay);
	return 1;
}

/* After body bytes went the ordinary way: a large rest waits, unread,
 * until the client has taken what is queued (client_drained), then
 * goes by splice. */
static void
relay_maybe(struct upstream *up)
{
	if (!relay_wanted(up) || relay_begin(up) || up->client->queued == 0)
		return;
	if (up->reading) {
		uv_read_stop(&up->conn.stream);
		up->reading = 0;
	}
}

/* The client can take more: read the back end again, or relay. */
static void
client_drained(void *arg)
{
	struct upstream *up = arg;

	if (up->closing || up->relay != NULL || up->state == UP_IDLE)
		return;
	progress(up);
	if (relay_wanted(up)) {
		/* The last write's callback comes back here with 0. */
		if (up->client->queued > 0 || relay_begin(up))
			return;
	}
	if (up->reading ||
	    (up->client != NULL && up->client->queued > client_hold(up)))
		return;
	uv_read_start(&up->conn.stream, up_alloc_cb, up_read_cb);
	up->reading = 1;
}

/*
 * The client will send no more (a FIN, or TLS close_notify). A tunnel ends
 * both ways. A request sent whole may still get its response, after which
 * the connection closes. A request cut short never will be whole: the back
 * end would wait for the rest as long as it lives, so both end now.
 */
static void
client_eof(void *arg)
{
	struct upstream *up = arg;
	struct conn     *c = up->client;

	if (up->closing || c == NULL)
		return;
	if (up->state == UP_TUNNEL) {
		/* XXX: a half-close should be a shutdown(); closing both
		 * ways is what WebSocket peers expect in practice. */
		conn_close_after_write(c);
		up_close(up, "client closed the tunnel");
		return;
	}
	if (up->req_done) {
		if (c->req != NULL)
			c->req->keep_alive = 0;
		return;
	}
	up_close(up, "client left mid-request");
	conn_close(c, "client left mid-request");
}

/* The client closed, or the hub answered it instead. */
static void
client_gone(void *arg)
{
	struct upstream *up = arg;

	up->client = NULL;
	up_close(up, "client gone");
}

static int
to_client(struct upstream *up, const char *data, size_t len)
{
	struct conn *c = up->client;

	if (c == NULL)
		return -1;
	if (c->req != NULL)
		c->req->sent += len;
	if (chunk_holds(up->chunk, data)) {
		if (conn_write_chunk(c, up->chunk, data, len) == -1)
			return -1;
	} else if (conn_write(c, data, len) == -1)
		return -1;
	/* The socket is full: nothing more is read until what is queued is
	 * written (client_drained), so a client that does not read holds one
	 * read's rest, and the back end (or the kernel) holds the rest. */
	if (c->queued > client_hold(up) && up->reading) {
		uv_read_stop(&up->conn.stream);
		up->reading = 0;
	}
	return 0;
}

/* Hands the upstream back to the pool or closes it, and lets the client
 * connection move on. */
static void
response_done(struct upstream *up)
{
	struct conn *c = up->client;
	int          reuse;

	exchange_end(up);
	reuse = up->resp_keep_alive && up->req_done &&
	    up->framing.kind != BODY_UNTIL_CLOSE &&
	    up->hub->nidle < conn_idle_upstreams() && !up->hub->stopping;
	if (c != NULL) {
		conn_peer_set(c, NULL, NULL);
		if (c->req != NULL) {
			c->req->status = up->status;
			if (!up->req_done || !up->resp_keep_alive ||
			    up->framing.kind == BODY_UNTIL_CLOSE)
				c->req->keep_alive = 0;
		}
	}
	up->client = NULL;
	up->activity = up->refused = NULL;
	up->owner = NULL;
	if (reuse) {
		up->state = UP_IDLE;
		up->reused = 0;
		up->idle_since = uv_now(up->hub->loop);
		TAILQ_INSERT_HEAD(idle_list(up->hub, &up->to), up, entry);
		up->hub->nidle++;
		if (!up->reading) {
			uv_read_start(&up->conn.stream, up_alloc_cb,
			    up_read_cb);
			up->reading = 1;
		}
	} else
		up_close(up, "not reusable");
	if (c != NULL)
		req_answered(c);
}

/*
 * Body bytes of a response; the 'head' bytes just before 'data' are the
 * response head, not yet sent, which go with them.
 */
static void
body_bytes(struct upstream *up, const char *data, size_t len, size_t head)
{
	ssize_t n;
	int     done;

	n = http_body_feed(&up->framing, data, len, &done, NULL, NULL);
	if (n < 0) {
		struct conn *c = up->client;

		up_close(up, "malformed response body");
		if (c != NULL)
			conn_close(c, "malformed response body");
		return;
	}
	if (to_client(up, data - head, head + (size_t)n) == -1) {
		up_close(up, "client gone");
		return;
	}
	if (!done) {
		relay_maybe(up);
		return;
	}
	if ((size_t)n < len) {
		/* Bytes after the response: the server is confused. */
		up->resp_keep_alive = 0;
	}
	response_done(up);
}

static void head_bytes(struct upstream *, const char *, size_t);

/*
 * A parsed response head ('hlen' bytes at 'head') and the 'nrest' bytes
 * read after it. Usually both lie in the read chunk, the head just before
 * the rest: then they go on together, one write and one TLS record for a
 * small response. A head gathered in up->in goes on by itself first.
 */
static void
head_done(struct upstream *up, const struct http_head *h, const char *head,
    size_t hlen, const char *rest, size_t nrest)
{
	struct conn *c = up->client;
	struct buf   held = up->in; /* may hold 'head': freed at the end */
	size_t       with = rest == head + hlen ? hlen : 0;

	/* Moved out first: the body may end the response, and the next
	 * request on this pooled connection may gather a head of its own. */
	buf_init(&up->in, HTTP_MAX_HEAD);
	up->status = h->status;
	up->resp_keep_alive = h->keep_alive;
	http_body_init(&up->framing, h);
	if (with == 0 && to_client(up, head, hlen) == -1) {
		up_close(up, "client gone");
		goto out;
	}
	if (h->status == 101 && c != NULL && c->req != NULL &&
	    c->req->head.upgrade) {
		struct req *req = c->req;

		up->state = UP_TUNNEL;
		c->state = CONN_TUNNEL;
		/* An open WebSocket is not a request in flight: an idle
		 * kernel's tab left open must not keep the server. */
		exchange_end(up);
		req->status = 101;
		/* No timeout for a tunnel: keep-alive probes find a peer
		 * that vanished without a word, on either side. */
		conn_timeout(c, 0);
		uv_tcp_keepalive(&c->tcp, 1, PROXY_KEEPALIVE);
		endpoint_keepalive(&up->to, &up->conn, PROXY_KEEPALIVE);
		up->hub->m.websockets++;
		if (to_client(up, rest - with, with + nrest) == -1) {
			up_close(up, "client gone");
			goto out;
		}
		/* The request is over: log it and free it now, so an idle
		 * tunnel holds only its two sockets. */
		c->req = NULL;
		req->conn = NULL;
		req_gone(req);
		conn_process(c);
		goto out;
	}
	if (up->status >= 100 && up->status < 200) {
		/* 100 Continue, 103 Early Hints: the real response follows. */
		if (with > 0 && to_client(up, head, hlen) == -1) {
			up_close(up, "client gone");
			goto out;
		}
		if (nrest > 0)
			head_bytes(up, rest, nrest);
		goto out;
	}
	up->state = UP_BODY;
	body_bytes(up, rest, nrest, with);
out:
	buf_release(&held);
}

/*
 * Bytes of a response head (and whatever follows it). Usually the whole head
 * is in the first read: then it is parsed where it lies, in the read chunk,
 * and head and body go on to the client without a copy. Only a head split
 * over reads is gathered in up->in, and only as far as the head limit: the
 * body bytes after it stay where they were read.
 */
static void
head_bytes(struct upstream *up, const char *data, size_t len)
{
	/* Only read within this call; head_done copies what it keeps. */
	static struct http_head parsed;
	struct http_head       *h = &parsed;
	struct conn            *c = up->client;
	size_t                  old = up->in.len, take = len;
	int                     r;

	if (old == 0) {
		r = http_parse_response(data, len, h, up->method,
		    strlen(up->method));
		if (r > 0) {
			head_done(up, h, data, (size_t)r, data + r,
			    len - (size_t)r);
			return;
		}
	} else {
		if (take > up->in.max - old)
			take = up->in.max - old;
		if (buf_add(&up->in, data, take) == -1)
			goto too_large;
		r = http_parse_response(up->in.data, up->in.len, h, up->method,
		    strlen(up->method));
		if (r > 0) {
			/* The head ends in this read, after the 'old' bytes
			 * gathered before. */
			size_t used = (size_t)r - old;

			head_done(up, h, up->in.data, (size_t)r, data + used,
			    len - used);
			return;
		}
	}
	if (r < 0) {
		up_close(up, "bad response head");
		if (c != NULL && c->req != NULL)
			respond_error(c->req, 502, "bad response from server");
		return;
	}
	/* Incomplete: keep it for the next read. */
	if (old == 0 && buf_add(&up->in, data, len) == 0)
		return;
	if (old > 0 && take == len)
		return;
too_large:
	up_close(up, "response head too large");
	if (c != NULL && c->req != NULL)
		respond_error(c->req, 502, "bad response from server");
}

static void up_read(struct upstream *, ssize_t, const uv_buf_t *);

/* The handshake is done and the server is the pinned one: the request
 * may go. */
static int
tls_ready(void *arg)
{
	struct upstream *up = arg;

	if (up->tls.resumed)
		up->hub->m.tls_resumed++;
	else
		up->hub->m.tls_full++;
	/* Why a connection did not resume: none kept, or one refused. */
	log_debug("%s: TLS ready, session offered %d, resumed %d", __func__,
	    up->tls.offered, up->tls.resumed);
	start_request(up);
	return up->closing ? -1 : 0;
}

/* Plaintext from a TLS back end: read as a plain one's would be. */
static int
tls_deliver(void *arg, char *chunk, size_t len)
{
	struct upstream *up = arg;
	uv_buf_t         b = uv_buf_init(chunk, (unsigned int)len);

	up->chunk = chunk;
	up_read(up, (ssize_t)len, &b);
	up->chunk = NULL;
	return up->closing ? -1 : 0;
}

static const struct uptls_ops tls_ops = { tls_ready, tls_deliver };

/*
 * The request of 'up' (its kept head, its client and the target's hooks)
 * goes again on a new connection to the same server, and 'up' closes
 * with 'why'. 'tls_retried': the new one is the full handshake after a
 * failed resumption (not retried again).
 */
static void
retry_fresh(struct upstream *up, int req_done, int tls_retried, const char *why)
{
	struct conn     *c = up->client;
	struct upstream *fresh = up_new(up->hub, &up->to);

	fresh->tls_retried = tls_retried;
	fresh->client = c;
	fresh->activity = up->activity;
	fresh->refused = up->refused;
	fresh->busy = up->busy;
	fresh->owner = up->owner;
	fresh->in_exchange = up->in_exchange;
	up->in_exchange = 0;
	fresh->req_done = req_done;
	memcpy(fresh->method, up->method, sizeof(up->method));
	fresh->head = up->head;
	fresh->head_len = up->head_len;
	up->head = NULL;
	up->client = NULL;
	conn_peer_set(c, &client_side, fresh);
	up_close(up, why);
	up_connect(fresh);
}

/*
 * The handshake failed, or the server is not the pinned one: logged
 * always (an impostor on a job's port is news), and closed without a
 * byte of the request. A failed resumption (the peer now resumes no
 * more) is tried once again in full, for the same client.
 */
static void
tls_handshake_failed(struct upstream *up)
{
	struct conn *c = up->client;
	char         where[ENDPOINT_PATH_MAX + 16];

	up->hub->m.tls_failed++;
	log_warnx("proxy: %s: %s", endpoint_text(&up->to, where, sizeof(where)),
	    up->tls.why);
	if (up->tls.offered && !up->tls_retried && c != NULL &&
	    c->req != NULL) {
		retry_fresh(up, up->req_done, 1, "TLS resumption failed");
		return;
	}
	up_close(up, "TLS handshake failed");
	if (c != NULL && c->req != NULL && c->req->status == 0)
		respond_error(c->req, 502, "the server is not the one started");
	else if (c != NULL)
		conn_close(c, "upstream TLS failed");
}

/* Ciphertext from a TLS back end: its plaintext goes on through
 * tls_deliver; a TLS error is a connection error. */
static void
tls_read(struct upstream *up, ssize_t n, const uv_buf_t *b)
{
	uv_buf_t none = uv_buf_init(NULL, 0);

	if (n < 0 && !up->tls.ready && !up->closing) {
		/* An impostor that hangs up on the hub's certificate. */
		snprintf(up->tls.why, sizeof(up->tls.why), "TLS handshake: %s",
		    n == UV_EOF ? "the server closed" : uv_strerror((int)n));
		tls_handshake_failed(up);
		return;
	}
	if (n <= 0) {
		up_read(up, n, b);
		return;
	}
	if (uptls_input(&up->tls, b->base, (size_t)n, &tls_ops, up) == -1) {
		if (up->closing)
			return;
		if (!up->tls.ready) {
			tls_handshake_failed(up);
			return;
		}
		log_warnx("proxy: %s", up->tls.why);
		up_read(up, UV_EPROTO, &none);
		return;
	}
	if (up->tls.eof && !up->closing)
		up_read(up, UV_EOF, &none);
}

static void
up_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct upstream *up =
	    container_of((union endpoint_stream *)s, struct upstream, conn);

	if (up->tls_started) {
		tls_read(up, n, b);
		chunk_unref(b->base);
		return;
	}
	/* Writes that forwarded parts of it hold their own references. */
	up->chunk = b->base;
	up_read(up, n, b);
	up->chunk = NULL;
	chunk_unref(b->base);
}

static void
up_read(struct upstream *up, ssize_t n, const uv_buf_t *b)
{
	struct conn *c = up->client;

	if (n == 0)
		return;
	if (n < 0) {
		if (up->state == UP_IDLE) {
			up_close(up, "idle connection closed");
			return;
		}
		if (up->state == UP_BODY &&
		    up->framing.kind == BODY_UNTIL_CLOSE && n == UV_EOF) {
			up->resp_keep_alive = 0;
			up->req_done = 1;
			response_done(up);
			return;
		}
		if (up->state == UP_HEAD && !up->got_bytes && up->reused &&
		    c != NULL && c->req != NULL &&
		    c->req->head.body == BODY_NONE) {
			/* A pooled connection the server had already closed:
			 * try once more on a new one. */
			retry_fresh(up, 1, 0, "stale pooled connection");
			return;
		}
		up_close(up,
		    n == UV_EOF ? "server closed" : uv_strerror((int)n));
		if (c == NULL)
			return;
		if (up->state == UP_HEAD && c->req != NULL &&
		    c->req->status == 0)
			respond_error(c->req, 502,
			    "the server closed the "
			    "connection");
		else if (up->state == UP_TUNNEL)
			conn_close_after_write(c);
		else
			conn_close(c, "server closed mid-response");
		return;
	}
	progress(up);
	if (!up->got_bytes) {
		/* The head is kept only to retry on a stale pooled
		 * connection; an answer means no retry. */
		up->got_bytes = 1;
		free(up->head);
		up->head = NULL;
		/* A server answering is in use: a slow answer (a kernel
		 * starting) must not leave it idle since the request. */
		touch(up);
	}
	switch (up->state) {
	case UP_IDLE:
		up_close(up, "unexpected bytes on an idle connection");
		return;
	case UP_CONNECTING:
		return;
	case UP_HEAD:
		head_bytes(up, b->base, (size_t)n);
		return;
	case UP_BODY:
		body_bytes(up, b->base, (size_t)n, 0);
		return;
	case UP_TUNNEL:
		touch(up);
		if (to_client(up, b->base, (size_t)n) == -1)
			up_close(up, "client gone");
		return;
	}
}

void
proxy_forget(struct hub *hub, const struct endpoint *to)
{
	struct upstream *up, *next;

	for (up = TAILQ_FIRST(idle_list(hub, to)); up != NULL; up = next) {
		next = TAILQ_NEXT(up, entry);
		if (endpoint_eq(&up->to, to))
			up_close(up, "server stopped");
	}
}

void
proxy_idle_tick(struct hub *hub)
{
	uint64_t         now = uv_now(hub->loop);
	struct upstream *up, *prev;

	if (hub->nidle == 0)
		return;
	/* Oldest last in each list; a list mixes servers, so all of it. */
	for (size_t b = 0; b < IDLE_UP_BUCKETS; b++)
		for (up = TAILQ_LAST(&hub->idle[b], upstream_list); up != NULL;
		     up = prev) {
			prev = TAILQ_PREV(up, upstream_list, entry);
			if (up->to.tls != NULL &&
			    now - up->idle_since >= PROXY_TLS_IDLE_MS)
				up_close(up, "idle TLS connection closed");
		}
}

void
proxy_close_idle(struct hub *hub)
{
	struct upstream *up;

	for (size_t b = 0; b < IDLE_UP_BUCKETS; b++)
		while ((up = TAILQ_FIRST(&hub->idle[b])) != NULL)
			up_close(up, "hub stopping");
	/* The relays ended with the client connections, before this. */
	relay_pool_release();
}
