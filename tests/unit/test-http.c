/* SPDX-License-Identifier: MIT */
/*
 * Tests of http.c: request and response heads, the strict refusals that keep
 * a message from being framed two ways (request smuggling), the size limits
 * a peer runs into, and body framing by length and by chunks, fed whole, in
 * pieces and byte by byte, since bytes arrive from the network in any split.
 */
#include <stdint.h>
#include <sys/types.h>

#include "unit.h"
#include "lib/buf.h"
#include "lib/http.h"
#include "lib/util.h"

/* Parses the request head in the NUL-terminated 's'. */
static int
req(const char *s, struct http_head *h)
{
	return http_parse_request(s, strlen(s), h);
}

/* Parses the response head in 's' to a request with method 'm'. */
static int
resp(const char *s, const char *m, struct http_head *h)
{
	return http_parse_response(s, strlen(s), h, m, strlen(m));
}

/* Compares a counted string with a NUL-terminated one. */
static int
eqn(const char *p, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(p, s, n) == 0;
}

/* Collects a decoded body into a struct buf. */
static void
collect_cb(void *arg, const char *data, size_t len)
{
	struct buf *b = arg;

	ASSERT(len > 0);
	ASSERT_EQ(buf_add(b, data, len), 0);
}

/*
 * Feeds data[0..len) to a fresh decoder for 'h' in pieces of 'step' bytes
 * (the last one shorter) and returns the number of bytes that belonged to
 * the body, or -1 if the decoder refused them. The decoded payload goes to
 * 'out', *done says whether the body ended.
 */
static ssize_t
feed_steps(const struct http_head *h, const char *data, size_t len, size_t step,
    struct buf *out, int *done)
{
	struct http_body b;
	size_t           off = 0;

	http_body_init(&b, h);
	*done = 0;
	while (off < len && !*done) {
		size_t  n = len - off < step ? len - off : step;
		ssize_t r;

		r = http_body_feed(&b, data + off, n, done, collect_cb, out);
		if (r < 0)
			return -1;
		ASSERT((size_t)r <= n);
		/* A decoder that stops short of its input must be done. */
		if ((size_t)r < n)
			ASSERT(*done);
		off += (size_t)r;
	}
	return (ssize_t)off;
}

/* Feeds a whole chunked body to a fresh decoder; -1 if it is refused. */
static ssize_t
feed_chunked(const char *body, int *done)
{
	struct http_head h;
	struct buf       out;
	ssize_t          r;

	memset(&h, 0, sizeof(h));
	h.body = BODY_CHUNKED;
	buf_init(&out, 1 << 20);
	r = feed_steps(&h, body, strlen(body), strlen(body) + 1, &out, done);
	buf_release(&out);
	return r;
}

/* A request head with 'n' headers (Host first), in a new buf. */
static void
many_headers(struct buf *b, int n)
{
	buf_init(b, 1 << 20);
	buf_adds(b, "GET / HTTP/1.1\r\nHost: example.org\r\n");
	for (int i = 1; i < n; i++)
		buf_addf(b, "X-H%d: %d\r\n", i, i);
	buf_adds(b, "\r\n");
}

TEST(http_get_simple)
{
	static const char s[] = "GET /hub/login?next=%2Fuser HTTP/1.1\r\n"
	                        "Host: example.org\r\n"
	                        "User-Agent:  curl/8.0  \r\n"
	                        "Accept: */*\r\n"
	                        "\r\n";
	struct http_head  h;
	size_t            n;
	const char       *v;

	ASSERT_EQ(req(s, &h), sizeof(s) - 1);
	ASSERT(eqn(h.method, h.method_len, "GET"));
	ASSERT(http_method_is(&h, "GET"));
	ASSERT(!http_method_is(&h, "get"));
	ASSERT(!http_method_is(&h, "GE"));
	ASSERT(eqn(h.target, h.target_len, "/hub/login?next=%2Fuser"));
	ASSERT_EQ(h.minor, 1);
	ASSERT_EQ(h.nhdr, 3);
	ASSERT(eqn(h.hdr[0].name, h.hdr[0].name_len, "Host"));
	ASSERT(eqn(h.hdr[0].value, h.hdr[0].value_len, "example.org"));
	/* Surrounding white space is trimmed, inner white space kept. */
	ASSERT(eqn(h.hdr[1].value, h.hdr[1].value_len, "curl/8.0"));
	ASSERT(eqn(h.hdr[2].name, h.hdr[2].name_len, "Accept"));
	v = http_header(&h, "user-agent", &n);
	ASSERT_NOT_NULL(v);
	ASSERT(eqn(v, n, "curl/8.0"));
	ASSERT_NULL(http_header(&h, "cookie", &n));
	ASSERT_NOT_NULL(http_header(&h, "HOST", NULL));
	ASSERT_EQ(h.body, BODY_NONE);
	ASSERT_EQ(h.keep_alive, 1);
	ASSERT_EQ(h.upgrade, 0);
	ASSERT_EQ(h.expect_continue, 0);
	/* The fields point into the input, not into a copy. */
	ASSERT(h.method == s);
	ASSERT(h.target == s + 4);
}

TEST(http_lf_only_lines)
{
	static const char s[] = "GET / HTTP/1.1\nHost: a\nX: y\n\n";
	struct http_head  h;

	ASSERT_EQ(req(s, &h), sizeof(s) - 1);
	ASSERT_EQ(h.nhdr, 2);
	ASSERT(eqn(h.hdr[1].value, h.hdr[1].value_len, "y"));
}

TEST(http_incomplete_every_prefix)
{
	static const char *const reqs[] = {
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
		 "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"
		 "\r\n"),
		"GET / HTTP/1.0\r\n\r\n",
	};
	struct http_head h;

	for (size_t i = 0; i < nitems(reqs); i++) {
		size_t len = strlen(reqs[i]);

		for (size_t n = 0; n < len; n++) {
			int r = http_parse_request(reqs[i], n, &h);

			if (r != 0)
				FAIL("request %zu prefix %zu: %d", i, n, r);
		}
		ASSERT_EQ(http_parse_request(reqs[i], len, &h), len);
	}
}

TEST(http_incomplete_response_every_prefix)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
	struct http_head  h;

	for (size_t n = 0; n < sizeof(s) - 1; n++)
		ASSERT_EQ(http_parse_response(s, n, &h, "GET", 3), 0);
	ASSERT_EQ(resp(s, "GET", &h), sizeof(s) - 1);
}

TEST(http_pipelined)
{
	static const char s[] = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
	                        "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"
	                        "GET /c HTTP/1.1\r\nHo";
	struct http_head  h;
	size_t            off = 0;
	int               r;

	r = http_parse_request(s, sizeof(s) - 1, &h);
	ASSERT_EQ(r, 28);
	ASSERT(eqn(h.target, h.target_len, "/a"));
	off += (size_t)r;
	r = http_parse_request(s + off, sizeof(s) - 1 - off, &h);
	ASSERT_EQ(r, 28);
	ASSERT(eqn(h.target, h.target_len, "/b"));
	off += (size_t)r;
	r = http_parse_request(s + off, sizeof(s) - 1 - off, &h);
	ASSERT_EQ(r, 0);
}

TEST(http_post_content_length)
{
	static const char s[] =
	    "POST /hub/login HTTP/1.1\r\n"
	    "Host: a\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 11\r\n"
	    "\r\n"
	    "user=alicexGET / HTTP/1.1\r\n";
	struct http_head h;
	struct buf       out;
	int              r, done;
	ssize_t          n;

	r = req(s, &h);
	ASSERT(r > 0);
	ASSERT(http_method_is(&h, "POST"));
	ASSERT_EQ(h.body, BODY_LENGTH);
	ASSERT_EQ(h.length, 11);
	for (size_t step = 1; step <= 20; step++) {
		buf_init(&out, 1024);
		n = feed_steps(&h, s + r, sizeof(s) - 1 - (size_t)r, step, &out,
		    &done);
		ASSERT_EQ(n, 11);
		ASSERT_EQ(done, 1);
		ASSERT_STR_EQ(buf_str(&out), "user=alicex");
		buf_release(&out);
	}
}

TEST(http_content_length_zero)
{
	struct http_head h;
	struct http_body b;
	int              done = 0;

	ASSERT(req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.body, BODY_NONE);
	http_body_init(&b, &h);
	ASSERT_EQ(http_body_feed(&b, "GET", 3, &done, NULL, NULL), 0);
	ASSERT_EQ(done, 1);
}

TEST(http_content_length_malformed)
{
	static const char *const bad[] = { "-1", "+5", "5 5", "5,5", "abc",
		"0x10", "", "1e3", "1234567890123456789" };
	struct http_head         h;
	char                     s[256];

	for (size_t i = 0; i < nitems(bad); i++) {
		snprintf(s, sizeof(s),
		    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %s\r\n\r\n",
		    bad[i]);
		if (req(s, &h) != HTTP_EFRAMING)
			FAIL("Content-Length '%s' accepted", bad[i]);
	}
	/* The largest accepted length has 18 digits. */
	ASSERT(req("POST / HTTP/1.1\r\nHost: a\r\n"
	           "Content-Length: 999999999999999999\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.length, 999999999999999999ULL);
}

/* The request used by the chunked tests: two chunks, extensions on both, a
 * last chunk with an extension, two trailers, then the next request. */
static const char chunked_req[] = "POST /api/x HTTP/1.1\r\n"
                                  "Host: a\r\n"
                                  "Transfer-Encoding: chunked\r\n"
                                  "\r\n"
                                  "5;name=value\r\n"
                                  "hello\r\n"
                                  "1A ; quoted=\"a;b\"\r\n"
                                  "abcdefghijklmnopqrstuvwxyz\r\n"
                                  "0;last\r\n"
                                  "X-Trailer: 1\r\n"
                                  "X-Other: two words\r\n"
                                  "\r\n"
                                  "GET /next HTTP/1.1\r\n";

static const char chunked_payload[] = "helloabcdefghijklmnopqrstuvwxyz";

TEST(http_chunked_whole)
{
	struct http_head h;
	struct buf       out;
	const char      *body;
	size_t           blen, total = sizeof(chunked_req) - 1;
	int              r, done;
	ssize_t          n;

	r = req(chunked_req, &h);
	ASSERT(r > 0);
	ASSERT_EQ(h.body, BODY_CHUNKED);
	body = chunked_req + r;
	blen = total - (size_t)r;
	buf_init(&out, 1024);
	n = feed_steps(&h, body, blen, blen, &out, &done);
	ASSERT_EQ(done, 1);
	ASSERT_STR_EQ(buf_str(&out), chunked_payload);
	/* What is left over is exactly the next request. */
	ASSERT_EQ(n, blen - strlen("GET /next HTTP/1.1\r\n"));
	ASSERT(memcmp(body + n, "GET /next", 9) == 0);
	buf_release(&out);
}

TEST(http_chunked_byte_by_byte)
{
	struct http_head h;
	struct buf       out;
	size_t           blen, total = sizeof(chunked_req) - 1;
	int              r, done;
	ssize_t          n;

	r = req(chunked_req, &h);
	ASSERT(r > 0);
	blen = total - (size_t)r;
	for (size_t step = 1; step <= 7; step++) {
		buf_init(&out, 1024);
		n = feed_steps(&h, chunked_req + r, blen, step, &out, &done);
		ASSERT_EQ(done, 1);
		ASSERT_EQ(n, blen - strlen("GET /next HTTP/1.1\r\n"));
		ASSERT_STR_EQ(buf_str(&out), chunked_payload);
		buf_release(&out);
	}
}

TEST(http_chunked_every_split)
{
	struct http_head h;
	struct http_body b;
	struct buf       out;
	const char      *body;
	size_t           blen, want, total = sizeof(chunked_req) - 1;
	int              r, done;
	ssize_t          n1, n2;

	r = req(chunked_req, &h);
	ASSERT(r > 0);
	body = chunked_req + r;
	blen = total - (size_t)r;
	want = blen - strlen("GET /next HTTP/1.1\r\n");
	/* Every split point of the body into two reads. */
	for (size_t cut = 0; cut <= blen; cut++) {
		buf_init(&out, 1024);
		http_body_init(&b, &h);
		n1 = http_body_feed(&b, body, cut, &done, collect_cb, &out);
		ASSERT((size_t)n1 <= cut);
		if (cut <= want) {
			ASSERT_EQ(n1, cut);
			ASSERT_EQ(done, cut == want);
		} else {
			ASSERT_EQ(n1, want);
			ASSERT_EQ(done, 1);
		}
		if (!done) {
			n2 = http_body_feed(&b, body + n1, blen - (size_t)n1,
			    &done, collect_cb, &out);
			ASSERT_EQ((size_t)n1 + (size_t)n2, want);
			ASSERT_EQ(done, 1);
		}
		ASSERT_STR_EQ(buf_str(&out), chunked_payload);
		buf_release(&out);
	}
}

TEST(http_chunked_no_callback)
{
	struct http_head h;
	struct http_body b;
	int              r, done;
	ssize_t          n;

	r = req(chunked_req, &h);
	ASSERT(r > 0);
	http_body_init(&b, &h);
	n = http_body_feed(&b, chunked_req + r, sizeof(chunked_req) - 1 - r,
	    &done, NULL, NULL);
	ASSERT_EQ(done, 1);
	ASSERT_EQ(n, sizeof(chunked_req) - 1 - r - 20);
}

TEST(http_chunked_minimal)
{
	int done;

	ASSERT_EQ(feed_chunked("0\r\n\r\n", &done), 5);
	ASSERT_EQ(done, 1);
	ASSERT_EQ(feed_chunked("3\r\nabc\r\n0\r\n\r\nXYZ", &done), 13);
	ASSERT_EQ(done, 1);
	/* Upper- and lower-case hex, leading zeros. */
	ASSERT_EQ(feed_chunked("00a\r\n0123456789\r\n0\r\n\r\n", &done), 22);
	ASSERT_EQ(done, 1);
	ASSERT_EQ(feed_chunked("A\r\n0123456789\r\n0\r\n\r\n", &done), 20);
	ASSERT_EQ(done, 1);
	/* Not finished yet: all of it is consumed. */
	ASSERT_EQ(feed_chunked("3\r\nab", &done), 5);
	ASSERT_EQ(done, 0);
	ASSERT_EQ(feed_chunked("0\r\nX-T: 1\r\n", &done), 11);
	ASSERT_EQ(done, 0);
}

TEST(http_chunked_malformed)
{
	static const char *const bad[] = {
		"-1\r\nx\r\n0\r\n\r\n",
		"\r\n",
		";ext\r\n",
		" 5\r\nhello\r\n0\r\n\r\n",
		"0x5\r\nhello\r\n0\r\n\r\n",
		"g\r\n",
		"5\nhello\r\n0\r\n\r\n", /* bare LF after the size */
		"5\rhello\r\n", /* CR without LF */
		"5\r\nhelloX\r\n0\r\n\r\n", /* data longer than its size */
		"5\r\nhello\n0\r\n\r\n", /* bare LF after data */
		"5\r\nhello\r0\r\n\r\n",
		"5;a\nb\r\nhello\r\n", /* LF inside an extension */
		"1000000000000000\r\n", /* 16 hex digits */
		"ffffffffffffffffff\r\n", /* would overflow */
		"0\r\nX: 1\nY: 2\r\n\r\n", /* bare LF in a trailer */
		"0\r\n\n", /* bare LF ends the trailers */
		"0\r\n\rX",
	};
	int done;

	for (size_t i = 0; i < nitems(bad); i++) {
		if (feed_chunked(bad[i], &done) != -1)
			FAIL("chunked body %zu accepted", i);
	}
}

TEST(http_chunked_long_extension)
{
	struct buf b;
	int        done;

	/* Extensions are bounded at 1 KiB so a peer cannot stall us in one
	 * size line forever. */
	buf_init(&b, 1 << 20);
	buf_adds(&b, "5;");
	for (int i = 0; i < 2000; i++)
		buf_adds(&b, "x");
	buf_adds(&b, "\r\nhello\r\n0\r\n\r\n");
	ASSERT_EQ(feed_chunked(buf_str(&b), &done), -1);
	buf_release(&b);
}

TEST(http_chunked_long_trailers)
{
	struct buf b;
	int        done;

	buf_init(&b, 1 << 20);
	buf_adds(&b, "0\r\n");
	for (int i = 0; i < 1000; i++)
		buf_addf(&b, "X-T%d: %d\r\n", i, i);
	buf_adds(&b, "\r\n");
	ASSERT_EQ(feed_chunked(buf_str(&b), &done), -1);
	buf_release(&b);
}

TEST(http_cl_and_te)
{
	struct http_head h;

	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	              "Transfer-Encoding: chunked\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\n"
	              "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	ASSERT_EQ(resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	               "Transfer-Encoding: chunked\r\n\r\n",
	              "GET", &h),
	    HTTP_EFRAMING);
}

TEST(http_two_content_lengths)
{
	struct http_head h;

	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	              "Content-Length: 6\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	              "content-length: 0\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	/* The same length twice is refused in a request (as nginx), which
	 * the proxy would otherwise forward as two; a response may repeat
	 * it. */
	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	              "Content-Length: 5\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	ASSERT(resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	            "Content-Length: 5\r\n\r\n",
	           "GET", &h) > 0);
	ASSERT_EQ(h.body, BODY_LENGTH);
	ASSERT_EQ(h.length, 5);
}

TEST(http_transfer_encoding_not_chunked)
{
	struct http_head h;

	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\n"
	              "Transfer-Encoding: gzip\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\n"
	              "Transfer-Encoding: gzip, chunked\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\n"
	              "Transfer-Encoding: chunked\r\n"
	              "Transfer-Encoding: chunked\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\n"
	              "Transfer-Encoding: xchunked\r\n\r\n",
	              &h),
	    HTTP_EFRAMING);
	/* Case does not matter, surrounding white space neither. */
	ASSERT(req("POST / HTTP/1.1\r\nHost: a\r\n"
	           "transfer-encoding:   Chunked \r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.body, BODY_CHUNKED);
}

TEST(http_obs_fold)
{
	struct http_head h;

	ASSERT_EQ(req("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", &h),
	    HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", &h),
	    HTTP_EBAD);
	/* A folded Transfer-Encoding is the classic smuggling vector. */
	ASSERT_EQ(req("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n"
	              " chunked\r\n\r\n",
	              &h),
	    HTTP_EBAD);
}

TEST(http_bad_field_names)
{
	static const char *const bad[] = {
		"Host : a", /* space before the colon */
		"Host\t: a",
		"Host\r\nContent-Length : 5", /* second line */
		": empty name",
		"no colon here",
		"X(y): 1",
		"X\"y: 1",
		"X y: 1",
		"X@y: 1",
		"X/y: 1",
		"X\x80y: 1",
	};
	struct http_head h;
	char             s[256];

	for (size_t i = 0; i < nitems(bad); i++) {
		snprintf(s, sizeof(s), "GET / HTTP/1.1\r\n%s\r\n\r\n", bad[i]);
		if (req(s, &h) != HTTP_EBAD)
			FAIL("field line '%s' accepted", bad[i]);
	}
	/* All of tchar is allowed. */
	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\n"
	           "!#$%&'*+-.^_`|~09azAZ: 1\r\n\r\n",
	           &h) > 0);
}

TEST(http_bad_field_values)
{
	static const char nul[] =
	    "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
	static const char *const bad[] = {
		"X: a\x01",
		"X: \x1b[31m",
		"X: a\x7f",
		"X: a\x0b",
	};
	struct http_head h;
	char             s[256];

	ASSERT_EQ(http_parse_request(nul, sizeof(nul) - 1, &h), HTTP_EBAD);
	for (size_t i = 0; i < nitems(bad); i++) {
		snprintf(s, sizeof(s),
		    "GET / HTTP/1.1\r\nHost: a\r\n%s\r\n\r\n", bad[i]);
		if (req(s, &h) != HTTP_EBAD)
			FAIL("field value %zu accepted", i);
	}
	/* Tabs and obs-text are allowed; an empty value too. */
	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\nX: a\tb \xe9\r\nY:\r\n\r\n",
	           &h) > 0);
	ASSERT(eqn(h.hdr[1].value, h.hdr[1].value_len, "a\tb \xe9"));
	ASSERT_EQ(h.hdr[2].value_len, 0);
}

TEST(http_bare_cr)
{
	struct http_head h;

	ASSERT_EQ(req("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", &h),
	    HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1.1\rHost: a\r\n\r\n", &h), HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", &h), HTTP_EBAD);
	/* The head ends at the first empty line; what follows is a body's
	 * business. */
	ASSERT_EQ(req("GET / HTTP/1.1\r\nHost: a\r\n\n\rX", &h), 26);
	ASSERT_EQ(resp("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "GET", &h),
	    HTTP_EBAD);
	/* A CR at the very end may still be followed by its LF. */
	ASSERT_EQ(req("GET / HTTP/1.1\r\nHost: a\r", &h), 0);
}

TEST(http_host)
{
	struct http_head h;

	ASSERT_EQ(req("GET / HTTP/1.1\r\nX: a\r\n\r\n", &h), HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &h),
	    HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", &h),
	    HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", &h),
	    HTTP_EBAD);
	/* HTTP/1.0 predates Host. */
	ASSERT(req("GET / HTTP/1.0\r\n\r\n", &h) > 0);
	ASSERT_EQ(h.minor, 0);
	/* Responses carry no Host. */
	ASSERT(resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", &h) >
	    0);
}

TEST(http_version)
{
	struct http_head h;

	ASSERT_EQ(req("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &h), HTTP_EVERSION);
	ASSERT_EQ(req("GET / HTTP/0.9\r\nHost: a\r\n\r\n", &h), HTTP_EVERSION);
	ASSERT_EQ(req("GET / HTTP/3.0\r\nHost: a\r\n\r\n", &h), HTTP_EVERSION);
	ASSERT_EQ(req("GET / http/1.1\r\nHost: a\r\n\r\n", &h), HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1.10\r\nHost: a\r\n\r\n", &h), HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1\r\nHost: a\r\n\r\n", &h), HTTP_EBAD);
	ASSERT_EQ(req("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", &h), HTTP_EBAD);
	ASSERT_EQ(req("GET /\r\n\r\n", &h), HTTP_EBAD);
	ASSERT_EQ(resp("HTTP/2.0 200 OK\r\n\r\n", "GET", &h), HTTP_EVERSION);
	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &h) > 0);
	ASSERT_EQ(h.minor, 1);
}

TEST(http_bad_request_line)
{
	static const char *const bad[] = {
		"GET  / HTTP/1.1", /* two spaces */
		"GET /  HTTP/1.1", " GET / HTTP/1.1", "GET", "GET /",
		"GET\t/ HTTP/1.1", "G(T / HTTP/1.1", "GET /a\x7f HTTP/1.1",
		"GET /a\x80 HTTP/1.1", "GET /a\tb HTTP/1.1",
		"ABCDEFGHIJKLMNOPQ / HTTP/1.1", /* 17-byte method */
		"", /* empty line first */
	};
	struct http_head h;
	char             s[256];

	for (size_t i = 0; i < nitems(bad); i++) {
		snprintf(s, sizeof(s), "%s\r\nHost: a\r\n\r\n", bad[i]);
		if (req(s, &h) != HTTP_EBAD)
			FAIL("request line '%s' accepted: %d", bad[i],
			    req(s, &h));
	}
	ASSERT(req("ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: a\r\n\r\n", &h) > 0);
	ASSERT_EQ(h.method_len, 16);
	ASSERT(req("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &h) > 0);
	ASSERT(eqn(h.target, h.target_len, "*"));
}

TEST(http_too_many_headers)
{
	struct buf       b;
	struct http_head h;

	many_headers(&b, HTTP_MAX_HEADERS);
	ASSERT_EQ(http_parse_request(b.data, b.len, &h), b.len);
	ASSERT_EQ(h.nhdr, HTTP_MAX_HEADERS);
	buf_release(&b);
	many_headers(&b, HTTP_MAX_HEADERS + 1);
	ASSERT_EQ(http_parse_request(b.data, b.len, &h), HTTP_ETOOMANY);
	buf_release(&b);
}

TEST(http_head_too_large)
{
	struct buf       b;
	struct http_head h;

	/* Still coming after 64 KiB: refused before the end is seen. */
	buf_init(&b, 1 << 20);
	buf_adds(&b, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
	while (b.len < HTTP_MAX_HEAD + 100)
		buf_adds(&b, "aaaaaaaaaaaaaaaa");
	ASSERT_EQ(http_parse_request(b.data, HTTP_MAX_HEAD - 1, &h), 0);
	ASSERT_EQ(http_parse_request(b.data, HTTP_MAX_HEAD, &h),
	    HTTP_ETOOLARGE);
	ASSERT_EQ(http_parse_request(b.data, b.len, &h), HTTP_ETOOLARGE);
	/* Complete but too long. */
	buf_adds(&b, "\r\n\r\n");
	ASSERT_EQ(http_parse_request(b.data, b.len, &h), HTTP_ETOOLARGE);
	ASSERT_EQ(http_parse_response(b.data, b.len, &h, "GET", 3),
	    HTTP_ETOOLARGE);
	buf_release(&b);

	/* Just under the limit is fine. */
	buf_init(&b, 1 << 20);
	buf_adds(&b, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
	while (b.len < HTTP_MAX_HEAD - 4)
		buf_adds(&b, "a");
	buf_adds(&b, "\r\n\r\n");
	ASSERT_EQ(b.len, HTTP_MAX_HEAD);
	ASSERT_EQ(http_parse_request(b.data, b.len, &h), HTTP_MAX_HEAD);
	buf_release(&b);
}

TEST(http_target_too_long)
{
	struct buf       b;
	struct http_head h;

	buf_init(&b, 1 << 20);
	buf_adds(&b, "GET /");
	while (b.len < 4 + HTTP_MAX_TARGET)
		buf_adds(&b, "a");
	buf_adds(&b, " HTTP/1.1\r\nHost: a\r\n\r\n");
	ASSERT_EQ(http_parse_request(b.data, b.len, &h), b.len);
	ASSERT_EQ(h.target_len, HTTP_MAX_TARGET);
	buf_release(&b);

	buf_init(&b, 1 << 20);
	buf_adds(&b, "GET /");
	while (b.len < 4 + HTTP_MAX_TARGET + 1)
		buf_adds(&b, "a");
	buf_adds(&b, " HTTP/1.1\r\nHost: a\r\n\r\n");
	ASSERT_EQ(http_parse_request(b.data, b.len, &h), HTTP_ETARGET);
	buf_release(&b);

	/* A request line still coming: refused before it ends. */
	buf_init(&b, 1 << 20);
	buf_adds(&b, "GET /");
	while (b.len < HTTP_MAX_TARGET + 100)
		buf_adds(&b, "a");
	ASSERT_EQ(http_parse_request(b.data, b.len, &h), HTTP_ETARGET);
	ASSERT_EQ(http_parse_request(b.data, 1000, &h), 0);
	buf_release(&b);
}

TEST(http_connection_semantics)
{
	struct http_head h;

	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &h) > 0);
	ASSERT_EQ(h.keep_alive, 1);
	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.keep_alive, 0);
	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.keep_alive, 0);
	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\n"
	           "Connection: x-foo, close\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.keep_alive, 0);
	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.keep_alive, 1);
	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\n"
	           "Connection: keep-alive\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.keep_alive, 1);
	/* HTTP/1.0 closes unless asked to keep the connection. */
	ASSERT(req("GET / HTTP/1.0\r\n\r\n", &h) > 0);
	ASSERT_EQ(h.keep_alive, 0);
	ASSERT(req("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h) > 0);
	ASSERT_EQ(h.keep_alive, 1);
	ASSERT(resp("HTTP/1.0 200 OK\r\n\r\n", "GET", &h) > 0);
	ASSERT_EQ(h.keep_alive, 0);
	ASSERT(resp("HTTP/1.1 200 OK\r\nConnection: close\r\n"
	            "Content-Length: 0\r\n\r\n",
	           "GET", &h) > 0);
	ASSERT_EQ(h.keep_alive, 0);
}

TEST(http_upgrade)
{
	struct http_head h;

	ASSERT(req("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
	           "Upgrade: websocket\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.upgrade, 1);
	/* Firefox sends a list. */
	ASSERT(req("GET /ws HTTP/1.1\r\nHost: a\r\n"
	           "Connection: keep-alive, Upgrade\r\n"
	           "Upgrade: websocket\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.upgrade, 1);
	ASSERT_EQ(h.keep_alive, 1);
	ASSERT(req("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n"
	           "Connection: upgrade\r\nUpgrade: websocket\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.upgrade, 1);
	/* Either half alone is not an upgrade. */
	ASSERT(req("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.upgrade, 0);
	ASSERT(req("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.upgrade, 0);
	ASSERT(req("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgraded\r\n"
	           "Upgrade: websocket\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.upgrade, 0);
}

TEST(http_expect_continue)
{
	struct http_head h;

	ASSERT(req("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n"
	           "Expect: 100-continue\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.expect_continue, 1);
	ASSERT(req("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n"
	           "Expect: 100-Continue\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.expect_continue, 1);
	ASSERT(req("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n"
	           "Expect: 200-ok\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.expect_continue, 0);
	ASSERT(req("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\n",
	           &h) > 0);
	ASSERT_EQ(h.expect_continue, 0);
}

TEST(http_response_content_length)
{
	static const char s[] = "HTTP/1.1 200 OK\r\n"
	                        "Content-Type: text/plain\r\n"
	                        "Content-Length: 5\r\n"
	                        "\r\n"
	                        "helloHTTP/1.1";
	struct http_head  h;
	struct buf        out;
	int               r, done;

	r = resp(s, "GET", &h);
	ASSERT_EQ(r, sizeof(s) - 1 - 13);
	ASSERT_EQ(h.status, 200);
	ASSERT_EQ(h.minor, 1);
	ASSERT_EQ(h.body, BODY_LENGTH);
	ASSERT_EQ(h.length, 5);
	ASSERT_EQ(h.keep_alive, 1);
	ASSERT_NULL(h.method);
	buf_init(&out, 1024);
	ASSERT_EQ(feed_steps(&h, s + r, 13, 3, &out, &done), 5);
	ASSERT_EQ(done, 1);
	ASSERT_STR_EQ(buf_str(&out), "hello");
	buf_release(&out);
	/* A zero length is still a length: the body is over at once. */
	ASSERT(resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", &h) >
	    0);
	ASSERT_EQ(h.body, BODY_LENGTH);
	ASSERT_EQ(h.length, 0);
	buf_init(&out, 1024);
	ASSERT_EQ(feed_steps(&h, "HTTP", 4, 4, &out, &done), 0);
	ASSERT_EQ(done, 1);
	buf_release(&out);
}

TEST(http_response_chunked)
{
	static const char s[] = "HTTP/1.1 200 OK\r\n"
	                        "Transfer-Encoding: chunked\r\n"
	                        "\r\n"
	                        "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n";
	struct http_head  h;
	struct buf        out;
	int               r, done;

	r = resp(s, "GET", &h);
	ASSERT(r > 0);
	ASSERT_EQ(h.body, BODY_CHUNKED);
	buf_init(&out, 1024);
	ASSERT_EQ(feed_steps(&h, s + r, sizeof(s) - 1 - r, 1, &out, &done),
	    sizeof(s) - 1 - r);
	ASSERT_EQ(done, 1);
	ASSERT_STR_EQ(buf_str(&out), "Wikipedia");
	buf_release(&out);
}

TEST(http_response_until_close)
{
	struct http_head h;
	struct http_body b;
	struct buf       out;
	int              done = 1;

	ASSERT(resp("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", "GET",
	           &h) > 0);
	ASSERT_EQ(h.body, BODY_UNTIL_CLOSE);
	buf_init(&out, 1024);
	http_body_init(&b, &h);
	ASSERT_EQ(http_body_feed(&b, "abc", 3, &done, collect_cb, &out), 3);
	ASSERT_EQ(done, 0);
	ASSERT_EQ(http_body_feed(&b, "def", 3, &done, collect_cb, &out), 3);
	ASSERT_EQ(done, 0);
	ASSERT_STR_EQ(buf_str(&out), "abcdef");
	buf_release(&out);
	/* A transfer coding other than chunked leaves only the close. */
	ASSERT(resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "GET",
	           &h) > 0);
	ASSERT_EQ(h.body, BODY_UNTIL_CLOSE);
}

TEST(http_response_no_body)
{
	static const char *const st[] = { "100 Continue", "102 Processing",
		"204 No Content", "304 Not Modified" };
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
	struct http_head  h;
	char              s[256];

	for (size_t i = 0; i < nitems(st); i++) {
		snprintf(s, sizeof(s),
		    "HTTP/1.1 %s\r\nContent-Length: 10\r\n\r\n", st[i]);
		ASSERT(resp(s, "GET", &h) > 0);
		if (h.body != BODY_NONE)
			FAIL("'%s' has a body", st[i]);
		snprintf(s, sizeof(s),
		    "HTTP/1.1 %s\r\nTransfer-Encoding: chunked\r\n\r\n", st[i]);
		ASSERT(resp(s, "GET", &h) > 0);
		if (h.body != BODY_NONE)
			FAIL("'%s' has a chunked body", st[i]);
	}
	ASSERT(resp("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD",
	           &h) > 0);
	ASSERT_EQ(h.body, BODY_NONE);
	ASSERT(resp("HTTP/1.1 200 OK\r\n\r\n", "HEAD", &h) > 0);
	ASSERT_EQ(h.body, BODY_NONE);
	/* "HEAD" by its exact name only. */
	ASSERT(resp("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEADX",
	           &h) > 0);
	ASSERT_EQ(h.body, BODY_LENGTH);
	ASSERT(http_parse_response(ok, strlen(ok), &h, "HEAD", 3) > 0);
	ASSERT_EQ(h.body, BODY_LENGTH);
}

TEST(http_response_101)
{
	struct http_head h;

	ASSERT(
	    resp("HTTP/1.1 101 Switching Protocols\r\n"
	         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	         "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
	        "GET", &h) > 0);
	ASSERT_EQ(h.status, 101);
	ASSERT_EQ(h.upgrade, 1);
	ASSERT_EQ(h.body, BODY_NONE);
}

TEST(http_response_status_line)
{
	static const char *const bad[] = {
		"HTTP/1.1 20 OK",
		"HTTP/1.1 2000 OK",
		"HTTP/1.1 abc OK",
		"HTTP/1.1 099 Low",
		"HTTP/1.1  200 OK",
		"HTTP/1.1 200",
		"HTTP/1.1",
		"HTTP/1.1-200 OK",
		"HTTP/1.1 2x0 OK",
		"HTTP/1.1 200\tOK",
		"ICY 200 OK",
		"",
	};
	struct http_head h;
	char             s[256];

	for (size_t i = 0; i < nitems(bad); i++) {
		int r;

		snprintf(s, sizeof(s), "%s\r\n\r\n", bad[i]);
		r = resp(s, "GET", &h);
		if (strcmp(bad[i], "HTTP/1.1 200") == 0) {
			/* No reason phrase and no space: allowed. */
			ASSERT(r > 0);
			ASSERT_EQ(h.status, 200);
			continue;
		}
		if (r != HTTP_EBAD)
			FAIL("status line '%s' accepted: %d", bad[i], r);
	}
	ASSERT(resp("HTTP/1.1 200 \r\n\r\n", "GET", &h) > 0);
	ASSERT_EQ(h.status, 200);
	ASSERT(resp("HTTP/1.0 404 Not Found\r\n\r\n", "GET", &h) > 0);
	ASSERT_EQ(h.status, 404);
	ASSERT_EQ(h.minor, 0);
	ASSERT_EQ(h.body, BODY_UNTIL_CLOSE);
	ASSERT_EQ(resp("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "GET", &h),
	    HTTP_EBAD);
	ASSERT_EQ(
	    resp("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "GET", &h),
	    HTTP_EFRAMING);
}

TEST(http_header_has_token)
{
	struct http_head h;

	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\n"
	           "Connection: keep-alive ,\t Upgrade ,, x\r\n"
	           "Accept-Encoding: gzip\r\nAccept-Encoding: br, deflate\r\n"
	           "\r\n",
	           &h) > 0);
	ASSERT_EQ(http_header_has_token(&h, "connection", "keep-alive"), 1);
	ASSERT_EQ(http_header_has_token(&h, "Connection", "upgrade"), 1);
	ASSERT_EQ(http_header_has_token(&h, "CONNECTION", "x"), 1);
	ASSERT_EQ(http_header_has_token(&h, "connection", "close"), 0);
	ASSERT_EQ(http_header_has_token(&h, "connection", "keep"), 0);
	ASSERT_EQ(http_header_has_token(&h, "connection", "grade"), 0);
	/* Every field of that name counts. */
	ASSERT_EQ(http_header_has_token(&h, "accept-encoding", "gzip"), 1);
	ASSERT_EQ(http_header_has_token(&h, "accept-encoding", "deflate"), 1);
	ASSERT_EQ(http_header_has_token(&h, "accept-encoding", "zstd"), 0);
	ASSERT_EQ(http_header_has_token(&h, "upgrade", "websocket"), 0);
	ASSERT_EQ(http_header_has_token(&h, "host", "a"), 1);
}

TEST(http_header_first_wins)
{
	struct http_head h;
	const char      *v;
	size_t           n = 99;

	ASSERT(req("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n",
	           &h) > 0);
	v = http_header(&h, "X-A", &n);
	ASSERT_NOT_NULL(v);
	ASSERT(eqn(v, n, "1"));
	ASSERT_NULL(http_header(&h, "X-", &n));
	ASSERT_NULL(http_header(&h, "X-AA", &n));
}

TEST(http_reason)
{
	ASSERT_STR_EQ(http_reason(200), "OK");
	ASSERT_STR_EQ(http_reason(101), "Switching Protocols");
	ASSERT_STR_EQ(http_reason(302), "Found");
	ASSERT_STR_EQ(http_reason(404), "Not Found");
	ASSERT_STR_EQ(http_reason(413), "Content Too Large");
	ASSERT_STR_EQ(http_reason(414), "URI Too Long");
	ASSERT_STR_EQ(http_reason(431), "Request Header Fields Too Large");
	ASSERT_STR_EQ(http_reason(502), "Bad Gateway");
	ASSERT_STR_EQ(http_reason(505), "HTTP Version Not Supported");
	ASSERT_STR_EQ(http_reason(299), "Unknown");
	ASSERT_STR_EQ(http_reason(-1), "Unknown");
}
