/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for http.c. Each input is parsed as a request and as a
 * response; when a head parses, the bytes after it go through the body
 * decoder twice, once whole and once in pieces whose sizes come from the
 * input, and both runs must agree: the proxy sees bodies in whatever pieces
 * the network delivers, so the split must never change where a message
 * ends. Pipelined requests after a body are parsed in turn. Every pointer
 * the parser returns must lie inside the bytes it was given.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/http/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "lib/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

/* What a run of the body decoder saw. */
struct body_run {
	ssize_t     consumed; /* -1 if refused */
	int         done;
	uint64_t    payload; /* bytes handed to the callback */
	uint64_t    hash; /* FNV-1a of those bytes */
	const char *lo, *hi; /* the piece being fed, for the callback check */
};

/* Piece sizes come from this generator, seeded from the input. */
struct rng {
	uint64_t s;
};

static struct http_head head; /* large: kept off the stack */

/* Returns the next pseudo-random number (xorshift64). */
static uint64_t
rng_next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

/* Returns the FNV-1a hash of 'len' bytes at 'p', continuing from 'h'. */
static uint64_t
fnv(uint64_t h, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Whether [p, p + n) lies inside [lo, hi). */
static int
inside(const char *p, size_t n, const char *lo, const char *hi)
{
	return p >= lo && p <= hi && n <= (size_t)(hi - p);
}

/* The body callback: payload must come from the piece being fed. */
static void
body_cb(void *arg, const char *data, size_t len)
{
	struct body_run *run = arg;

	CHECK(len > 0);
	CHECK(inside(data, len, run->lo, run->hi));
	run->payload += len;
	run->hash = fnv(run->hash, data, len);
}

/*
 * Feeds d[0..len) to a decoder for 'h' in pieces: all at once if 'rng' is
 * NULL, else in sizes drawn from it. Stops at the end of the body.
 */
static void
feed_body(const struct http_head *h, const char *d, size_t len, struct rng *rng,
    struct body_run *run)
{
	struct http_body b;
	size_t           off = 0;

	memset(run, 0, sizeof(*run));
	run->hash = 14695981039346656037ULL;
	http_body_init(&b, h);
	for (;;) {
		size_t  n = len - off;
		ssize_t r;
		int     done = -1;

		if (rng != NULL && n > 0) {
			uint64_t x = rng_next(rng);

			/* Mostly small pieces, sometimes a large one. */
			if ((x & 7) == 0)
				n = n < 4096 ? n : 4096;
			else if (1 + (size_t)((x >> 3) % 17) < n)
				n = 1 + (size_t)((x >> 3) % 17);
		}
		run->lo = d + off;
		run->hi = d + off + n;
		r = http_body_feed(&b, d + off, n, &done, body_cb, run);
		CHECK(done == 0 || done == 1);
		if (r < 0) {
			CHECK(r == -1);
			CHECK(h->body == BODY_CHUNKED);
			run->consumed = -1;
			return;
		}
		CHECK((size_t)r <= n);
		/* Stopping short of the input means the body ended. */
		CHECK((size_t)r == n || done);
		off += (size_t)r;
		CHECK(off <= len);
		if (h->body == BODY_LENGTH) {
			CHECK(run->payload == off);
			CHECK(off <= h->length);
			CHECK(done == (off == h->length));
		}
		if (h->body == BODY_NONE)
			CHECK(r == 0 && done);
		if (h->body == BODY_UNTIL_CLOSE)
			CHECK(!done && (size_t)r == n);
		if (done || off == len) {
			run->done = done;
			break;
		}
		/* A piece that is not the end of the body is all taken. */
		CHECK(r > 0);
	}
	run->consumed = (ssize_t)off;
	CHECK(run->payload <= (uint64_t)off);
}

/* Checks what a parser returned for d[0..len). */
static void
check_head(const struct http_head *h, int r, const char *d, size_t len,
    int is_request)
{
	const char *end;

	CHECK(r >= HTTP_EFRAMING);
	if (r <= 0)
		return;
	CHECK((size_t)r <= len);
	CHECK(r <= HTTP_MAX_HEAD);
	end = d + r;
	CHECK(d[r - 1] == '\n');
	CHECK(h->nhdr <= HTTP_MAX_HEADERS);
	CHECK(h->minor >= 0 && h->minor <= 9);
	for (size_t i = 0; i < h->nhdr; i++) {
		const struct http_header *f = &h->hdr[i];

		CHECK(f->name_len > 0);
		CHECK(inside(f->name, f->name_len, d, end));
		CHECK(inside(f->value, f->value_len, d, end));
		CHECK(memchr(f->name, ':', f->name_len) == NULL);
		CHECK(memchr(f->value, '\n', f->value_len) == NULL);
		CHECK(memchr(f->value, '\r', f->value_len) == NULL);
		CHECK(memchr(f->value, '\0', f->value_len) == NULL);
		if (f->value_len > 0) {
			CHECK(f->value[0] != ' ' && f->value[0] != '\t');
			CHECK(f->value[f->value_len - 1] != ' ' &&
			    f->value[f->value_len - 1] != '\t');
		}
	}
	if (is_request) {
		CHECK(h->method_len > 0 && h->method_len <= 16);
		CHECK(inside(h->method, h->method_len, d, end));
		CHECK(h->target_len > 0 && h->target_len <= HTTP_MAX_TARGET);
		CHECK(inside(h->target, h->target_len, d, end));
		for (size_t i = 0; i < h->target_len; i++)
			CHECK((unsigned char)h->target[i] > 0x20 &&
			    (unsigned char)h->target[i] < 0x7f);
		CHECK(h->body != BODY_UNTIL_CLOSE);
		if (h->body == BODY_LENGTH)
			CHECK(h->length > 0);
		/* One Host exactly on HTTP/1.1. */
		if (h->minor >= 1)
			CHECK(http_header(h, "host", NULL) != NULL);
	} else {
		CHECK(h->status >= 100 && h->status <= 999);
		if (h->status < 200 || h->status == 204 || h->status == 304)
			CHECK(h->body == BODY_NONE);
	}
	/* No framing that two readers could disagree on got through. */
	if (http_header(h, "transfer-encoding", NULL) != NULL)
		CHECK(http_header(h, "content-length", NULL) == NULL);
	if (h->body == BODY_LENGTH)
		CHECK(h->length < 1000000000000000000ULL);
	if (h->upgrade)
		CHECK(http_header(h, "upgrade", NULL) != NULL);
}

/*
 * Parses requests from d[0..len) one after another (at most a few), each
 * with its body, as a keep-alive connection would.
 */
static void
run_requests(const char *d, size_t len, struct rng *rng)
{
	size_t off = 0;

	for (int i = 0; i < 4 && off < len; i++) {
		struct body_run whole, split;
		int             r;

		r = http_parse_request(d + off, len - off, &head);
		check_head(&head, r, d + off, len - off, 1);
		if (r <= 0)
			return;
		/* A shorter prefix of a complete head is never complete. */
		{
			static struct http_head h2;
			int                     r2;

			r2 = http_parse_request(d + off, (size_t)r - 1, &h2);
			CHECK(r2 == 0);
			r2 = http_parse_request(d + off, (size_t)r, &h2);
			CHECK(r2 == r);
			CHECK(h2.body == head.body && h2.length == head.length);
			CHECK(h2.nhdr == head.nhdr);
		}
		off += (size_t)r;
		feed_body(&head, d + off, len - off, NULL, &whole);
		feed_body(&head, d + off, len - off, rng, &split);
		CHECK(whole.consumed == split.consumed);
		if (whole.consumed < 0)
			return;
		CHECK(whole.done == split.done);
		CHECK(whole.payload == split.payload);
		CHECK(whole.hash == split.hash);
		if (!whole.done)
			return;
		off += (size_t)whole.consumed;
	}
}

/* Parses d[0..len) as the response to a request with method 'm'. */
static void
run_response(const char *d, size_t len, const char *m, struct rng *rng)
{
	struct body_run whole, split;
	int             r;

	r = http_parse_response(d, len, &head, m, strlen(m));
	check_head(&head, r, d, len, 0);
	if (r <= 0)
		return;
	if (strcmp(m, "HEAD") == 0)
		CHECK(head.body == BODY_NONE);
	feed_body(&head, d + r, len - (size_t)r, NULL, &whole);
	feed_body(&head, d + r, len - (size_t)r, rng, &split);
	CHECK(whole.consumed == split.consumed);
	if (whole.consumed >= 0) {
		CHECK(whole.done == split.done);
		CHECK(whole.payload == split.payload);
		CHECK(whole.hash == split.hash);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rng rng;
	char      *d;

	/* An exact-size copy, so ASan sees any read past the end. */
	d = calloc(1, size ? size : 1);
	if (d == NULL)
		return 0;
	if (size > 0)
		memcpy(d, data, size);
	rng.s = fnv(14695981039346656037ULL, d, size) | 1;

	run_requests(d, size, &rng);
	run_response(d, size, "GET", &rng);
	run_response(d, size, "HEAD", &rng);
	/* Headers, tokens and reasons on whatever parsed last. */
	(void)http_header_has_token(&head, "connection", "close");
	(void)http_method_is(&head, "GET");
	CHECK(http_reason(size > 0 ? 100 + data[0] * 2 : 200) != NULL);
	free(d);
	return 0;
}
