/* SPDX-License-Identifier: MIT */
/*
 * OpenSSL's allocations, with its big short-lived buffers kept in a free
 * list. A TLS connection sets up a 17 KiB buffer for each record it reads
 * or writes (and frees it after: SSL_MODE_RELEASE_BUFFERS, so an idle
 * connection holds none) and a 21 KiB one for its handshake. Given back to
 * malloc, those holes fill with the small blocks a connection keeps for
 * its life, and a thousand idle connections pin pages that are mostly
 * empty. Kept apart, they are reused as they are, and the small blocks
 * pack together.
 */
#ifndef TLS_ALLOC_H
#define TLS_ALLOC_H

#include <stddef.h>

/* Before any other OpenSSL call (first thing in main); 0 if too late. */
int tls_alloc_install(void);

/* Frees kept buffers beyond 'keep' (the hub's quiet-time trim). */
void   tls_alloc_trim(size_t keep);
size_t tls_alloc_pooled(void);

#endif
