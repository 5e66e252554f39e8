/* SPDX-License-Identifier: MIT */
/*
 * Culling idle servers (cull.h). Each ready server is asked in two steps:
 * GET api/status for its own last_activity, and only if every measure says
 * idle, GET api/kernels, since asking for the kernels counts as activity
 * to Jupyter and so may only be asked when the answer decides.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cull.h"
#include "lib/log.h"
#include "lib/util.h"
#include "probe.h"
#include "server.h"

#define CULL_PROBE_TIMEOUT_MS 5000

/* One server's check, from api/status to the decision. */
struct cull_check {
	struct server *s;
};

static int  used_cpu(struct server *);
static void cull_done(struct cull_check *);
static void cull_probe(struct cull_check *, const char *what, probe_cb);
static void kernels_cb(void *, int, const char *, size_t);
static void status_cb(void *, int, const char *, size_t);

/*
 * Whether the server's processes (it and its kernels) used CPU since the
 * last look. Catches a computing kernel even when the server does not
 * report kernel states (notebook 6 does not).
 */
static int
used_cpu(struct server *s)
{
	uint64_t now, before = s->cpu_ticks, min;

	if (s->spawner->cpu_ticks == NULL)
		return 0;
	now = s->spawner->cpu_ticks(s);
	if (now == 0)
		return 0; /* unknown: keep the last look */
	s->cpu_ticks = now;
	/* More than 2 % of one core over the interval, at least 0.2 s: more
	 * than answering the hub's own questions costs. */
	min = (uint64_t)s->hub->cfg->cull_interval * 2;
	if (min < 20)
		min = 20;
	return before > 0 && now > before + min;
}

/* Ends a check: the server may be culled again. */
static void
cull_done(struct cull_check *cc)
{
	struct server *s = cc->s;

	s->culling = 0;
	free(cc);
	server_unref(s);
}

/* GET /user/NAME[/SRV]/api/WHAT on the server. */
static void
cull_probe(struct cull_check *cc, const char *what, probe_cb cb)
{
	struct server  *s = cc->s;
	struct endpoint to;
	char           *path;

	server_address(s, &to);
	path = xasprintf("%sapi/%s", s->url, what);
	probe_get(s->hub->loop, &to, path, s->secret, CULL_PROBE_TIMEOUT_MS, cb,
	    cc);
	free(path);
}

static void
kernels_cb(void *arg, int status, const char *body, size_t len)
{
	struct cull_check *cc = arg;
	struct server     *s = cc->s;
	json_t            *list;
	int                busy = 0;

	if (s->removed || s->state != SERVER_READY) {
		cull_done(cc);
		return;
	}
	log_debug("%s: %s: status %d, %zu bytes", __func__, s->label, status,
	    len);
	list = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	if (json_is_array(list)) {
		size_t  i;
		json_t *k;

		json_array_foreach(list, i, k) {
			const char *st = json_string_value(
			    json_object_get(k, "execution_state"));

			if (st != NULL && strcmp(st, "busy") == 0)
				busy = 1;
		}
	}
	json_decref(list);
	/* Not culling from here on: server_stop() may take it away. */
	s->culling = 0;
	if (busy || s->inflight > 0) {
		s->last_activity = now_sec();
	} else {
		log_info("server %s: idle for %lld s, stopping", s->label,
		    (long long)(now_sec() - s->last_activity));
		s->hub->m.culled++;
		server_stop(s);
	}
	free(cc);
	server_unref(s);
}

static void
status_cb(void *arg, int status, const char *body, size_t len)
{
	struct cull_check *cc = arg;
	struct server     *s = cc->s;
	struct db_user     u;
	json_t            *j;
	int64_t            idle;

	if (s->removed || s->state != SERVER_READY) {
		cull_done(cc);
		return;
	}
	if (db_user_get_id(s->hub->db, s->user_id, &u) == 1) {
		/* Deleted with the CLI while its server ran. */
		log_info("server %s: the user is gone, stopping", s->label);
		s->culling = 0;
		free(cc);
		server_stop(s);
		server_unref(s);
		return;
	}
	db_user_release(&u);
	j = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	if (j != NULL) {
		int64_t t = iso_parse(
		    json_string_value(json_object_get(j, "last_activity")));

		/* The server says when it was last used; one that claims a
		 * time to come would never be idle. */
		if (t > now_sec())
			t = now_sec();
		if (t > s->last_activity)
			s->last_activity = t;
		json_decref(j);
	}
	/* A request still being answered (a slow computation, a long
	 * download) is use, however long since it began. */
	if (used_cpu(s) || s->inflight > 0)
		s->last_activity = now_sec();
	db_user_touch(s->hub->db, s->user_id, s->last_activity);
	idle = now_sec() - s->last_activity;
	if (s->hub->cfg->idle_timeout == 0 ||
	    idle < s->hub->cfg->idle_timeout) {
		cull_done(cc);
		return;
	}
	/* Idle by every measure we have; a busy kernel still counts as use. */
	cull_probe(cc, "kernels", kernels_cb);
}

void
servers_cull(struct hub *hub)
{
	for (size_t b = 0; b < SERVER_BUCKETS; b++) {
		for (struct server *s = hub->servers[b]; s != NULL;
		     s = s->hnext) {
			struct cull_check *cc;

			if (s->state != SERVER_READY || s->culling)
				continue;
			cc = xcalloc(1, sizeof(*cc));
			cc->s = s;
			s->culling = 1;
			server_ref(s);
			cull_probe(cc, "status", status_cb);
		}
	}
}
