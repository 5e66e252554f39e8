/* SPDX-License-Identifier: MIT */
/*
 * Prometheus metrics: request counts by status class, proxied requests and
 * WebSockets, bodies relayed by splice, servers by state, spawn durations
 * as a histogram, logins, culls, open connections.
 */
#include <string.h>

#include "lib/buf.h"
#include "hub.h"
#include "metrics.h"
#include "req.h"
#include "respond.h"
#include "server.h"
#include "lib/banned.h"

void
metrics_respond(struct req *req)
{
	static const char *le[] = { "0.5", "1", "2", "5", "10", "30", "60",
		"+Inf" };
	struct hub        *hub = req->hub;
	struct metrics    *m = &hub->m;
	struct buf         b;
	size_t             states[5] = { 0 };
	uint64_t           cum = 0;

	for (size_t i = 0; i < SERVER_BUCKETS; i++)
		for (struct server *s = hub->servers[i]; s; s = s->hnext)
			if ((int)s->state >= 0 && s->state < 5)
				states[s->state]++;
	buf_init(&b, 1 << 20);
	buf_adds(&b,
	    "# HELP rig_requests_total Requests answered, by status "
	    "class.\n# TYPE rig_requests_total counter\n");
	for (int c = 1; c <= 5; c++)
		buf_addf(&b, "rig_requests_total{code=\"%dxx\"} %llu\n", c,
		    (unsigned long long)m->requests[c]);
	buf_addf(&b,
	    "# HELP rig_proxied_total Requests proxied to servers.\n"
	    "# TYPE rig_proxied_total counter\nrig_proxied_total "
	    "%llu\n",
	    (unsigned long long)m->proxied);
	buf_addf(&b,
	    "# TYPE rig_websockets_total counter\n"
	    "rig_websockets_total %llu\n",
	    (unsigned long long)m->websockets);
	buf_addf(&b,
	    "# HELP rig_splice_relays_total Response bodies relayed "
	    "with splice(2).\n# TYPE rig_splice_relays_total counter\n"
	    "rig_splice_relays_total %llu\n# TYPE "
	    "rig_splice_bytes_total counter\nrig_splice_bytes_total "
	    "%llu\n",
	    (unsigned long long)m->spliced,
	    (unsigned long long)m->spliced_bytes);
	buf_addf(&b,
	    "# HELP rig_upstream_tls_handshakes_total The proxy's TLS "
	    "handshakes with servers on a pool's nodes.\n"
	    "# TYPE rig_upstream_tls_handshakes_total counter\n"
	    "rig_upstream_tls_handshakes_total{kind=\"full\"} %llu\n"
	    "rig_upstream_tls_handshakes_total{kind=\"resumed\"} %llu\n"
	    "rig_upstream_tls_handshakes_total{kind=\"failed\"} %llu\n",
	    (unsigned long long)m->tls_full, (unsigned long long)m->tls_resumed,
	    (unsigned long long)m->tls_failed);
	buf_addf(&b,
	    "# HELP rig_servers_running Servers ready.\n"
	    "# TYPE rig_servers_running gauge\nrig_servers_running "
	    "%zu\n",
	    states[SERVER_READY]);
	buf_addf(&b,
	    "# TYPE rig_servers_pending gauge\nrig_servers_pending "
	    "%zu\n",
	    states[SERVER_PENDING]);
	servers_usage_metrics(hub, &b); /* per user: memory, CPU, OOM */
	buf_adds(&b,
	    "# HELP rig_spawn_duration_seconds From start request "
	    "to ready.\n# TYPE rig_spawn_duration_seconds histogram\n");
	for (size_t i = 0; i < 8; i++) {
		cum += m->spawn_buckets[i];
		buf_addf(&b,
		    "rig_spawn_duration_seconds_bucket{le=\"%s\"} "
		    "%llu\n",
		    le[i], (unsigned long long)cum);
	}
	buf_addf(&b,
	    "rig_spawn_duration_seconds_sum %.3f\n"
	    "rig_spawn_duration_seconds_count %llu\n",
	    m->spawn_seconds_sum, (unsigned long long)m->spawns);
	buf_addf(&b,
	    "# TYPE rig_spawn_failures_total counter\n"
	    "rig_spawn_failures_total %llu\n",
	    (unsigned long long)m->spawn_failures);
	buf_addf(&b,
	    "# TYPE rig_logins_total counter\nrig_logins_total "
	    "%llu\n# TYPE rig_login_failures_total counter\n"
	    "rig_login_failures_total %llu\n",
	    (unsigned long long)m->logins,
	    (unsigned long long)m->login_failures);
	buf_addf(&b,
	    "# TYPE rig_culled_total counter\nrig_culled_total "
	    "%llu\n",
	    (unsigned long long)m->culled);
	buf_addf(&b, "# TYPE rig_connections gauge\nrig_connections %zu\n",
	    hub->nconns);
	respond(req, 200, "text/plain; version=0.0.4", NULL, b.data, b.len);
	buf_release(&b);
}
