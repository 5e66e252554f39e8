/* SPDX-License-Identifier: MIT */
/*
 * The hub's shared state: one struct hub per running hub, reached from every
 * connection, request and server. Only types: daemon.c fills it in and runs
 * the loop; each module's functions are declared in its own header. It
 * names the structures it points to without including their headers, so
 * every module can include it and none is above it.
 */
#ifndef HUB_H
#define HUB_H

#include <sys/queue.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "config.h"
#include "db.h"

struct conn;
struct priv;
struct req_router;
struct server;
struct upstream;

TAILQ_HEAD(conn_list, conn);
TAILQ_HEAD(upstream_list, upstream);

#define SERVER_BUCKETS 4096
#define IDLE_UP_BUCKETS 256 /* the proxy's pool, by back end (proxy.c) */

/* Counters behind /hub/metrics. */
struct metrics {
	uint64_t requests[6]; /* by status class: [1]..[5] */
	uint64_t proxied;
	uint64_t websockets;
	uint64_t spliced, spliced_bytes; /* response bodies relayed by splice */
	/* The proxy's handshakes with TLS back ends (a Slurm job's server):
	 * full, resumed, and failed (the pin, or TLS itself). */
	uint64_t tls_full, tls_resumed, tls_failed;
	uint64_t spawns, spawn_failures;
	double   spawn_seconds_sum;
	uint64_t spawn_buckets[8]; /* le 0.5 1 2 5 10 30 60 +Inf */
	uint64_t logins, login_failures;
	uint64_t culled;
};

struct hub {
	uv_loop_t       *loop;
	struct config   *cfg;
	struct db       *db;
	SSL_CTX         *ssl_ctx; /* NULL without TLS */
	uv_tcp_t         listener;
	uv_tcp_t         api_listener; /* servers' API (apilisten.h) */
	int              api_listening;
	int              api_port;
	uv_signal_t      sigterm, sigint;
	uv_timer_t       tick; /* once a second: liveness, activity */
	uv_timer_t       cull; /* every cull_interval */
	struct throttle *throttle;
	struct conn_list conns;
	size_t           nconns;
	/* Keep-alive connections to back ends, by their address's hash: a
	 * request finds one without a look at every server's. */
	struct upstream_list idle[IDLE_UP_BUCKETS];
	size_t               nidle;
	struct server       *servers[SERVER_BUCKETS]; /* by user name */
	size_t               nservers;
	int            is_root; /* started as root: servers run as users */
	struct priv   *priv; /* the privileged helper, NULL without root */
	int            stopping;
	int64_t        started;
	struct metrics m;
	/* Where requests go: routes.c's, set by daemon.c, so that req.c
	 * hands requests upward without knowing the router. */
	const struct req_router *router;
};

#endif
