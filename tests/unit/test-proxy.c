/* SPDX-License-Identifier: MIT */
/*
 * The head the proxy sends a back end: the client's request line and
 * end-to-end headers as they came, and nothing that would let a client
 * speak for the hub: no credentials of its own (Authorization, the hub's
 * cookies), no forwarding claims (X-Forwarded-*, Forwarded, X-Rig-User),
 * no hop-by-hop headers. What the hub adds comes once, last.
 */
#include <strings.h>

#include <openssl/ssl.h>

#include "unit.h"
#include "lib/url.h"

#include "hub/hub.h"
#include "hub/proxy.h"
#include "hub/req.h"
#include "lib/http.h"
#include "lib/util.h"

static struct hub hub;

static struct req *
parse(const char *text)
{
	struct req *req = xcalloc(1, sizeof(*req));

	req->raw = xstrdup(text);
	req->raw_len = strlen(text);
	if (http_parse_request(req->raw, req->raw_len, &req->head) <= 0)
		FAIL("cannot parse: %s", text);
	target_split(req->head.target, req->head.target_len, &req->path,
	    &req->query);
	req->hub = &hub;
	snprintf(req->addr, sizeof(req->addr), "192.0.2.7");
	return req;
}

/* How many lines of 'head' start with 'name' (case-insensitive). */
static int
count(const char *head, const char *name)
{
	int         n = 0;
	const char *p = head;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, strlen(name)) == 0)
			n++;
		p = strstr(p, "\r\n");
		if (p != NULL)
			p += 2;
	}
	return n;
}

TEST(proxy_skip_header_list)
{
	static const char *const dropped[] = { "Connection", "keep-alive",
		"Proxy-Connection", "TE", "Upgrade", "Authorization", "COOKIE",
		"X-Forwarded-For", "x-forwarded-proto", "X-Forwarded-Host",
		"X-Rig-User", "Forwarded", "Proxy-Authorization", "X_Rig_User",
		"x_rig-user", "X-Forwarded_For", "Proxy_Authorization",
		"Content_Length", "transfer_encoding" };
	static const char *const kept[] = { "Host", "Content-Length",
		"Content-Type", "Transfer-Encoding", "Accept", "Origin",
		"X-XSRFToken", "Sec-WebSocket-Key", "X-Forwarded",
		"Authorizations", "Cookie2", "X-Rig-Users", "Te2" };
	struct http_header       h;

	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < nitems(dropped); i++) {
		h.name = dropped[i];
		h.name_len = strlen(dropped[i]);
		if (!proxy_skip_header(&h))
			FAIL("%s would reach the server", dropped[i]);
	}
	for (size_t i = 0; i < nitems(kept); i++) {
		h.name = kept[i];
		h.name_len = strlen(kept[i]);
		if (proxy_skip_header(&h))
			FAIL("%s would not reach the server", kept[i]);
	}
	/* A prefix of a dropped name is another header. */
	h.name = "Authorization";
	h.name_len = 4;
	ASSERT_EQ(proxy_skip_header(&h), 0);
}

TEST(proxy_head_rewrite)
{
	struct req   *req = parse("POST /user/bob/api/x?a=1 HTTP/1.1\r\n"
	                            "Host: hub:8000\r\n"
	                            "Authorization: token stolen\r\n"
	                            "Cookie: rig-session=SID; _xsrf=j; "
	                            "rig-xsrf=X\r\n"
	                            "Cookie: theme=dark\r\n"
	                            "X-Forwarded-For: 10.6.6.6\r\n"
	                            "X-Forwarded-Proto: http\r\n"
	                            "X-Forwarded-Host: evil\r\n"
	                            "Forwarded: for=10.6.6.6\r\n"
	                            "X-Rig-User: alice\r\n"
	                            "Connection: keep-alive, X-Secret\r\n"
	                            "Content-Length: 2\r\n"
	                            "X-Custom: yes\r\n\r\n");
	struct target t;
	char         *head;
	size_t        len;

	hub.ssl_ctx = SSL_CTX_new(TLS_server_method());
	memset(&t, 0, sizeof(t));
	endpoint_tcp(&t.to, "127.0.0.1", 9);
	t.secret = "SERVERSECRET";
	head = proxy_head(req, &t, &len);
	ASSERT_EQ(len, strlen(head));
	/* The request line and end-to-end headers as they came. */
	ASSERT(strncmp(head, "POST /user/bob/api/x?a=1 HTTP/1.1\r\n", 35) == 0);
	ASSERT(strstr(head, "\r\nHost: hub:8000\r\n") != NULL);
	ASSERT(strstr(head, "\r\nX-Custom: yes\r\n") != NULL);
	ASSERT(strstr(head, "\r\nContent-Length: 2\r\n") != NULL);
	/* The hub's credentials go, the client's other cookies stay. */
	ASSERT(strstr(head, "stolen") == NULL);
	ASSERT(strstr(head, "SID") == NULL);
	ASSERT(strstr(head, "rig-xsrf") == NULL);
	ASSERT(strstr(head, "\r\nCookie: _xsrf=j; theme=dark\r\n") != NULL);
	ASSERT_EQ(count(head, "Cookie:"), 1);
	/* Claims only the hub makes, once each, true. */
	ASSERT(strstr(head, "10.6.6.6") == NULL);
	ASSERT(strstr(head, "evil") == NULL);
	ASSERT_EQ(count(head, "Forwarded:"), 0);
	ASSERT_EQ(count(head, "X-Rig-User:"), 0);
	ASSERT_EQ(count(head, "Authorization:"), 1);
	ASSERT(
	    strstr(head, "\r\nAuthorization: token SERVERSECRET\r\n") != NULL);
	ASSERT(strstr(head, "\r\nX-Forwarded-For: 192.0.2.7\r\n") != NULL);
	ASSERT(strstr(head, "\r\nX-Forwarded-Proto: https\r\n") != NULL);
	ASSERT(strstr(head, "\r\nX-Forwarded-Host: hub:8000\r\n") != NULL);
	ASSERT_EQ(count(head, "X-Forwarded-For:"), 1);
	/* The hub's own hop: keep-alive, and nothing the client listed. */
	ASSERT_EQ(count(head, "Connection:"), 1);
	ASSERT(strstr(head, "\r\nConnection: keep-alive\r\n") != NULL);
	ASSERT(strstr(head, "X-Secret") == NULL);
	ASSERT(len > 4 && strcmp(head + len - 4, "\r\n\r\n") == 0);
	free(head);
	req_free(req);
	SSL_CTX_free(hub.ssl_ctx);
}

/* The server gets the path the hub routed, not the one the client sent. */
TEST(proxy_head_normalised_path)
{
	struct req   *req = parse("GET /user/bob/a/../b?q=%2e%2e HTTP/1.1\r\n"
	                            "Host: hub\r\n\r\n");
	struct target t;
	char         *head, *n;
	size_t        len;

	n = url_path_normalize(req->path, strlen(req->path));
	free(req->path);
	req->path = n;
	memset(&t, 0, sizeof(t));
	endpoint_tcp(&t.to, "127.0.0.1", 9);
	head = proxy_head(req, &t, &len);
	ASSERT(strncmp(head, "GET /user/bob/b?q=%2e%2e HTTP/1.1\r\n", 35) == 0);
	free(head);
	req_free(req);
}

TEST(proxy_head_service_and_upgrade)
{
	struct req   *req = parse("GET /services/s/ws HTTP/1.1\r\n"
	                            "Host: hub\r\n"
	                            "Connection: Upgrade\r\n"
	                            "Upgrade: websocket\r\n"
	                            "X-Rig-User: root\r\n"
	                            "Sec-WebSocket-Key: k\r\n\r\n");
	struct target t;
	char         *head;
	size_t        len;

	hub.ssl_ctx = NULL;
	memset(&t, 0, sizeof(t));
	endpoint_tcp(&t.to, "127.0.0.1", 9);
	t.user = "bob";
	head = proxy_head(req, &t, &len);
	/* A service learns who asks from the hub alone, and no secret. */
	ASSERT_EQ(count(head, "X-Rig-User:"), 1);
	ASSERT(strstr(head, "\r\nX-Rig-User: bob\r\n") != NULL);
	ASSERT_EQ(count(head, "Authorization:"), 0);
	ASSERT(strstr(head, "\r\nX-Forwarded-Proto: http\r\n") != NULL);
	/* The upgrade goes on, as the hub writes it. */
	ASSERT_EQ(count(head, "Connection:"), 1);
	ASSERT_EQ(count(head, "Upgrade:"), 1);
	ASSERT(
	    strstr(head, "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n") !=
	    NULL);
	ASSERT(strstr(head, "\r\nSec-WebSocket-Key: k\r\n") != NULL);
	free(head);
	req_free(req);
}
