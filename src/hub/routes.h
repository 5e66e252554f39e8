/* SPDX-License-Identifier: MIT */
/*
 * The route table: every path the hub answers, its own pages and API and
 * the proxy to users' servers and services, with who may ask, the scopes
 * the API and the proxy ask for (JupyterHub's, scopes.h) and what a
 * cookie-authenticated request must also show. The dispatcher enforces a
 * route's policy before its handler runs, so handlers hold no access
 * checks of their own (but for what a body asks: a new token's scopes).
 */
#ifndef ROUTES_H
#define ROUTES_H

#include <stddef.h>

struct req;

/* Methods a route takes, as a mask. */
enum {
	M_GET = 1 << 0,
	M_HEAD = 1 << 1,
	M_POST = 1 << 2,
	M_PUT = 1 << 3,
	M_PATCH = 1 << 4,
	M_DELETE = 1 << 5,
	M_OPTIONS = 1 << 6,
	M_OTHER = 1 << 7, /* any other method */
	M_READ = M_GET | M_HEAD,
	M_ANY = 0xff,
};

/* Who may ask. The words are short because they are the table's. 0 is no
 * policy: such a route answers 500, and the unit test that walks the table
 * fails. */
enum route_who {
	ANYONE = 1, /* no credentials needed (the handler may look) */
	USER, /* signed in: session cookie or API token */
	ADMIN, /* signed in, an admin */
	OWNER, /* signed in; NAME (arg[0]) is theirs or empty (their own),
	        * or they are an admin */
};

/* What a cookie-authenticated request must also show. A token passes:
 * no browser sends one on its own. 0 is no policy, as above. */
enum route_check {
	NO_CHECK = 1,
	XSRF_FORM, /* a POST: the session's _xsrf field, the hub's origin */
	XSRF_HDR, /* not GET or HEAD: the session's X-XSRFToken header,
	           * the hub's origin */
	ORIGIN, /* not GET, HEAD or OPTIONS, or an upgrade: the hub's
	         * origin (Origin, Sec-Fetch-Site) */
	XSRF_LOGIN, /* the login form: its _xsrf field equals its rig-xsrf
	             * cookie (no session yet), the hub's origin */
};

/*
 * A path pattern is literal but for wildcards: '*' matches one non-empty
 * segment (no '/'), '**' at the end matches the rest, empty or not. What
 * they match goes to req->arg[0] and arg[1], in order.
 */
struct route {
	unsigned         methods;
	const char      *path;
	enum route_who   who;
	enum route_check check;
	void (*handler)(struct req *);
	/*
	 * The scopes (words, any one will do) every credential must hold on
	 * NAME's resources (arg[0]; no one's where the path names no user)
	 * past 'who': a session and a token that inherits hold their user's
	 * roles', another token its own. "": any credential, by 'who' alone.
	 * NULL: the route is the hub's own pages or acts with all of the
	 * user's powers, so only a session or a token that inherits may
	 * come (req->restricted ones may not).
	 */
	const char *scope;
};

/* Why a route refuses a request, or ROUTE_OK. */
enum route_verdict {
	ROUTE_OK,
	ROUTE_NO_POLICY, /* the route declares none: 500 */
	ROUTE_NO_LOGIN, /* 403, or a browser is sent to /hub/login */
	ROUTE_BAD_XSRF, /* 403 */
	ROUTE_CROSS_ORIGIN, /* 403 */
	ROUTE_NOT_ADMIN, /* 403 */
	ROUTE_NOT_OWNER, /* 403 */
	ROUTE_NO_SCOPE, /* 403: no scope the route asks for is held */
	ROUTE_NOT_FOUND, /* the scope is held for other users only: 404 in
	                  * the API (as JupyterHub), 403 at the proxy */
};

/* The router req.c calls through hub->router. */
extern const struct req_router routes_router;

/* The table, for its test. */
const struct route *routes_table(size_t *n);
/* The method's bit in a route's mask (M_OTHER for any other). */
unsigned routes_method(const struct req *);
/* 1 if 'path' matches 'pattern'; then, if 'arg' is not NULL, the
 * wildcards' matches are copied into it (caller frees), the rest set to
 * NULL. A pattern has at most two wildcards. */
int routes_match(const char *pattern, const char *path, char *arg[2]);
/* The first route matching req's method and path, its wildcards' matches
 * in req->arg; NULL if none. */
const struct route *routes_find(struct req *);
/* Whether req may go to route 'r' (authenticating it if 'r' needs). */
enum route_verdict routes_check(struct req *, const struct route *r);
/* Answers req: finds its route, checks it, then runs the handler or
 * answers the refusal (a redirect to the login page, 403 or 500). */
void routes_dispatch(struct req *);

#endif
