/* SPDX-License-Identifier: MIT */
/*
 * The hub: one libuv loop that owns the listener, the client connections,
 * the user servers and the timers. This header holds the types the hub's
 * modules share; each module's functions are declared in its own header
 * (conn.h, proxy.h, server.h, routes.h).
 */
#ifndef HUB_H
#define HUB_H

#include <sys/queue.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "lib/buf.h"
#include "config.h"
#include "db.h"
#include "lib/http.h"

struct conn;
struct server;
struct req;
struct upstream;

TAILQ_HEAD(conn_list, conn);
TAILQ_HEAD(req_list, req);
TAILQ_HEAD(upstream_list, upstream);

#define SERVER_BUCKETS 4096

/* Counters behind /hub/metrics. */
struct metrics {
	uint64_t requests[6]; /* by status class: [1]..[5] */
	uint64_t proxied;
	uint64_t websockets;
	uint64_t spliced, spliced_bytes; /* response bodies relayed by splice */
	uint64_t spawns, spawn_failures;
	double   spawn_seconds_sum;
	uint64_t spawn_buckets[8]; /* le 0.5 1 2 5 10 30 60 +Inf */
	uint64_t logins, login_failures;
	uint64_t culled;
};

struct hub {
	uv_loop_t     *loop;
	struct config *cfg;
	struct db     *db;
	SSL_CTX       *ssl_ctx; /* NULL without TLS */
	uv_tcp_t       listener;
	uv_signal_t    sigterm, sigint;
	uv_timer_t     tick; /* once a second: liveness, activity */
	uv_timer_t     cull; /* every cull_interval */
	struct throttle *throttle;
	struct conn_list conns;
	size_t           nconns;
	struct upstream_list idle; /* keep-alive connections to back ends */
	size_t           nidle;
	struct server   *servers[SERVER_BUCKETS]; /* by user name */
	size_t           nservers;
	int              is_root;
	int              stopping;
	int64_t          started;
	struct metrics   m;
};

/*
 * One request, from its head to the end of its response. Heap-allocated
 * so that work finishing after the client left (a password check in the
 * thread pool, a spawn) still has something to land on: then 'conn' is
 * NULL and the request is freed by whoever finishes.
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
	/* Who is asking, filled by auth_request(). */
	struct db_user   user;
	int              authed;
	int              by_token; /* else by the session cookie */
	char            *xsrf; /* the session's XSRF token */
	TAILQ_ENTRY(req) entry; /* on a server's progress listeners */
};

/* Finds the in-memory server of user 'name'; NULL if none. */
struct server *hub_server(struct hub *, const char *name, size_t len);

/* The hub's origin as the client sees it ("https://host:port"), from the
 * Host header; caller frees result. */
char *hub_origin(const struct req *);

#endif
