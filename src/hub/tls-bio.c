/* SPDX-License-Identifier: MIT */
/*
 * A source/sink BIO method with three callbacks: read from io->in, write
 * into io->out, and say yes to flush (OpenSSL flushes after each handshake
 * flight; the flight goes out at tls_io_flush() when OpenSSL returns).
 * Reads with nothing left ask OpenSSL to retry, as a non-blocking socket
 * would.
 */
#include <string.h>

#include <openssl/bio.h>

#include "chunk.h"
#include "lib/log.h"
#include "tls-bio.h"
#include "lib/banned.h"

static BIO_METHOD *method;

static int
io_write(BIO *b, const char *data, size_t len, size_t *written)
{
	struct tls_io *io = BIO_get_data(b);
	size_t         left = len;

	BIO_clear_retry_flags(b);
	*written = 0;
	if (io->failed)
		return 0;
	while (left > 0) {
		size_t n;

		if (io->out != NULL && io->out_len == CHUNK_SIZE &&
		    tls_io_flush(io) == -1)
			return 0;
		if (io->out == NULL) {
			io->out = chunk_new();
			io->out_len = 0;
		}
		n = CHUNK_SIZE - io->out_len;
		if (n > left)
			n = left;
		memcpy(io->out + io->out_len, data, n);
		io->out_len += n;
		data += n;
		left -= n;
	}
	*written = len;
	return 1;
}

static int
io_read(BIO *b, char *data, size_t len, size_t *readbytes)
{
	struct tls_io *io = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	*readbytes = 0;
	if (io->in_len == 0) {
		BIO_set_retry_read(b);
		return 0;
	}
	if (len > io->in_len)
		len = io->in_len;
	memcpy(data, io->in, len);
	io->in += len;
	io->in_len -= len;
	*readbytes = len;
	return 1;
}

static long
io_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_io *io = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return io != NULL ? (long)io->in_len : 0;
	case BIO_CTRL_WPENDING:
		return io != NULL ? (long)io->out_len : 0;
	default:
		return 0;
	}
}

static int
io_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

BIO *
tls_bio_new(struct tls_io *io)
{
	BIO *b;

	if (method == NULL) {
		method =
		    BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
		        "rig connection");
		if (method == NULL ||
		    BIO_meth_set_write_ex(method, io_write) != 1 ||
		    BIO_meth_set_read_ex(method, io_read) != 1 ||
		    BIO_meth_set_ctrl(method, io_ctrl) != 1 ||
		    BIO_meth_set_create(method, io_create) != 1)
			fatalx("cannot make the TLS BIO method");
	}
	if ((b = BIO_new(method)) == NULL)
		return NULL;
	BIO_set_data(b, io);
	return b;
}

int
tls_io_flush(struct tls_io *io)
{
	char  *chunk = io->out;
	size_t len = io->out_len;
	int    r = 0;

	if (chunk == NULL)
		return io->failed ? -1 : 0;
	io->out = NULL;
	io->out_len = 0;
	if (!io->failed && len > 0 && io->send(io->arg, chunk, len) == -1)
		io->failed = 1;
	chunk_unref(chunk);
	if (io->failed)
		r = -1;
	return r;
}

void
tls_io_release(struct tls_io *io)
{
	chunk_unref(io->out);
	io->out = NULL;
	io->out_len = 0;
}

void
tls_bio_method_free(void)
{
	BIO_meth_free(method);
	method = NULL;
}
