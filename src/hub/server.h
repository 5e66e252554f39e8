/* SPDX-License-Identifier: MIT */
/*
 * User servers: one Jupyter (or other web app) process per user, started
 * detached so that it outlives the hub, recorded in SQLite so that the next
 * hub takes it over, probed until it answers, watched until it dies, and
 * stopped when idle.
 */
#ifndef SERVER_H
#define SERVER_H

#include <sys/queue.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "db.h"
#include "hub.h"

#define SERVER_MAX_EVENTS 16
#define SERVER_STOP_GRACE 10 /* seconds from SIGTERM to SIGKILL */

struct server_event {
	int   progress; /* 0..100 */
	char *message;
};

/*
 * Someone following a start's progress (api.c's event stream). The
 * spawner reports each event to it and, once the start succeeded or
 * failed, ends it; it never writes anything itself.
 */
struct server_listener {
	/* One event ({"progress": N, "message": ...}; the last has "ready"
	 * or "failed"), borrowed; -1 to stop listening (then 'end' follows). */
	int  (*event)(struct server_listener *, json_t *ev);
	/* No more events: the listener is forgotten after this call. */
	void (*end)(struct server_listener *);
	TAILQ_ENTRY(server_listener) entry;
};

TAILQ_HEAD(server_listeners, server_listener);

struct server {
	struct hub       *hub;
	char              name[40];
	int64_t           user_id;
	enum server_state state;
	int               pid;
	char              pid_start[32];
	int               port;
	char             *secret;
	int64_t           started;
	int64_t           last_activity; /* proxied traffic or reported */
	uint64_t          spawn_ms; /* when the start was asked for */
	uint64_t          deadline_ms; /* pending: give up at */
	char             *error; /* why the last start failed */
	char             *log_path;
	uv_process_t      proc; /* only for children of this hub */
	int               have_proc;
	uv_timer_t        timer; /* probe and stop timing */
	int               refs; /* handles open + probes in flight + 1 */
	int               removed; /* no longer in the hub's table */
	int               probing;
	int               culling;
	uint64_t          cpu_ticks; /* of the account, at the last cull */
	struct server_event ev[SERVER_MAX_EVENTS];
	int               nev;
	struct server_listeners listeners; /* progress streams */
	struct server    *hnext;
};

/*
 * Starts user 'u''s server. Returns 0 if it is starting (pending), 1 if it
 * was already pending or running (nothing done), -1 with *err (static text)
 * if it cannot start.
 */
int  server_start(struct hub *, const struct db_user *u, const char **err);
/* Asks the server to stop; returns 0 if it is stopped already, 1 if it is
 * stopping. */
int  server_stop(struct server *);
/* Proxied traffic: the server is in use. */
void server_touch(struct server *);
/* A proxied connection was refused: check now whether it died. */
void server_unreachable(struct server *);
/* Takes over the servers a previous hub left running. */
void servers_restore(struct hub *);
/* Once a second: notices servers that died without telling us. */
void servers_tick(struct hub *);
/* Every cull_interval: stops servers idle longer than idle_timeout. */
void servers_cull(struct hub *);
/* Stops the server of a user that was deleted. */
void servers_drop_user(struct hub *, const char *name);
/* Finds the in-memory server of user 'name'; NULL if none. */
struct server *hub_server(struct hub *, const char *name, size_t len);
/* Reports the events so far to 'l', then each as it comes, and ends it
 * when the start succeeds or fails (at once if it is not starting). */
void server_progress_listen(struct server *, struct server_listener *l);
/* The last lines of the server's log, for the spawn page; caller frees. */
char *server_log_tail(const struct server *, int lines);
/* Forgets every server in memory without stopping them (hub exit). */
void servers_release(struct hub *);

#endif
