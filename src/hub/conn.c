/* SPDX-License-Identifier: MIT */
/*
 * Client connections. Bytes arrive on the TCP handle, are decrypted by
 * OpenSSL through the connection's BIO (tls-bio.c) when TLS is on, and land
 * as plaintext in c->in; conn_process() then hands it up: to the request
 * layer (c->ops, req.c) while a head or a hub endpoint's body is read, to
 * the peer (c->peer, the proxy's upstream) while a request is proxied or
 * tunnelled. Writes go the other way: plain bytes are encrypted into a
 * chunk that is handed to uv_write as it is.
 *
 * Timeouts: a client has header_timeout seconds to send a whole head (so a
 * slow client cannot hold a connection open by trickling bytes), the same
 * for a hub endpoint's body, and keepalive_timeout seconds of quiet between
 * requests. A proxied exchange may stall (no byte moving either way) for
 * proxy_timeout seconds (the proxy restarts the timer as bytes move), so a
 * long download is fine and a dead one ends. Tunnels have no timeout: an
 * idle kernel WebSocket is normal; TCP keep-alive watches them instead.
 */
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <linux/sockios.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "chunk.h"
#include "conn.h"
#include "hub.h"
#include "lib/http.h"
#include "lib/log.h"
#include "tls-bio.h"
#include "lib/util.h"

/* One uv_write: its own copy of the bytes, or a reference to a chunk. */
struct wreq {
	uv_write_t   w;
	struct conn *c;
	size_t       len;
	char        *chunk; /* NULL for a copy in data[] */
	char         data[];
};

static void         read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void         timer_cb(uv_timer_t *);
static void         close_cb(uv_handle_t *);
static void         update_reading(struct conn *);
static int          send_chunk(void *, char *, size_t);
static struct conn *victim(struct hub *);
static void         process_input(struct conn *);

/* All reads land here: the loop is single-threaded and read_cb consumes
 * the bytes before returning. */
static char read_space[64 * 1024];

/* Bytes queued to all clients, not yet taken by their sockets. */
static size_t held;

/* Client connections at most: max_conns, or fewer if descriptors are short
 * (conn_limits). */
static int cap = 1 << 30;

/* Idle pooled back-end connections at most (conn_limits). */
static size_t idle_upstreams = CONN_IDLE_UP_MIN;

static void
alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	(void)h;
	(void)hint;
	b->base = read_space;
	b->len = sizeof(read_space);
}

void
conn_limits(struct hub *hub)
{
	struct rlimit rl;
	int           fit;

	cap = hub->cfg->max_conns;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit");
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			log_warn("setrlimit");
			rl.rlim_cur = was;
		}
	}
	/* A proxied connection (a WebSocket tunnel, a request in flight)
	 * takes two descriptors, beyond what the database, logs and
	 * servers' pipes need. A relay's pipe and polled duplicates take
	 * four more, but only while a large body moves: counting them for
	 * every connection would refuse idle WebSockets the machine can
	 * hold (10,000 at 20,000 open files, as nginx). */
	/* The proxy's pool keeps a connection per request it saw at once
	 * to each server (200 servers under 50 clients: over 1,500): a
	 * share of the files, so a pool too small for the servers does not
	 * close and reopen connections (for a Slurm job's server, each a
	 * TLS handshake) on every other request. */
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur / CONN_IDLE_UP_SHARE > CONN_IDLE_UP_MAX)
		idle_upstreams = CONN_IDLE_UP_MAX;
	else if (rl.rlim_cur / CONN_IDLE_UP_SHARE < CONN_IDLE_UP_MIN)
		idle_upstreams = CONN_IDLE_UP_MIN;
	else
		idle_upstreams = (size_t)(rl.rlim_cur / CONN_IDLE_UP_SHARE);
	fit = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1 << 30
	    ? 1 << 30
	    : ((int)rl.rlim_cur - CONN_FD_RESERVE - (int)idle_upstreams) / 2;
	if (fit < cap) {
		log_warnx("max_conns %d is more than %llu open files allow: "
		          "%d at most",
		    cap, (unsigned long long)rl.rlim_cur, fit > 16 ? fit : 16);
		cap = fit > 16 ? fit : 16;
	}
}

size_t
conn_idle_upstreams(void)
{
	return idle_upstreams;
}

/*
 * The connection to close when a new one comes at the cap: the oldest idle
 * one that never carried a signed-in request, else the oldest such one
 * half-way through a head (a client trickling bytes), else the oldest idle
 * one at all. One answering a request is never taken. Linear, but only at
 * the cap.
 */
static struct conn *
victim(struct hub *hub)
{
	struct conn *c, *partial = NULL, *idle = NULL;

	TAILQ_FOREACH(c, &hub->conns, entry) {
		if (c->closing || c->state != CONN_HEAD || c->req != NULL)
			continue;
		if (c->in.len == 0 && !c->trusted)
			return c;
		if (!c->trusted && partial == NULL)
			partial = c;
		if (c->in.len == 0 && idle == NULL)
			idle = c;
	}
	return partial != NULL ? partial : idle;
}

void
conn_accept(struct hub *hub, uv_stream_t *listener, const struct conn_ops *ops,
    int internal)
{
	struct conn            *c = xcalloc(1, sizeof(*c));
	struct sockaddr_storage ss;
	int                     len = sizeof(ss), r;

	/* At the cap the newcomer takes an idle or anonymous one's place, so
	 * a signed-in user still gets through; with none, it is closed. */
	if (hub->nconns >= (size_t)cap) {
		struct conn *v = victim(hub);

		if (v != NULL)
			conn_close(v, "connection cap: making room");
	}
	c->hub = hub;
	c->ops = ops;
	c->internal = internal;
	buf_init(&c->in, CONN_MAX_INPUT);
	uv_tcp_init(hub->loop, &c->tcp);
	uv_timer_init(hub->loop, &c->timer);
	c->handles = 2;
	TAILQ_INSERT_TAIL(&hub->conns, c, entry);
	hub->nconns++;
	r = uv_accept(listener, (uv_stream_t *)&c->tcp);
	if (r != 0) {
		log_warnx("accept: %s", uv_strerror(r));
		conn_close(c, "accept failed");
		return;
	}
	if (hub->nconns > (size_t)cap) {
		conn_close(c, "connection cap");
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			uv_ip4_name((struct sockaddr_in *)&ss, c->addr,
			    sizeof(c->addr));
		else if (ss.ss_family == AF_INET6)
			uv_ip6_name((struct sockaddr_in6 *)&ss, c->addr,
			    sizeof(c->addr));
	}
	if (hub->ssl_ctx != NULL && !internal) {
		BIO *bio;

		c->tls.send = send_chunk;
		c->tls.arg = c;
		c->ssl = SSL_new(hub->ssl_ctx);
		bio = tls_bio_new(&c->tls);
		if (c->ssl == NULL || bio == NULL)
			fatalx("out of memory for TLS");
		SSL_set_bio(c->ssl, bio,
		    bio); /* one BIO as both: one reference */
		SSL_set_accept_state(c->ssl);
	}
	c->state = CONN_HEAD;
	conn_timeout(c, hub->cfg->header_timeout);
	c->reading = 1;
	uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
}

static void
write_cb(uv_write_t *w, int status)
{
	struct wreq *wr = container_of(w, struct wreq, w);
	struct conn *c = wr->c;

	c->queued -= wr->len;
	held -= wr->len;
	chunk_unref(wr->chunk);
	free(wr);
	if (c->closing)
		return;
	if (status != 0) {
		conn_close(c, "write failed");
		return;
	}
	if (c->queued == 0)
		c->drained = 1;
	if (c->close_after_write && c->queued == 0) {
		conn_close(c, "done");
		return;
	}
	if (c->queued < CONN_WRITE_LOW && c->peer != NULL)
		c->peer_ops->drained(c->peer);
}

size_t
stream_write_now(uv_stream_t *s, const char *data, size_t len)
{
	uv_buf_t b = uv_buf_init((char *)data, (unsigned int)len);
	int      n = uv_try_write(s, &b, 1);

	return n > 0 ? len - (size_t)n : len;
}

/*
 * Hands 'len' bytes of ciphertext or plaintext to the socket: what it takes
 * at once, and the rest to uv_write, by reference into 'chunk' (which the
 * request holds until written) or, with no chunk, as a copy.
 */
static int
send_bytes(struct conn *c, char *chunk, const char *data, size_t len)
{
	struct wreq *wr;
	uv_buf_t     b;
	size_t       left;
	int          r;

	if (c->closing)
		return -1;
	if (len == 0)
		return 0;
	left = stream_write_now((uv_stream_t *)&c->tcp, data, len);
	if (left == 0)
		return 0;
	data += len - left;
	len = left;
	/* A small rest is copied: a client that does not read then holds
	 * those bytes, not the whole 64 KiB chunk they lie in. */
	if (left <= CONN_COPY_MAX)
		chunk = NULL;
	wr = xmalloc(sizeof(*wr) + (chunk == NULL ? len : 0));
	wr->c = c;
	wr->len = len;
	wr->chunk = chunk;
	if (chunk != NULL)
		chunk_ref(chunk);
	else
		data = memcpy(wr->data, data, len);
	b = uv_buf_init((char *)data, (unsigned int)len);
	r = uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, write_cb);
	if (r != 0) {
		chunk_unref(wr->chunk);
		free(wr);
		conn_close(c, "write failed");
		return -1;
	}
	c->queued += len;
	held += len;
	return 0;
}

size_t
conn_held(void)
{
	return held;
}

int
conn_stalled(struct conn *c)
{
	uv_os_fd_t fd;
	int        unsent = 0;

	if (c->queued > 0)
		return 1;
	if (c->drained)
		return 0;
	if (uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0 ||
	    ioctl(fd, SIOCOUTQNSD, &unsent) == -1)
		return 0;
	return unsent > 0;
}

/* Sends the ciphertext OpenSSL has written since the last flush. */
static int
flush_tls(struct conn *c)
{
	if (tls_io_flush(&c->tls) == -1) {
		conn_close(c, "write failed");
		return -1;
	}
	return 0;
}

int
conn_write(struct conn *c, const void *data, size_t len)
{
	const char *p = data;

	if (c->closing)
		return -1;
	if (c->ssl == NULL)
		return send_bytes(c, NULL, data, len);
	while (len > 0) {
		size_t n = len > 16384 ? 16384 : len;
		int    w = SSL_write(c->ssl, p, (int)n);

		if (w <= 0) {
			ERR_clear_error();
			conn_close(c, "TLS write failed");
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return flush_tls(c);
}

/* The TLS BIO's way out: a chunk of ciphertext. */
static int
send_chunk(void *arg, char *chunk, size_t len)
{
	return send_bytes(arg, chunk, chunk, len);
}

int
conn_write_chunk(struct conn *c, char *chunk, const char *data, size_t len)
{
	if (c->closing)
		return -1;
	if (c->ssl != NULL || len == 0)
		return conn_write(c, data, len);
	return send_bytes(c, chunk, data, len);
}

static void
close_cb(uv_handle_t *h)
{
	struct conn *c = h->data;

	if (--c->handles > 0)
		return;
	SSL_free(c->ssl); /* and its BIO */
	tls_io_release(&c->tls);
	buf_release(&c->in);
	free(c);
}

void
conn_close(struct conn *c, const char *why)
{
	if (c->closing)
		return;
	log_debug("%s: %s: %s", __func__, c->addr, why);
	c->closing = 1;
	c->ops->closing(c); /* first: it sees whether a peer was answering */
	conn_peer_drop(c);
	TAILQ_REMOVE(&c->hub->conns, c, entry);
	c->hub->nconns--;
	c->tcp.data = c;
	c->timer.data = c;
	uv_close((uv_handle_t *)&c->timer, close_cb);
	uv_close((uv_handle_t *)&c->tcp, close_cb);
}

void
conn_peer_set(struct conn *c, const struct conn_peer_ops *ops, void *peer)
{
	c->peer_ops = peer != NULL ? ops : NULL;
	c->peer = peer;
}

void
conn_peer_drop(struct conn *c)
{
	void *peer = c->peer;

	if (peer == NULL)
		return;
	c->peer = NULL;
	c->peer_ops->gone(peer);
}

void
conn_close_after_write(struct conn *c)
{
	if (c->closing)
		return;
	if (c->queued == 0) {
		conn_close(c, "done");
		return;
	}
	c->close_after_write = 1;
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
}

static void
update_reading(struct conn *c)
{
	/* While a request is answered, what the client sends is the body,
	 * or requests it pipelined after it: those wait, a few KiB of them,
	 * until the response is done. */
	size_t most = c->state == CONN_HANDLING || c->state == CONN_PROXY
	    ? CONN_READ_PAUSE_BUSY
	    : CONN_READ_PAUSE;
	int    want = !c->paused && !c->close_after_write && c->in.len < most;

	if (c->closing)
		return;
	if (want && !c->reading) {
		uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
		c->reading = 1;
	} else if (!want && c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
}

void
conn_pause(struct conn *c)
{
	c->paused = 1;
	update_reading(c);
}

void
conn_resume(struct conn *c)
{
	if (!c->paused)
		return;
	c->paused = 0;
	update_reading(c);
	conn_process(c);
}

static void
timer_cb(uv_timer_t *t)
{
	struct conn *c = container_of(t, struct conn, timer);

	if (c->state == CONN_HEAD && c->in.len > 0) {
		conn_error_close(c, 408, "request head not received in time");
		return;
	}
	conn_close(c, "timeout");
}

void
conn_timeout(struct conn *c, int seconds)
{
	if (seconds == 0)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, timer_cb, (uint64_t)seconds * 1000,
		    0);
}

void
conn_error_close(struct conn *c, int status, const char *msg)
{
	char *s;

	log_info("%s - - %d (%s)", c->addr, status, msg);
	s = xasprintf("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
	              "Connection: close\r\nContent-Length: %zu\r\n\r\n%s\n",
	    status, http_reason(status), strlen(msg) + 1, msg);
	conn_write(c, s, strlen(s));
	free(s);
	conn_close_after_write(c);
}

/* Plain HTTP sent to the TLS port: say so in plain HTTP, then close. */
static int
looks_like_plain_http(const char *p, size_t n)
{
	static const char *methods[] = { "GET ", "POST", "HEAD", "PUT ", "DELE",
		"OPTI", "PATC" };

	if (n < 4)
		return 0;
	for (size_t i = 0; i < nitems(methods); i++)
		if (memcmp(p, methods[i], 4) == 0)
			return 1;
	return 0;
}

static void
tls_input(struct conn *c, const char *data, size_t len)
{
	char plain[16384];
	int  r;

	if (SSL_in_before(c->ssl) && looks_like_plain_http(data, len)) {
		static const char msg[] =
		    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
		    "Connection: close\r\nContent-Length: 39\r\n\r\n"
		    "This port speaks HTTPS, not plain HTTP\n";

		send_bytes(c, NULL, msg, sizeof(msg) - 1);
		conn_close_after_write(c);
		return;
	}
	/* OpenSSL reads these bytes through the BIO until they run out
	 * (then it asks to retry): every path below either reads until
	 * then or closes. */
	c->tls.in = data;
	c->tls.in_len = len;
	if (!c->handshaken) {
		r = SSL_do_handshake(c->ssl);
		if (r != 1) {
			int e = SSL_get_error(c->ssl, r);

			flush_tls(c);
			if (e == SSL_ERROR_WANT_READ)
				return;
			ERR_clear_error();
			conn_close_after_write(c);
			return;
		}
		c->handshaken = 1;
		if (flush_tls(c) == -1)
			return;
	}
	for (;;) {
		r = SSL_read(c->ssl, plain, sizeof(plain));
		if (r > 0) {
			if (buf_add(&c->in, plain, (size_t)r) == -1) {
				conn_close(c, "input over limit");
				return;
			}
			/* Another SSL_read with nothing left would only set
			 * up OpenSSL's 17 KiB read buffer to free it again. */
			if (c->tls.in_len == 0 && !SSL_has_pending(c->ssl))
				break;
			continue;
		}
		r = SSL_get_error(c->ssl, r);
		if (r == SSL_ERROR_WANT_READ)
			break;
		ERR_clear_error();
		if (r == SSL_ERROR_ZERO_RETURN) {
			/* close_notify: no more input, but let a response in
			 * flight finish. */
			if (c->state == CONN_HEAD && c->in.len == 0)
				conn_close(c, "client closed");
			else if ((c->state == CONN_TUNNEL ||
			             c->state == CONN_PROXY) &&
			    c->peer != NULL) {
				/* Hand on what came before it first. */
				conn_process(c);
				if (!c->closing && c->peer != NULL)
					c->peer_ops->eof(c->peer);
				return;
			}
			break;
		}
		conn_close(c, "TLS error");
		return;
	}
	flush_tls(c); /* session tickets, key updates */
}

static void
read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct conn *c = container_of((uv_tcp_t *)s, struct conn, tcp);

	if (n == 0)
		return;
	if (n < 0) {
		if ((c->state == CONN_TUNNEL || c->state == CONN_PROXY) &&
		    c->peer != NULL && n == UV_EOF) {
			/* First: the peer may close the connection. */
			uv_read_stop(s);
			c->reading = 0;
			c->peer_ops->eof(c->peer);
			return;
		}
		if (c->state == CONN_PROXY && n == UV_EOF &&
		    c->ops->half_closed(c)) {
			/* Half-close after a request: the response may still
			 * come back. */
			uv_read_stop(s);
			c->reading = 0;
			return;
		}
		conn_close(c,
		    n == UV_EOF ? "client closed" : uv_strerror((int)n));
		return;
	}
	/* The first bytes of a request after a quiet keep-alive: from now
	 * on the head must arrive within header_timeout. */
	if (c->state == CONN_HEAD && c->in.len == 0 && c->served > 0)
		conn_timeout(c, c->hub->cfg->header_timeout);
	if (c->ssl != NULL)
		tls_input(c, b->base, (size_t)n);
	else if (buf_add(&c->in, b->base, (size_t)n) == -1) {
		conn_close(c, "input over limit");
		return;
	}
	if (c->closing)
		return;
	conn_process(c);
	update_reading(c);
}

void
conn_process(struct conn *c)
{
	process_input(c);
	/* What was taken may leave room to read again (a body that waited
	 * for a back end to connect). */
	update_reading(c);
}

/* Hands buffered input up until no one takes more. */
static void
process_input(struct conn *c)
{
	while (!c->closing) {
		enum conn_state before = c->state;
		size_t          len = c->in.len;

		switch (c->state) {
		case CONN_HEAD:
		case CONN_BODY:
			if (c->in.len == 0)
				return;
			c->ops->input(c);
			break;
		case CONN_HANDLING:
			return;
		case CONN_PROXY:
		case CONN_TUNNEL:
			if (c->peer == NULL || c->in.len == 0)
				return;
			c->peer_ops->input(c->peer);
			break;
		}
		if (c->closing || (c->state == before && c->in.len == len))
			return;
	}
}

void
conn_next(struct conn *c, int keep)
{
	c->served++;
	if (c->closing)
		return;
	if (!keep) {
		conn_close_after_write(c);
		return;
	}
	c->state = CONN_HEAD;
	if (c->in.len == 0 && c->in.cap > 4096)
		buf_release(&c->in); /* an idle connection keeps little */
	conn_timeout(c,
	    c->in.len > 0 ? c->hub->cfg->header_timeout
	                  : c->hub->cfg->keepalive_timeout);
	update_reading(c);
	conn_process(c);
}
