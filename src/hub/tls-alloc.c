/* SPDX-License-Identifier: MIT */
/*
 * The free list serves only the thread that installed it (the hub's loop):
 * OpenSSL called from other threads (libcurl on the thread pool) goes
 * straight to malloc, so there are no locks. Every kept buffer has the
 * same size, BIG_MAX, so any of them serves any request of BIG_MIN..
 * BIG_MAX bytes; on free, a block is known for one by its usable size.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "tls-alloc.h"
#include "lib/banned.h"

#define BIG_MIN (16 * 1024) /* below a record buffer: malloc's business */
#define BIG_MAX (24 * 1024) /* above the handshake buffer (21,848) */
#define POOL_MAX 256 /* kept under load: 6 MiB */

static void     *pool[POOL_MAX];
static size_t    npool;
static pthread_t owner;

static int
big(size_t n)
{
	return n >= BIG_MIN && n <= BIG_MAX;
}

static void *
ssl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	if (!big(n) || !pthread_equal(pthread_self(), owner))
		return malloc(n);
	if (npool > 0)
		return pool[--npool];
	return malloc(BIG_MAX);
}

static void
ssl_free(void *p, const char *file, int line)
{
	size_t u;

	(void)file;
	(void)line;
	if (p == NULL)
		return;
	u = malloc_usable_size(p);
	if (u >= BIG_MAX && u < BIG_MAX + 64 && npool < POOL_MAX &&
	    pthread_equal(pthread_self(), owner)) {
		pool[npool++] = p;
		return;
	}
	free(p);
}

static void *
ssl_realloc(void *p, size_t n, const char *file, int line)
{
	if (p == NULL)
		return ssl_malloc(n, file, line);
	return realloc(p, n);
}

int
tls_alloc_install(void)
{
	owner = pthread_self();
	return CRYPTO_set_mem_functions(ssl_malloc, ssl_realloc, ssl_free);
}

void
tls_alloc_trim(size_t keep)
{
	while (npool > keep)
		free(pool[--npool]);
}

size_t
tls_alloc_pooled(void)
{
	return npool;
}
