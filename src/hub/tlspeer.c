/* SPDX-License-Identifier: MIT */
/*
 * A TLS server's pin, the hub's client keys for it, and its session
 * (tlspeer.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "spawn-slurm-tls.h"
#include "tlspeer.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

/* Tickets kept per server: a few connections opened at once each resume
 * one; each handshake brings new ones (Python's ssl sends 2). */
#define TLSPEER_SESSIONS 8

struct tlspeer {
	SSL_CTX *ctx; /* its app data: this peer */
	X509    *pinned;
	/* Unused sessions, oldest first. A TLS 1.3 ticket is for one
	 * connection (RFC 8446 C.4): servers with single-use tickets (Python's
	 * ssl, here) refuse it a second time, so each is handed out once. */
	SSL_SESSION *resume[TLSPEER_SESSIONS];
	int          nresume;
	int          resume_off; /* a resumption failed: no more */
	int          refs;
};

static int  verify_cb(int, X509_STORE_CTX *);
static int  new_session_cb(SSL *, SSL_SESSION *);
static void ssl_why(const char *, char *, size_t);

static void
ssl_why(const char *what, char *why, size_t wlen)
{
	unsigned long e = ERR_get_error();

	snprintf(why, wlen, "%s: %s", what,
	    e != 0 ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
}

static struct tlspeer *
peer_of(SSL *ssl)
{
	return SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
}

/* Only the pinned certificate, whatever else is sent or trusted: a
 * server without the job's key fails here, before the hub's Finished
 * (and so before a byte of a request) is sent. */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	X509           *cert = X509_STORE_CTX_get_current_cert(x);
	SSL            *ssl;
	struct tlspeer *p;

	(void)ok;
	if (X509_STORE_CTX_get_error_depth(x) != 0)
		return 1; /* the leaf decides */
	ssl =
	    X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	p = ssl != NULL ? peer_of(ssl) : NULL;
	return p != NULL && cert != NULL && X509_cmp(cert, p->pinned) == 0;
}

/* A ticket from the server, after a pinned handshake: a copy kept for
 * the next connection. Not the session itself: SSL_free() of a
 * connection that ends without close_notify (most do) marks its session
 * not resumable. */
static int
new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tlspeer *p = peer_of(ssl);
	SSL_SESSION    *copy;

	if (p == NULL || p->resume_off || tlspeer_check(p, ssl) == -1)
		return 0;
	copy = SSL_SESSION_dup(sess);
	if (copy == NULL) {
		ERR_clear_error();
		return 0;
	}
	if (p->nresume == TLSPEER_SESSIONS) {
		SSL_SESSION_free(p->resume[0]);
		memmove(p->resume, p->resume + 1,
		    (TLSPEER_SESSIONS - 1) * sizeof(p->resume[0]));
		p->nresume--;
	}
	p->resume[p->nresume++] = copy;
	return 0;
}

struct tlspeer *
tlspeer_new(const char *pem, size_t len, char *why, size_t wlen)
{
	struct tlspeer *p = NULL;
	BIO            *b;
	EVP_PKEY       *key = NULL;
	X509           *cert = NULL, *pinned = NULL;
	SSL_CTX        *ctx = NULL;

	if (len > SLURM_TLS_PEM_MAX) {
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
	pinned = cert != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (pinned == NULL) {
		ssl_why("the hub's key, its certificate and the server's "
		        "certificate",
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
		goto out;
	}
	p = xcalloc(1, sizeof(*p));
	p->ctx = ctx;
	p->pinned = pinned;
	pinned = NULL;
	p->refs = 1;
	SSL_CTX_set_app_data(ctx, p);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	/* The session is kept here, one per server, not in OpenSSL's cache
	 * (which a client does not look up anyway). */
	SSL_CTX_set_session_cache_mode(ctx,
	    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
	/* Chunks are written whole; a buffer per idle connection is not
	 * worth keeping. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	X509_free(pinned);
	return p;
}

void
tlspeer_ref(struct tlspeer *p)
{
	if (p->refs == INT_MAX)
		fatalx("%s: too many references", __func__);
	p->refs++;
}

void
tlspeer_unref(struct tlspeer *p)
{
	if (p == NULL || --p->refs > 0)
		return;
	tlspeer_resume_failed(p);
	X509_free(p->pinned);
	SSL_CTX_free(p->ctx);
	free(p);
}

SSL *
tlspeer_ssl(struct tlspeer *p, int *offered)
{
	SSL *ssl = SSL_new(p->ctx);

	*offered = 0;
	if (ssl == NULL ||
	    SSL_set_tlsext_host_name(ssl, SLURM_TLS_SERVER_NAME) != 1) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	if (p->nresume > 0 && !p->resume_off) {
		SSL_SESSION *sess = p->resume[--p->nresume];

		if (SSL_set_session(ssl, sess) == 1)
			*offered = 1;
		else
			ERR_clear_error();
		SSL_SESSION_free(sess); /* the SSL holds its own reference */
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

int
tlspeer_check(const struct tlspeer *p, SSL *ssl)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	return cert != NULL && X509_cmp(cert, p->pinned) == 0 ? 0 : -1;
}

void
tlspeer_resume_failed(struct tlspeer *p)
{
	while (p->nresume > 0)
		SSL_SESSION_free(p->resume[--p->nresume]);
	p->resume_off = 1;
}

int
tlspeer_has_session(const struct tlspeer *p)
{
	return p->nresume > 0;
}
