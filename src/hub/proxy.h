/* SPDX-License-Identifier: MIT */
/*
 * The reverse proxy: forwards an authorised request to a user's server or
 * a service, streams the body both ways without holding it, and turns into
 * a byte tunnel after a WebSocket upgrade. Keeps idle keep-alive
 * connections to back ends for reuse. The client connection reaches a
 * request's upstream as its peer (conn_peer_set), not through this header.
 */
#ifndef PROXY_H
#define PROXY_H

#include <stdint.h>

#include <stddef.h>

#include "endpoint.h"

struct http_header;
struct hub;
struct req;

/* A back end: where to connect and what to add to each request. */
struct target {
	struct endpoint to; /* TCP or a Unix socket */
	const char     *secret; /* sent as "Authorization: token ..." or NULL */
	const char     *user; /* sent as X-Rig-User to services, or NULL */
	/* Told of traffic either way, and of a refused connection (the
	 * server may have died); either may be NULL. 'owner' is their
	 * argument and must outlive the request. */
	void (*activity)(void *owner);
	void (*refused)(void *owner);
	/* An exchange began (1) or ended (0), a tunnel's at its upgrade:
	 * each 1 is followed by one 0. May be NULL. */
	void (*busy)(void *owner, int on);
	void *owner;
};

/* Starts proxying req (already authorised) to 't'. */
void proxy_forward(struct req *, const struct target *t);

/*
 * The head sent to the back end for 'req': the client's request line and
 * headers minus hop-by-hop ones, credentials and forwarding claims
 * (proxy_skip_header), the client's cookies minus the hub's own, then the
 * target's secret, X-Rig-User, X-Forwarded-For/-Proto/-Host and the
 * connection's own Connection (and Upgrade). Caller frees result.
 */
char *proxy_head(const struct req *, const struct target *, size_t *lenp);
/* 1 if the header must not reach a back end: hop-by-hop, the client's
 * credentials, or a claim only the hub may make (X-Forwarded-*,
 * Forwarded, X-Rig-User). */
int proxy_skip_header(const struct http_header *);

/* Closes idle connections to 'to' (its server stopped). */
void proxy_forget(struct hub *, const struct endpoint *to);
/* Closes every idle connection (hub stopping). */
void proxy_close_idle(struct hub *);

/* Closes idle TLS connections to servers that have waited long enough
 * (each second, from the hub's tick). */
void proxy_idle_tick(struct hub *);

#endif
