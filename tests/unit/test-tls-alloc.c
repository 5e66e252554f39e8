/* SPDX-License-Identifier: MIT */
/*
 * OpenSSL's big buffers through tls-alloc.c: each test runs in a fresh
 * forked child, so the hook goes in before OpenSSL allocates anything.
 */
#include <pthread.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "hub/tls-alloc.h"
#include "hub/tls.h"
#include "unit.h"
#include "lib/util.h"

TEST(tls_alloc_keeps_big_buffers)
{
	void *p, *q, *small;

	ASSERT_EQ(tls_alloc_install(), 1);
	p = OPENSSL_malloc(17000);
	ASSERT(p != NULL);
	OPENSSL_free(p);
	ASSERT_EQ(tls_alloc_pooled(), 1);
	/* Any big request takes the kept buffer, whatever its size. */
	q = OPENSSL_malloc(21848);
	ASSERT(q == p);
	ASSERT_EQ(tls_alloc_pooled(), 0);
	small = OPENSSL_malloc(100);
	OPENSSL_free(small);
	ASSERT_EQ(tls_alloc_pooled(), 0);
	/* Larger than a record or handshake buffer: malloc's. */
	p = OPENSSL_malloc(100000);
	OPENSSL_free(p);
	ASSERT_EQ(tls_alloc_pooled(), 0);
	OPENSSL_free(q);
	ASSERT_EQ(tls_alloc_pooled(), 1);
	tls_alloc_trim(0);
	ASSERT_EQ(tls_alloc_pooled(), 0);
}

static void *
other_thread(void *arg)
{
	(void)arg;
	OPENSSL_free(OPENSSL_malloc(17000));
	return NULL;
}

TEST(tls_alloc_other_threads_go_to_malloc)
{
	pthread_t t;

	ASSERT_EQ(tls_alloc_install(), 1);
	ASSERT_EQ(pthread_create(&t, NULL, other_thread, NULL), 0);
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_EQ(tls_alloc_pooled(), 0);
}

/* Carries what one side wrote to the other's read BIO. */
static void
carry(BIO *from, BIO *to)
{
	char buf[16384];
	int  n;

	while ((n = BIO_read(from, buf, sizeof(buf))) > 0)
		ASSERT_EQ(BIO_write(to, buf, n), n);
}

/* A real TLS 1.3 handshake and record both ways: its buffers come back to
 * the list, and the next connection takes them from it. */
TEST(tls_alloc_serves_a_handshake)
{
	static const char *const names[] = { "localhost", NULL };
	SSL_CTX                 *sctx, *cctx;
	SSL                     *s, *c;
	char                     buf[16], *cert, *key;
	size_t                   after_first;
	int                      i, round, done;

	ASSERT_EQ(tls_alloc_install(), 1);
	cert = xasprintf("%s/cert.pem", unit_tmpdir());
	key = xasprintf("%s/key.pem", unit_tmpdir());
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, names, NULL, 0), 1);
	/* rig's own server context: RELEASE_BUFFERS as the hub has it. */
	sctx = tls_server_ctx(cert, key);
	cctx = SSL_CTX_new(TLS_client_method());
	ASSERT(sctx != NULL && cctx != NULL);
	SSL_CTX_set_mode(cctx, SSL_MODE_RELEASE_BUFFERS);
	after_first = 0;
	for (round = 0; round < 2; round++) {
		BIO *cr = BIO_new(BIO_s_mem()), *cw = BIO_new(BIO_s_mem());
		BIO *sr = BIO_new(BIO_s_mem()), *sw = BIO_new(BIO_s_mem());

		c = SSL_new(cctx);
		s = SSL_new(sctx);
		SSL_set_bio(c, cr, cw);
		SSL_set_bio(s, sr, sw);
		SSL_set_connect_state(c);
		SSL_set_accept_state(s);
		for (i = 0, done = 0; i < 10 && done != 2; i++) {
			done = SSL_do_handshake(c) == 1;
			carry(cw, sr);
			done += SSL_do_handshake(s) == 1;
			carry(sw, cr);
		}
		ASSERT_EQ(done, 2);
		ASSERT_EQ(SSL_write(c, "ping", 4), 4);
		carry(cw, sr);
		ASSERT_EQ(SSL_read(s, buf, sizeof(buf)), 4);
		SSL_free(c);
		SSL_free(s);
		if (round == 0)
			after_first = tls_alloc_pooled();
	}
	/* The first connection's buffers were kept; the second reused them
	 * rather than growing the list by as many again. */
	ASSERT(after_first >= 2);
	ASSERT(tls_alloc_pooled() <= after_first + 1);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	free(cert);
	free(key);
	tls_alloc_trim(0);
}
