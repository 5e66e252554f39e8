/* SPDX-License-Identifier: MIT */
/*
 * TLS on one of the hub's connections to a server (tlspeer.h), on the
 * hub's loop: ciphertext in from the socket's reads, plaintext out in
 * chunks (chunk.h), ciphertext out through tls_io (tls-bio.h). Nothing of
 * the caller's is written before the handshake is done and the pin
 * checked: uptls_write() refuses until then.
 */
#ifndef UPTLS_H
#define UPTLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "tls-bio.h"

struct tlspeer;

struct uptls {
	SSL            *ssl;
	struct tls_io   io;
	struct tlspeer *peer; /* a reference */
	int             offered; /* resuming the peer's session */
	int             ready; /* handshake done, pin checked */
	int             resumed; /* ready, with the peer's session */
	int             eof; /* the server's close_notify */
	char            why[160]; /* after -1 */
};

/* Starts the handshake: the ClientHello goes to 'send' (as tls_io's).
 * -1 with 'why' if it cannot start; uptls_release() either way. */
int uptls_start(struct uptls *, struct tlspeer *,
    int (*send)(void *, char *, size_t), void *arg);

/*
 * 'len' bytes of ciphertext read from the server. The handshake goes on,
 * and when it finishes with the pinned certificate 'ready' is called
 * once; then plaintext goes to 'deliver' (a chunk the callee may keep a
 * reference to, and its length). A callback that returns -1 stops the
 * rest (its connection is closing). -1 with 'why' when TLS failed or the
 * server is not the pinned one; 0 otherwise (the server's close_notify
 * sets 'eof').
 */
struct uptls_ops {
	int (*ready)(void *);
	int (*deliver)(void *, char *chunk, size_t len);
};
int uptls_input(struct uptls *, const char *data, size_t len,
    const struct uptls_ops *, void *arg);

/* Plaintext to the server, after 'ready'; -1 with 'why' otherwise. */
int uptls_write(struct uptls *, const void *data, size_t len);

void uptls_release(struct uptls *);

#endif
