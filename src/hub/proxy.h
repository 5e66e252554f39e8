/* SPDX-License-Identifier: MIT */
/*
 * The reverse proxy: forwards an authorised request to a user's server or
 * a service, streams the body both ways without holding it, and turns into
 * a byte tunnel after a WebSocket upgrade. Keeps idle keep-alive
 * connections to back ends for reuse.
 */
#ifndef PROXY_H
#define PROXY_H

#include <stdint.h>

struct req;
struct upstream;
struct hub;

/* A back end: where to connect and what to add to each request. */
struct target {
	const char *host; /* numeric */
	int         port;
	const char *secret; /* sent as "Authorization: token ..." or NULL */
	const char *user; /* sent as X-Rig-User to services, or NULL */
	struct server *server; /* for activity, or NULL */
};

/* Starts proxying req (already authorised) to 't'. */
void proxy_forward(struct req *, const struct target *t);

/* Called by the client connection. */
void proxy_client_input(struct upstream *); /* c->in has bytes */
void proxy_client_drained(struct upstream *); /* client can take more */
void proxy_client_eof(struct upstream *); /* half-close in a tunnel */
void proxy_client_gone(struct upstream *); /* the client closed */

/* Closes idle connections to 'port' (its server stopped). */
void proxy_forget_port(struct hub *, int port);
/* Closes every idle connection (hub stopping). */
void proxy_close_idle(struct hub *);

#endif
