/* SPDX-License-Identifier: MIT */
/*
 * WebSocket echo server for the benchmark (bench/run), on libuv.
 *
 * A request with "Upgrade: websocket" gets the RFC 6455 handshake, then
 * every text or binary frame comes back unmasked with the same opcode,
 * pings get pongs and a close frame is answered and ends the connection.
 * Any other request gets 200 and a small JSON body, with keep-alive: that
 * makes the same binary a stand-in single-user server for the soak, where
 * 500 real notebook servers would not fit in memory (rig probes
 * /user/NAME/api and reads /user/NAME/api/status).
 *
 * As a user server it honours the hub's protocol the way a Jupyter server
 * does: when JUPYTER_TOKEN is set in its environment, every request (the
 * WebSocket handshake included) must carry "Authorization: token SECRET"
 * with that secret, else it gets 403 (the hub's proxy adds the header; its
 * readiness probe sends it too). It listens on the loopback port it is
 * given (--port, server_cmd's {port}) or on a Unix socket (--sock PATH,
 * server_cmd's {sock}), made 0600 like jupyter's.
 *
 * Plain TCP, except as a Slurm job's server: the job adds --certfile,
 * --keyfile and --client-ca to server_cmd (the hub's tunnel speaks TLS
 * to it with a client certificate of that CA), and then every
 * connection is TLS, through memory BIOs, the peer's certificate
 * required. Each connection holds a small struct and, only while a frame
 * or request is incomplete, a heap buffer; reads land in one static
 * buffer, so an idle connection costs little here and the proxies' own
 * cost stands out.
 *
 * usage: ws-echo [-a ADDR] {-p|--port} PORT [--certfile F --keyfile F
 *        --client-ca F] | ws-echo --sock PATH
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <uv.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC11B85"
#define MAX_HEAD (16 * 1024) /* request head, both kinds */
#define MAX_FRAME (1024 * 1024) /* payload of one frame */

#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct conn {
	union {
		uv_tcp_t    tcp;
		uv_pipe_t   pipe;
		uv_stream_t s;
	};
	SSL     *ssl; /* TLS (a Slurm job's server), else NULL */
	int      ws; /* handshake done: frames follow */
	char    *pend; /* bytes not consumed yet; NULL when none */
	size_t   pend_len;
	int      closing;
};

struct wreq {
	uv_write_t w;
	int        close_after;
	size_t     len;
	char       data[];
};

static uv_loop_t *loop;
static char       read_space[64 * 1024];
static long       started_ms;
static int        unix_sock; /* listening on a Unix socket */
static char      *need_auth; /* "token SECRET" when JUPYTER_TOKEN is set */
static SSL_CTX   *tls; /* --certfile, --keyfile, --client-ca */
static char       plain_space[16 * 1024]; /* what SSL_read gives */

static void conn_close(struct conn *);

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fprintf(stderr, "ws-echo: out of memory\n");
		exit(1);
	}
	return p;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	(void)h;
	(void)hint;
	b->base = read_space;
	b->len = sizeof(read_space);
}

static void
close_cb(uv_handle_t *h)
{
	struct conn *c = container_of(h, struct conn, tcp);

	SSL_free(c->ssl);
	free(c->pend);
	free(c);
}

static void
conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	uv_close((uv_handle_t *)&c->s, close_cb);
}

static void
write_cb(uv_write_t *w, int status)
{
	struct wreq *wr = container_of(w, struct wreq, w);
	struct conn *c = w->data;

	if (status < 0 || wr->close_after)
		conn_close(c);
	free(wr);
}

/* Queues a copy of 'data' as it is; closes the connection after it if
 * asked. */
static void
raw_send(struct conn *c, const void *data, size_t len, int close_after)
{
	struct wreq *wr;
	uv_buf_t     b;

	if (c->closing)
		return;
	wr = xmalloc(sizeof(*wr) + len);
	memcpy(wr->data, data, len);
	wr->len = len;
	wr->close_after = close_after;
	wr->w.data = c;
	b = uv_buf_init(wr->data, (unsigned)len);
	if (uv_write(&wr->w, &c->s, &b, 1, write_cb) != 0) {
		free(wr);
		conn_close(c);
	}
}

/* What TLS has to send (handshake or records), queued; closes after it
 * if asked. */
static void
tls_flush(struct conn *c, int close_after)
{
	BIO   *w = SSL_get_wbio(c->ssl);
	size_t n = BIO_ctrl_pending(w);
	char  *buf;

	if (n == 0) {
		if (close_after)
			conn_close(c);
		return;
	}
	buf = xmalloc(n);
	if (BIO_read(w, buf, (int)n) != (int)n) {
		free(buf);
		conn_close(c);
		return;
	}
	raw_send(c, buf, n, close_after);
	free(buf);
}

/* Queues 'data' for the peer, through TLS if the connection has it. */
static void
send_bytes(struct conn *c, const void *data, size_t len, int close_after)
{
	if (c->ssl == NULL) {
		raw_send(c, data, len, close_after);
		return;
	}
	if (c->closing)
		return;
	if (len > 0 && SSL_write(c->ssl, data, (int)len) != (int)len) {
		conn_close(c);
		return;
	}
	tls_flush(c, close_after);
}

/* Value of header 'name' in the head [p, end), or NULL; sets *len. */
static const char *
head_value(const char *p, const char *end, const char *name, size_t *len)
{
	size_t nlen = strlen(name);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v;

		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' &&
		    strncasecmp(p, name, nlen) == 0) {
			v = p + nlen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*len = (size_t)(eol - v);
			while (*len > 0 &&
			    (v[*len - 1] == '\r' || v[*len - 1] == ' '))
				(*len)--;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

/* Answers one request head of 'len' bytes; returns the bytes of body to
 * skip after it, or -1 if the connection must close. */
static long
handle_head(struct conn *c, const char *head, size_t len)
{
	const char *end = head + len, *v, *key;
	size_t      vlen, klen;
	char        buf[512];
	int         n;

	if (need_auth != NULL) {
		v = head_value(head, end, "authorization", &vlen);
		if (v == NULL || vlen != strlen(need_auth) ||
		    memcmp(v, need_auth, vlen) != 0) {
			static const char no[] =
			    "HTTP/1.1 403 Forbidden\r\n"
			    "Content-Length: 0\r\nConnection: close\r\n\r\n";

			send_bytes(c, no, sizeof(no) - 1, 1);
			return -1;
		}
	}
	v = head_value(head, end, "upgrade", &vlen);
	if (v != NULL && vlen == 9 && strncasecmp(v, "websocket", 9) == 0) {
		unsigned char md[20], in[128];
		char          acc[64];

		key = head_value(head, end, "sec-websocket-key", &klen);
		if (key == NULL || klen == 0 || klen > 64) {
			static const char bad[] =
			    "HTTP/1.1 400 Bad Request\r\n"
			    "Content-Length: 0\r\nConnection: close\r\n\r\n";

			send_bytes(c, bad, sizeof(bad) - 1, 1);
			return -1;
		}
		memcpy(in, key, klen);
		memcpy(in + klen, WS_GUID, 36);
		EVP_Digest(in, klen + 36, md, NULL, EVP_sha1(), NULL);
		EVP_EncodeBlock((unsigned char *)acc, md, 20);
		n = snprintf(buf, sizeof(buf),
		    "HTTP/1.1 101 Switching Protocols\r\n"
		    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		    "Sec-WebSocket-Accept: %s\r\n\r\n",
		    acc);
		send_bytes(c, buf, (size_t)n, 0);
		c->ws = 1;
		return 0;
	}
	v = head_value(head, end, "content-length", &vlen);
	{
		char body[128];
		int  blen;

		blen = snprintf(body, sizeof(body),
		    "{\"started\": \"%ld\", \"last_activity\": null, "
		    "\"connections\": 0, \"kernels\": 0}",
		    started_ms);
		n = snprintf(buf, sizeof(buf),
		    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		    "Content-Length: %d\r\n\r\n%s",
		    blen, body);
		send_bytes(c, buf, (size_t)n, 0);
	}
	return v != NULL ? strtol(v, NULL, 10) : 0;
}

/* Consumes what it can of [p, p + len): request heads, then frames.
 * Returns the bytes used, or -1 after closing the connection. */
static long
consume(struct conn *c, const unsigned char *p, size_t len)
{
	size_t used = 0;

	while (!c->closing && used < len) {
		const unsigned char *q = p + used;
		size_t               left = len - used;

		if (!c->ws) {
			const char *e = memmem(q, left, "\r\n\r\n", 4);
			long        skip;
			size_t      hlen;

			if (e == NULL) {
				if (left > MAX_HEAD) {
					conn_close(c);
					return -1;
				}
				break;
			}
			hlen = (size_t)(e - (const char *)q) + 4;
			skip = handle_head(c, (const char *)q, hlen);
			if (skip < 0) {
				uv_read_stop(&c->s);
				return -1;
			}
			if ((size_t)skip > left - hlen) {
				/* Request bodies are not expected here: one
				 * that is not all in yet ends the connection.
				 */
				conn_close(c);
				return -1;
			}
			used += hlen + (size_t)skip;
			continue;
		} else {
			size_t        in_hl = 2, hl, plen;
			unsigned char op, mask[4] = { 0 }, *out;
			int           masked;

			if (left < 2)
				break;
			op = q[0] & 0x0f;
			masked = (q[1] & 0x80) != 0;
			plen = q[1] & 0x7f;
			if (plen == 126) {
				if (left < 4)
					break;
				plen = ((size_t)q[2] << 8) | q[3];
				in_hl = 4;
			} else if (plen == 127) {
				if (left < 10)
					break;
				plen = 0;
				for (int i = 0; i < 8; i++)
					plen = (plen << 8) | q[2 + i];
				in_hl = 10;
			}
			if (plen > MAX_FRAME) {
				conn_close(c);
				return -1;
			}
			if (masked) {
				if (left < in_hl + 4)
					break;
				memcpy(mask, q + in_hl, 4);
				in_hl += 4;
			}
			if (left < in_hl + plen)
				break;
			used += in_hl + plen;
			if (op == 0xa) /* unsolicited pong: ignore */
				continue;
			out = xmalloc(10 + plen);
			out[0] = op == 0x9 ? 0x8a : (unsigned char)(0x80 | op);
			if (plen < 126) {
				out[1] = (unsigned char)plen;
				hl = 2;
			} else if (plen < 65536) {
				out[1] = 126;
				out[2] = (unsigned char)(plen >> 8);
				out[3] = (unsigned char)plen;
				hl = 4;
			} else {
				out[1] = 127;
				for (int i = 0; i < 8; i++)
					out[2 + i] = (unsigned char)(plen >>
					    (56 - 8 * i));
				hl = 10;
			}
			for (size_t i = 0; i < plen; i++)
				out[hl + i] = q[in_hl + i] ^ mask[i & 3];
			send_bytes(c, out, hl + plen, op == 0x8);
			free(out);
		}
	}
	return (long)used;
}

/* Plain bytes in (after TLS, if any): consumed, the rest kept. */
static void
input(struct conn *c, const char *data, ssize_t n)
{
	long used;

	if (c->pend != NULL) {
		char *p = realloc(c->pend, c->pend_len + (size_t)n);

		if (p == NULL || c->pend_len + (size_t)n > MAX_FRAME + 64) {
			free(p == NULL ? NULL : p);
			c->pend = NULL;
			conn_close(c);
			return;
		}
		memcpy(p + c->pend_len, data, (size_t)n);
		c->pend = p;
		c->pend_len += (size_t)n;
		used = consume(c, (unsigned char *)c->pend, c->pend_len);
		if (used < 0)
			return;
		if ((size_t)used == c->pend_len) {
			free(c->pend);
			c->pend = NULL;
			c->pend_len = 0;
		} else if (used > 0) {
			memmove(c->pend, c->pend + used,
			    c->pend_len - (size_t)used);
			c->pend_len -= (size_t)used;
		}
		return;
	}
	used = consume(c, (const unsigned char *)data, (size_t)n);
	if (used < 0 || used == n)
		return;
	/* Keep the incomplete rest until more arrives. */
	c->pend_len = (size_t)(n - used);
	c->pend = xmalloc(c->pend_len);
	memcpy(c->pend, data + used, c->pend_len);
}

/* TLS bytes in: the handshake driven, the records read and consumed. */
static void
tls_input(struct conn *c, const char *data, ssize_t n)
{
	int k;

	if (BIO_write(SSL_get_rbio(c->ssl), data, (int)n) != (int)n) {
		conn_close(c);
		return;
	}
	while (!c->closing) {
		k = SSL_read(c->ssl, plain_space, sizeof(plain_space));
		if (k <= 0) {
			if (SSL_get_error(c->ssl, k) != SSL_ERROR_WANT_READ) {
				tls_flush(c, 1);
				return;
			}
			break;
		}
		input(c, plain_space, k);
	}
	if (!c->closing)
		tls_flush(c, 0);
}

static void
read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct conn *c = container_of(s, struct conn, s);

	if (n < 0) {
		conn_close(c);
		return;
	}
	if (n == 0)
		return;
	if (c->ssl != NULL)
		tls_input(c, b->base, n);
	else
		input(c, b->base, n);
}

static void
accept_cb(uv_stream_t *server, int status)
{
	struct conn *c;

	if (status < 0)
		return;
	c = xmalloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	if (unix_sock)
		uv_pipe_init(loop, &c->pipe, 0);
	else
		uv_tcp_init(loop, &c->tcp);
	if (uv_accept(server, &c->s) != 0) {
		conn_close(c);
		return;
	}
	if (!unix_sock)
		uv_tcp_nodelay(&c->tcp, 1);
	if (tls != NULL) {
		c->ssl = SSL_new(tls);
		if (c->ssl == NULL) {
			conn_close(c);
			return;
		}
		SSL_set_bio(c->ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
		SSL_set_accept_state(c->ssl);
	}
	uv_read_start(&c->s, alloc_cb, read_cb);
}

static void
signal_cb(uv_signal_t *h, int sig)
{
	(void)sig;
	uv_stop(h->loop);
}

static int
usage(void)
{
	fprintf(stderr, "usage: ws-echo [-a ADDR] {-p|--port} PORT "
	                "[--certfile F --keyfile F --client-ca F]\n"
	                "       ws-echo --sock PATH\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	static const struct option longs[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "sock", required_argument, NULL, 's' },
		{ "certfile", required_argument, NULL, 'C' },
		{ "keyfile", required_argument, NULL, 'K' },
		{ "client-ca", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in sa;
	union {
		uv_tcp_t    tcp;
		uv_pipe_t   pipe;
		uv_stream_t s;
	} server;
	uv_signal_t sigterm, sigint;
	const char *addr = "127.0.0.1", *sock = NULL, *tok;
	const char *cert = NULL, *key = NULL, *ca = NULL;
	char       *end;
	long        port = -1;
	int         ch, r;

	while ((ch = getopt_long(argc, argv, "a:p:", longs, NULL)) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || port < 1 ||
			    port > 65535)
				return usage();
			break;
		case 's':
			sock = optarg;
			break;
		case 'C':
			cert = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'A':
			ca = optarg;
			break;
		default:
			return usage();
		}
	}
	if ((port < 0) == (sock == NULL) || optind != argc)
		return usage();
	if (cert != NULL || key != NULL || ca != NULL) {
		if (cert == NULL || key == NULL || ca == NULL || sock != NULL)
			return usage();
		tls = SSL_CTX_new(TLS_server_method());
		if (tls == NULL ||
		    SSL_CTX_use_certificate_file(tls, cert, SSL_FILETYPE_PEM) !=
		        1 ||
		    SSL_CTX_use_PrivateKey_file(tls, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_load_verify_locations(tls, ca, NULL) != 1) {
			fprintf(stderr, "ws-echo: cannot load %s, %s or %s\n",
			    cert, key, ca);
			return 1;
		}
		SSL_CTX_set_verify(tls,
		    SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		/* As Python's ssl (Jupyter's) does: without it, a client
		 * whose certificate was checked cannot resume its session. */
		if (SSL_CTX_set_session_id_context(tls,
		        (const unsigned char *)"ws-echo", 7) != 1)
			return 1;
	}
	tok = getenv("JUPYTER_TOKEN");
	if (tok != NULL && *tok != '\0') {
		need_auth = xmalloc(strlen(tok) + 7);
		snprintf(need_auth, strlen(tok) + 7, "token %s", tok);
	}
	signal(SIGPIPE, SIG_IGN);
	started_ms = now_ms();
	loop = uv_default_loop();
	if (sock != NULL) {
		unix_sock = 1;
		(void)unlink(sock); /* a stale one from an earlier run */
		r = uv_pipe_init(loop, &server.pipe, 0);
		if (r == 0)
			r = uv_pipe_bind(&server.pipe, sock);
		if (r == 0 && chmod(sock, 0600) == -1)
			r = uv_translate_sys_error(errno);
	} else {
		r = uv_ip4_addr(addr, (int)port, &sa);
		if (r == 0)
			r = uv_tcp_init(loop, &server.tcp);
		if (r == 0)
			r = uv_tcp_bind(&server.tcp, (struct sockaddr *)&sa, 0);
	}
	if (r == 0)
		r = uv_listen(&server.s, 4096, accept_cb);
	if (r != 0) {
		if (sock != NULL)
			fprintf(stderr, "ws-echo: listen %s: %s\n", sock,
			    uv_strerror(r));
		else
			fprintf(stderr, "ws-echo: listen %s:%ld: %s\n", addr,
			    port, uv_strerror(r));
		return 1;
	}
	uv_signal_init(loop, &sigterm);
	uv_signal_start(&sigterm, signal_cb, SIGTERM);
	uv_signal_init(loop, &sigint);
	uv_signal_start(&sigint, signal_cb, SIGINT);
	if (sock != NULL)
		fprintf(stderr, "ws-echo: listening on %s%s\n", sock,
		    need_auth != NULL ? ", token required" : "");
	else
		fprintf(stderr, "ws-echo: listening on %s:%ld%s\n", addr, port,
		    need_auth != NULL ? ", token required" : "");
	uv_run(loop, UV_RUN_DEFAULT);
	if (sock != NULL)
		(void)unlink(sock);
	return 0;
}
