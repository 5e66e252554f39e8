/* SPDX-License-Identifier: MIT */
/*
 * The BIO between OpenSSL and a connection's socket. OpenSSL reads
 * ciphertext straight from the bytes libuv just read (no copy into a
 * memory BIO first) and writes ciphertext into pooled chunks (see chunk.h)
 * that go to uv_write as they are: one BIO per connection instead of two
 * memory BIOs, nothing held between reads, and a large response encrypted
 * once and never copied again.
 */
#ifndef TLS_BIO_H
#define TLS_BIO_H

#include <stddef.h>

#include <openssl/bio.h>

/*
 * Where the BIO takes ciphertext from and puts it: 'in' is set for the
 * length of one read callback; 'out' is the chunk being filled, handed to
 * 'send' when full and at tls_io_flush().
 */
struct tls_io {
	const char *in;
	size_t      in_len;
	char       *out; /* a chunk, or NULL */
	size_t      out_len;
	/* Queues 'len' bytes at the start of 'chunk' (taking a reference);
	 * -1 when the connection is going away. */
	int (*send)(void *arg, char *chunk, size_t len);
	void *arg;
	int   failed; /* a send failed: every later write fails too */
};

/* A BIO over 'io', for SSL_set_bio(ssl, bio, bio), which takes it. */
BIO *tls_bio_new(struct tls_io *io);

/* Sends what the BIO has gathered; -1 if the send failed. */
int tls_io_flush(struct tls_io *io);

/* Drops a chunk not yet sent (the connection closed first). */
void tls_io_release(struct tls_io *io);

/* Frees the BIO method (at exit, for leak checkers). */
void tls_bio_method_free(void);

#endif
