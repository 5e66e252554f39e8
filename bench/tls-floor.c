/* SPDX-License-Identifier: MIT */
/*
 * tls-floor: how many bytes OpenSSL itself keeps for one idle TLS server
 * connection, whoever uses it. The floor under any proxy's "memory per
 * idle TLS connection" that is built on this OpenSSL.
 *
 * It runs N client/server pairs in this process over memory BIOs: a TLS
 * 1.3 handshake with the certificate given, then a request and a reply of
 * application data, then all N are held open. OpenSSL's allocator is
 * replaced by one that counts the bytes allocated while a server-side call
 * runs and not yet freed, so the client's share is left out. One pair is
 * made and freed first, so OpenSSL's process-wide caches (algorithms,
 * names) are not counted against the connections.
 *
 * usage: tls-floor CERT KEY [N]    prints: server_bytes_per_conn=B ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

/* A size header in front of every block, so frees know what they give back. */
struct hdr {
	size_t size;
	int    server; /* allocated during a server-side call */
	int    pad;
};

static int    in_server;
static size_t live; /* bytes of server-side blocks not yet freed */

static void *
count_malloc(size_t n, const char *file, int line)
{
	struct hdr *h;

	(void)file;
	(void)line;
	if ((h = malloc(sizeof(*h) + n)) == NULL)
		return NULL;
	h->size = n;
	h->server = in_server;
	if (h->server)
		live += n;
	return h + 1;
}

static void
count_free(void *p, const char *file, int line)
{
	struct hdr *h;

	(void)file;
	(void)line;
	if (p == NULL)
		return;
	h = (struct hdr *)p - 1;
	if (h->server)
		live -= h->size;
	free(h);
}

static void *
count_realloc(void *p, size_t n, const char *file, int line)
{
	void *q;

	if (p == NULL)
		return count_malloc(n, file, line);
	if ((q = count_malloc(n, file, line)) == NULL)
		return NULL;
	memcpy(q, p, ((struct hdr *)p - 1)->size < n ? ((struct hdr *)p - 1)->size : n);
	count_free(p, file, line);
	return q;
}

static void
die(const char *what)
{
	fprintf(stderr, "tls-floor: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

struct pair {
	SSL *client, *server;
	BIO *c_in, *c_out, *s_in, *s_out; /* each side's read and write BIO */
};

/* Moves whatever one side wrote to the other side's read BIO. */
static void
carry(BIO *from, BIO *to)
{
	char buf[16384];
	int  n;

	while ((n = BIO_read(from, buf, sizeof(buf))) > 0)
		if (BIO_write(to, buf, n) != n)
			die("BIO_write");
}

static void
pair_open(struct pair *p, SSL_CTX *cctx, SSL_CTX *sctx)
{
	char buf[64];
	int  i, cdone = 0, sdone = 0;

	p->client = SSL_new(cctx);
	p->c_in = BIO_new(BIO_s_mem());
	p->c_out = BIO_new(BIO_s_mem());
	if (p->client == NULL || p->c_in == NULL || p->c_out == NULL)
		die("client");
	SSL_set_bio(p->client, p->c_in, p->c_out);
	SSL_set_connect_state(p->client);
	/* The server's memory BIOs are this program's plumbing, not the
	 * connection's state: made outside the count (what OpenSSL writes
	 * into s_out is taken off at the end). */
	p->s_in = BIO_new(BIO_s_mem());
	p->s_out = BIO_new(BIO_s_mem());
	in_server = 1;
	p->server = SSL_new(sctx);
	if (p->server == NULL || p->s_in == NULL || p->s_out == NULL)
		die("server");
	BIO_set_mem_eof_return(p->s_in, -1);
	SSL_set_bio(p->server, p->s_in, p->s_out);
	SSL_set_accept_state(p->server);
	in_server = 0;
	for (i = 0; i < 10 && !(cdone && sdone); i++) {
		cdone = SSL_do_handshake(p->client) == 1;
		carry(p->c_out, p->s_in);
		in_server = 1;
		sdone = SSL_do_handshake(p->server) == 1;
		in_server = 0;
		carry(p->s_out, p->c_in);
	}
	if (!(cdone && sdone))
		die("handshake did not finish");
	/* A request and its answer, as a WebSocket upgrade would have. */
	if (SSL_write(p->client, "GET / HTTP/1.1\r\n\r\n", 18) != 18)
		die("client write");
	carry(p->c_out, p->s_in);
	in_server = 1;
	if (SSL_read(p->server, buf, sizeof(buf)) <= 0 ||
	    SSL_write(p->server, "HTTP/1.1 101 OK\r\n\r\n", 19) != 19)
		die("server read/write");
	in_server = 0;
	carry(p->s_out, p->c_in);
	if (SSL_read(p->client, buf, sizeof(buf)) <= 0)
		die("client read");
}

static void
pair_close(struct pair *p)
{
	in_server = 1;
	SSL_free(p->server);
	in_server = 0;
	SSL_free(p->client);
}

int
main(int argc, char **argv)
{
	SSL_CTX     *sctx, *cctx;
	struct pair *pairs, warm;
	size_t       before, bios;
	int          i, n;

	if (argc < 3) {
		fprintf(stderr, "usage: tls-floor CERT KEY [N]\n");
		return 2;
	}
	n = argc > 3 ? atoi(argv[3]) : 100;
	if (n < 1 || n > 100000)
		die("N must be 1..100000");
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		die("cannot replace OpenSSL's allocator");
	sctx = SSL_CTX_new(TLS_server_method());
	cctx = SSL_CTX_new(TLS_client_method());
	if (sctx == NULL || cctx == NULL)
		die("SSL_CTX_new");
	if (SSL_CTX_use_certificate_chain_file(sctx, argv[1]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(sctx, argv[2], SSL_FILETYPE_PEM) != 1)
		die("certificate or key");
	SSL_CTX_set_mode(sctx, SSL_MODE_RELEASE_BUFFERS);
	pair_open(&warm, cctx, sctx);
	pair_close(&warm);
	if ((pairs = calloc((size_t)n, sizeof(*pairs))) == NULL)
		die("out of memory");
	before = live;
	for (i = 0; i < n; i++)
		pair_open(&pairs[i], cctx, sctx);
	bios = 0;
	for (i = 0; i < n; i++) {
		BUF_MEM *bm;

		if (BIO_get_mem_ptr(pairs[i].s_out, &bm) == 1 && bm != NULL)
			bios += bm->max;
	}
	printf("server_bytes_per_conn=%zu conns=%d version=%s "
	    "cipher=%s openssl=\"%s\"\n",
	    (live - before - bios) / (size_t)n, n,
	    SSL_get_version(pairs[0].server),
	    SSL_get_cipher_name(pairs[0].server),
	    OpenSSL_version(OPENSSL_VERSION));
	for (i = 0; i < n; i++)
		pair_close(&pairs[i]);
	free(pairs);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	return 0;
}
