/* SPDX-License-Identifier: MIT */
/*
 * TLS on a connection to a pinned server, on the loop (uptls.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "chunk.h"
#include "tlspeer.h"
#include "uptls.h"
#include "lib/banned.h"

static int fail(struct uptls *, const char *);

static int
fail(struct uptls *t, const char *what)
{
	unsigned long e = ERR_get_error();

	snprintf(t->why, sizeof(t->why), "%s: %s", what,
	    e != 0 ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
	return -1;
}

int
uptls_start(struct uptls *t, struct tlspeer   *peer,
    int (*send)(void *, char *, size_t), void *arg)
{
	BIO *b;
	int  r;

	memset(t, 0, sizeof(*t));
	t->io.send = send;
	t->io.arg = arg;
	tlspeer_ref(peer);
	t->peer = peer;
	t->ssl = tlspeer_ssl(peer, &t->offered);
	if (t->ssl == NULL)
		return fail(t, "TLS");
	b = tls_bio_new(&t->io);
	if (b == NULL)
		return fail(t, "TLS");
	SSL_set_bio(t->ssl, b, b);
	r = SSL_do_handshake(t->ssl);
	if (r != 1 && SSL_get_error(t->ssl, r) != SSL_ERROR_WANT_READ)
		return fail(t, "TLS handshake");
	ERR_clear_error();
	if (tls_io_flush(&t->io) == -1)
		return fail(t, "TLS handshake: write");
	return 0;
}

/* The handshake's next step; 1 when done and pinned, 0 to wait. */
static int
handshake(struct uptls *t)
{
	int r = SSL_do_handshake(t->ssl);

	/* Its next flight (the hub's certificate and Finished, or an
	 * alert) goes out whatever happened. */
	(void)tls_io_flush(&t->io);
	if (r != 1) {
		if (SSL_get_error(t->ssl, r) == SSL_ERROR_WANT_READ) {
			ERR_clear_error();
			return 0;
		}
		if (t->offered)
			tlspeer_resume_failed(t->peer);
		return fail(t, "TLS handshake (not the job's certificate?)");
	}
	/* verify_cb checked a full handshake; this covers a resumed one
	 * too, whose certificate is the pinned handshake's. */
	if (tlspeer_check(t->peer, t->ssl) == -1) {
		snprintf(t->why, sizeof(t->why),
		    "TLS: the server's certificate is not the pinned one");
		return -1;
	}
	/* The hub's certificate and key are not needed again (TLS 1.3 has
	 * no renegotiation, and the context refuses TLS 1.2's): ~5 kB less
	 * for each open connection. */
	SSL_certs_clear(t->ssl);
	t->resumed = SSL_session_reused(t->ssl);
	if (t->offered && !t->resumed)
		tlspeer_resume_failed(t->peer); /* the server would not */
	t->ready = 1;
	return 1;
}

int
uptls_input(struct uptls *t, const char *data, size_t len,
    const struct uptls_ops *ops, void *arg)
{
	char  *chunk = NULL;
	size_t have = 0, n;
	int    r, e, ret = 0;

	t->io.in = data;
	t->io.in_len = len;
	if (!t->ready) {
		r = handshake(t);
		if (r <= 0) {
			ret = r;
			goto out;
		}
		if (ops->ready(arg) == -1)
			goto out;
	}
	for (;;) {
		if (chunk == NULL) {
			chunk = chunk_new();
			have = 0;
		}
		r = SSL_read_ex(t->ssl, chunk + have, CHUNK_SIZE - have, &n);
		if (r == 1) {
			have += n;
			if (have < CHUNK_SIZE)
				continue;
		}
		e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, r);
		/* A full chunk, or all there is for now: on it goes. */
		if (have > 0 && ops->deliver(arg, chunk, have) == -1)
			break;
		if (e == SSL_ERROR_NONE) {
			chunk_unref(chunk);
			chunk = NULL;
			continue;
		}
		/* Its tickets (TLS 1.3) may need an answer: none here, but
		 * a key update's goes out. */
		(void)tls_io_flush(&t->io);
		if (e == SSL_ERROR_WANT_READ)
			ERR_clear_error();
		else if (e == SSL_ERROR_ZERO_RETURN) {
			t->eof = 1;
			ERR_clear_error();
		} else
			ret = fail(t, "TLS from the server");
		break;
	}
out:
	chunk_unref(chunk);
	t->io.in = NULL;
	t->io.in_len = 0;
	return ret;
}

int
uptls_write(struct uptls *t, const void *data, size_t len)
{
	size_t n;

	if (!t->ready) {
		snprintf(t->why, sizeof(t->why), "TLS: not ready");
		return -1;
	}
	while (len > 0) {
		int step = len > INT_MAX ? INT_MAX : (int)len;

		if (SSL_write_ex(t->ssl, data, (size_t)step, &n) != 1)
			return fail(t, "TLS to the server");
		data = (const char *)data + n;
		len -= n;
	}
	if (tls_io_flush(&t->io) == -1) {
		snprintf(t->why, sizeof(t->why), "TLS: write failed");
		return -1;
	}
	return 0;
}

void
uptls_release(struct uptls *t)
{
	SSL_free(t->ssl); /* and its BIO */
	t->ssl = NULL;
	tls_io_release(&t->io);
	tlspeer_unref(t->peer);
	t->peer = NULL;
}
