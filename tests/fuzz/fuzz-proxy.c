/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the head the proxy sends a back end (proxy_head): a
 * client's request head is parsed, its path split and normalised as the
 * hub does (req.c), and the head built for a user's server. Promises
 * checked, since the back end believes what the hub sends it: the new
 * head parses back as one request with the same method, the normalised
 * path, the query as it came and the same body framing; it carries the
 * hub's X-Rig-User, Authorization and X-Forwarded-For once each and no
 * header the client spelt to pass for one of them (X_Rig_User included);
 * no cookie of the hub's own gets through; at most one Content-Length.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/proxy/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hub/hub.h"
#include "hub/endpoint.h"
#include "hub/proxy.h"
#include "hub/req.h"
#include "lib/http.h"
#include "lib/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

#define SECRET "s3cr3t-of-the-server"
#define USER "alice"
#define ADDR "192.0.2.7"

static struct req       req; /* large: kept off the stack */
static struct http_head out;
static struct hub       hub;

/* Whether a header name reads as 'want' once '_' is '-'. */
static int
name_like(const struct http_header *f, const char *want)
{
	size_t n = strlen(want);

	if (f->name_len != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = f->name[i] == '_' ? '-' : f->name[i];

		if ((c | 0x20) != (want[i] | 0x20))
			return 0;
	}
	return 1;
}

/* How many headers are named like 'want'; the value of the last. */
static size_t
count(const struct http_head *h, const char *want, const char **v, size_t *vlen)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nhdr; i++)
		if (name_like(&h->hdr[i], want)) {
			n++;
			if (v != NULL) {
				*v = h->hdr[i].value;
				*vlen = h->hdr[i].value_len;
			}
		}
	return n;
}

static int
value_is(const char *v, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(v, want, len) == 0;
}

static void
check_forwarded(const char *fwd, size_t flen)
{
	const char *v = NULL, *q;
	size_t      vlen = 0, plen;
	int         r;

	r = http_parse_request(fwd, flen, &out);
	/* The client's head was near a limit already. */
	if (r == HTTP_ETOOLARGE || r == HTTP_ETOOMANY || r == HTTP_ETARGET)
		return;
	if (r <= 0)
		dprintf(2, "forwarded head refused (%d):\n%.*s", r, (int)flen,
		    fwd);
	CHECK(r > 0 && (size_t)r == flen);
	CHECK(out.method_len == req.head.method_len &&
	    memcmp(out.method, req.head.method, out.method_len) == 0);
	/* The normalised path, then the query as the client sent it. */
	plen = strlen(req.path);
	CHECK(
	    out.target_len >= plen && memcmp(out.target, req.path, plen) == 0);
	q = memchr(req.head.target, '?', req.head.target_len);
	if (q != NULL) {
		size_t qlen =
		    req.head.target_len - (size_t)(q - req.head.target);

		CHECK(out.target_len == plen + qlen &&
		    memcmp(out.target + plen, q, qlen) == 0);
	} else
		CHECK(out.target_len == plen);
	CHECK(out.body == req.head.body);
	CHECK(out.length == req.head.length);
	CHECK(out.upgrade == req.head.upgrade);
	CHECK(count(&out, "content-length", NULL, NULL) <= 1);
	CHECK(count(&out, "host", NULL, NULL) == 1);

	CHECK(count(&out, "x-rig-user", &v, &vlen) == 1);
	CHECK(value_is(v, vlen, USER));
	CHECK(count(&out, "authorization", &v, &vlen) == 1);
	CHECK(value_is(v, vlen, "token " SECRET));
	CHECK(count(&out, "x-forwarded-for", &v, &vlen) == 1);
	CHECK(value_is(v, vlen, ADDR));
	CHECK(count(&out, "x-forwarded-proto", &v, &vlen) == 1);
	CHECK(count(&out, "forwarded", NULL, NULL) == 0);
	CHECK(count(&out, "x-forwarded-host", NULL, NULL) <= 1);
	CHECK(count(&out, "cookie", NULL, NULL) <= 1);
	/* No cookie the hub itself would read as its own (session.c). */
	for (size_t i = 0; i < out.nhdr; i++) {
		const struct http_header *f = &out.hdr[i];
		char                     *c;

		if (!name_like(f, "cookie"))
			continue;
		c = cookie_get(f->value, f->value_len, "rig-session");
		CHECK(c == NULL);
		c = cookie_get(f->value, f->value_len, "rig-xsrf");
		CHECK(c == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target t = { .secret = SECRET, .user = USER };
	char         *d, *fwd, *n;
	size_t        flen;
	int           r;

	endpoint_tcp(&t.to, "127.0.0.1", 1);
	d = calloc(1, size ? size : 1);
	if (d == NULL)
		return 0;
	if (size > 0)
		memcpy(d, data, size);
	r = http_parse_request(d, size, &req.head);
	if (r <= 0) {
		free(d);
		return 0;
	}
	/* As read_head() does in req.c. */
	req.hub = &hub;
	snprintf(req.addr, sizeof(req.addr), "%s", ADDR);
	target_split(req.head.target, req.head.target_len, &req.path,
	    &req.query);
	CHECK(req.path != NULL);
	n = url_path_normalize(req.path, strlen(req.path));
	free(req.path);
	req.path = n;
	if (n != NULL) {
		/* With TLS and without: only the proto differs. */
		hub.ssl_ctx = (size & 1) ? (void *)&hub : NULL;
		fwd = proxy_head(&req, &t, &flen);
		CHECK(fwd != NULL && strlen(fwd) == flen);
		check_forwarded(fwd, flen);
		free(fwd);
	}
	free(req.path);
	free(req.query);
	req.path = req.query = NULL;
	free(d);
	return 0;
}
