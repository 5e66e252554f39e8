/* SPDX-License-Identifier: MIT */
/*
 * Request routing and authentication.
 *
 * /user/NAME/... and /services/NAME/... go through the proxy, after the
 * caller is known (session cookie or API token), allowed (the owner; an
 * admin only if admin_access is on; any user for a service), and, when a
 * browser cookie is what identifies them, coming from the hub's own origin
 * for anything but a plain read: the server trusts the secret the proxy
 * injects and skips its own XSRF and origin checks, so the hub must make
 * them. Everything else is the hub's own: pages (pages.c) and the REST API
 * (api.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "autostop.h"
#include "auth.h"
#include "authcache.h"
#include "conn.h"
#include "hub.h"
#include "lib/log.h"
#include "pages.h"
#include "proxy.h"
#include "respond.h"
#include "routes.h"
#include "server.h"
#include "lib/url.h"
#include "lib/util.h"

void
target_split_req(struct req *req)
{
	target_split(req->head.target, req->head.target_len, &req->path,
	    &req->query);
}

void
req_free(struct req *req)
{
	if (req == NULL)
		return;
	free(req->raw);
	free(req->path);
	free(req->query);
	buf_release(&req->body);
	db_user_release(&req->user);
	free_secret(req->xsrf);
	free(req);
}

static void
access_log(struct req *req)
{
	const char *who = req->authed ? req->user.name : "-";
	const char *addr = req->addr;
	/* The path only: query strings can carry tokens. */
	log_access(addr, req->head.method, req->head.method_len, req->path,
	    req->status, (unsigned long long)req->sent,
	    (unsigned long long)(now_ms() - req->start_ms), who);
	if (req->status >= 100 && req->status < 600)
		req->hub->m.requests[req->status / 100]++;
}

void
routes_request_gone(struct req *req)
{
	if (req->status != 0 && !req->busy) {
		access_log(req);
		req->status = 0;
	}
	if (!req->busy)
		req_free(req);
}

/* Name of /PREFIX/NAME/...: sets *name and *len, and *rest to what follows
 * the name (starting with '/' or empty). 0 if the path is not like that. */
static int
path_name(const char *path, const char *prefix, const char **name,
    size_t *len, const char **rest)
{
	size_t      plen = strlen(prefix);
	const char *p, *slash;

	if (strncmp(path, prefix, plen) != 0)
		return 0;
	p = path + plen;
	slash = strchr(p, '/');
	*name = p;
	*len = slash ? (size_t)(slash - p) : strlen(p);
	*rest = p + *len;
	return *len > 0;
}

int
routes_is_proxied(const struct req *req)
{
	return strncmp(req->path, "/user/", 6) == 0 ||
	    strncmp(req->path, "/services/", 10) == 0;
}

char *
hub_origin(const struct req *req)
{
	size_t      n = 0;
	const char *host = http_header(&req->head, "host", &n);

	return xasprintf("%s://%.*s", req->hub->ssl_ctx ? "https" : "http",
	    (int)n, host ? host : "");
}

int
same_origin(const struct req *req)
{
	size_t      n;
	const char *v;
	int         ok = 1;

	v = http_header(&req->head, "sec-fetch-site", &n);
	if (v != NULL && !(n == 11 && strncmp(v, "same-origin", 11) == 0) &&
	    !(n == 4 && strncmp(v, "none", 4) == 0))
		return 0;
	v = http_header(&req->head, "origin", &n);
	if (v != NULL) {
		char *mine = hub_origin(req);

		ok = strlen(mine) == n && strncasecmp(mine, v, n) == 0;
		free(mine);
	}
	return ok;
}

int
check_xsrf(struct req *req, const char *form_value)
{
	size_t      n;
	const char *h;
	char       *given;
	int         ok;

	if (!req->authed)
		return 0;
	if (req->by_token)
		return 1;
	if (!same_origin(req) || req->xsrf == NULL)
		return 0;
	if (form_value != NULL)
		return secret_equal(form_value, req->xsrf);
	h = http_header(&req->head, "x-xsrftoken", &n);
	if (h == NULL)
		h = http_header(&req->head, "x-csrftoken", &n);
	if (h == NULL)
		return 0;
	given = xstrndup(h, n);
	ok = secret_equal(given, req->xsrf);
	free(given);
	return ok;
}

/* Resolves a credential through the cache, then the database. */
static int
resolve(struct req *req, const char *cred, int is_token)
{
	struct auth_hit hit;
	char            hash[TOKEN_HASH_LEN + 1];
	uint64_t        gen = db_generation(req->hub->db);
	int             r;

	memset(&hit, 0, sizeof(hit));
	if (!authcache_get(cred, gen, &hit)) {
		token_hash(cred, hash);
		if (is_token)
			r = db_token_find(req->hub->db, hash, &hit.user_id,
			    &hit.token_id);
		else
			r = db_session_find(req->hub->db, hash, &hit.user_id,
			    &hit.xsrf);
		if (r != 0 || db_user_get_id(req->hub->db, hit.user_id,
		    &hit.user) != 0) {
			free_secret(hit.xsrf);
			return 0;
		}
		if (is_token)
			db_token_touch(req->hub->db, hit.token_id, now_sec());
		authcache_put(cred, gen, &hit);
	}
	req->user = hit.user;
	req->xsrf = hit.xsrf;
	req->by_token = is_token;
	return 1;
}

int
auth_request(struct req *req)
{
	size_t      n;
	const char *v;
	char       *cred;
	int         is_token = 0;

	if (req->authed)
		return 1;
	v = http_header(&req->head, "authorization", &n);
	if (v != NULL && n > 6 && (strncasecmp(v, "token ", 6) == 0 ||
	    (n > 7 && strncasecmp(v, "bearer ", 7) == 0))) {
		size_t skip = v[0] == 't' || v[0] == 'T' ? 6 : 7;

		v += skip;
		n -= skip;
		while (n > 0 && v[n - 1] == ' ')
			n--;
		if (n == 0 || n > 256)
			return 0;
		cred = xstrndup(v, n);
		is_token = 1;
	} else {
		v = http_header(&req->head, "cookie", &n);
		if (v == NULL)
			return 0;
		cred = cookie_get(v, n, "rig-session");
		if (cred == NULL)
			return 0;
		if (strlen(cred) > 256) {
			free_secret(cred);
			return 0;
		}
	}
	req->authed = resolve(req, cred, is_token);
	free_secret(cred);
	if (req->authed)
		autostop_touch(); /* someone uses the machine */
	return req->authed;
}

/* No credentials: a browser goes to the login page, a client gets 403. */
static void
login_required(struct req *req)
{
	if (req_wants_html(req) && (http_method_is(&req->head, "GET") ||
	    http_method_is(&req->head, "HEAD"))) {
		char *next = url_encode(req->head.target[0] == '/' ?
		    req->path : "/", 1);
		char *loc = xasprintf("/hub/login?next=%s", next);

		respond_redirect(req, loc, NULL);
		free(loc);
		free(next);
		return;
	}
	respond_error(req, 403, "authentication required");
}

static int
is_safe_method(const struct req *req)
{
	return http_method_is(&req->head, "GET") ||
	    http_method_is(&req->head, "HEAD") ||
	    http_method_is(&req->head, "OPTIONS");
}

static void
proxy_service(struct req *req, const char *name, size_t len)
{
	const struct service *svc = config_service(req->hub->cfg, name, len);
	struct target         t;

	if (svc == NULL) {
		respond_error(req, 404, "no such service");
		return;
	}
	memset(&t, 0, sizeof(t));
	t.host = svc->host;
	t.port = svc->port;
	t.user = req->user.name;
	proxy_forward(req, &t);
}

/* The user's server is not running: the browser is offered to start it. */
static void
not_running(struct req *req, const char *name, size_t len)
{
	if (req_wants_html(req) && http_method_is(&req->head, "GET") &&
	    !req->head.upgrade) {
		char *next = url_encode(req->path, 1);
		char *loc = xasprintf("/hub/spawn-pending/%.*s?next=%s",
		    (int)len, name, next);

		respond_redirect(req, loc, NULL);
		free(loc);
		free(next);
		return;
	}
	respond_error(req, 503, "the server is not running");
}

void
routes_proxy(struct req *req)
{
	const char    *name, *rest;
	size_t         len;
	int            service = 0;
	struct server *s;
	struct target  t;

	if (!path_name(req->path, "/user/", &name, &len, &rest)) {
		if (!path_name(req->path, "/services/", &name, &len, &rest)) {
			respond_error(req, 404, "not found");
			return;
		}
		service = 1;
	}
	if (*rest == '\0' && http_method_is(&req->head, "GET")) {
		/* /user/NAME → /user/NAME/, the server's base URL. */
		char *loc = xasprintf("%s/%s%s", req->path,
		    req->query[0] ? "?" : "", req->query);

		respond_redirect(req, loc, NULL);
		free(loc);
		return;
	}
	if (!auth_request(req)) {
		login_required(req);
		return;
	}
	if (!req->by_token && (!is_safe_method(req) || req->head.upgrade) &&
	    !same_origin(req)) {
		log_warnx("refused a cross-origin %.*s to %.100s from %s",
		    (int)req->head.method_len, req->head.method, req->path,
		    req->conn ? req->conn->addr : "-");
		respond_error(req, 403, "cross-origin request refused");
		return;
	}
	if (service) {
		proxy_service(req, name, len);
		return;
	}
	if (!(strlen(req->user.name) == len &&
	    memcmp(req->user.name, name, len) == 0) &&
	    !(req->user.admin && req->hub->cfg->admin_access)) {
		respond_error(req, 403, "this is not your server");
		return;
	}
	s = hub_server(req->hub, name, len);
	if (s == NULL || s->state != SERVER_READY) {
		not_running(req, name, len);
		return;
	}
	memset(&t, 0, sizeof(t));
	t.host = "127.0.0.1";
	t.port = s->port;
	t.secret = s->secret;
	t.server = s;
	proxy_forward(req, &t);
}

void
routes_handle(struct req *req)
{
	const char *p = req->path;

	if (strncmp(p, "/hub/api/", 9) == 0 || strcmp(p, "/hub/api") == 0) {
		api_handle(req);
		return;
	}
	if (strcmp(p, "/") == 0 || strcmp(p, "/hub") == 0 ||
	    strncmp(p, "/hub/", 5) == 0) {
		pages_handle(req);
		return;
	}
	if (strcmp(p, "/favicon.ico") == 0) {
		respond(req, 204, NULL, NULL, "", 0);
		return;
	}
	respond_error(req, 404, "not found");
}
