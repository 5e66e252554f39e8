/* SPDX-License-Identifier: MIT */
/*
 * WebSocket load client for the benchmark (bench/run): ws:// and wss://,
 * minimal RFC 6455 (client handshake with Sec-WebSocket-Key checked against
 * Sec-WebSocket-Accept, masked frames, small text messages).
 *
 *   rtt N        N sequential round trips on one connection (after 100
 *                unmeasured ones); prints p50, p99, min, max and mean in µs.
 *   rate SECS    one connection, WINDOW messages in flight, for SECS
 *                seconds; prints messages per second.
 *   idle N       opens N connections (PARALLEL handshakes at a time, on
 *                nonblocking sockets driven by libuv), prints "ready ok=N
 *                failed=M", then holds them until standard input closes or
 *                the time limit passes.
 *
 * The first two use one blocking socket (and blocking SSL): simplest, and
 * what a latency probe should be. Every socket has a receive timeout and
 * every mode a time limit (-t, default 600 s), so a stuck proxy cannot hang
 * the benchmark.
 *
 * usage: ws-bench [-H HEADER]... [-s SIZE] [-w WINDOW] [-P PARALLEL]
 *                 [-t SECONDS] URL rtt N | rate SECONDS | idle N
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <uv.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC11B85"
#define MAX_HEADERS 8
#define MAX_HEAD 8192 /* handshake response */
#define MAX_MSG 65536 /* -s limit */
#define WARMUP 100

#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct url {
	int  tls;
	char host[256];
	char port[8];
	char path[1024];
};

/* A blocking connection with a read buffer. */
struct bconn {
	int           fd;
	SSL          *ssl;
	unsigned char rbuf[MAX_MSG * 2 + 64];
	size_t        roff, rlen;
};

/* One of the idle connections. */
enum iconn_state { IC_CONNECTING, IC_TLS, IC_RESPONSE, IC_OPEN, IC_DONE };

struct iconn {
	uv_poll_t        poll;
	int              fd;
	SSL             *ssl;
	enum iconn_state state;
	char            *resp; /* handshake response so far; NULL after */
	size_t           resp_len;
	char             accept[32]; /* expected Sec-WebSocket-Accept */
	int              polling;
};

static struct url  url;
static const char *headers[MAX_HEADERS];
static int         nheaders;
static size_t      msg_size = 32;
static int         window = 32;
static int         parallel = 200;
static double      time_limit = 600;
static SSL_CTX    *ssl_ctx;
static uint64_t    rng = 0x9e3779b97f4a7c15ULL;

/* Idle mode. */
static uv_loop_t    *loop;
static struct iconn *iconns;
static long          idle_n, idle_next, idle_ok, idle_failed, idle_dropped;
static int           idle_active, idle_ready_said;
static uv_poll_t     stdin_poll;
static uv_timer_t    limit_timer;

static void die(const char *, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ws-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static uint32_t
rand32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static int
parse_url(const char *s, struct url *u)
{
	const char *p, *hend, *colon, *slash;

	if (strncmp(s, "ws://", 5) == 0) {
		u->tls = 0;
		p = s + 5;
	} else if (strncmp(s, "wss://", 6) == 0) {
		u->tls = 1;
		p = s + 6;
	} else
		return -1;
	slash = strchr(p, '/');
	hend = slash ? slash : p + strlen(p);
	colon = memchr(p, ':', (size_t)(hend - p));
	if (colon == NULL || (size_t)(colon - p) >= sizeof(u->host) ||
	    (size_t)(hend - colon - 1) >= sizeof(u->port) || hend == colon + 1)
		return -1;
	memcpy(u->host, p, (size_t)(colon - p));
	u->host[colon - p] = '\0';
	memcpy(u->port, colon + 1, (size_t)(hend - colon - 1));
	u->port[hend - colon - 1] = '\0';
	if (snprintf(u->path, sizeof(u->path), "%s", slash ? slash : "/") >=
	    (int)sizeof(u->path))
		return -1;
	return 0;
}

/* A fresh Sec-WebSocket-Key in 'key' and the accept value it expects. */
static void
make_key(char key[32], char accept[32])
{
	unsigned char raw[16], md[20], in[64];

	for (int i = 0; i < 16; i++)
		raw[i] = (unsigned char)rand32();
	EVP_EncodeBlock((unsigned char *)key, raw, 16);
	memcpy(in, key, 24);
	memcpy(in + 24, WS_GUID, 36);
	EVP_Digest(in, 60, md, NULL, EVP_sha1(), NULL);
	EVP_EncodeBlock((unsigned char *)accept, md, 20);
}

/* The client's handshake request; returns its length. */
static int
make_request(char *buf, size_t size, const char *key)
{
	int n, m;

	n = snprintf(buf, size,
	    "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n",
	    url.path, url.host, url.port, key);
	for (int i = 0; i < nheaders && n > 0 && (size_t)n < size; i++) {
		m = snprintf(buf + n, size - (size_t)n, "%s\r\n", headers[i]);
		n = m < 0 ? -1 : n + m;
	}
	if (n > 0 && (size_t)n < size) {
		m = snprintf(buf + n, size - (size_t)n, "\r\n");
		n = m < 0 ? -1 : n + m;
	}
	if (n < 0 || (size_t)n >= size)
		die("%s: request head too long", url.path);
	return n;
}

/* 0 if 'resp' (a complete head) is a 101 with the expected accept value. */
static int
check_response(const char *resp, const char *accept)
{
	const char *p;

	if (strncmp(resp, "HTTP/1.1 101", 12) != 0)
		return -1;
	for (p = resp; (p = strchr(p, '\n')) != NULL;) {
		p++;
		if (strncasecmp(p, "sec-websocket-accept:", 21) == 0) {
			p += 21;
			while (*p == ' ')
				p++;
			return strncmp(p, accept, strlen(accept)) == 0 ? 0 : -1;
		}
	}
	return -1;
}

/* A masked text frame of 'len' bytes in 'out'; returns its length. */
static size_t
make_frame(unsigned char *out, const unsigned char *payload, size_t len)
{
	uint32_t m = rand32();
	size_t   hl;

	out[0] = 0x81;
	if (len < 126) {
		out[1] = (unsigned char)(0x80 | len);
		hl = 2;
	} else {
		out[1] = 0x80 | 126;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		hl = 4;
	}
	memcpy(out + hl, &m, 4);
	for (size_t i = 0; i < len; i++)
		out[hl + 4 + i] = payload[i] ^ out[hl + (i & 3)];
	return hl + 4 + len;
}

static ssize_t
b_read(struct bconn *b, void *buf, size_t len)
{
	int n;

	if (b->ssl == NULL)
		return read(b->fd, buf, len);
	n = SSL_read(b->ssl, buf, (int)len);
	return n > 0 ? n : -1;
}

static void
b_write_all(struct bconn *b, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n;

		if (b->ssl != NULL) {
			int r = SSL_write(b->ssl, p, (int)len);

			n = r > 0 ? r : -1;
		} else
			n = write(b->fd, p, len);
		if (n <= 0)
			die("%s: write failed (or timed out)", url.path);
		p += n;
		len -= (size_t)n;
	}
}

/* Makes sure at least 'need' unread bytes are buffered. */
static void
b_fill(struct bconn *b, size_t need)
{
	if (b->roff > 0 && b->rlen - b->roff < need) {
		memmove(b->rbuf, b->rbuf + b->roff, b->rlen - b->roff);
		b->rlen -= b->roff;
		b->roff = 0;
	}
	while (b->rlen - b->roff < need) {
		ssize_t n =
		    b_read(b, b->rbuf + b->rlen, sizeof(b->rbuf) - b->rlen);

		if (n <= 0)
			die("%s: connection closed or read timed out",
			    url.path);
		b->rlen += (size_t)n;
	}
}

/* Reads one frame; its payload goes to 'out' (MAX_MSG bytes). Returns the
 * payload length. Dies on a close frame or a frame that is too long. */
static size_t
ws_recv(struct bconn *b, unsigned char *out)
{
	unsigned char *h;
	size_t         hl = 2, len;

	b_fill(b, 2);
	h = b->rbuf + b->roff;
	len = h[1] & 0x7f;
	if (len == 126) {
		b_fill(b, 4);
		h = b->rbuf + b->roff;
		len = ((size_t)h[2] << 8) | h[3];
		hl = 4;
	} else if (len == 127)
		die("%s: frame too long", url.path);
	if ((h[0] & 0x0f) == 0x8)
		die("%s: the server closed the WebSocket", url.path);
	if (len > MAX_MSG || (h[1] & 0x80))
		die("%s: bad frame from the server", url.path);
	b_fill(b, hl + len);
	memcpy(out, b->rbuf + b->roff + hl, len);
	b->roff += hl + len;
	return len;
}

static void
b_connect(struct bconn *b)
{
	struct addrinfo hints, *ai;
	struct timeval  tv = { 10, 0 };
	char            req[4096], key[32], accept[32], *e;
	int             one = 1, n;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(url.host, url.port, &hints, &ai) != 0)
		die("cannot resolve '%s'", url.host);
	b->fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (b->fd == -1 || connect(b->fd, ai->ai_addr, ai->ai_addrlen) != 0)
		die("cannot connect to port %s", url.port);
	freeaddrinfo(ai);
	setsockopt(b->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(b->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(b->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (url.tls) {
		b->ssl = SSL_new(ssl_ctx);
		SSL_set_fd(b->ssl, b->fd);
		SSL_set_tlsext_host_name(b->ssl, url.host);
		if (SSL_connect(b->ssl) != 1) {
			ERR_print_errors_fp(stderr);
			die("%s: TLS handshake failed", url.host);
		}
	}
	make_key(key, accept);
	n = make_request(req, sizeof(req), key);
	b_write_all(b, req, (size_t)n);
	/* The response head, byte runs until the blank line. */
	for (;;) {
		ssize_t r;

		b->rbuf[b->rlen] = '\0';
		e = strstr((char *)b->rbuf, "\r\n\r\n");
		if (e != NULL)
			break;
		if (b->rlen >= MAX_HEAD)
			die("%s: handshake response too long", url.path);
		r = b_read(b, b->rbuf + b->rlen, MAX_HEAD - b->rlen);
		if (r <= 0)
			die("%s: no handshake response", url.path);
		b->rlen += (size_t)r;
	}
	e[2] = '\0';
	if (check_response((char *)b->rbuf, accept) != 0) {
		fprintf(stderr, "%s", (char *)b->rbuf);
		die("%s: handshake refused (response above)", url.path);
	}
	b->roff = (size_t)(e + 4 - (char *)b->rbuf);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
mode_rtt(long n)
{
	struct bconn *b = calloc(1, sizeof(*b));
	unsigned char msg[MAX_MSG], frame[MAX_MSG + 16], got[MAX_MSG];
	double       *t = calloc((size_t)n, sizeof(double)), sum = 0, start;
	size_t        flen;

	if (b == NULL || t == NULL)
		die("%s", "out of memory");
	for (size_t i = 0; i < msg_size; i++)
		msg[i] = (unsigned char)('a' + i % 26);
	b_connect(b);
	start = now_us();
	for (long i = -WARMUP; i < n; i++) {
		double t0;

		if (now_us() - start > time_limit * 1e6)
			die("%s", "time limit reached");
		flen = make_frame(frame, msg, msg_size);
		t0 = now_us();
		b_write_all(b, frame, flen);
		if (ws_recv(b, got) != msg_size ||
		    memcmp(got, msg, msg_size) != 0)
			die("%s: echo differs from the message", url.path);
		if (i >= 0)
			t[i] = now_us() - t0;
	}
	for (long i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	printf("rtt n=%ld p50_us=%.1f p99_us=%.1f min_us=%.1f max_us=%.1f "
	       "mean_us=%.1f\n",
	    n, t[n / 2], t[(size_t)((double)n * 0.99)], t[0], t[n - 1],
	    sum / (double)n);
	free(t);
	return 0;
}

static int
mode_rate(double secs)
{
	struct bconn *b = calloc(1, sizeof(*b));
	unsigned char msg[MAX_MSG], frame[MAX_MSG + 16], got[MAX_MSG];
	double        start, end;
	long          count = 0;
	size_t        flen;

	if (b == NULL)
		die("%s", "out of memory");
	if (secs > time_limit)
		secs = time_limit;
	for (size_t i = 0; i < msg_size; i++)
		msg[i] = (unsigned char)('A' + i % 26);
	b_connect(b);
	flen = make_frame(frame, msg, msg_size);
	for (int i = 0; i < window; i++)
		b_write_all(b, frame, flen);
	start = now_us();
	end = start + secs * 1e6;
	while (now_us() < end) {
		if (ws_recv(b, got) != msg_size)
			die("%s: echo has the wrong length", url.path);
		count++;
		b_write_all(b, frame, flen);
	}
	for (int i = 0; i < window; i++) {
		if (ws_recv(b, got) != msg_size)
			die("%s: echo has the wrong length", url.path);
		count++;
	}
	end = now_us();
	printf("rate n=%ld seconds=%.3f msgs_per_s=%.0f window=%d\n", count,
	    (end - start) / 1e6, (double)count / ((end - start) / 1e6), window);
	return 0;
}

/* Idle mode: a state machine per connection, driven by uv_poll. */

static void ic_poll_cb(uv_poll_t *, int, int);
static void idle_start_more(void);

static void
ic_close_cb(uv_handle_t *h)
{
	(void)h;
}

static void
ic_finish(struct iconn *c, int ok)
{
	free(c->resp);
	c->resp = NULL;
	if (ok) {
		c->state = IC_OPEN;
		idle_ok++;
		uv_poll_start(&c->poll, UV_READABLE, ic_poll_cb);
	} else {
		c->state = IC_DONE;
		idle_failed++;
		if (c->polling)
			uv_poll_stop(&c->poll);
		SSL_free(c->ssl);
		c->ssl = NULL;
		close(c->fd);
		c->fd = -1;
	}
	idle_active--;
	if (!idle_ready_said && idle_ok + idle_failed == idle_n) {
		idle_ready_said = 1;
		printf("ready ok=%ld failed=%ld\n", idle_ok, idle_failed);
		fflush(stdout);
	}
	idle_start_more();
}

/* Sends the handshake request (small: one write goes through). */
static int
ic_send_request(struct iconn *c)
{
	char req[4096], key[32];
	int  n, w;

	make_key(key, c->accept);
	n = make_request(req, sizeof(req), key);
	if (c->ssl != NULL)
		w = SSL_write(c->ssl, req, n);
	else
		w = (int)write(c->fd, req, (size_t)n);
	return w == n ? 0 : -1;
}

static void
ic_step(struct iconn *c, int events)
{
	char tmp[4096];
	int  r, err;

	switch (c->state) {
	case IC_CONNECTING: {
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
		    err != 0) {
			ic_finish(c, 0);
			return;
		}
		if (url.tls) {
			c->ssl = SSL_new(ssl_ctx);
			SSL_set_fd(c->ssl, c->fd);
			SSL_set_tlsext_host_name(c->ssl, url.host);
			c->state = IC_TLS;
		} else {
			if (ic_send_request(c) != 0) {
				ic_finish(c, 0);
				return;
			}
			c->state = IC_RESPONSE;
			uv_poll_start(&c->poll, UV_READABLE, ic_poll_cb);
			return;
		}
	}
		/* FALLTHROUGH */
	case IC_TLS:
		r = SSL_connect(c->ssl);
		if (r == 1) {
			if (ic_send_request(c) != 0) {
				ic_finish(c, 0);
				return;
			}
			c->state = IC_RESPONSE;
			uv_poll_start(&c->poll, UV_READABLE, ic_poll_cb);
			return;
		}
		err = SSL_get_error(c->ssl, r);
		if (err == SSL_ERROR_WANT_READ)
			uv_poll_start(&c->poll, UV_READABLE, ic_poll_cb);
		else if (err == SSL_ERROR_WANT_WRITE)
			uv_poll_start(&c->poll, UV_WRITABLE, ic_poll_cb);
		else {
			ERR_clear_error();
			ic_finish(c, 0);
		}
		return;
	case IC_RESPONSE:
	case IC_OPEN:
		for (;;) {
			ssize_t n;
			char   *e;

			if (c->ssl != NULL) {
				r = SSL_read(c->ssl, tmp, sizeof(tmp));
				if (r <= 0) {
					err = SSL_get_error(c->ssl, r);
					if (err == SSL_ERROR_WANT_READ ||
					    err == SSL_ERROR_WANT_WRITE)
						return;
					n = -1;
				} else
					n = r;
			} else {
				n = read(c->fd, tmp, sizeof(tmp));
				if (n < 0 && errno == EAGAIN)
					return;
			}
			if (n <= 0) {
				if (c->state == IC_OPEN) {
					idle_dropped++;
					c->state = IC_DONE;
					uv_poll_stop(&c->poll);
				} else
					ic_finish(c, 0);
				return;
			}
			if (c->state == IC_OPEN)
				continue; /* nothing is expected: drop it */
			if (c->resp_len + (size_t)n > MAX_HEAD) {
				ic_finish(c, 0);
				return;
			}
			c->resp = realloc(c->resp, c->resp_len + (size_t)n + 1);
			if (c->resp == NULL)
				die("%s", "out of memory");
			memcpy(c->resp + c->resp_len, tmp, (size_t)n);
			c->resp_len += (size_t)n;
			c->resp[c->resp_len] = '\0';
			e = strstr(c->resp, "\r\n\r\n");
			if (e != NULL) {
				e[2] = '\0';
				ic_finish(c,
				    check_response(c->resp, c->accept) == 0);
				return;
			}
		}
	case IC_DONE:
		(void)events;
		return;
	}
}

static void
ic_poll_cb(uv_poll_t *h, int status, int events)
{
	struct iconn *c = container_of(h, struct iconn, poll);

	if (status < 0 && c->state != IC_OPEN) {
		ic_finish(c, 0);
		return;
	}
	ic_step(c, events);
}

static void
ic_open(struct iconn *c, const struct sockaddr *sa, socklen_t salen)
{
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		idle_active++;
		ic_finish(c, 0);
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	idle_active++;
	if (connect(c->fd, sa, salen) != 0 && errno != EINPROGRESS) {
		ic_finish(c, 0);
		return;
	}
	c->state = IC_CONNECTING;
	if (uv_poll_init(loop, &c->poll, c->fd) != 0) {
		ic_finish(c, 0);
		return;
	}
	c->polling = 1;
	uv_poll_start(&c->poll, UV_WRITABLE, ic_poll_cb);
}

static struct sockaddr_storage idle_sa;
static socklen_t               idle_salen;

static void
idle_start_more(void)
{
	while (idle_active < parallel && idle_next < idle_n) {
		struct iconn *c = &iconns[idle_next++];

		ic_open(c, (struct sockaddr *)&idle_sa, idle_salen);
	}
}

static void
idle_stop(void)
{
	uv_stop(loop);
}

static void
stdin_cb(uv_poll_t *h, int status, int events)
{
	char    buf[256];
	ssize_t n;

	(void)h;
	(void)events;
	n = read(0, buf, sizeof(buf));
	if (status < 0 || n <= 0)
		idle_stop();
}

static void
limit_cb(uv_timer_t *t)
{
	(void)t;
	fprintf(stderr, "ws-bench: time limit reached\n");
	idle_stop();
}

static int
mode_idle(long n)
{
	struct addrinfo hints, *ai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(url.host, url.port, &hints, &ai) != 0)
		die("cannot resolve '%s'", url.host);
	memcpy(&idle_sa, ai->ai_addr, ai->ai_addrlen);
	idle_salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	iconns = calloc((size_t)n, sizeof(*iconns));
	if (iconns == NULL)
		die("%s", "out of memory");
	idle_n = n;
	loop = uv_default_loop();
	uv_poll_init(loop, &stdin_poll, 0);
	uv_poll_start(&stdin_poll, UV_READABLE | UV_DISCONNECT, stdin_cb);
	uv_timer_init(loop, &limit_timer);
	uv_timer_start(&limit_timer, limit_cb, (uint64_t)(time_limit * 1000),
	    0);
	idle_start_more();
	uv_run(loop, UV_RUN_DEFAULT);
	if (!idle_ready_said)
		printf("ready ok=%ld failed=%ld (incomplete)\n", idle_ok,
		    idle_failed + (idle_n - idle_ok - idle_failed));
	printf("closed dropped=%ld\n", idle_dropped);
	for (long i = 0; i < idle_n; i++) {
		struct iconn *c = &iconns[i];

		if (c->polling && !uv_is_closing((uv_handle_t *)&c->poll))
			uv_close((uv_handle_t *)&c->poll, ic_close_cb);
		SSL_free(c->ssl);
		if (c->fd >= 0 && c->state != IC_DONE)
			close(c->fd);
	}
	return idle_ok == n && idle_dropped == 0 ? 0 : 1;
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: ws-bench [-H HEADER]... [-s SIZE] [-w WINDOW] "
	    "[-P PARALLEL] [-t SECONDS]\n"
	    "                URL rtt N | rate SECONDS | idle N\n");
	return 2;
}

static int
num(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && *out >= min &&
	        *out <= max
	    ? 0
	    : -1;
}

int
main(int argc, char *argv[])
{
	double v;
	int    ch;

	while ((ch = getopt(argc, argv, "H:s:w:P:t:")) != -1) {
		switch (ch) {
		case 'H':
			if (nheaders == MAX_HEADERS)
				return usage();
			headers[nheaders++] = optarg;
			break;
		case 's':
			if (num(optarg, 1, MAX_MSG - 1, &v) != 0)
				return usage();
			msg_size = (size_t)v;
			break;
		case 'w':
			if (num(optarg, 1, 1000, &v) != 0)
				return usage();
			window = (int)v;
			break;
		case 'P':
			if (num(optarg, 1, 10000, &v) != 0)
				return usage();
			parallel = (int)v;
			break;
		case 't':
			if (num(optarg, 0.1, 86400, &v) != 0)
				return usage();
			time_limit = v;
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || parse_url(argv[0], &url) != 0)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	rng ^= (uint64_t)now_us() * 2654435761u ^ (uint64_t)getpid();
	ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (ssl_ctx == NULL)
		die("%s", "SSL_CTX_new failed");
	SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_NONE, NULL);
	if (strcmp(argv[1], "rtt") == 0 && num(argv[2], 1, 1e7, &v) == 0)
		return mode_rtt((long)v);
	if (strcmp(argv[1], "rate") == 0 && num(argv[2], 0.1, 86400, &v) == 0)
		return mode_rate(v);
	if (strcmp(argv[1], "idle") == 0 && num(argv[2], 1, 1e6, &v) == 0)
		return mode_idle((long)v);
	return usage();
}
