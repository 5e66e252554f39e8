/* SPDX-License-Identifier: MIT */
/*
 * User servers: the table and the state machine.
 *
 * A start goes: a new secret, then the spawner (spawner.h) makes the
 * process run and says so with server_spawned(); the hub records pid,
 * port and secret in SQLite and probes until the server answers
 * or gives up after spawn_timeout seconds and says why. Stopping is
 * SIGTERM, then SIGKILL after SERVER_STOP_GRACE seconds.
 *
 * A server's process ends in one of two ways as far as the hub can tell:
 * the spawner says so (server_exited(), for the hub's own children), or
 * the once-a-second tick finds the spawner's alive() false (servers taken
 * over from an earlier hub are not our children).
 *
 * Lifetime: the table holds one reference, the timer one, and each piece
 * of work in flight one (server_ref()); the server is freed when the last
 * goes, so a callback that comes back late finds it removed, not freed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "progress.h"
#include "proxy.h"
#include "accounts.h"
#include "oneuser.h"
#include "probe.h"
#include "scopes.h"
#include "auth.h"
#include "config.h"
#include "server.h"
#include "serverend.h"
#include "serverlog.h"
#include "spawner.h"
#include "tlspeer.h"

static unsigned name_hash(const char *, size_t);
static int      of_user(const struct server *, const char *, size_t);
static void     timer_close_cb(uv_handle_t *);
static void     stop_timer_cb(uv_timer_t *);
static void     server_gone(struct server *, const char *why);
static void     server_clear_row(struct server *);
static void     forget_conns(struct server *);
static void     check_oom(struct server *);
static void     ready_probe_cb(void *, int, const char *, size_t);
static void     ready_timer_cb(uv_timer_t *);

#define READY_PROBE_TIMEOUT_MS 2000 /* one readiness probe */

/* The spawner new servers get (servers_use_spawner()). */
static const struct spawner *spawner_default; /* daemon.c sets it */

/* The user-name hash table. */
static unsigned
name_hash(const char *s, size_t len)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h % SERVER_BUCKETS;
}

/* Whether s is a server of the user 'name' ('len' bytes, no NUL). */
static int
of_user(const struct server *s, const char *name, size_t len)
{
	return strlen(s->name) == len && memcmp(s->name, name, len) == 0;
}

/* Buckets by user name: a user's servers share one. */
struct server *
hub_server(struct hub *hub, const char *name, size_t len, const char *srv)
{
	struct server *s;

	for (s = hub->servers[name_hash(name, len)]; s != NULL; s = s->hnext)
		if (of_user(s, name, len) && strcmp(s->srv, srv) == 0)
			return s;
	return NULL;
}

struct server *
hub_server_by_pid(struct hub *hub, const char *name, size_t len, long long pid)
{
	struct server *s;

	for (s = hub->servers[name_hash(name, len)]; s != NULL; s = s->hnext)
		if (of_user(s, name, len) && s->pid > 0 && s->pid == pid)
			return s;
	return NULL;
}

int
server_has_siblings(const struct server *s)
{
	const struct server *o;

	for (o = s->hub->servers[name_hash(s->name, strlen(s->name))];
	     o != NULL; o = o->hnext)
		if (o != s && o->user_id == s->user_id &&
		    (o->state == SERVER_PENDING || o->state == SERVER_READY ||
		        o->state == SERVER_STOPPING))
			return 1;
	return 0;
}

void
servers_use_spawner(const struct spawner *sp)
{
	spawner_default = sp;
}

const struct spawner *
servers_spawner(void)
{
	if (spawner_default == NULL)
		fatalx("%s: no spawner chosen (servers_use_spawner)", __func__);
	return spawner_default;
}

void
server_ref(struct server *s)
{
	s->refs++;
}

void
server_unref(struct server *s)
{
	if (--s->refs > 0)
		return;
	free(s->secret);
	free(s->error);
	free(s->log_path);
	tlspeer_unref(s->tls);
	spawn_options_release(&s->opts);
	progress_release(s);
	free(s);
}

/* The timer's reference goes when libuv lets go of it. */
static void
timer_close_cb(uv_handle_t *h)
{
	server_unref(h->data);
}

struct server *
server_new(struct hub *hub, const char *name, int64_t user_id, const char *srv)
{
	struct server *s = xcalloc(1, sizeof(*s));
	unsigned       b = name_hash(name, strlen(name));

	s->hub = hub;
	if (spawner_default == NULL)
		fatalx("%s: no spawner chosen (servers_use_spawner)", __func__);
	s->spawner = spawner_default;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->srv, sizeof(s->srv), "%s", srv);
	if (srv[0] == '\0')
		snprintf(s->label, sizeof(s->label), "%s", name);
	else
		snprintf(s->label, sizeof(s->label), "%s/%s", name, srv);
	{
		char *url = server_url(name, srv);

		snprintf(s->url, sizeof(s->url), "%s", url);
		free(url);
	}
	s->user_id = user_id;
	TAILQ_INIT(&s->listeners);
	uv_timer_init(hub->loop, &s->timer);
	s->timer.data = s;
	s->refs = 2; /* the table, the timer */
	s->hnext = hub->servers[b];
	hub->servers[b] = s;
	hub->nservers++;
	/* '.' never begins a server name: "alice.x.log" is no user's. */
	s->log_path = srv[0] == '\0'
	    ? xasprintf("%s/logs/%s.log", hub->cfg->state_dir, name)
	    : xasprintf("%s/logs/%s..%s.log", hub->cfg->state_dir, name, srv);
	return s;
}

void
server_remove(struct server *s)
{
	struct server **pp;

	if (s->removed)
		return;
	s->removed = 1;
	progress_close(s);
	for (pp = &s->hub->servers[name_hash(s->name, strlen(s->name))];
	     *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	}
	s->hub->nservers--;
	uv_close((uv_handle_t *)&s->timer, timer_close_cb);
	s->spawner->forget(s);
	server_unref(s);
}

void
server_save(struct server *s)
{
	struct db_server row;

	memset(&row, 0, sizeof(row));
	row.user_id = s->user_id;
	row.name = s->srv;
	row.state = s->state;
	row.pid = s->pid;
	row.pid_start = s->pid_start;
	row.port = s->port;
	row.sock = s->sock;
	row.host = s->host;
	row.secret = s->secret != NULL ? s->secret : (char *)"";
	row.started = s->started;
	row.last_activity = s->last_activity;
	row.error = s->error != NULL ? s->error : (char *)"";
	row.protocol = s->protocol;
	row.user_options = s->opts.json != NULL ? s->opts.json : (char *)"{}";
	if (db_server_put(s->hub->db, &row) == -1)
		log_warnx("server %s: cannot record its state", s->label);
}

/* The grace is over: kill what is left. */
static void
stop_timer_cb(uv_timer_t *t)
{
	struct server *s = t->data;

	s->spawner->signal(s, SPAWNER_KILL);
}

void
server_terminate(struct server *s)
{
	s->spawner->signal(s, SPAWNER_TERM);
	uv_timer_start(&s->timer, stop_timer_cb, SERVER_STOP_GRACE * 1000, 0);
}

void
server_spawn_failed(struct server *s, const char *fmt, ...)
{
	va_list ap;
	char   *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	log_warnx("server %s: start failed: %s", s->label, msg);
	free(s->error);
	s->error = msg;
	s->hub->m.spawn_failures++;
	uv_timer_stop(&s->timer);
	if (s->pid > 0 && s->spawner->alive(s))
		server_terminate(s);
	s->state = SERVER_FAILED;
	server_clear_row(s);
	progress_last(s);
	forget_conns(s);
}

/*
 * The process is gone: its row and token go. A named server's row stays,
 * stopped, for the user to start again (JupyterHub keeps its spawner)
 * unless it was deleted.
 */
static void
server_clear_row(struct server *s)
{
	struct db_server row;

	if (db_server_del(s->hub->db, s->user_id, s->srv) == -1)
		log_warnx("server %s: cannot clear its record", s->label);
	if (s->srv[0] == '\0' || s->forget_row)
		return;
	memset(&row, 0, sizeof(row));
	row.user_id = s->user_id;
	row.name = s->srv;
	row.state = s->state == SERVER_FAILED ? SERVER_FAILED : SERVER_STOPPED;
	row.started = s->started;
	row.last_activity = s->last_activity;
	row.error = s->error;
	if (db_server_put(s->hub->db, &row) == -1)
		log_warnx("server %s: cannot record its state", s->label);
}

void
server_gone_before(struct server *s)
{
	server_clear_row(s);
	server_remove(s);
}

/* The process is gone: a failed start, or the end of a running server. */
static void
server_gone(struct server *s, const char *why)
{
	/* What it started goes with it (kernels, setsid children). */
	if (s->spawner->ended != NULL)
		s->spawner->ended(s);
	if (s->state == SERVER_PENDING) {
		s->pid = 0;
		server_spawn_failed(s, "the server %s before it answered", why);
		return;
	}
	if (s->state == SERVER_READY) {
		log_warnx("server %s: %s", s->label, why);
		/* The home page says why the default server ended. */
		if (s->srv[0] == '\0')
			serverend_note(s->name, why);
	} else
		log_info("server %s: stopped", s->label);
	uv_timer_stop(&s->timer);
	s->state = SERVER_STOPPED;
	s->pid = 0;
	server_clear_row(s);
	if (s->last_activity > 0)
		db_user_touch(s->hub->db, s->user_id, s->last_activity);
	forget_conns(s);
	server_remove(s);
}

void
server_exited(struct server *s, const char *why)
{
	if (!s->removed && s->state != SERVER_FAILED &&
	    s->state != SERVER_STOPPED)
		server_gone(s, why);
	else if (s->spawner->ended != NULL)
		s->spawner->ended(s);
}

void
server_spawned(struct server *s)
{
	struct endpoint to;
	char            where[ENDPOINT_PATH_MAX + 16];

	s->started = now_sec();
	server_save(s);
	server_address(s, &to);
	log_info("server %s: started pid %d on %s", s->label, s->pid,
	    endpoint_text(&to, where, sizeof(where)));
	progress_step(s, 50,
	    "Server process started, waiting for it to answer");
	server_probe_start(s, SERVER_PROBE_MS);
}

void
server_ready(struct server *s)
{
	static const double le[] = { 0.5, 1, 2, 5, 10, 30, 60 };
	double              secs;
	size_t              i;
	struct endpoint     to;
	char                where[ENDPOINT_PATH_MAX + 16];

	s->state = SERVER_READY;
	s->last_activity = now_sec();
	uv_timer_stop(&s->timer);
	server_save(s);
	secs = (double)(now_ms() - s->spawn_ms) / 1000.0;
	s->hub->m.spawns++;
	s->hub->m.spawn_seconds_sum += secs;
	for (i = 0; i < nitems(le) && secs > le[i]; i++)
		;
	s->hub->m.spawn_buckets[i]++;
	server_address(s, &to);
	log_info("server %s: ready on %s in %.3f s", s->label,
	    endpoint_text(&to, where, sizeof(where)), secs);
	progress_last(s);
}

/*
 * The secret is also the server's token at the hub, with the "server"
 * role's scopes only (scopes.h): JupyterHub's servers report activity
 * and check their users' OAuth tokens with it, and it is the secret of
 * the server's OAuth client (oauth.h). It goes with the server's row.
 */
static void
server_token_set(struct server *s)
{
	char  hash[TOKEN_HASH_LEN + 1];
	char *scopes = scopes_server(s->name, s->srv);

	token_hash(s->secret, hash);
	if (db_server_token_set(s->hub->db, s->user_id, s->srv, hash, scopes) !=
	    0)
		log_warnx("server %s: cannot record its token", s->label);
	free(scopes);
}

/* A new named server must fit named_server_limit_per_user: NULL if it
 * does, else JupyterHub's message (in 'buf'). */
static const char *
named_limit(struct hub *hub, const struct db_user *u, const char *srv,
    char *buf, size_t len)
{
	struct db_server *rows, row;
	size_t            n, named = 0;
	int               limit = hub->cfg->named_server_limit_per_user;

	if (limit <= 0 || db_server_get(hub->db, u->id, srv, &row) == 0) {
		if (limit > 0)
			db_server_release(&row);
		return NULL; /* no limit, or one the user has already */
	}
	if (db_server_list_user(hub->db, u->id, &rows, &n) == -1)
		return "cannot count the user's servers";
	for (size_t i = 0; i < n; i++)
		if (rows[i].name[0] != '\0')
			named++;
	db_servers_free(rows, n);
	if (named < (size_t)limit)
		return NULL;
	snprintf(buf, len,
	    "User %s already has the maximum of %d named servers.  One must "
	    "be deleted before a new server can be created",
	    u->name, limit);
	return buf;
}

int
server_start(struct hub *hub, const struct db_user *u, const char *srv,
    const char **err)
{
	return server_start_with(hub, u, srv, NULL, err);
}

const char *
server_cmd_of(const struct server *s)
{
	if (s->opts.server_cmd != NULL)
		return s->opts.server_cmd;
	return config_server_cmd(s->hub->cfg);
}

int
server_start_with(struct hub *hub, const struct db_user *u, const char *srv,
    struct spawn_options *opts, const char **err)
{
	static char          msg[256];
	struct server       *s = hub_server(hub, u->name, strlen(u->name), srv);
	struct spawn_options dflt;
	char                 why[256];

	if (hub->stopping) {
		*err = "the hub is shutting down";
		return -1;
	}
	if (srv[0] != '\0' && !hub->cfg->allow_named_servers) {
		*err = "Named servers are not enabled.";
		return -1;
	}
	if (srv[0] != '\0' && server_name_check(srv) != NULL) {
		*err = server_name_check(srv);
		return -1;
	}
	if (s != NULL &&
	    (s->state == SERVER_PENDING || s->state == SERVER_READY))
		return 1;
	if (s != NULL && s->state == SERVER_STOPPING) {
		*err = "the server is still stopping";
		return -1;
	}
	if (oneuser_serves(hub->db, hub->is_root, u->id) != 1) {
		*err = "this hub runs without root and serves its first admin "
		       "alone: other users' servers would run as its own "
		       "account";
		return -1;
	}
	if (srv[0] != '\0' &&
	    (*err = named_limit(hub, u, srv, msg, sizeof(msg))) != NULL)
		return -1;
	memset(&dflt, 0, sizeof(dflt));
	if (opts == NULL) {
		/* No options: the default profile's (never refused). */
		if (spawn_options_parse(hub->cfg, NULL, &dflt, why,
		        sizeof(why)) == -1) {
			log_warnx("server %s: %s", u->name, why);
			*err = "the default options are refused";
			return -1;
		}
		opts = &dflt;
	}
	if (s != NULL)
		server_remove(s); /* an old failure */
	if (srv[0] == '\0')
		serverend_clear(u->name);
	s = server_new(hub, u->name, u->id, srv);
	spawn_options_move(&s->opts, opts);
	s->state = SERVER_PENDING;
	s->spawn_ms = now_ms();
	s->deadline_ms = s->spawn_ms + (uint64_t)hub->cfg->spawn_timeout * 1000;
	s->secret = random_hex(32);
	s->protocol = config_cmd_protocol(hub->cfg, server_cmd_of(s));
	server_token_set(s);
	/* A named server is recorded from its request on: it counts
	 * against the limit, and a second request finds it. */
	if (srv[0] != '\0')
		server_save(s);
	progress_step(s, 0, "Server requested");
	s->spawner->start(s);
	return 0;
}

int
server_forget_named(struct hub *hub, const struct db_user *u, const char *srv)
{
	struct server *s = hub_server(hub, u->name, strlen(u->name), srv);
	int            r;

	if (s != NULL &&
	    (s->state == SERVER_PENDING || s->state == SERVER_READY ||
	        s->state == SERVER_STOPPING)) {
		s->forget_row = 1;
		if (s->state != SERVER_STOPPING)
			server_stop(s);
		return 0;
	}
	if (s != NULL)
		server_remove(s);
	r = db_server_del(hub->db, u->id, srv);
	return r == 1 ? 1 : 0;
}

int
server_stop(struct server *s)
{
	if (s->state == SERVER_FAILED) {
		server_remove(s);
		return 0;
	}
	if (s->state == SERVER_STOPPING)
		return 1;
	if (s->state == SERVER_PENDING && s->pid <= 0) {
		/* Still creating the account: nothing runs yet. */
		s->state = SERVER_STOPPED;
		server_clear_row(s);
		server_remove(s);
		return 0;
	}
	if (s->state == SERVER_PENDING) {
		free(s->error);
		s->error = xstrdup("stopped before it was ready");
		progress_last(s);
	}
	log_info("server %s: stopping pid %d", s->label, s->pid);
	s->state = SERVER_STOPPING;
	uv_timer_stop(&s->timer);
	server_save(s);
	forget_conns(s);
	server_terminate(s);
	return 1;
}

void
server_touch(struct server *s)
{
	s->last_activity = now_sec();
}

void
server_exchange(struct server *s, int on)
{
	if (on) {
		s->inflight++;
		server_ref(s);
		return;
	}
	s->inflight--;
	s->last_activity = now_sec(); /* its end is use too */
	server_unref(s);
}

void
server_unreachable(struct server *s)
{
	if (s->state == SERVER_READY && s->pid > 0 && !s->spawner->watched(s) &&
	    !s->spawner->alive(s))
		server_gone(s, "is gone");
}

void
server_address(const struct server *s, struct endpoint *to)
{
	s->spawner->address(s, to);
}

/* Pooled connections to a server that stops go with it: the next server
 * may be reached at the same place. */
static void
forget_conns(struct server *s)
{
	struct endpoint to;

	if (s->port <= 0 && s->sock[0] == '\0')
		return;
	server_address(s, &to);
	proxy_forget(s->hub, &to);
}

/*
 * A process of the server was killed for passing mem_limit (a kernel,
 * usually: the server itself is small and stays up). Said in the hub's
 * log and in the server's, where its user looks.
 */
static void
check_oom(struct server *s)
{
	struct spawner_usage u;

	if (s->spawner->usage == NULL || s->spawner->usage(s, &u) == -1 ||
	    u.oom_kills <= s->oom_kills)
		return;
	log_warnx("server %s: %llu process(es) killed for using more than "
	          "mem_limit",
	    s->label, (unsigned long long)(u.oom_kills - s->oom_kills));
	serverlog_note(s->log_path,
	    "a process of this server was killed: it used more than the "
	    "memory limit (mem_limit, %llu bytes); %llu so far",
	    (unsigned long long)s->opts.mem_limit,
	    (unsigned long long)u.oom_kills);
	s->oom_kills = u.oom_kills;
}

int
server_usage(const struct server *s, struct spawner_usage *u)
{
	if (s->spawner->usage == NULL)
		return -1;
	return s->spawner->usage(s, u);
}

void
server_usage_text(const struct server *s, struct buf *b)
{
	struct spawner_usage u;

	if (server_usage(s, &u) == -1)
		return;
	buf_addf(b, " (%.0f MiB, %.1f s CPU", (double)u.mem / (1 << 20),
	    (double)u.cpu_ns / 1e9);
	if (u.oom_kills > 0)
		buf_addf(b, ", %llu killed at mem_limit",
		    (unsigned long long)u.oom_kills);
	buf_adds(b, ")");
}

/* Names are checked usernames and server names ([a-z0-9._-]): no label
 * escaping needed. A named server's lines carry its name too. */
void
servers_usage_metrics(struct hub *hub, struct buf *b)
{
	static const char *const head[] = {
		"# HELP rig_server_memory_bytes Memory a user's server and "
		"its kernels use (their cgroup).\n"
		"# TYPE rig_server_memory_bytes gauge\n",
		"# HELP rig_server_cpu_seconds_total CPU time a user's "
		"server and its kernels used.\n"
		"# TYPE rig_server_cpu_seconds_total counter\n",
		"# HELP rig_server_oom_kills_total Processes of a user's "
		"server killed at mem_limit.\n"
		"# TYPE rig_server_oom_kills_total counter\n",
	};
	static const char *const name[] = { "rig_server_memory_bytes",
		"rig_server_cpu_seconds_total", "rig_server_oom_kills_total" };

	for (size_t m = 0; m < nitems(head); m++) {
		buf_adds(b, head[m]);
		for (size_t i = 0; i < SERVER_BUCKETS; i++) {
			for (struct server *s = hub->servers[i]; s != NULL;
			     s = s->hnext) {
				struct spawner_usage u;

				if (server_usage(s, &u) == -1)
					continue;
				buf_addf(b, "%s{user=\"%s\"%s%s%s} ", name[m],
				    s->name, s->srv[0] ? ",server=\"" : "",
				    s->srv, s->srv[0] ? "\"" : "");
				if (m == 1)
					buf_addf(b, "%.3f\n",
					    (double)u.cpu_ns / 1e9);
				else
					buf_addf(b, "%llu\n",
					    (unsigned long long)(m == 0
					            ? u.mem
					            : u.oom_kills));
			}
		}
	}
}

void
servers_tick(struct hub *hub)
{
	for (size_t b = 0; b < SERVER_BUCKETS; b++) {
		struct server *s, *next;

		for (s = hub->servers[b]; s != NULL; s = next) {
			next = s->hnext;
			if (s->state == SERVER_READY)
				check_oom(s);
			if (s->pid <= 0 || s->spawner->watched(s))
				continue;
			if (s->state != SERVER_PENDING &&
			    s->state != SERVER_READY &&
			    s->state != SERVER_STOPPING)
				continue;
			if (!s->spawner->alive(s))
				server_gone(s, "is gone");
		}
	}
}

void
servers_drop_user(struct hub *hub, const char *name)
{
	struct server *s, *next;

	for (s = hub->servers[name_hash(name, strlen(name))]; s != NULL;
	     s = next) {
		next = s->hnext;
		if (strcmp(s->name, name) == 0)
			server_stop(s);
	}
	if (spawner_default != NULL && spawner_default->drop_user != NULL)
		spawner_default->drop_user(hub, name);
}

char *
server_log_tail(const struct server *s, int lines)
{
	return s->spawner->log_tail(s, lines);
}

void
servers_release(struct hub *hub)
{
	for (size_t b = 0; b < SERVER_BUCKETS; b++) {
		struct server *s;

		while ((s = hub->servers[b]) != NULL) {
			if (s->last_activity > 0)
				db_user_touch(hub->db, s->user_id,
				    s->last_activity);
			server_remove(s);
		}
	}
	/* The local spawner's work in flight: output copies, useradd. */
	serverlogs_release();
	serverend_release();
	accounts_release();
	if (spawner_default != NULL && spawner_default->release != NULL)
		spawner_default->release();
}

/*
 * Readiness: one probe at a time. The timer fires every SERVER_PROBE_MS,
 * but a probe still out (a server slow to accept) makes the tick a no-op
 * rather than a second connection.
 */
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
	struct server  *s = t->data;
	struct endpoint to;
	char           *path, why[256];

	if (s->state != SERVER_PENDING)
		return;
	if (now_ms() > s->deadline_ms) {
		server_spawn_failed(s, "the server did not answer within %d s",
		    s->hub->cfg->spawn_timeout);
		return;
	}
	if (s->probing)
		return;
	/* The probe carries the secret: only to the server's own listener,
	 * never to one another account put at its address first. */
	if (s->spawner->listener_ok != NULL) {
		int r = s->spawner->listener_ok(s, why, sizeof(why));

		if (r == 0)
			return;
		if (r < 0) {
			server_spawn_failed(s,
			    "%s: the server's secret was not sent to it", why);
			return;
		}
	}
	s->probing = 1;
	server_ref(s);
	server_address(s, &to);
	path = xasprintf("%sapi", s->url);
	probe_get(s->hub->loop, &to, path, s->secret, READY_PROBE_TIMEOUT_MS,
	    ready_probe_cb, s);
	free(path);
}

void
server_probe_start(struct server *s, uint64_t first_ms)
{
	server_probe_every(s, first_ms, SERVER_PROBE_MS);
}

void
server_probe_every(struct server *s, uint64_t first_ms, uint64_t every_ms)
{
	uv_timer_start(&s->timer, ready_timer_cb, first_ms, every_ms);
}
