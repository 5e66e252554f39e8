/* SPDX-License-Identifier: MIT */
/*
 * server.c's state machine behind a spawner that is not the local one: a
 * fake that records the calls it gets and answers as a test says. It is
 * what a privileged helper or Slurm spawner will look like to the hub.
 * The readiness probe goes to a small real HTTP server on the test's loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "hub/config.h"
#include "hub/db.h"
#include "hub/progress.h"
#include "hub/server.h"
#include "hub/spawner.h"
#include "lib/util.h"
#include "unit.h"

/* What the fake spawner does on start(), and what it saw. */
static struct {
	int  fail; /* start(): server_spawn_failed() */
	int  port; /* start(): server_spawned() on this port */
	char sock[108]; /* ... or on this Unix socket */
	int  owner; /* listener_ok(): 1 the server's, -1 another's */
	int  checks, conns; /* listener_ok() calls, connections */
	int  alive;
	int  watched;
	int  starts, terms, kills, forgets;
	char last[256]; /* the listener's last event */
	int  events;
	union endpoint_stream listener; /* answers every request with 200 */
} F;

static void   fake_start(struct server *);
static void   fake_signal(struct server *, enum spawner_signal);
static int    fake_alive(const struct server *);
static int    fake_watched(const struct server *);
static void   fake_address(const struct server *, struct endpoint *);
static int    fake_listener_ok(const struct server *, char *, size_t);
static char  *fake_log_tail(const struct server *, int);
static void   fake_forget(struct server *);
static int    listen_cb(void *, const struct server_progress *);
static void   http_close_cb(uv_handle_t *);
static void   http_write_cb(uv_write_t *, int);
static void   http_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void   http_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void   http_conn_cb(uv_stream_t *, int);
static int    http_start(uv_loop_t *, int);
static void   http_start_unix(uv_loop_t *, const char *);
static void   hub_init(struct hub *, struct config *, uv_loop_t *,
      struct db_user *);
static void   run_while(uv_loop_t *, struct server *, enum server_state);
static void   hub_end(struct hub *, struct config *, uv_loop_t *,
      struct db_user *);
static size_t recorded(struct hub *);

static void
fake_start(struct server *s)
{
	F.starts++;
	if (F.fail) {
		server_spawn_failed(s, "no %s", "luck");
		return;
	}
	s->pid = 4242;
	snprintf(s->pid_start, sizeof(s->pid_start), "77");
	s->port = F.port;
	snprintf(s->sock, sizeof(s->sock), "%s", F.sock);
	server_spawned(s);
}

static void
fake_signal(struct server *s, enum spawner_signal sig)
{
	(void)s;
	if (sig == SPAWNER_TERM)
		F.terms++;
	else
		F.kills++;
}

static int
fake_alive(const struct server *s)
{
	(void)s;
	return F.alive;
}

static int
fake_watched(const struct server *s)
{
	(void)s;
	return F.watched;
}

static void
fake_address(const struct server *s, struct endpoint *to)
{
	if (s->sock[0] != '\0')
		ASSERT_EQ(endpoint_unix(to, s->sock), 0);
	else
		endpoint_tcp(to, "127.0.0.1", s->port);
}

static int
fake_listener_ok(const struct server *s, char *why, size_t len)
{
	(void)s;
	F.checks++;
	if (F.owner < 0)
		snprintf(why, len, "port %d is taken by uid 4243", s->port);
	return F.owner;
}

static char *
fake_log_tail(const struct server *s, int lines)
{
	(void)s;
	(void)lines;
	return xstrdup("fake log\n");
}

static void
fake_forget(struct server *s)
{
	(void)s;
	F.forgets++;
}

static const struct spawner fake = {
	.name = "fake",
	.start = fake_start,
	.signal = fake_signal,
	.alive = fake_alive,
	.watched = fake_watched,
	.address = fake_address,
	.listener_ok = fake_listener_ok,
	.cpu_ticks = NULL,
	.log_tail = fake_log_tail,
	.forget = fake_forget,
};

static int
listen_cb(void *arg, const struct server_progress *p)
{
	(void)arg;
	snprintf(F.last, sizeof(F.last), "%d:%d:%s", (int)p->kind, p->progress,
	    p->message);
	F.events++;
	return 0;
}

/* The tiny HTTP server: one answer per connection, then close. */
static void
http_close_cb(uv_handle_t *h)
{
	free(h);
}

static void
http_write_cb(uv_write_t *w, int status)
{
	(void)status;
	uv_close((uv_handle_t *)w->handle, http_close_cb);
	free(w);
}

static void
http_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	static char space[4096];

	(void)h;
	(void)hint;
	*b = uv_buf_init(space, sizeof(space));
}

static void
http_read_cb(uv_stream_t *c, ssize_t n, const uv_buf_t *b)
{
	static char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	                       "Connection: close\r\n\r\n{}";
	uv_write_t *w;
	uv_buf_t    out = uv_buf_init(answer, sizeof(answer) - 1);

	(void)b;
	if (n == 0)
		return;
	uv_read_stop(c);
	if (n < 0) {
		uv_close((uv_handle_t *)c, http_close_cb);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	if (uv_write(w, c, &out, 1, http_write_cb) != 0) {
		free(w);
		uv_close((uv_handle_t *)c, http_close_cb);
	}
}

static void
http_conn_cb(uv_stream_t *l, int status)
{
	union endpoint_stream *c = xcalloc(1, sizeof(*c));

	ASSERT_EQ(status, 0);
	F.conns++;
	if (l->type == UV_NAMED_PIPE)
		uv_pipe_init(l->loop, &c->pipe, 0);
	else
		uv_tcp_init(l->loop, &c->tcp);
	ASSERT_EQ(uv_accept(l, &c->stream), 0);
	uv_read_start((uv_stream_t *)c, http_alloc_cb, http_read_cb);
}

/* A port on 127.0.0.1 that answers HTTP (listen) or refuses (not). */
static int
http_start(uv_loop_t *loop, int listen)
{
	struct sockaddr_in sin;
	struct sockaddr_in got;
	int                len = sizeof(got);

	uv_tcp_init(loop, &F.listener.tcp);
	uv_ip4_addr("127.0.0.1", 0, &sin);
	ASSERT_EQ(uv_tcp_bind(&F.listener.tcp, (struct sockaddr *)&sin, 0), 0);
	if (listen)
		ASSERT_EQ(uv_listen(&F.listener.stream, 8, http_conn_cb), 0);
	ASSERT_EQ(
	    uv_tcp_getsockname(&F.listener.tcp, (struct sockaddr *)&got, &len),
	    0);
	return ntohs(got.sin_port);
}

/* The same server on a Unix socket at 'path'. */
static void
http_start_unix(uv_loop_t *loop, const char *path)
{
	unlink(path);
	uv_pipe_init(loop, &F.listener.pipe, 0);
	ASSERT_EQ(uv_pipe_bind(&F.listener.pipe, path), 0);
	ASSERT_EQ(uv_listen(&F.listener.stream, 8, http_conn_cb), 0);
	snprintf(F.sock, sizeof(F.sock), "%s", path);
}

/* A hub with what server.c uses: loop, settings, database, one user. */
static void
hub_init(struct hub *hub, struct config *cfg, uv_loop_t *loop,
    struct db_user *u)
{
	char *path;

	memset(hub, 0, sizeof(*hub));
	memset(&F, 0, sizeof(F));
	F.owner = 1;
	config_init(cfg);
	free(cfg->state_dir);
	cfg->state_dir = xstrdup(unit_tmpdir());
	cfg->spawn_timeout = 1;
	ASSERT_EQ(uv_loop_init(loop), 0);
	hub->loop = loop;
	hub->cfg = cfg;
	path = xasprintf("%s/rig.db", unit_tmpdir());
	hub->db = db_open(path);
	free(path);
	ASSERT_NOT_NULL(hub->db);
	TAILQ_INIT(&hub->conns);
	for (size_t b = 0; b < IDLE_UP_BUCKETS; b++)
		TAILQ_INIT(&hub->idle[b]);
	ASSERT_EQ(db_user_add(hub->db, "alice", "x", 0), 0);
	ASSERT_EQ(db_user_get(hub->db, "alice", u), 0);
	servers_use_spawner(&fake);
}

/* Runs the loop until 's' leaves 'state' (at most ~5 s). */
static void
run_while(uv_loop_t *loop, struct server *s, enum server_state state)
{
	for (int i = 0; i < 500 && s->state == state; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		uv_sleep(10);
	}
}

static void
hub_end(struct hub *hub, struct config *cfg, uv_loop_t *loop, struct db_user *u)
{
	servers_release(hub);
	uv_close(&F.listener.handle, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	ASSERT_EQ(uv_loop_close(loop), 0);
	db_user_release(u);
	db_close(hub->db);
	config_release(cfg);
	servers_use_spawner(NULL);
}

/* Active rows in SQLite. */
static size_t
recorded(struct hub *hub)
{
	struct db_server *rows;
	size_t            n;

	ASSERT_EQ(db_server_list_active(hub->db, &rows, &n), 0);
	db_servers_free(rows, n);
	return n;
}

/* alice's default server started (server_start() says 0) and found. */
static struct server *
start_default(struct hub *hub, struct db_user *u)
{
	const char    *err = NULL;
	struct server *s;

	ASSERT_EQ(server_start(hub, u, "", &err), 0);
	s = hub_server(hub, "alice", 5, "");
	ASSERT_NOT_NULL(s);
	return s;
}

TEST(server_spawn_fails)
{
	struct hub     hub;
	struct config  cfg;
	uv_loop_t      loop;
	struct db_user u;
	struct server *s;
	const char    *err = NULL;

	hub_init(&hub, &cfg, &loop, &u);
	F.port = http_start(&loop, 0);
	F.fail = 1;
	s = start_default(&hub, &u);
	ASSERT_EQ(F.starts, 1);
	ASSERT_EQ(s->state, SERVER_FAILED);
	ASSERT_STR_EQ(s->error, "no luck");
	ASSERT_EQ(hub.m.spawn_failures, 1);
	ASSERT_EQ(server_progress_listen(s, listen_cb, NULL), 0);
	ASSERT_STR_EQ(F.last, "2:100:Spawn failed: no luck");
	ASSERT_EQ(F.terms, 0); /* nothing ran */
	ASSERT_EQ(recorded(&hub), 0);
	/* A failed server is removed by a stop, or replaced by a start. */
	F.fail = 0;
	ASSERT_EQ(server_start(&hub, &u, "", &err), 0);
	ASSERT_EQ(F.starts, 2);
	ASSERT(hub_server(&hub, "alice", 5, "") != s);
	hub_end(&hub, &cfg, &loop, &u);
}

/* Named servers: off unless allowed; then side by side with the default,
 * each its own secret, within named_server_limit_per_user; one's stop
 * keeps the others and its row (stopped), and only a removal drops it. */
TEST(server_named_side_by_side)
{
	struct hub       hub;
	struct config    cfg;
	uv_loop_t        loop;
	struct db_user   u;
	struct server   *d, *g, *b;
	struct db_server row;
	const char      *err = NULL;

	hub_init(&hub, &cfg, &loop, &u);
	F.port = http_start(&loop, 1);
	F.alive = F.watched = 1;
	ASSERT_EQ(server_start(&hub, &u, "gpu", &err), -1);
	ASSERT_STR_EQ(err, "Named servers are not enabled.");
	cfg.allow_named_servers = 1;
	cfg.named_server_limit_per_user = 2;
	ASSERT_EQ(server_start(&hub, &u, "GPU", &err), -1);
	ASSERT_EQ(server_start(&hub, &u, "a/b", &err), -1);
	ASSERT_EQ(F.starts, 0);
	ASSERT_EQ(server_start(&hub, &u, "", &err), 0);
	ASSERT_EQ(server_start(&hub, &u, "gpu", &err), 0);
	ASSERT_EQ(server_start(&hub, &u, "big", &err), 0);
	ASSERT_EQ(F.starts, 3);
	d = hub_server(&hub, "alice", 5, "");
	g = hub_server(&hub, "alice", 5, "gpu");
	b = hub_server(&hub, "alice", 5, "big");
	ASSERT(d != NULL && g != NULL && b != NULL && d != g && g != b);
	ASSERT(strcmp(d->secret, g->secret) != 0);
	ASSERT_STR_EQ(g->url, "/user/alice/gpu/");
	ASSERT_STR_EQ(g->label, "alice/gpu");
	ASSERT(server_has_siblings(g));
	/* The limit counts named servers, stopped ones too. */
	ASSERT_EQ(server_start(&hub, &u, "third", &err), -1);
	ASSERT(
	    strstr(err, "already has the maximum of 2 named servers") != NULL);
	ASSERT_EQ(server_start(&hub, &u, "gpu", &err), 1); /* pending */
	run_while(&loop, g, SERVER_PENDING);
	ASSERT_EQ(g->state, SERVER_READY);
	ASSERT_EQ(server_stop(g), 1);
	server_exited(g, "exited with status 0");
	ASSERT_NULL(hub_server(&hub, "alice", 5, "gpu"));
	ASSERT_EQ(hub_server(&hub, "alice", 5, ""), d);
	ASSERT_EQ(hub_server(&hub, "alice", 5, "big"), b);
	ASSERT_EQ(db_server_get(hub.db, u.id, "gpu", &row), 0);
	ASSERT_EQ(row.state, SERVER_STOPPED);
	db_server_release(&row);
	ASSERT_EQ(server_start(&hub, &u, "third", &err), -1);
	/* Removed: the row goes, and room for another. */
	ASSERT_EQ(server_forget_named(&hub, &u, "gpu"), 0);
	ASSERT_EQ(db_server_get(hub.db, u.id, "gpu", &row), 1);
	ASSERT_EQ(server_forget_named(&hub, &u, "nope"), 1);
	ASSERT_EQ(server_start(&hub, &u, "third", &err), 0);
	hub_end(&hub, &cfg, &loop, &u);
}

TEST(server_ready_stop_exit)
{
	struct hub     hub;
	struct config  cfg;
	uv_loop_t      loop;
	struct db_user u;
	struct server *s;
	const char    *err = NULL;
	char          *tail;

	hub_init(&hub, &cfg, &loop, &u);
	F.port = http_start(&loop, 1);
	F.alive = F.watched = 1;
	s = start_default(&hub, &u);
	ASSERT_EQ(s->state, SERVER_PENDING);
	ASSERT_NOT_NULL(s->secret);
	ASSERT_EQ(server_start(&hub, &u, "", &err), 1); /* already pending */
	ASSERT_EQ(server_progress_listen(s, listen_cb, NULL), 1);
	ASSERT_EQ(F.events, 2); /* requested, started */
	ASSERT_EQ(recorded(&hub), 1);
	run_while(&loop, s, SERVER_PENDING);
	ASSERT_EQ(s->state, SERVER_READY);
	ASSERT_STR_EQ(F.last, "1:100:Server ready at /user/alice/");
	ASSERT_EQ(hub.m.spawns, 1);
	tail = server_log_tail(s, 20);
	ASSERT_STR_EQ(tail, "fake log\n");
	free(tail);
	/* Stop: TERM now, and the spawner's word that it exited. */
	ASSERT_EQ(server_stop(s), 1);
	ASSERT_EQ(s->state, SERVER_STOPPING);
	ASSERT_EQ(F.terms, 1);
	server_exited(s, "exited with status 0");
	ASSERT_NULL(hub_server(&hub, "alice", 5, ""));
	ASSERT_EQ(F.forgets, 1);
	ASSERT_EQ(recorded(&hub), 0);
	hub_end(&hub, &cfg, &loop, &u);
}

TEST(server_no_answer_then_gone)
{
	struct hub     hub;
	struct config  cfg;
	uv_loop_t      loop;
	struct db_user u;
	struct server *s;

	hub_init(&hub, &cfg, &loop, &u);
	F.port = http_start(&loop, 0); /* bound, not listening: refused */
	F.alive = 1;
	s = start_default(&hub, &u);
	run_while(&loop, s, SERVER_PENDING);
	ASSERT_EQ(s->state, SERVER_FAILED);
	ASSERT_STR_EQ(s->error, "the server did not answer within 1 s");
	ASSERT_EQ(F.terms, 1); /* still alive: told to stop */
	hub_end(&hub, &cfg, &loop, &u);
}

TEST(server_tick_finds_it_gone)
{
	struct hub     hub;
	struct config  cfg;
	uv_loop_t      loop;
	struct db_user u;
	struct server *s;

	hub_init(&hub, &cfg, &loop, &u);
	F.port = http_start(&loop, 1);
	F.alive = 1;
	s = start_default(&hub, &u);
	run_while(&loop, s, SERVER_PENDING);
	ASSERT_EQ(s->state, SERVER_READY);
	/* Not watched: the tick asks alive() and finds it gone. */
	servers_tick(&hub);
	ASSERT_NOT_NULL(hub_server(&hub, "alice", 5, ""));
	F.alive = 0;
	servers_tick(&hub);
	ASSERT_NULL(hub_server(&hub, "alice", 5, ""));
	ASSERT_EQ(recorded(&hub), 0);
	hub_end(&hub, &cfg, &loop, &u);
}

/* A server on a Unix socket is probed there, and made ready. */
TEST(server_ready_on_unix_socket)
{
	struct hub       hub;
	struct config    cfg;
	uv_loop_t        loop;
	struct db_user   u;
	struct server   *s;
	struct db_server row;
	char            *path;

	hub_init(&hub, &cfg, &loop, &u);
	path = xasprintf("%s/s.sock", unit_tmpdir());
	http_start_unix(&loop, path);
	F.alive = F.watched = 1;
	s = start_default(&hub, &u);
	run_while(&loop, s, SERVER_PENDING);
	ASSERT_EQ(s->state, SERVER_READY);
	ASSERT(F.conns >= 1);
	ASSERT(F.checks >= 1);
	/* A hub restarted later finds the socket in SQLite. */
	ASSERT_EQ(db_server_get(hub.db, u.id, "", &row), 0);
	ASSERT_STR_EQ(row.sock, path);
	db_server_release(&row);
	server_exited(s, "exited with status 0");
	hub_end(&hub, &cfg, &loop, &u);
	unlink(path);
	free(path);
}

/* Another account listens where the server should: no probe (and so no
 * secret) reaches it, and the start fails saying why. */
TEST(server_foreign_listener_gets_nothing)
{
	struct hub     hub;
	struct config  cfg;
	uv_loop_t      loop;
	struct db_user u;
	struct server *s;

	hub_init(&hub, &cfg, &loop, &u);
	F.port = http_start(&loop, 1);
	F.alive = 1;
	F.owner = -1;
	s = start_default(&hub, &u);
	run_while(&loop, s, SERVER_PENDING);
	ASSERT_EQ(s->state, SERVER_FAILED);
	ASSERT_EQ(F.conns, 0);
	ASSERT_NOT_NULL(strstr(s->error, "taken by uid 4243"));
	ASSERT_NOT_NULL(strstr(s->error, "secret was not sent"));
	ASSERT_EQ(F.terms, 1);
	hub_end(&hub, &cfg, &loop, &u);
}

/* Nothing listens yet: the probe waits, without connecting. */
TEST(server_waits_for_its_listener)
{
	struct hub     hub;
	struct config  cfg;
	uv_loop_t      loop;
	struct db_user u;
	struct server *s;

	hub_init(&hub, &cfg, &loop, &u);
	F.port = http_start(&loop, 1);
	F.alive = F.watched = 1;
	F.owner = 0;
	s = start_default(&hub, &u);
	for (int i = 0; i < 20; i++) {
		uv_run(&loop, UV_RUN_NOWAIT);
		uv_sleep(10);
	}
	ASSERT_EQ(s->state, SERVER_PENDING);
	ASSERT_EQ(F.conns, 0);
	F.owner = 1;
	run_while(&loop, s, SERVER_PENDING);
	ASSERT_EQ(s->state, SERVER_READY);
	server_exited(s, "exited with status 0");
	hub_end(&hub, &cfg, &loop, &u);
}
