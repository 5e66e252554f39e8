/* SPDX-License-Identifier: MIT */
/*
 * The checks that stand between a cookie and a write: same_origin() (the
 * Origin and Sec-Fetch-Site a browser sends), check_xsrf() (the session's
 * token in a form field or header, by cookie only) and the login form's
 * double-submit check. Requests are parsed from text, without a database:
 * the caller's session is set as auth_request() would.
 */
#include <openssl/ssl.h>

#include "unit.h"

#include "hub/config.h"
#include "hub/hub.h"
#include "hub/req.h"
#include "hub/session.h"
#include "lib/http.h"
#include "lib/url.h"
#include "lib/util.h"

#define XSRF "0123456789abcdef0123456789abcdef"

static struct hub hub;

/* A request of 'head' (method, target and header lines), over https if
 * 'tls'; 'body' is its form, or NULL. */
static struct req *
parse(const char *head, const char *body, int tls)
{
	struct req *req = xcalloc(1, sizeof(*req));

	if (tls && hub.ssl_ctx == NULL)
		hub.ssl_ctx = SSL_CTX_new(TLS_server_method());
	if (!tls) {
		SSL_CTX_free(hub.ssl_ctx);
		hub.ssl_ctx = NULL;
	}
	req->raw = xasprintf("%s\r\n", head);
	req->raw_len = strlen(req->raw);
	if (http_parse_request(req->raw, req->raw_len, &req->head) <= 0)
		FAIL("cannot parse: %s", head);
	req->hub = &hub;
	target_split(req->head.target, req->head.target_len, &req->path,
	    &req->query);
	buf_init(&req->body, 4096);
	if (body != NULL)
		buf_adds(&req->body, body);
	return req;
}

/* As auth_request() leaves a request signed in by cookie or token. */
static struct req *
signed_in(const char *head, const char *body, int by_token)
{
	struct req *req = parse(head, body, 1);

	req->authed = 1;
	req->by_token = by_token;
	req->xsrf = xstrdup(XSRF);
	return req;
}

/* same_origin() of a POST with 'headers' to a hub at hub:8000. */
static int
origin_ok(const char *headers, int tls)
{
	char *h =
	    xasprintf("POST /x HTTP/1.1\r\nHost: hub:8000\r\n%s", headers);
	struct req *req = parse(h, NULL, tls);
	int         r = same_origin(req);

	req_free(req);
	free(h);
	return r;
}

TEST(session_same_origin)
{
	struct req *req;

	ASSERT_EQ(origin_ok("", 1), 1); /* a client that says nothing */
	ASSERT_EQ(origin_ok("Origin: https://hub:8000\r\n", 1), 1);
	/* The origin is case-insensitive; the scheme follows the hub's. */
	ASSERT_EQ(origin_ok("Origin: HTTPS://HUB:8000\r\n", 1), 1);
	ASSERT_EQ(origin_ok("Origin: https://hub:8000\r\n", 0), 0);
	ASSERT_EQ(origin_ok("Origin: http://hub:8000\r\n", 0), 1);
	/* Other sites, ports, look-alikes, null. */
	static const char *const evil[] = { "https://evil.example",
		"https://hub:8001", "https://hub:8000.evil.example",
		"https://hub", "null", "https://hub:800", "" };
	for (size_t i = 0; i < nitems(evil); i++) {
		char *h = xasprintf("Origin: %s\r\n", evil[i]);

		if (origin_ok(h, 1))
			FAIL("Origin '%s' passed as the hub's", evil[i]);
		free(h);
	}
	/* Sec-Fetch-Site: same-origin or none (typed, bookmarked) only. */
	ASSERT_EQ(origin_ok("Sec-Fetch-Site: same-origin\r\n", 1), 1);
	req = parse("GET /x HTTP/1.1\r\nHost: hub:8000\r\n"
	            "Sec-Fetch-Site: none\r\n",
	    NULL, 1);
	ASSERT_EQ(same_origin(req), 1);
	req_free(req);
	ASSERT_EQ(origin_ok("Sec-Fetch-Site: same-site\r\n", 1), 0);
	/* Either header refusing is enough. */
	ASSERT_EQ(origin_ok("Origin: https://hub:8000\r\n"
	                    "Sec-Fetch-Site: cross-site\r\n",
	              1),
	    0);
	SSL_CTX_free(hub.ssl_ctx);
}

TEST(session_hub_origin)
{
	struct req *req =
	    parse("GET / HTTP/1.1\r\nHost: a.example:9\r\n", NULL, 1);
	char *o = hub_origin(req);

	ASSERT_STR_EQ(o, "https://a.example:9");
	free(o);
	req_free(req);
	SSL_CTX_free(hub.ssl_ctx);
}

/* check_xsrf(req, form) of a POST with 'headers', signed in by a token
 * or by cookie (with the session's token XSRF). */
static int
xsrf_ok(const char *headers, int by_token, const char *form)
{
	char *h = xasprintf("POST /x HTTP/1.1\r\nHost: hub\r\n%s", headers);
	struct req *req = signed_in(h, NULL, by_token);
	int         r = check_xsrf(req, form);

	req_free(req);
	free(h);
	return r;
}

TEST(session_check_xsrf)
{
	struct req *req;

	/* Not signed in: nothing passes. */
	req =
	    parse("POST /x HTTP/1.1\r\nHost: hub\r\nX-XSRFToken: " XSRF "\r\n",
	        NULL, 1);
	ASSERT_EQ(check_xsrf(req, XSRF), 0);
	req_free(req);
	/* A token is no browser's: it passes without one. */
	ASSERT_EQ(xsrf_ok("Origin: https://evil.example\r\n", 1, NULL), 1);
	/* A cookie: the form's value, else the header, must match. */
	ASSERT_EQ(xsrf_ok("", 0, XSRF), 1);
	ASSERT_EQ(xsrf_ok("", 0, "0123456789abcdef0123456789abcdeF"), 0);
	ASSERT_EQ(xsrf_ok("", 0, ""), 0);
	ASSERT_EQ(xsrf_ok("", 0, NULL), 0);
	ASSERT_EQ(xsrf_ok("X-XSRFToken: " XSRF "\r\n", 0, NULL), 1);
	ASSERT_EQ(xsrf_ok("X-CSRFToken: " XSRF "\r\n", 0, NULL), 1);
	ASSERT_EQ(xsrf_ok("X-XSRFToken: x" XSRF "\r\n", 0, NULL), 0);
	/* The right token from another site is still refused. */
	ASSERT_EQ(xsrf_ok("X-XSRFToken: " XSRF
	                  "\r\nOrigin: https://evil.example\r\n",
	              0, NULL),
	    0);
	ASSERT_EQ(xsrf_ok("X-XSRFToken: " XSRF
	                  "\r\nOrigin: https://evil.example\r\n",
	              0, XSRF),
	    0);
	/* A session without a token (none recorded) passes nothing. */
	req = signed_in("POST /x HTTP/1.1\r\nHost: hub\r\nX-XSRFToken: " XSRF
	                "\r\n",
	    NULL, 0);
	free_secret(req->xsrf);
	req->xsrf = NULL;
	ASSERT_EQ(check_xsrf(req, NULL), 0);
	req_free(req);
	SSL_CTX_free(hub.ssl_ctx);
}

/* check_login_xsrf() of a login POST with 'headers' and form 'body'. */
static int
login_xsrf_ok(const char *headers, const char *body)
{
	char *h =
	    xasprintf("POST /hub/login HTTP/1.1\r\nHost: hub\r\n%s", headers);
	struct req *req = parse(h, body, 1);
	int         r = check_login_xsrf(req);

	req_free(req);
	free(h);
	return r;
}

TEST(session_check_login_xsrf)
{
	ASSERT_EQ(login_xsrf_ok("Cookie: a=b; rig-xsrf=" XSRF "\r\n",
	              "username=a&_xsrf=" XSRF),
	    1);
	/* No cookie, no field, or the two differ. */
	ASSERT_EQ(login_xsrf_ok("", "_xsrf=" XSRF), 0);
	ASSERT_EQ(login_xsrf_ok("Cookie: rig-xsrf=" XSRF "\r\n", "username=a"),
	    0);
	ASSERT_EQ(login_xsrf_ok("Cookie: rig-xsrf=" XSRF "\r\n", "_xsrf=other"),
	    0);
	/* Both right, from another site. */
	ASSERT_EQ(login_xsrf_ok("Origin: https://evil.example\r\n"
	                        "Cookie: rig-xsrf=" XSRF "\r\n",
	              "_xsrf=" XSRF),
	    0);
	SSL_CTX_free(hub.ssl_ctx);
}

/* What may start a signed-in user's server at GET /hub/login: only their
 * own navigation (Sec-Fetch-Site same-origin or none; else an Origin or a
 * Referer on the hub), never another site's link, nor a silent request. */
TEST(session_own_navigation)
{
	static const struct {
		const char *headers;
		int         own;
	} cases[] = {
		{ "Sec-Fetch-Site: same-origin\r\n", 1 },
		{ "Sec-Fetch-Site: none\r\n", 1 },
		{ "Sec-Fetch-Site: cross-site\r\n", 0 },
		{ "Sec-Fetch-Site: same-site\r\n", 0 },
		/* Sec-Fetch-Site wins over a Referer that looks right. */
		{ "Sec-Fetch-Site: cross-site\r\nReferer: https://hub:8000/\r\n",
		    0 },
		{ "Referer: https://hub:8000/hub/home\r\n", 1 },
		{ "Referer: https://HUB:8000/\r\n", 1 },
		{ "Origin: https://hub:8000\r\n", 1 },
		{ "Referer: https://hub:8000.evil.example/\r\n", 0 },
		{ "Referer: https://hub:80001/\r\n", 0 },
		{ "Referer: https://evil.example/https://hub:8000/\r\n", 0 },
		{ "Referer: http://hub:8000/\r\n", 0 },
		{ "Origin: null\r\n", 0 },
		{ "", 0 }, /* says nothing of where it comes from */
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		char *h =
		    xasprintf("GET /hub/login HTTP/1.1\r\nHost: hub:8000\r\n"
		              "%s",
		        cases[i].headers);
		struct req *req = parse(h, NULL, 1);

		if (own_navigation(req) != cases[i].own)
			FAIL("own_navigation() is %d for [%s]", !cases[i].own,
			    cases[i].headers);
		req_free(req);
		free(h);
	}
	SSL_CTX_free(hub.ssl_ctx);
}
