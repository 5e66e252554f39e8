/* SPDX-License-Identifier: MIT */
/*
 * Sessions and credentials of requests. A session is a random id in the
 * rig-session cookie, stored hashed with its XSRF token; a token is sent as
 * "Authorization: token T". Both resolve through authcache.c (a second at
 * most) before SQLite. Cookies come with every request a browser makes,
 * whoever's page made it, so a cookie alone never authorises a write: the
 * routes (routes.c) ask for the session's XSRF token and the hub's own
 * origin, which another site cannot supply.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "authcache.h"
#include "autostop.h"
#include "config.h"
#include "db.h"
#include "hub.h"
#include "oneuser.h"
#include "req.h"
#include "scopes.h"
#include "services.h"
#include "session.h"
#include "lib/url.h"
#include "lib/util.h"

static int resolve(struct req *, const char *cred, int is_token);
static int resolve_service(struct req *, const char *cred);

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
own_navigation(const struct req *req)
{
	size_t      n;
	const char *v;
	char       *mine;
	size_t      ml;
	int         ok;

	v = http_header(&req->head, "sec-fetch-site", &n);
	if (v != NULL)
		return (n == 11 && strncmp(v, "same-origin", 11) == 0) ||
		    (n == 4 && strncmp(v, "none", 4) == 0);
	v = http_header(&req->head, "origin", &n);
	if (v == NULL)
		v = http_header(&req->head, "referer", &n);
	if (v == NULL)
		return 0;
	mine = hub_origin(req);
	ml = strlen(mine);
	/* The origin itself, or a URL on it (its path starts after it). */
	ok = n >= ml && strncasecmp(mine, v, ml) == 0 &&
	    (n == ml || v[ml] == '/');
	free(mine);
	return ok;
}

char *
session_begin(struct req *req, const struct db_user *u)
{
	struct hub    *hub = req->hub;
	struct db_user copy;
	char          *sid, *xsrf, *hdr;
	char           hash[TOKEN_HASH_LEN + 1];
	int64_t expires = now_sec() + (int64_t)hub->cfg->session_days * 86400;

	sid = token_new();
	xsrf = random_hex(16);
	token_hash(sid, hash);
	if (db_user_get_id(hub->db, u->id, &copy) != 0 ||
	    db_session_add(hub->db, u->id, hash, xsrf, expires) != 0) {
		free_secret(sid);
		free_secret(xsrf);
		return NULL;
	}
	db_user_release(&req->user);
	req->user = copy;
	req->authed = 1;
	req->by_token = 0;
	/* A new session holds its user's roles' scopes. */
	free(req->scopes);
	req->scopes = NULL;
	req->restricted = 0;
	free_secret(req->xsrf);
	req->xsrf = xsrf;
	hdr = xasprintf("Set-Cookie: rig-session=%s; Path=/; HttpOnly; "
	                "SameSite=Lax; Max-Age=%d%s\r\n",
	    sid, hub->cfg->session_days * 86400,
	    hub->ssl_ctx != NULL ? "; Secure" : "");
	free_secret(sid);
	return hdr;
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
	struct auth_hit      hit;
	struct db_token_auth ta;
	char                 hash[TOKEN_HASH_LEN + 1];
	char                *client = NULL;
	uint64_t             gen = db_generation(req->hub->db);
	int                  r;

	if (is_token && resolve_service(req, cred))
		return 1;
	memset(&hit, 0, sizeof(hit));
	if (!authcache_get(cred, gen, &hit)) {
		token_hash(cred, hash);
		if (is_token) {
			r = db_token_find(req->hub->db, hash, &ta);
			if (r == 0) {
				hit.user_id = ta.user_id;
				hit.token_id = ta.token_id;
				hit.kind = ta.kind;
				hit.scopes = ta.scopes;
				hit.session = ta.session;
				hit.expires = ta.expires;
				client = ta.client_id;
				free(ta.server);
			}
		} else {
			r = db_session_find(req->hub->db, hash, &hit.user_id,
			    &hit.xsrf);
			if (r == 0)
				hit.session = xstrdup(hash);
		}
		/* A hub without root serves one user (oneuser.h). */
		if (r == 0 &&
		    oneuser_serves(req->hub->db, req->hub->is_root,
		        hit.user_id) != 1)
			r = 1;
		if (r != 0 ||
		    db_user_get_id(req->hub->db, hit.user_id, &hit.user) != 0) {
			auth_hit_release(&hit);
			free(client);
			return 0;
		}
		/* A token with scopes of its own holds them only as far as
		 * its user's roles reach now; one that inherits, and a
		 * session, hold the roles'. Worked out once a cache entry:
		 * the proxy asks on every request. */
		{
			int   own = hit.scopes != NULL && hit.scopes[0] != '\0';
			char *mine = own
			    ? scopes_of_token(hit.scopes, hit.user.name,
			          hit.user.admin, req->hub->cfg->admin_access)
			    : scopes_of_user(hit.user.name, hit.user.admin,
			          req->hub->cfg->admin_access);

			/* An OAuth token keeps its client's own access
			 * scope (JupyterHub's rule: signing in to a service
			 * needs no role of the user's). */
			if (own && hit.kind == TOKEN_OAUTH && client != NULL)
				mine = services_keep_client_scope(mine,
				    hit.scopes, client);
			free(hit.scopes);
			hit.scopes = mine;
			hit.restricted = own;
		}
		free(client);
		if (is_token)
			db_token_touch(req->hub->db, hit.token_id, now_sec());
		authcache_put(cred, gen, &hit);
	}
	/* The cache may hold a token a little past its expiry. */
	if (hit.expires != 0 && hit.expires <= now_sec()) {
		auth_hit_release(&hit);
		return 0;
	}
	req->user = hit.user;
	req->xsrf = hit.xsrf;
	req->by_token = is_token;
	req->token_kind = hit.kind;
	req->session = hit.session;
	req->scopes = hit.scopes;
	req->restricted = hit.restricted;
	return 1;
}

/* A managed service's token: no user, the service's own scopes, and no
 * route that names no scope (restricted). */
static int
resolve_service(struct req *req, const char *cred)
{
	char                  hash[TOKEN_HASH_LEN + 1];
	const struct service *svc;

	if (!services_any())
		return 0;
	token_hash(cred, hash);
	svc = services_by_token(hash);
	if (svc == NULL)
		return 0;
	memset(&req->user, 0, sizeof(req->user));
	req->user.name = xstrdup("");
	req->user.pwhash = xstrdup("");
	req->service = svc;
	req->by_token = 1;
	req->token_kind = TOKEN_API;
	req->scopes = xstrdup(services_scopes(svc));
	req->restricted = 1;
	return 1;
}

const char *
auth_scopes(struct req *req)
{
	if (req->service != NULL)
		return req->scopes;
	if (!req->authed || req->user.name == NULL)
		return "";
	if (req->scopes == NULL)
		req->scopes = scopes_of_user(req->user.name, req->user.admin,
		    req->hub->cfg->admin_access);
	return req->scopes;
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
	if (v != NULL && n > 6 &&
	    (strncasecmp(v, "token ", 6) == 0 ||
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
		/* The servers' loopback listener is for tokens only. */
		if (req->internal)
			return 0;
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

int
check_login_xsrf(const struct req *req)
{
	size_t      n;
	const char *cookie = http_header(&req->head, "cookie", &n);
	char       *form, *set = NULL;
	int         ok;

	form = form_get(buf_str(&req->body), req->body.len, "_xsrf");
	if (cookie != NULL)
		set = cookie_get(cookie, n, "rig-xsrf");
	ok = form != NULL && set != NULL && secret_equal(form, set) &&
	    same_origin(req);
	free(form);
	free(set);
	return ok;
}
