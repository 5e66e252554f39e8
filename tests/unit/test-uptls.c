/* SPDX-License-Identifier: MIT */
/*
 * The hub's TLS to a pinned server (tlspeer.c, uptls.c) against a real
 * OpenSSL server through memory BIOs, which takes only the client
 * certificate it was given (as a job's server its --client-ca): the
 * request goes only after the pinned certificate; a server with another
 * key gets the handshake but not one byte of plaintext; the server's
 * ticket is kept and the next connection resumes with it; a write before
 * the handshake is refused; every connection shows the hub's one
 * identity, or the pair an earlier rig's job was given.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "hub/chunk.h"
#include "hub/spawn-slurm-tls.h"
#include "hub/tlspeer.h"
#include "hub/uptls.h"
#include "lib/util.h"
#include "unit.h"

/* One server end: its SSL reads what the hub sent from 'rbio' and
 * writes into 'wbio', which the test moves to the hub's uptls. */
struct srv {
	SSL   *ssl;
	BIO   *rbio, *wbio;
	int    readyc; /* times the hub's ready callback ran */
	char   got[256]; /* plaintext the server read */
	size_t ngot;
	char   back[256]; /* plaintext the hub got */
	size_t nback;
};

static X509 *
pem_cert(const char *pem)
{
	BIO  *b = BIO_new_mem_buf(pem, -1);
	X509 *cert = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	ASSERT_NOT_NULL(cert);
	return cert;
}

/* A job's server with the keys of 'k', taking 'k's hub certificate
 * alone. */
static SSL_CTX *
server_ctx(const struct slurm_tls *k)
{
	SSL_CTX  *ctx = SSL_CTX_new(TLS_server_method());
	BIO      *b;
	X509     *cert = pem_cert(k->server_cert);
	EVP_PKEY *key;

	ASSERT_NOT_NULL(ctx);
	b = BIO_new_mem_buf(k->server_key, -1);
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	ASSERT_EQ(SSL_CTX_use_certificate(ctx, cert), 1);
	ASSERT_EQ(SSL_CTX_use_PrivateKey(ctx, key), 1);
	X509_free(cert);
	EVP_PKEY_free(key);
	/* As the job's server does (Python's ssl with --client-ca): a
	 * client certificate required, that one trusted, a session id
	 * context set. */
	cert = pem_cert(k->hub_cert);
	ASSERT_EQ(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), cert), 1);
	X509_free(cert);
	SSL_CTX_set_verify(ctx,
	    SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	ASSERT_EQ(
	    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"t", 1),
	    1);
	return ctx;
}

/* 'k's hub pair as the hub's identity. */
static void
identity_set(const struct slurm_tls *k)
{
	char *pem = xasprintf("%s%s", k->hub_key, k->hub_cert), why[200];

	ASSERT_EQ(tlspeer_identity(pem, strlen(pem), why, sizeof(why)), 0);
	ASSERT(tlspeer_has_identity());
	free_secret(pem);
}

/* New keys for a job, the hub's identity among them. */
static void
keys_make(struct slurm_tls *k)
{
	ASSERT_EQ(slurm_tls_make(k, 1), 0);
	identity_set(k);
}

/* The hub's side of 'k': a peer from its server's certificate, as the
 * hub keeps it. */
static struct tlspeer *
peer_new(const struct slurm_tls *k)
{
	char            why[200];
	struct tlspeer *p = tlspeer_new(k->server_cert, strlen(k->server_cert),
	    why, sizeof(why));

	ASSERT_NOT_NULL(p);
	return p;
}

static void
srv_init(struct srv *s, SSL_CTX *ctx)
{
	memset(s, 0, sizeof(*s));
	s->ssl = SSL_new(ctx);
	s->rbio = BIO_new(BIO_s_mem());
	s->wbio = BIO_new(BIO_s_mem());
	BIO_up_ref(s->rbio);
	BIO_up_ref(s->wbio);
	SSL_set_bio(s->ssl, s->rbio, s->wbio);
	SSL_set_accept_state(s->ssl);
}

static void
srv_release(struct srv *s)
{
	SSL_free(s->ssl);
	BIO_free(s->rbio);
	BIO_free(s->wbio);
}

static int
to_server(void *arg, char *chunk, size_t len)
{
	struct srv *s = arg;

	ASSERT_EQ(BIO_write(s->rbio, chunk, (int)len), (int)len);
	return 0;
}

static int
ready_cb(void *arg)
{
	struct srv *s = arg;

	s->readyc++;
	return 0;
}

static int
deliver_cb(void *arg, char *chunk, size_t len)
{
	struct srv *s = arg;

	ASSERT(s->nback + len <= sizeof(s->back));
	memcpy(s->back + s->nback, chunk, len);
	s->nback += len;
	return 0;
}

static const struct uptls_ops ops = { ready_cb, deliver_cb };

/* The server's turn: read what it can, then its bytes to the hub.
 * uptls_input's result. */
static int
pump(struct srv *s, struct uptls *t)
{
	char   buf[16384];
	size_t n;
	int    r;

	while (SSL_read_ex(s->ssl, s->got + s->ngot, sizeof(s->got) - s->ngot,
	           &n) == 1)
		s->ngot += n;
	ERR_clear_error();
	r = 0;
	while (BIO_pending(s->wbio) > 0) {
		int k = BIO_read(s->wbio, buf, sizeof(buf));

		r = uptls_input(t, buf, (size_t)k, &ops, s);
		if (r == -1)
			break;
	}
	return r;
}

/* One connection: handshake, "ping" to the server, "pong" back. The
 * server's session reuse, or -1 if the hub refused the server. */
static int
exchange(SSL_CTX *sctx, struct tlspeer *peer, struct srv *s)
{
	struct uptls t;
	int          r = 0, reused;

	srv_init(s, sctx);
	ASSERT_EQ(uptls_start(&t, peer, to_server, s), 0);
	ASSERT_EQ(uptls_write(&t, "early", 5), -1);
	for (int i = 0; i < 8 && !t.ready && r == 0; i++)
		r = pump(s, &t);
	if (r == -1 || !t.ready) {
		ASSERT_EQ(s->readyc, 0);
		(void)pump(s, &t); /* the server sees the alert */
		ASSERT_EQ(s->ngot, 0);
		uptls_release(&t);
		return -1;
	}
	ASSERT_EQ(s->readyc, 1);
	ASSERT_EQ(uptls_write(&t, "ping", 4), 0);
	ASSERT_EQ(pump(s, &t), 0);
	ASSERT_EQ(s->ngot, 4);
	ASSERT(memcmp(s->got, "ping", 4) == 0);
	ASSERT_EQ(SSL_write(s->ssl, "pong", 4), 4);
	ASSERT_EQ(pump(s, &t), 0);
	ASSERT_EQ(s->nback, 4);
	ASSERT(memcmp(s->back, "pong", 4) == 0);
	reused = SSL_session_reused(s->ssl);
	ASSERT_EQ(t.resumed, reused);
	uptls_release(&t);
	return reused;
}

TEST(uptls_pinned_resumed_impostor)
{
	struct slurm_tls real, other;
	struct tlspeer  *peer;
	struct srv       s;
	SSL_CTX         *sctx, *ictx;
	char            *pem, why[200];

	keys_make(&real);
	ASSERT_EQ(slurm_tls_make(&other, 0), 0);
	pem = real.server_cert;
	ASSERT_NULL(tlspeer_new(pem, strlen(pem) / 2, why, sizeof(why)));
	/* The pin is taken from a certificate's block only (this one
	 * holds a certificate's bytes under another label). */
	{
		char *other_block = xstrdup(pem);
		char *b = strstr(other_block, "CERTIFICATE-----");
		char *e = strstr(other_block, "END CERTIFICATE");

		ASSERT(b != NULL && e != NULL);
		memcpy(b, "OTHER THING", 11);
		memcpy(e + 4, "OTHER THING", 11);
		ASSERT_NULL(tlspeer_new(other_block, strlen(other_block), why,
		    sizeof(why)));
		ASSERT(strstr(why, "the server's certificate") != NULL);
		free(other_block);
	}
	peer = tlspeer_new(pem, strlen(pem), why, sizeof(why));
	ASSERT_NOT_NULL(peer);
	sctx = server_ctx(&real);
	/* An impostor that would take the hub's certificate. */
	other.hub_cert = xstrdup(real.hub_cert);
	ictx = server_ctx(&other);

	/* The first: a full handshake, pinned; its ticket kept. */
	ASSERT_EQ(exchange(sctx, peer, &s), 0);
	srv_release(&s);
	ASSERT(tlspeer_has_session(peer));
	/* The next resumes. */
	ASSERT_EQ(exchange(sctx, peer, &s), 1);
	srv_release(&s);
	/* Another key on the server's address: handshakes, no request;
	 * the session offered to it is dropped. */
	ASSERT_EQ(exchange(ictx, peer, &s), -1);
	srv_release(&s);
	ASSERT(!tlspeer_has_session(peer));
	ASSERT_EQ(exchange(ictx, peer, &s), -1);
	srv_release(&s);
	/* The real server still served, in full handshakes. */
	ASSERT_EQ(exchange(sctx, peer, &s), 0);
	srv_release(&s);

	tlspeer_unref(peer);
	SSL_CTX_free(sctx);
	SSL_CTX_free(ictx);
	slurm_tls_release(&real);
	slurm_tls_release(&other);
	chunk_pool_release();
}

/* A server that answers in the clear (or anything but TLS) is refused,
 * nothing is delivered, and the request is never written. */
TEST(uptls_not_tls)
{
	struct slurm_tls  real;
	struct tlspeer   *peer;
	struct uptls      t;
	struct srv        s;
	static const char junk[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	keys_make(&real);
	peer = peer_new(&real);
	memset(&s, 0, sizeof(s));
	s.rbio = BIO_new(BIO_s_mem());
	ASSERT_EQ(uptls_start(&t, peer, to_server, &s), 0);
	ASSERT(BIO_pending(s.rbio) > 0); /* the ClientHello */
	ASSERT_EQ(uptls_input(&t, junk, sizeof(junk) - 1, &ops, &s), -1);
	ASSERT_EQ(s.readyc, 0);
	ASSERT_EQ(s.nback, 0);
	ASSERT_EQ(uptls_write(&t, "GET", 3), -1);
	uptls_release(&t);
	BIO_free(s.rbio);
	tlspeer_unref(peer);
	slurm_tls_release(&real);
	chunk_pool_release();
}

/* The server's flights one byte a read: the handshake completes all the
 * same, and the pin is checked once. */
TEST(uptls_byte_by_byte)
{
	struct slurm_tls real;
	struct tlspeer  *peer;
	struct uptls     t;
	struct srv       s;
	SSL_CTX         *sctx;
	char             buf[16384];
	int              k, r = 0;

	keys_make(&real);
	peer = peer_new(&real);
	sctx = server_ctx(&real);
	srv_init(&s, sctx);
	ASSERT_EQ(uptls_start(&t, peer, to_server, &s), 0);
	for (int round = 0; round < 8 && !t.ready && r == 0; round++) {
		size_t n;

		while (SSL_read_ex(s.ssl, buf, sizeof(buf), &n) == 1)
			;
		ERR_clear_error();
		while (r == 0 && (k = BIO_read(s.wbio, buf, sizeof(buf))) > 0)
			for (int i = 0; i < k && r == 0; i++)
				r = uptls_input(&t, buf + i, 1, &ops, &s);
	}
	ASSERT_EQ(r, 0);
	ASSERT(t.ready);
	ASSERT_EQ(s.readyc, 1);
	uptls_release(&t);
	srv_release(&s);
	SSL_CTX_free(sctx);
	tlspeer_unref(peer);
	slurm_tls_release(&real);
	chunk_pool_release();
}

/* A server with a new context for every connection (Jupyter's tornado):
 * its tickets cannot resume, so after one declined offer the hub keeps
 * and offers none, and every connection is a full, pinned handshake. */
TEST(uptls_server_that_never_resumes)
{
	struct slurm_tls real;
	struct tlspeer  *peer;
	struct srv       s;
	SSL_CTX         *sctx;

	keys_make(&real);
	peer = peer_new(&real);
	for (int i = 0; i < 3; i++) {
		sctx = server_ctx(&real);
		ASSERT_EQ(exchange(sctx, peer, &s), 0);
		srv_release(&s);
		SSL_CTX_free(sctx);
		/* A ticket after the first; declined by the second. */
		ASSERT(tlspeer_has_session(peer) == (i == 0));
	}
	tlspeer_unref(peer);
	slurm_tls_release(&real);
	chunk_pool_release();
}

/* Whether the server saw the hub certificate 'pem'. */
static int
client_was(const struct srv *s, const char *pem)
{
	X509 *want = pem_cert(pem);
	int   same = X509_cmp(SSL_get0_peer_certificate(s->ssl), want) == 0;

	X509_free(want);
	return same;
}

/* A full handshake with the server of 'ctx' through 'peer', which
 * showed the hub certificate 'pem'. */
static void
full_showing(SSL_CTX *ctx, struct tlspeer *peer, const char *pem)
{
	struct srv s;

	ASSERT_EQ(exchange(ctx, peer, &s), 0);
	ASSERT(client_was(&s, pem));
	srv_release(&s);
}

/* Two servers at once, each with its own keys (one client context
 * serves both): each connection shows the hub's one certificate and takes
 * only its own server's certificate. */
TEST(uptls_two_servers_one_identity)
{
	struct slurm_tls a, b;
	struct tlspeer  *pa, *pb;
	struct srv       s;
	SSL_CTX         *actx, *bctx;

	keys_make(&a);
	ASSERT_EQ(slurm_tls_make(&b, 0), 0);
	b.hub_cert = xstrdup(a.hub_cert); /* its --client-ca */
	pa = peer_new(&a);
	pb = peer_new(&b);
	actx = server_ctx(&a);
	bctx = server_ctx(&b);
	full_showing(actx, pa, a.hub_cert);
	full_showing(bctx, pb, a.hub_cert);
	/* Crossed: each peer pins its own server. */
	ASSERT_EQ(exchange(actx, pb, &s), -1);
	srv_release(&s);
	ASSERT_EQ(exchange(bctx, pa, &s), -1);
	srv_release(&s);
	/* One peer gone, the other still serves (in full: its session
	 * was offered to the wrong server above, and so resumption ended). */
	tlspeer_unref(pa);
	full_showing(bctx, pb, a.hub_cert);
	tlspeer_unref(pb);
	SSL_CTX_free(actx);
	SSL_CTX_free(bctx);
	slurm_tls_release(&a);
	slurm_tls_release(&b);
	chunk_pool_release();
}

/* A job an earlier rig submitted trusts a hub pair made for it alone,
 * kept with its server's certificate: its connections show that pair
 * (its server takes no other), while the others show the identity; a
 * kept pair whose key and certificate differ is refused. Without an
 * identity, a job's certificate alone makes no peer. */
TEST(uptls_earlier_rig_keys)
{
	struct slurm_tls now, old, bad;
	struct tlspeer  *pnow, *pold, *pmix;
	struct uptls     t;
	struct srv       s;
	SSL_CTX         *nctx, *octx;
	char            *pem, why[200];
	int              r = 0;

	keys_make(&now);
	ASSERT_EQ(slurm_tls_make(&old, 1), 0);
	ASSERT_EQ(slurm_tls_make(&bad, 1), 0);
	pem = xasprintf("%s%s%s", old.hub_key, old.hub_cert, old.server_cert);
	pold = tlspeer_new(pem, strlen(pem), why, sizeof(why));
	ASSERT_NOT_NULL(pold);
	free_secret(pem);
	pnow = peer_new(&now);
	nctx = server_ctx(&now);
	octx = server_ctx(&old);
	full_showing(octx, pold, old.hub_cert);
	full_showing(nctx, pnow, now.hub_cert);
	/* The old job's server takes no other certificate: shown the
	 * identity instead, it reads nothing and the hub gets its alert
	 * (TLS 1.3: after the hub's Finished). */
	pmix = peer_new(&old);
	srv_init(&s, octx);
	ASSERT_EQ(uptls_start(&t, pmix, to_server, &s), 0);
	for (int i = 0; i < 8 && !t.ready && r == 0; i++)
		r = pump(&s, &t);
	if (r == 0 && t.ready) {
		ASSERT_EQ(uptls_write(&t, "ping", 4), 0);
		r = pump(&s, &t);
	}
	ASSERT_EQ(r, -1);
	ASSERT_EQ(s.ngot, 0);
	uptls_release(&t);
	srv_release(&s);
	tlspeer_unref(pmix);
	tlspeer_unref(pold);
	pem = xasprintf("%s%s%s", bad.hub_key, old.hub_cert, old.server_cert);
	ASSERT_NULL(tlspeer_new(pem, strlen(pem), why, sizeof(why)));
	ASSERT(strstr(why, "do not match") != NULL);
	free_secret(pem);
	tlspeer_identity_release();
	ASSERT(!tlspeer_has_identity());
	ASSERT_NULL(tlspeer_new(now.server_cert, strlen(now.server_cert), why,
	    sizeof(why)));
	ASSERT(strstr(why, "no TLS key of its own") != NULL);
	/* A peer made before still shows the identity (the context kept
	 * it). */
	ASSERT_EQ(exchange(nctx, pnow, &s), 1);
	srv_release(&s);
	tlspeer_unref(pnow);
	SSL_CTX_free(nctx);
	SSL_CTX_free(octx);
	slurm_tls_release(&now);
	slurm_tls_release(&old);
	slurm_tls_release(&bad);
	chunk_pool_release();
}
