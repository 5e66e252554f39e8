/* SPDX-License-Identifier: MIT */
/*
 * Where requests go, and who may ask: one table for the whole hub, read
 * top to bottom, the first route matching method and path wins. Each route
 * declares who may ask and what a cookie must come with; routes_dispatch()
 * enforces that (authentication, then the cookie's check, then the role)
 * before the handler runs. The last routes of each part of the hub catch
 * what the others do not, so a path no one handles still gets that part's
 * policy before its 404 (an unknown API path asks for credentials first).
 *
 * /user/NAME/... and /services/NAME/... are proxied: routed as soon as the
 * head is in, their bodies streamed to the server, which trusts the secret
 * the proxy injects and skips its own XSRF and origin checks; so the hub
 * makes them (ORIGIN). Everything else is the hub's own and routed
 * once its body is read: pages (page-*.c), the REST API (api.c), metrics.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api-jobs.h"
#include "api.h"
#include "config.h"
#include "hub.h"
#include "lib/log.h"
#include "metrics.h"
#include "oauth.h"
#include "pages.h"
#include "proxy.h"
#include "req.h"
#include "respond.h"
#include "routes.h"
#include "scopes.h"
#include "server.h"
#include "servername.h"
#include "session.h"
#include "spawn-slurm-report.h"
#include "lib/url.h"
#include "lib/util.h"

static int  is_proxied(const struct req *);
static void not_found(struct req *);
static void add_slash(struct req *);
static void proxy_user(struct req *);
static void proxied_server(struct req *, char *srv);
static void route_server(struct req *, const struct route *, char *srv);
static void proxy_service(struct req *);
static int  check_passes(struct req *, enum route_check);
static int  is_own(const struct req *);
static int  role_passes(const struct req *, enum route_who);
static void refuse(struct req *, const struct route *, enum route_verdict);

/* clang-format off */
/* /hub/api/users/NAME: the API's routes for one user. */
#define USERS "/hub/api/users/*"
/* Seeing a user at all: any part of the model (JupyterHub's GET). */
#define SEE_USER "read:users read:users:name read:servers " \
	"read:users:groups read:users:activity read:roles:users"

static const struct route routes[] = {
	/* Anyone. */
	{ M_READ, "/favicon.ico",         ANYONE, NO_CHECK,   pages_favicon, NULL },
	{ M_ANY,  "/hub/api",             ANYONE, NO_CHECK,   api_version, NULL },
	{ M_ANY,  "/hub/api/",            ANYONE, NO_CHECK,   api_version, NULL },
	/* OAuth: the client proves itself with its secret. */
	{ M_POST, "/hub/api/oauth2/token", ANYONE, NO_CHECK,  oauth_token, NULL },
	{ M_READ, "/hub/static/rig.css",  ANYONE, NO_CHECK,   pages_css, NULL },
	{ M_READ, "/hub/static/rig.js",   ANYONE, NO_CHECK,   pages_js, NULL },
	{ M_READ, "/hub/static/favicon.svg", ANYONE, NO_CHECK, pages_favicon, NULL },
	{ M_READ, "/hub/logo",            ANYONE, NO_CHECK,   pages_logo, NULL },
	{ M_GET,  "/hub/login",           ANYONE, NO_CHECK,   pages_login, NULL },
	{ M_POST, "/hub/login",           ANYONE, XSRF_LOGIN, pages_login_try, NULL },
	{ M_READ, "/hub/logout",          ANYONE, NO_CHECK,   pages_logout, NULL },
	{ M_READ, "/hub/metrics",         USER,   NO_CHECK,   metrics_respond,
	    "read:metrics" },

	/* Pages: forms post the session's _xsrf; an empty NAME is oneself. */
	{ M_READ, "/",                     USER,  NO_CHECK,  pages_to_home, NULL },
	{ M_READ, "/hub",                  USER,  NO_CHECK,  pages_to_home, NULL },
	{ M_READ, "/hub/",                 USER,  NO_CHECK,  pages_to_home, NULL },
	{ M_ANY,  "/",                     USER,  XSRF_FORM, not_found, NULL },
	{ M_ANY,  "/hub",                  USER,  XSRF_FORM, not_found, NULL },
	{ M_READ, "/hub/home",             USER,  NO_CHECK,  pages_home, NULL },
	{ M_READ, "/hub/spawn",            USER,  NO_CHECK,  pages_spawn_form, NULL },
	{ M_READ, "/hub/spawn/**",         OWNER, NO_CHECK,  pages_spawn_form, NULL },
	{ M_POST, "/hub/spawn",            USER,  XSRF_FORM, pages_spawn, NULL },
	{ M_POST, "/hub/spawn/**",         OWNER, XSRF_FORM, pages_spawn, NULL },
	{ M_POST, "/hub/stop",             USER,  XSRF_FORM, pages_stop, NULL },
	{ M_POST, "/hub/stop/**",          OWNER, XSRF_FORM, pages_stop, NULL },
	{ M_POST, "/hub/remove/**",        OWNER, XSRF_FORM, pages_remove, NULL },
	{ M_READ, "/hub/spawn-pending/**", OWNER, NO_CHECK,  pages_pending, NULL },
	{ M_READ, "/hub/user/**",          USER,  NO_CHECK,  pages_user, NULL },
	{ M_READ, "/hub/token",            USER,  NO_CHECK,  pages_tokens, NULL },
	{ M_POST, "/hub/token",            USER,  XSRF_FORM, pages_token_add, NULL },
	/* GET asks; the POST acts with the confirmation page's token. */
	{ M_READ, "/hub/token/revoke/**",  USER,  NO_CHECK,  pages_token_del, NULL },
	{ M_POST, "/hub/token/revoke/**",  USER,  XSRF_FORM, pages_token_del, NULL },
	{ M_READ, "/hub/password",         USER,  NO_CHECK,  pages_password, NULL },
	{ M_POST, "/hub/password",         USER,  XSRF_FORM, pages_password_set, NULL },
	/* One's own batch jobs (page-jobs.c): the ID is arg[0]. */
	{ M_READ, "/hub/jobs",             USER,  NO_CHECK,  pages_jobs, NULL },
	{ M_READ, "/hub/jobs/*",           USER,  NO_CHECK,  pages_job, NULL },
	{ M_POST, "/hub/jobs/*/cancel",    USER,  XSRF_FORM, pages_job_cancel, NULL },
	{ M_READ, "/hub/admin",            ADMIN, NO_CHECK,  pages_admin, NULL },
	{ M_POST, "/hub/admin/add",        ADMIN, XSRF_FORM, pages_admin_add, NULL },
	{ M_READ, "/hub/admin/delete/**",  ADMIN, NO_CHECK,  pages_admin_del, NULL },
	{ M_POST, "/hub/admin/delete/**",  ADMIN, XSRF_FORM, pages_admin_del, NULL },
	{ M_READ, "/hub/admin/password/**", ADMIN, NO_CHECK, pages_reset, NULL },
	{ M_POST, "/hub/admin/password/**", ADMIN, XSRF_FORM, pages_reset_set, NULL },
	{ M_POST, "/hub/admin/admin/**",   ADMIN, XSRF_FORM, pages_admin_on, NULL },
	{ M_POST, "/hub/admin/unadmin/**", ADMIN, XSRF_FORM, pages_admin_off, NULL },
	{ M_ANY,  "/hub/admin",            ADMIN, XSRF_FORM, not_found, NULL },
	{ M_ANY,  "/hub/admin/**",         ADMIN, XSRF_FORM, not_found, NULL },

	/* The REST API: a cookie's writes carry X-XSRFToken; the scopes are
	 * JupyterHub's for each (rest-api.yml), and decide alone. */
	{ M_GET,    "/hub/api/user",          USER, XSRF_HDR, api_self, "" },
	/* A browser's navigation, signed in to the hub. */
	{ M_READ,   "/hub/api/oauth2/authorize", USER, NO_CHECK,
	    oauth_authorize, NULL },
	/* The consent page's decision, with the session's _xsrf. */
	{ M_POST,   "/hub/api/oauth2/authorize", USER, XSRF_FORM,
	    oauth_authorize, NULL },
	{ M_GET,    "/hub/api/users",         USER, XSRF_HDR, api_users,
	    "list:users" },
	{ M_POST,   USERS,                    USER, XSRF_HDR, api_user_add,
	    "admin:users" },
	{ M_GET,    USERS,                    USER, XSRF_HDR, api_user_get,
	    SEE_USER },
	{ M_PATCH,  USERS,                    USER, XSRF_HDR, api_user_set,
	    "admin:users" },
	{ M_DELETE, USERS,                    USER, XSRF_HDR, api_user_del,
	    "delete:users" },
	{ M_ANY,    USERS,                    USER, XSRF_HDR, api_user_405,
	    SEE_USER },
	{ M_POST,   USERS "/server",          USER, XSRF_HDR, api_start,
	    "servers" },
	{ M_DELETE, USERS "/server",          USER, XSRF_HDR, api_stop,
	    "delete:servers" },
	{ M_ANY,    USERS "/server",          USER, XSRF_HDR, api_user_405,
	    "read:servers" },
	{ M_GET,    USERS "/server/progress", USER, XSRF_HDR, api_progress,
	    "read:servers" },
	/* Named servers: SRV is arg[1], and the scopes' server filters
	 * name it (route_server()). */
	{ M_POST,   USERS "/servers/*",       USER, XSRF_HDR, api_named_start,
	    "servers" },
	{ M_DELETE, USERS "/servers/*",       USER, XSRF_HDR, api_named_stop,
	    "delete:servers" },
	{ M_ANY,    USERS "/servers/*",       USER, XSRF_HDR, api_user_405,
	    "read:servers" },
	{ M_GET,    USERS "/servers/*/progress", USER, XSRF_HDR,
	    api_named_progress, "read:servers" },
	{ M_GET,    USERS "/tokens",          USER, XSRF_HDR, api_tokens,
	    "read:tokens" },
	/* What the new token may do is checked against its body. */
	{ M_POST,   USERS "/tokens",          USER, XSRF_HDR, api_token_add,
	    "tokens" },
	{ M_ANY,    USERS "/tokens",          USER, XSRF_HDR, api_user_405,
	    "read:tokens" },
	{ M_GET,    USERS "/tokens/**",       USER, XSRF_HDR, api_token_get,
	    "read:tokens" },
	{ M_DELETE, USERS "/tokens/**",       USER, XSRF_HDR, api_token_del,
	    "tokens" },
	{ M_ANY,    USERS "/tokens/**",       USER, XSRF_HDR, api_user_405,
	    "read:tokens" },
	{ M_POST,   USERS "/activity",        USER, XSRF_HDR, api_activity,
	    "users:activity" },
	/* Batch jobs (api-jobs.c): read and cancel as for servers; a
	 * job's output is the user's data, as their server is. */
	{ M_GET,    USERS "/jobs",            USER, XSRF_HDR, api_jobs,
	    "read:servers" },
	{ M_ANY,    USERS "/jobs",            USER, XSRF_HDR, api_user_405,
	    "read:servers" },
	{ M_GET,    USERS "/jobs/*",          USER, XSRF_HDR, api_job,
	    "read:servers" },
	{ M_DELETE, USERS "/jobs/*",          USER, XSRF_HDR, api_job_cancel,
	    "servers" },
	{ M_ANY,    USERS "/jobs/*",          USER, XSRF_HDR, api_user_405,
	    "read:servers" },
	{ M_GET,    USERS "/jobs/*/output",   USER, XSRF_HDR, api_job_output,
	    "access:servers" },
	/* A Slurm job says its server's port: it proves itself by the
	 * server's secret (spawn-slurm-report.c), not by a credential. */
	{ M_POST,   USERS SLURM_REPORT_PATH,  ANYONE, NO_CHECK,
	    slurm_report_port, NULL },
	{ M_ANY,    USERS "/**",              USER, XSRF_HDR, api_user_404,
	    SEE_USER },
	{ M_GET,    "/hub/api/services",      USER, XSRF_HDR, api_services,
	    "list:services read:services read:services:name" },
	{ M_GET,    "/hub/api/services/*",    USER, XSRF_HDR, api_service_get,
	    "read:services read:services:name" },
	/* rig's own: the pool's nodes (page-pool.c), for who sees the
	 * admin page. */
	{ M_GET,    "/hub/api/pool",          USER, XSRF_HDR, pages_pool_api,
	    "admin-ui" },
	{ M_ANY,    "/hub/api/**",            USER, XSRF_HDR, not_found, "" },

	/* The rest under /hub/ is the pages'. */
	{ M_ANY, "/hub/**", USER, XSRF_FORM, not_found, NULL },

	/* The proxy: a cookie's writes and upgrades come from the hub.
	 * Another user's server takes access:servers on it: an admin's
	 * with admin_access. */
	{ M_GET, "/user/*",        ANYONE, NO_CHECK, add_slash, NULL },
	{ M_ANY, "/user/*",        USER,   ORIGIN,   proxy_user,
	    "access:servers" },
	{ M_ANY, "/user/*/**",     USER,   ORIGIN,   proxy_user,
	    "access:servers" },
	{ M_GET, "/services/*",    ANYONE, NO_CHECK, add_slash, NULL },
	/* A service checks who may use it itself (HubAuth asks the API):
	 * any credential reaches it, as in JupyterHub, named to it in
	 * X-Rig-User only if it may act as its user there. */
	{ M_ANY, "/services/*",    USER,   ORIGIN,   proxy_service, "" },
	{ M_ANY, "/services/*/**", USER,   ORIGIN,   proxy_service, "" },

	{ M_ANY, "/**", ANYONE, NO_CHECK, not_found, NULL },
};
/* clang-format on */

const struct req_router routes_router = {
	.proxied = is_proxied,
	.dispatch = routes_dispatch,
};

const struct route *
routes_table(size_t *n)
{
	*n = nitems(routes);
	return routes;
}

/* The servers' loopback listener answers the API alone. */
static int
internal_allowed(const struct req *req)
{
	return strcmp(req->path, "/hub/api") == 0 ||
	    strncmp(req->path, "/hub/api/", 9) == 0;
}

/* Proxied requests are routed at their head; their bodies stream. */
static int
is_proxied(const struct req *req)
{
	if (req->internal)
		return 0;
	return strncmp(req->path, "/user/", 6) == 0 ||
	    strncmp(req->path, "/services/", 10) == 0;
}

unsigned
routes_method(const struct req *req)
{
	static const struct {
		const char *name;
		unsigned    bit;
	} methods[] = {
		{ "GET", M_GET },
		{ "HEAD", M_HEAD },
		{ "POST", M_POST },
		{ "PUT", M_PUT },
		{ "PATCH", M_PATCH },
		{ "DELETE", M_DELETE },
		{ "OPTIONS", M_OPTIONS },
	};

	for (size_t i = 0; i < nitems(methods); i++)
		if (http_method_is(&req->head, methods[i].name))
			return methods[i].bit;
	return M_OTHER;
}

int
routes_match(const char *pat, const char *path, char *arg[2])
{
	const char *cap[2];
	size_t      len[2], n = 0;

	while (*pat != '\0') {
		if (pat[0] == '*' && pat[1] == '*') {
			if (n == 2 || pat[2] != '\0')
				return 0;
			cap[n] = path;
			len[n++] = strlen(path);
			path += strlen(path);
			pat += 2;
		} else if (pat[0] == '*') {
			size_t l = strcspn(path, "/");

			if (n == 2 || l == 0)
				return 0;
			cap[n] = path;
			len[n++] = l;
			path += l;
			pat++;
		} else if (*pat++ != *path++)
			return 0;
	}
	if (*path != '\0')
		return 0;
	if (arg != NULL) {
		arg[0] = arg[1] = NULL;
		for (size_t i = 0; i < n; i++)
			arg[i] = xstrndup(cap[i], len[i]);
	}
	return 1;
}

const struct route *
routes_find(struct req *req)
{
	unsigned m = routes_method(req);

	free(req->arg[0]);
	free(req->arg[1]);
	req->arg[0] = req->arg[1] = NULL;
	for (size_t i = 0; i < nitems(routes); i++)
		if ((routes[i].methods & m) != 0 &&
		    routes_match(routes[i].path, req->path, req->arg))
			return &routes[i];
	return NULL;
}

/* The cookie's check of a route; requests by token pass inside
 * check_xsrf() and here. */
static int
check_passes(struct req *req, enum route_check check)
{
	unsigned m = routes_method(req);
	char    *x;
	int      ok;

	switch (check) {
	case NO_CHECK:
		return 1;
	case XSRF_FORM:
		if (m != M_POST)
			return 1;
		x = form_get(buf_str(&req->body), req->body.len, "_xsrf");
		ok = check_xsrf(req, x);
		free(x);
		return ok;
	case XSRF_HDR:
		return (m & M_READ) != 0 || check_xsrf(req, NULL);
	case ORIGIN:
		if (req->by_token ||
		    ((m & (M_READ | M_OPTIONS)) != 0 && !req->head.upgrade))
			return 1;
		return same_origin(req);
	case XSRF_LOGIN:
		return check_login_xsrf(req);
	}
	return 0;
}

/* Whether NAME in the path (arg[0], "NAME" or "NAME/SRV" in the pages'
 * paths) is the caller's: empty or missing means oneself. Only for
 * signed-in callers. */
static int
is_own(const struct req *req)
{
	const char *name = req->arg[0];
	size_t      len;

	if (name == NULL || *name == '\0')
		return 1;
	len = strcspn(name, "/");
	return len == strlen(req->user.name) &&
	    strncmp(name, req->user.name, len) == 0;
}

/*
 * Which of NAME's servers a request is about, for the scopes' server
 * filters: SRV of the API's .../servers/SRV routes; for the proxy, the
 * first segment after /user/NAME/ if it names a server of NAME's (running,
 * or a stopped named one), else the default server "". Into srv
 * (SERVER_NAME_MAX + 1 bytes).
 */
static void
route_server(struct req *req, const struct route *r, char *srv)
{
	const char *rest = req->arg[1];

	srv[0] = '\0';
	if (r->handler == api_named_start || r->handler == api_named_stop ||
	    r->handler == api_named_progress ||
	    (r->handler == api_user_405 &&
	        strncmp(r->path, USERS "/servers/", 24) == 0)) {
		if (rest != NULL && strlen(rest) <= SERVER_NAME_MAX)
			snprintf(srv, SERVER_NAME_MAX + 1, "%s", rest);
		return;
	}
	if (r->handler == proxy_user)
		proxied_server(req, srv);
}

/* /user/NAME/SRV/...: SRV if NAME has such a server, else "". */
static void
proxied_server(struct req *req, char *srv)
{
	const char *name = req->arg[0], *rest = req->arg[1];
	size_t      len;

	srv[0] = '\0';
	/* The proxy routes leave "SRV/..." (no slash first) in arg[1]. */
	if (name == NULL || rest == NULL || !req->hub->cfg->allow_named_servers)
		return;
	len = strcspn(rest, "/");
	if (len == 0 || len > SERVER_NAME_MAX)
		return;
	memcpy(srv, rest, len);
	srv[len] = '\0';
	if (server_name_check(srv) != NULL ||
	    (hub_server(req->hub, name, strlen(name), srv) == NULL &&
	        db_server_named(req->hub->db, name, srv) != 1))
		srv[0] = '\0';
}

static int
role_passes(const struct req *req, enum route_who who)
{
	switch (who) {
	case ANYONE:
	case USER:
		return 1;
	case ADMIN:
		return req->user.admin;
	case OWNER:
		return is_own(req) || req->user.admin;
	}
	return 0;
}

/* The route's scopes against the credential's, on NAME's resources. */
static enum route_verdict
scope_passes(struct req *req, const struct route *r)
{
	const char *owner = req->arg[0];
	char        srv[SERVER_NAME_MAX + 1];

	if (r->scope == NULL)
		return req->restricted ? ROUTE_NO_SCOPE : ROUTE_OK;
	if (r->scope[0] == '\0')
		return ROUTE_OK;
	route_server(req, r, srv);
	switch (scopes_check_server(auth_scopes(req), r->scope,
	    owner != NULL && owner[0] != '\0' ? owner : NULL, srv)) {
	case SCOPE_OK:
		return ROUTE_OK;
	case SCOPE_FILTERED:
		return ROUTE_NOT_FOUND;
	case SCOPE_MISSING:
		break;
	}
	return ROUTE_NO_SCOPE;
}

enum route_verdict
routes_check(struct req *req, const struct route *r)
{
	if (r->who < ANYONE || r->who > OWNER || r->check < NO_CHECK ||
	    r->check > XSRF_LOGIN)
		return ROUTE_NO_POLICY;
	if (r->who != ANYONE && !auth_request(req))
		return ROUTE_NO_LOGIN;
	if (!check_passes(req, r->check))
		return r->check == ORIGIN ? ROUTE_CROSS_ORIGIN : ROUTE_BAD_XSRF;
	if (!role_passes(req, r->who))
		return r->who == ADMIN ? ROUTE_NOT_ADMIN : ROUTE_NOT_OWNER;
	if (r->who == ANYONE)
		return ROUTE_OK;
	return scope_passes(req, r);
}

void
routes_dispatch(struct req *req)
{
	const struct route *r;
	enum route_verdict  v;

	if (req->internal && !internal_allowed(req)) {
		not_found(req);
		return;
	}
	r = routes_find(req);
	if (r == NULL) {
		not_found(req);
		return;
	}
	v = routes_check(req, r);
	if (v != ROUTE_OK) {
		if (v == ROUTE_NO_POLICY)
			log_warnx("route %s has no access policy", r->path);
		refuse(req, r, v);
		return;
	}
	r->handler(req);
}

/* --- refusals --------------------------------------------------------- */

/* Which part of the hub a path is in decides how a refusal looks. */
enum area {
	AREA_PAGES, /* a browser: sent to the login page */
	AREA_API, /* a program: 403 and a JSON message */
	AREA_PROXY, /* either: a browser's navigation is sent to log in */
};

static enum area
area_of(const struct req *req)
{
	if (is_proxied(req))
		return AREA_PROXY;
	/* Metrics are read by scrapers, not browsers. */
	/* OAuth's authorize step is a page a browser is sent to. */
	if (strcmp(req->path, "/hub/api/oauth2/authorize") == 0)
		return AREA_PAGES;
	if (strncmp(req->path, "/hub/api/", 9) == 0 ||
	    strcmp(req->path, "/hub/api") == 0 ||
	    strcmp(req->path, "/hub/metrics") == 0)
		return AREA_API;
	return AREA_PAGES;
}

static void
redirect_to_login(struct req *req, const char *next)
{
	char *enc, *loc;

	if (next == NULL) {
		respond_redirect(req, "/hub/login", NULL);
		return;
	}
	enc = url_encode(next, 1);
	loc = xasprintf("/hub/login?next=%s", enc);
	respond_redirect(req, loc, NULL);
	free(loc);
	free(enc);
}

/* No credentials: a browser goes to the login page, a client gets 403. */
static void
login_required(struct req *req, enum area area)
{
	int         read = (routes_method(req) & M_READ) != 0;
	const char *p = req->path;

	if (area == AREA_PAGES && read && req->query[0] != '\0' &&
	    strcmp(p, "/hub/api/oauth2/authorize") == 0) {
		/* OAuth's request is all in its query. */
		char *next = xasprintf("%s?%s", p, req->query);

		redirect_to_login(req, next);
		free(next);
		return;
	}
	if (area == AREA_PAGES && read) {
		/* No next from the hub's root: after login the user's
		 * server starts. */
		redirect_to_login(req,
		    strcmp(p, "/") == 0 || strcmp(p, "/hub") == 0 ||
		            strcmp(p, "/hub/") == 0
		        ? NULL
		        : p);
		return;
	}
	if (area == AREA_PROXY && read && req_wants_html(req)) {
		redirect_to_login(req, req->head.target[0] == '/' ? p : "/");
		return;
	}
	respond_error(req, 403, "authentication required");
}

static void
refuse(struct req *req, const struct route *r, enum route_verdict v)
{
	enum area  area = area_of(req);
	struct buf b;

	switch (v) {
	case ROUTE_OK:
	case ROUTE_NO_POLICY:
		respond_error(req, 500, "no access policy for this path");
		return;
	case ROUTE_NO_LOGIN:
		login_required(req, area);
		return;
	case ROUTE_BAD_XSRF:
		respond_error(req, 403,
		    r->check == XSRF_LOGIN
		        ? "XSRF check failed: reload the login page and try again"
		        : "XSRF check failed");
		return;
	case ROUTE_CROSS_ORIGIN:
		log_warnx("refused a cross-origin %.*s to %.100s from %s",
		    (int)req->head.method_len, req->head.method, req->path,
		    req->addr);
		respond_error(req, 403, "cross-origin request refused");
		return;
	case ROUTE_NOT_ADMIN:
		respond_error(req, 403, "admins only");
		return;
	case ROUTE_NO_SCOPE:
		if (r->scope == NULL) {
			respond_error(req, 403,
			    "this token may not be used here");
			return;
		}
		/* JupyterHub's words, which name what was missing. */
		buf_init(&b, 4096);
		buf_adds(&b,
		    "Action is not authorized with current scopes; "
		    "requires any of [");
		for (const char *p = r->scope; *p != '\0';) {
			size_t len = strcspn(p, " ");

			buf_addf(&b, "%s%.*s", p == r->scope ? "" : ", ",
			    (int)len, p);
			p += len;
			p += strspn(p, " ");
		}
		buf_adds(&b, "]");
		respond_error(req, 403, buf_str(&b));
		buf_release(&b);
		return;
	case ROUTE_NOT_FOUND:
		if (area == AREA_API)
			respond_error(req, 404,
			    "No access to resources or resources not found");
		else
			respond_error(req, 403,
			    area == AREA_PROXY ? "this is not your server"
			                       : "not allowed");
		return;
	case ROUTE_NOT_OWNER:
		respond_error(req, 403,
		    area == AREA_PROXY     ? "this is not your server"
		        : area == AREA_API ? "not allowed"
		                           : "only admins can act for others");
		return;
	}
}

/* --- the few handlers that are the router's own ------------------------- */

/* Signed in or not, when the route did not ask: the page keeps its top
 * bar for a user. */
static void
not_found(struct req *req)
{
	(void)auth_request(req);
	respond_error(req, 404, "not found");
}

/* /user/NAME → /user/NAME/, the server's base URL. */
static void
add_slash(struct req *req)
{
	char *loc = xasprintf("%s/%s%s", req->path, req->query[0] ? "?" : "",
	    req->query);

	respond_redirect(req, loc, NULL);
	free(loc);
}

static void
server_activity(void *s)
{
	server_touch(s);
}

static void
server_refused(void *s)
{
	server_unreachable(s);
}

static void
server_busy(void *s, int on)
{
	server_exchange(s, on);
}

/* The user's server is not running: the browser is offered to start it. */
static void
not_running(struct req *req, const char *name, const char *srv)
{
	if (req_wants_html(req) && http_method_is(&req->head, "GET") &&
	    !req->head.upgrade) {
		char *next = url_encode(req->path, 1);
		char *loc = xasprintf("/hub/spawn-pending/%s%s%s?next=%s", name,
		    srv[0] != '\0' ? "/" : "", srv, next);

		respond_redirect(req, loc, NULL);
		free(loc);
		free(next);
		return;
	}
	respond_error(req, 503, "the server is not running");
}

static void
proxy_user(struct req *req)
{
	const char    *name = req->arg[0];
	char           srv[SERVER_NAME_MAX + 1];
	struct server *s;
	struct target  t;

	proxied_server(req, srv);
	s = hub_server(req->hub, name, strlen(name), srv);
	if (s == NULL || s->state != SERVER_READY) {
		not_running(req, name, srv);
		return;
	}
	memset(&t, 0, sizeof(t));
	server_address(s, &t.to);
	/* A server of JupyterHub's protocol signs browsers in itself, with
	 * OAuth, and keeps its secret from their pages: the proxy adds it
	 * only for API clients, whom the hub checked by token. */
	t.secret = s->protocol == PROTO_JUPYTERHUB && !req->by_token
	    ? NULL
	    : s->secret;
	t.activity = server_activity;
	t.refused = server_refused;
	t.busy = server_busy;
	t.owner = s;
	proxy_forward(req, &t);
}

/* Whom the proxy names to service 'svc' (X-Rig-User): the user of a
 * session or of a token that may do all its user may, or of one that
 * holds access to this service; no one for a narrower token (it still
 * reaches the service, which checks it) or a service's own. */
static const char *
service_user(struct req *req, const struct service *svc)
{
	const char *held;
	char       *own;
	int         yes;

	if (req->service != NULL)
		return NULL;
	if (!req->restricted)
		return req->user.name;
	held = auth_scopes(req);
	own = xasprintf("access:services!service=%s", svc->name);
	yes = scopes_has(held, "access:services") || scopes_has(held, own);
	free(own);
	return yes ? req->user.name : NULL;
}

/* The token of the request's Authorization header (token or bearer);
 * caller frees result. NULL if none. */
static char *
header_token(const struct req *req)
{
	size_t      n;
	const char *v = http_header(&req->head, "authorization", &n);
	size_t      skip;

	if (v == NULL || n <= 7)
		return NULL;
	if (strncasecmp(v, "token ", 6) == 0)
		skip = 6;
	else if (strncasecmp(v, "bearer ", 7) == 0)
		skip = 7;
	else
		return NULL;
	v += skip;
	n -= skip;
	while (n > 0 && v[n - 1] == ' ')
		n--;
	return n > 0 ? xstrndup(v, n) : NULL;
}

static void
proxy_service(struct req *req)
{
	const char           *name = req->arg[0];
	const struct service *svc =
	    config_service(req->hub->cfg, name, strlen(name));
	struct target t;
	char         *token = NULL;

	if (svc == NULL) {
		respond_error(req, 404, "no such service");
		return;
	}
	memset(&t, 0, sizeof(t));
	if (svc->url == NULL) {
		respond_error(req, 404, "the service has no url");
		return;
	}
	endpoint_tcp(&t.to, svc->host, svc->port);
	t.user = service_user(req, svc);
	/* HubAuth checks the token itself: the service gets one that is
	 * for it (its OAuth clients' tokens, narrowed to using it), never
	 * one with all its user may do, nor a service's own. */
	if (req->by_token && req->restricted && req->service == NULL &&
	    t.user != NULL)
		token = header_token(req);
	t.secret = token;
	proxy_forward(req, &t);
	free_secret(token);
}
