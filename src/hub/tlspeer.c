/* SPDX-License-Identifier: MIT */
/*
 * The hub's client identity, a TLS server's pin and its sessions
 * (tlspeer.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "spawn-slurm-tls.h"
#include "tlspeer.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

/* One client context for every server: OpenSSL's contexts are large
 * (~70 kB each), and what differs per server (the pin, the sessions) goes
 * on each connection instead. */
static SSL_CTX *shared_ctx;
static int      shared_users; /* peers alive; the context goes with the last */
static int      peer_idx = -1; /* SSL ex_data: the connection's peer */

/* The hub's key and certificate, set on the context while there is one. */
static EVP_PKEY *id_key;
static X509     *id_cert;

/* Per server, kept small (a hub holds hundreds): a parsed certificate is
 * ~7 kB, its DER ~400 bytes and a SHA-256 32. */
struct tlspeer {
	/* An earlier rig's job, which trusts a pair of the hub's made for
	 * it alone: that pair, set on each of its connections; else NULL
	 * (the identity). */
	EVP_PKEY      *key;
	unsigned char *cert; /* DER */
	int            cert_len;
	unsigned char  pin[SHA256_DIGEST_LENGTH]; /* of the server's, DER */
	/* The newest unused session, as DER (~1.6 kB; a parsed one holds
	 * the server's parsed certificate, ~14 kB in all), or NULL. Each
	 * handshake brings new ones (OpenSSL's servers send 2); keeping two
	 * or eight was tried: no fewer full handshakes in the pool benchmark
	 * (4 of 622 with one; a second connection opened at once to a server
	 * makes its own). A TLS 1.3 ticket is for one connection (RFC 8446
	 * C.4): servers with single-use tickets (Python's ssl) refuse it a
	 * second time, so it is handed out once. */
	unsigned char *session;
	int            session_len;
	int            resume_off; /* a resumption failed: no more */
	int            refs;
};

static int  pinned(const struct tlspeer *, X509 *);
static BIO *pem_bio(const char *, size_t, char *, size_t);
static int  read_pair(BIO *, EVP_PKEY **, X509 **, char *, size_t);
static int  read_pin(BIO *, unsigned char *);
static int  use_identity(SSL_CTX *);

static int  verify_pin(X509_STORE_CTX *, void *);
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
	return SSL_get_ex_data(ssl, peer_idx);
}

/* The shared client context, made with its first peer. */
static SSL_CTX *
ctx_get(void)
{
	SSL_CTX *ctx;

	if (shared_ctx != NULL)
		return shared_ctx;
	if (peer_idx == -1)
		peer_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ctx = SSL_CTX_new(TLS_client_method());
	if (peer_idx == -1 || ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* The pin instead of OpenSSL's chain building, which has nothing
	 * to build here (no CA) and whose code and caches would be the
	 * hub's for good. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, verify_pin, NULL);
	/* A connection drops the hub's certificate after its handshake
	 * (uptls.c): no second handshake on it. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	/* Sessions are kept by each peer, not in OpenSSL's cache (which
	 * a client does not look up anyway). */
	SSL_CTX_set_session_cache_mode(ctx,
	    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
	/* Chunks are written whole; a buffer per idle connection is not
	 * worth keeping. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (use_identity(ctx) == -1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	shared_ctx = ctx;
	return ctx;
}

/* The identity (if any) on 'ctx', for every connection made from it. */
static int
use_identity(SSL_CTX *ctx)
{
	if (id_key == NULL)
		return 0;
	return SSL_CTX_use_certificate(ctx, id_cert) == 1 &&
	        SSL_CTX_use_PrivateKey(ctx, id_key) == 1
	    ? 0
	    : -1;
}

/* A memory BIO over 'len' bytes of kept PEM; NULL with 'why' if there
 * are more than any kept keys take, or no memory. */
static BIO *
pem_bio(const char *pem, size_t len, char *why, size_t wlen)
{
	BIO *b;

	if (len > SLURM_TLS_PEM_MAX) {
		snprintf(why, wlen, "more than %d bytes of keys",
		    SLURM_TLS_PEM_MAX);
		return NULL;
	}
	b = BIO_new_mem_buf(pem, (int)len);
	if (b == NULL)
		ssl_why("memory", why, wlen);
	return b;
}

/* The pin of the next certificate in 'b': the SHA-256 of its DER, taken
 * as it is. Parsing it would only check what the handshake checks (a
 * certificate that is not a server's never matches), and OpenSSL 3.0
 * spends ~1,500 allocations on the public key of each certificate it
 * parses, 200 of them while as many servers start. 0 or -1. */
static int
read_pin(BIO *b, unsigned char *pin)
{
	char          *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long           len = 0;
	int            ok;

	ok = PEM_read_bio(b, &name, &header, &der, &len) == 1 &&
	    strcmp(name, PEM_STRING_X509) == 0 && len > 0 &&
	    SHA256(der, (size_t)len, pin) != NULL;
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

/* A key and the certificate of it, PEM, from 'b'; -1 with 'why'. */
static int
read_pair(BIO *b, EVP_PKEY **key, X509 **cert, char *why, size_t wlen)
{
	*key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	*cert = *key != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	if (*cert == NULL) {
		ssl_why("the hub's key and certificate", why, wlen);
		goto fail;
	}
	if (X509_check_private_key(*cert, *key) != 1) {
		ssl_why("the hub's key and certificate do not match", why,
		    wlen);
		goto fail;
	}
	return 0;
fail:
	EVP_PKEY_free(*key);
	X509_free(*cert);
	*key = NULL;
	*cert = NULL;
	return -1;
}

int
tlspeer_identity(const char *pem, size_t len, char *why, size_t wlen)
{
	BIO      *b = pem_bio(pem, len, why, wlen);
	EVP_PKEY *key;
	X509     *cert;
	int       r;

	if (b == NULL)
		return -1;
	r = read_pair(b, &key, &cert, why, wlen);
	BIO_free(b);
	if (r == -1)
		return -1;
	tlspeer_identity_release();
	id_key = key;
	id_cert = cert;
	if (shared_ctx != NULL && use_identity(shared_ctx) == -1) {
		ssl_why("TLS", why, wlen);
		return -1;
	}
	return 0;
}

int
tlspeer_has_identity(void)
{
	return id_key != NULL;
}

void
tlspeer_identity_release(void)
{
	/* The context holds its own references. */
	EVP_PKEY_free(id_key);
	X509_free(id_cert);
	id_key = NULL;
	id_cert = NULL;
}

/* Only the pinned certificate, whatever else is sent: a server without
 * the job's key fails here, before the hub's Finished (and so before a
 * byte of a request) is sent. */
static int
verify_pin(X509_STORE_CTX *x, void *arg)
{
	X509 *cert = X509_STORE_CTX_get0_cert(x);
	SSL  *ssl =
	    X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tlspeer *p = ssl != NULL ? peer_of(ssl) : NULL;

	(void)arg;
	if (p != NULL && cert != NULL && pinned(p, cert))
		return 1;
	X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_REJECTED);
	return 0;
}

/* A ticket from the server, after a pinned handshake: kept, encoded, for
 * the next connection. Not the session itself: SSL_free() of a
 * connection that ends without close_notify (most do) marks its session
 * not resumable, and it holds the parsed certificate. */
static int
new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tlspeer *p = peer_of(ssl);
	unsigned char  *der = NULL;
	int             len;

	if (p == NULL || p->resume_off || tlspeer_check(p, ssl) == -1)
		return 0;
	len = i2d_SSL_SESSION(sess, &der);
	if (len <= 0) {
		ERR_clear_error();
		return 0;
	}
	OPENSSL_free(p->session);
	p->session = der;
	p->session_len = len;
	return 0;
}

struct tlspeer *
tlspeer_new(const char *pem, size_t len, char *why, size_t wlen)
{
	static const char own[] = "-----BEGIN PRIVATE KEY-----";
	struct tlspeer   *p = NULL;
	BIO              *b = pem_bio(pem, len, why, wlen);
	EVP_PKEY         *key = NULL;
	X509             *cert = NULL;
	unsigned char     pin[SHA256_DIGEST_LENGTH];

	if (b == NULL)
		return NULL;
	if (len >= sizeof(own) - 1 && memcmp(pem, own, sizeof(own) - 1) == 0 &&
	    read_pair(b, &key, &cert, why, wlen) == -1) {
		BIO_free(b);
		return NULL;
	}
	if (read_pin(b, pin) == -1) {
		BIO_free(b);
		ssl_why("the server's certificate", why, wlen);
		goto out;
	}
	BIO_free(b);
	if (key == NULL && id_key == NULL) {
		snprintf(why, wlen, "the hub has no TLS key of its own");
		goto out;
	}
	if (ctx_get() == NULL) {
		ssl_why("TLS", why, wlen);
		goto out;
	}
	p = xcalloc(1, sizeof(*p));
	memcpy(p->pin, pin, sizeof(pin));
	if (cert != NULL && (p->cert_len = i2d_X509(cert, &p->cert)) <= 0) {
		ssl_why("the certificates", why, wlen);
		OPENSSL_free(p->cert);
		free(p);
		p = NULL;
		goto out;
	}
	shared_users++;
	p->key = key;
	key = NULL;
	p->refs = 1;
out:
	EVP_PKEY_free(key);
	X509_free(cert);
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
	EVP_PKEY_free(p->key);
	OPENSSL_free(p->cert);
	free(p);
	if (--shared_users == 0) {
		SSL_CTX_free(shared_ctx);
		shared_ctx = NULL;
	}
}

SSL *
tlspeer_ssl(struct tlspeer *p, int *offered)
{
	SSL *ssl = SSL_new(shared_ctx);

	*offered = 0;
	if (ssl == NULL || SSL_set_ex_data(ssl, peer_idx, p) != 1 ||
	    (p->key != NULL &&
	        (SSL_use_certificate_ASN1(ssl, p->cert, p->cert_len) != 1 ||
	            SSL_use_PrivateKey(ssl, p->key) != 1)) ||
	    SSL_set_tlsext_host_name(ssl, SLURM_TLS_SERVER_NAME) != 1) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	if (p->session != NULL) {
		const unsigned char *der = p->session;
		SSL_SESSION *sess = d2i_SSL_SESSION(NULL, &der, p->session_len);

		if (sess != NULL && SSL_set_session(ssl, sess) == 1)
			*offered = 1;
		else
			ERR_clear_error();
		SSL_SESSION_free(sess); /* the SSL holds its own reference */
		OPENSSL_free(p->session);
		p->session = NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

int
tlspeer_check(const struct tlspeer *p, SSL *ssl)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	return cert != NULL && pinned(p, cert) ? 0 : -1;
}

/* Whether 'cert' is the server's: its DER's SHA-256 is the pin. */
static int
pinned(const struct tlspeer *p, X509 *cert)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned int  n = 0;

	if (X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != sizeof(md)) {
		ERR_clear_error();
		return 0;
	}
	return CRYPTO_memcmp(md, p->pin, sizeof(md)) == 0;
}

void
tlspeer_resume_failed(struct tlspeer *p)
{
	OPENSSL_free(p->session);
	p->session = NULL;
	p->resume_off = 1;
}

int
tlspeer_has_session(const struct tlspeer *p)
{
	return p->session != NULL;
}
