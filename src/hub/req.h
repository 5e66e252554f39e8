/* SPDX-License-Identifier: MIT */
/*
 * A request's life: made from a head a client connection received, its
 * body read when the hub answers it itself, handed to the router, answered
 * (respond.c or the proxy), logged and freed. The connection knows none of
 * this: it calls req.c through the struct conn_ops daemon.c gives it, and
 * req.c calls the router through hub->router.
 */
#ifndef REQ_H
#define REQ_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "db.h"
#include "lib/http.h"

struct conn;
struct conn_ops;
struct hub;
struct service;

/*
 * One request, from its head to the end of its response. Heap-allocated
 * so that work finishing after the client left (a password check in the
 * thread pool, a progress stream) still has something to land on: then
 * 'conn' is NULL and the request is freed by whoever finishes.
 */
struct req {
	struct hub      *hub;
	struct conn     *conn; /* NULL once the client is gone */
	char            *raw; /* the head's bytes; 'head' points in here */
	size_t           raw_len;
	struct http_head head;
	char            *path; /* raw, not decoded */
	char            *query;
	struct buf       body; /* decoded, hub endpoints only */
	struct http_body framing;
	uint64_t         start_ms;
	char             addr[64]; /* the client's, for the access log */
	int              status; /* sent, for the access log */
	uint64_t         sent; /* body bytes */
	int              keep_alive;
	int              busy; /* async work holds it */
	int              streaming; /* chunked response in progress */
	/* What the route's wildcards matched (routes.c): arg[0] is the NAME
	 * of /user/NAME/..., /hub/api/users/NAME/..., /hub/spawn/NAME; NULL
	 * where the route has none. */
	char *arg[2];
	/* Who is asking, filled by auth_request() (session.c). */
	struct db_user user;
	int            authed;
	int            by_token; /* else by the session cookie */
	char          *xsrf; /* the session's XSRF token */
	/* What the credential may do, expanded (scopes.h): a token's own
	 * scopes cut to its user's, or for a session or a token that
	 * inherits, the user's roles' (auth_scopes(): set by
	 * auth_request(), worked out on demand after a login). */
	char *scopes;
	/* The credential has scopes of its own (a token made with scopes, a
	 * server's token, an OAuth token): routes that name no scope are
	 * closed to it. */
	int             restricted;
	enum token_kind token_kind;
	char *session; /* the login session's hash (cookie, OAuth), or NULL */
	/* A managed service's token (services.h): the service, whose name
	 * is no user's; req->user is then empty (id 0, name ""). */
	const struct service *service;
	int internal; /* came in on the servers' loopback API listener */
};

/*
 * Where requests go, given by the hub (routes.c's, set in hub->router):
 * 'proxied' says whether a request streams its body to a back end (routed
 * as soon as its head is in) or is the hub's own (routed once its body is
 * read, at most max_body); 'dispatch' answers it.
 */
struct req_router {
	int (*proxied)(const struct req *);
	void (*dispatch)(struct req *);
};

/* What a client connection hands to the request layer (conn.h). */
extern const struct conn_ops req_conn_ops;

/*
 * The response to c's request is queued whole: logs the request, frees it
 * (unless async work holds it) and lets the connection read the next one,
 * or close if it cannot be kept alive. Safe when c has no request.
 */
void req_answered(struct conn *c);
/* The connection is done with 'req': logs it and frees it unless async
 * work still holds it (req->busy), in which case that work frees it. */
void req_gone(struct req *);
/* Frees a request no one holds any more; NULL does nothing. */
void req_free(struct req *);
/* A plain error for a request that cannot go on (a malformed body): the
 * status goes to c's request's log line, then the connection closes after
 * writing it. */
void req_error_close(struct conn *c, int status, const char *msg);

#endif
