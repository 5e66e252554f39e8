/* SPDX-License-Identifier: MIT */
/*
 * Readiness probes (ready.h). One probe at a time: the timer fires every
 * READY_PROBE_MS, but a probe still out (a server slow to accept) makes
 * the tick a no-op rather than a second connection.
 */
#include <stdlib.h>

#include "lib/util.h"
#include "probe.h"
#include "ready.h"
#include "server.h"

#define READY_PROBE_TIMEOUT_MS 2000

static void ready_probe_cb(void *, int, const char *, size_t);
static void ready_timer_cb(uv_timer_t *);

/* An answer below 500 means the server is up: a 404 or a 403 is still
 * Jupyter answering. */
static void
ready_probe_cb(void *arg, int status, const char *body, size_t len)
{
	struct server *s = arg;

	(void)body;
	(void)len;
	s->probing = 0;
	if (s->removed || s->state != SERVER_PENDING) {
		server_unref(s);
		return;
	}
	server_unref(s);
	if (status < 0 || status >= 500)
		return;
	server_ready(s);
}

static void
ready_timer_cb(uv_timer_t *t)
{
	struct server *s = t->data;
	char           host[64], *path;
	int            port;

	if (s->state != SERVER_PENDING)
		return;
	if (now_ms() > s->deadline_ms) {
		server_spawn_failed(s, "the server did not answer within %d s",
		    s->hub->cfg->spawn_timeout);
		return;
	}
	if (s->probing)
		return;
	s->probing = 1;
	server_ref(s);
	server_address(s, host, sizeof(host), &port);
	path = xasprintf("/user/%s/api", s->name);
	probe_get(s->hub->loop, host, port, path, s->secret,
	    READY_PROBE_TIMEOUT_MS, ready_probe_cb, s);
	free(path);
}

void
ready_probe_start(struct server *s, uint64_t first_ms)
{
	uv_timer_start(&s->timer, ready_timer_cb, first_ms, READY_PROBE_MS);
}
