/* SPDX-License-Identifier: MIT */
/*
 * TLS from the hub to a user's server, pinned both ways (tlstunnel.h).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "spawn-slurm-tls.h"
#include "tlstunnel.h"
#include "lib/util.h"
#include "lib/banned.h"

#define CONNECT_MS 10000 /* a node that does not answer */
#define HANDSHAKE_S 30 /* a server that does not finish TLS */

#define SESSION_MAX 4000 /* a session's DER, within one atomic pipe write */

static X509        *pinned; /* the server's certificate: one per process */
static SSL_SESSION *resume; /* the newest session the server gave, or NULL */
static int          resume_off; /* the server failed a resumption: no more */
static int          session_fd = -1; /* where a child sends sessions */

static int  verify_cb(int, X509_STORE_CTX *);
static int  new_session_cb(SSL *, SSL_SESSION *);
static int  tcp_connect(const char *, int, char *, size_t);
static void ssl_why(const char *, char *, size_t);
static int  write_all(int, const char *, size_t);
static int  ssl_again(SSL *, int);
static int  ssl_write_all(SSL *, int, const char *, int);

static void
ssl_why(const char *what, char *why, size_t wlen)
{
	unsigned long e = ERR_get_error();

	snprintf(why, wlen, "%s: %s", what,
	    e != 0 ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
}

/* All of 'len' bytes to 'fd'; -1 if it is closed. */
static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Whether SSL_read()'s or SSL_write()'s 'r' only asks to wait. */
static int
ssl_again(SSL *ssl, int r)
{
	int e = SSL_get_error(ssl, r);

	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

/* All of 'len' bytes through TLS on the non-blocking 'tcp'. */
static int
ssl_write_all(SSL *ssl, int tcp, const char *p, int len)
{
	struct pollfd w;
	int           r;

	for (;;) {
		r = SSL_write(ssl, p, len);
		if (r > 0)
			return 0; /* partial writes are off: all of it */
		if (!ssl_again(ssl, r))
			return -1;
		w.fd = tcp;
		w.events = SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ
		    ? POLLIN
		    : POLLOUT;
		if (poll(&w, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
}

/* Only the pinned certificate, whatever else is sent or trusted. */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	X509 *cert = X509_STORE_CTX_get_current_cert(x);

	(void)ok;
	if (X509_STORE_CTX_get_error_depth(x) != 0)
		return 1; /* the leaf decides */
	return pinned != NULL && cert != NULL && X509_cmp(cert, pinned) == 0;
}

/* A ticket from the server (the pin was checked in the handshake that
 * gave it): to the parent, whose next children resume with it. */
static int
new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	unsigned char msg[2 + SESSION_MAX], *p = msg + 2;
	int           n = i2d_SSL_SESSION(sess, NULL);

	(void)ssl;
	if (session_fd == -1 || n <= 0 || n > SESSION_MAX)
		return 0;
	if (i2d_SSL_SESSION(sess, &p) != n)
		return 0;
	msg[0] = (unsigned char)(n >> 8);
	msg[1] = (unsigned char)n;
	/* Non-blocking and at most PIPE_BUF: whole, or not at all. */
	(void)write_all(session_fd, (const char *)msg, (size_t)n + 2);
	return 0;
}

void
tlstunnel_resume_via(int fd)
{
	session_fd = fd;
}

void
tlstunnel_resume_read(int fd)
{
	unsigned char        buf[8192];
	const unsigned char *p, *der;
	ssize_t              n = read(fd, buf, sizeof(buf));
	size_t               off = 0, len;
	SSL_SESSION         *sess;

	/* Whole messages only (each one write); the newest one is kept,
	 * and an empty one drops it. */
	while (n > 0 && off + 2 <= (size_t)n) {
		len = (size_t)buf[off] << 8 | buf[off + 1];
		if (len == 0) {
			SSL_SESSION_free(resume);
			resume = NULL;
			resume_off = 1;
			off += 2;
			continue;
		}
		if (off + 2 + len > (size_t)n)
			break;
		der = p = buf + off + 2;
		sess = d2i_SSL_SESSION(NULL, &p, (long)len);
		if (sess != NULL && p == der + len && !resume_off) {
			SSL_SESSION_free(resume);
			resume = sess;
		} else
			SSL_SESSION_free(sess);
		off += 2 + len;
	}
	ERR_clear_error();
}

SSL_CTX *
tlstunnel_ctx(const char *pem, size_t len, char *why, size_t wlen)
{
	BIO      *b;
	EVP_PKEY *key = NULL;
	X509     *cert = NULL;
	SSL_CTX  *ctx = NULL;

	if (len > SLURM_TLS_PEM_MAX || len > INT32_MAX) {
		snprintf(why, wlen, "more than %d bytes of keys",
		    SLURM_TLS_PEM_MAX);
		return NULL;
	}
	b = BIO_new_mem_buf(pem, (int)len);
	if (b == NULL) {
		ssl_why("memory", why, wlen);
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	cert = key != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	X509_free(pinned);
	pinned = cert != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (pinned == NULL) {
		ssl_why("the hub's key, its certificate and the server's "
		        "certificate, on standard input",
		    why, wlen);
		goto out;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_why("the hub's key and certificate", why, wlen);
		SSL_CTX_free(ctx);
		ctx = NULL;
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	/* Sessions leave through new_session_cb only: a child's cache
	 * would end with it. */
	SSL_CTX_set_session_cache_mode(ctx,
	    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	return ctx;
}

/* A TCP connection to 'host':'port' within CONNECT_MS; -1 with 'why'. */
static int
tcp_connect(const char *host, int port, char *why, size_t wlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in     *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6    *a6 = (struct sockaddr_in6 *)&ss;
	struct pollfd           p;
	socklen_t               sl, el = sizeof(int);
	int                     fd, err = 0, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		sl = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*a6);
	} else {
		snprintf(why, wlen, "'%s' is not a numeric address", host);
		return -1;
	}
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		snprintf(why, wlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS) {
		err = errno;
	} else {
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, CONNECT_MS) != 1)
			err = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1)
			err = errno;
	}
	if (err != 0) {
		snprintf(why, wlen, "connect to %s:%d: %s", host, port,
		    strerror(err));
		close(fd);
		return -1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* TCP and TLS to 'host':'port', offering 'offer' if not NULL: the SSL,
 * its socket in 'tcpp'; NULL with 'why' if either fails or the server is
 * not the pinned one. */
static SSL *
tls_open(SSL_CTX *ctx, const char *host, int port, SSL_SESSION *offer,
    int *tcpp, char *why, size_t wlen)
{
	struct timeval tv = { .tv_sec = HANDSHAKE_S };
	SSL           *ssl;
	int            tcp;

	tcp = tcp_connect(host, port, why, wlen);
	if (tcp == -1)
		return NULL;
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, tcp) != 1 ||
	    SSL_set_tlsext_host_name(ssl, SLURM_TLS_SERVER_NAME) != 1) {
		ssl_why("TLS", why, wlen);
		goto fail;
	}
	/* A session of the pinned server's (a ticket only it can use)
	 * saves its signature and the check of its certificate. */
	if (offer != NULL && SSL_set_session(ssl, offer) != 1)
		ERR_clear_error();
	(void)setsockopt(tcp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(tcp, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* The pin is checked inside (verify_cb), or the session resumed
	 * is one from a pinned handshake, which only the server that gave
	 * it can resume: a server without the job's key never gets a byte
	 * of the hub's. */
	if (SSL_connect(ssl) != 1 ||
	    X509_cmp(SSL_get0_peer_certificate(ssl), pinned) != 0) {
		ssl_why("TLS with the server (not the job's certificate?)", why,
		    wlen);
		goto fail;
	}
	*tcpp = tcp;
	return ssl;
fail:
	SSL_free(ssl);
	close(tcp);
	return NULL;
}

/* The parent's session failed us (a server that will not resume, as
 * one that checks clients' certificates with no session id context; or
 * not the pinned server at all): the tunnel resumes no more, rather than
 * pay two handshakes a connection. */
static void
forget_session(void)
{
	static const char none[2] = { 0, 0 };

	SSL_SESSION_free(resume);
	resume = NULL;
	if (session_fd != -1)
		(void)write_all(session_fd, none, sizeof(none));
}

int
tlstunnel_relay(SSL_CTX *ctx, int fd, const char *host, int port, char *why,
    size_t wlen)
{
	struct timeval none = { 0 };
	struct pollfd  p[2];
	char           buf[16384];
	SSL           *ssl;
	int            tcp = -1, ret = -1;

	ssl = tls_open(ctx, host, port, resume, &tcp, why, wlen);
	if (ssl == NULL && resume != NULL) {
		forget_session();
		ssl = tls_open(ctx, host, port, NULL, &tcp, why, wlen);
	}
	if (ssl == NULL)
		return -1;
	(void)setsockopt(tcp, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	(void)setsockopt(tcp, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
	/* Non-blocking from here: a read that finds only TLS's own
	 * messages (TLS 1.3's session tickets) must not wait for data while
	 * the hub's request waits to be sent. */
	(void)fcntl(tcp, F_SETFL, fcntl(tcp, F_GETFL) | O_NONBLOCK);
	/* The hub never half-closes a connection: either end ends it. */
	for (;;) {
		ssize_t n;
		int     k;

		p[0].fd = fd;
		p[0].events = POLLIN;
		p[1].fd = tcp;
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		/* Bytes already decrypted are read before waiting. */
		if (SSL_pending(ssl) == 0 && poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(why, wlen, "poll: %s", strerror(errno));
			goto out;
		}
		if (p[0].revents != 0) {
			n = read(fd, buf, sizeof(buf));
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (ssl_write_all(ssl, tcp, buf, (int)n) == -1) {
				ssl_why("write to the server", why, wlen);
				goto out;
			}
		}
		if (SSL_pending(ssl) > 0 || p[1].revents != 0) {
			k = SSL_read(ssl, buf, sizeof(buf));
			if (k > 0) {
				if (write_all(fd, buf, (size_t)k) == -1)
					break;
			} else if (!ssl_again(ssl, k))
				break;
		}
	}
	(void)SSL_shutdown(ssl);
	ret = 0;
out:
	SSL_free(ssl);
	close(tcp);
	return ret;
}
