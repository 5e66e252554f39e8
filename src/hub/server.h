/* SPDX-License-Identifier: MIT */
/*
 * User servers: one Jupyter (or other web app) process per user, started
 * detached so that it outlives the hub, recorded in SQLite so that the next
 * hub takes it over, probed until it answers, watched until it dies, and
 * stopped when idle.
 *
 * This header is the server table (hub_server()), struct server and its
 * state machine: STOPPED -> PENDING -> READY -> STOPPING -> (gone), with
 * FAILED kept in the table to show why a start failed. The parts live in
 * their own files: how a server runs in spawner.h (spawn-local.c, with
 * accounts.c and spawn-cmd.c), progress events in progress.h, take-over
 * after a restart in takeover.h, culling in cull.h, /proc in procfs.h.
 * Readiness is here: a started server is probed with GET /user/NAME/api
 * every SERVER_PROBE_MS until it answers with anything but a 5xx or
 * s->deadline_ms passes.
 */
#ifndef SERVER_H
#define SERVER_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "db.h"
#include "endpoint.h"
#include "hub.h"
#include "progress.h"
#include "spawn-options.h"
#include "servername.h"
#include "spawner.h"

#define SERVER_MAX_EVENTS 16
#define SERVER_STOP_GRACE 10 /* seconds from SIGTERM to SIGKILL */

/* A step of the current start, kept for late listeners (progress.c). */
struct server_event {
	int   progress; /* 0..100 */
	char *message;
};

/*
 * A user's server. pid, pid_start, sock, port and host are the
 * spawner's and SQLite keeps them: for the local spawner a pid, its
 * /proc start time and a Unix socket's path (or a loopback port, for a
 * command that can only listen on TCP); for the Slurm one a job id and
 * the node's address and port.
 */
struct server {
	struct hub           *hub;
	const struct spawner *spawner; /* how it runs */
	char                  name[40]; /* the user's */
	char                  srv[SERVER_NAME_MAX + 1]; /* "" the default */
	char                  label[80]; /* NAME or NAME/SRV, for logs */
	char                  url[96]; /* its base URL (server_url()) */
	int64_t               user_id;
	enum server_state     state;
	int                   pid; /* by the spawner, kept in SQLite */
	char                  pid_start[32]; /* with pid: one process */
	int                   port; /* TCP, or 0 */
	char                  host[64]; /* the port's host, if not here */
	char            sock[ENDPOINT_PATH_MAX]; /* a Unix socket, or "" */
	struct tlspeer *tls; /* TLS to host:port (a Slurm job's), or NULL */
	char           *secret; /* also its API token (token kind server) */
	int             protocol; /* enum server_protocol (config.h) */
	int64_t         started;
	int64_t         last_activity; /* proxied traffic or reported */
	uint64_t        spawn_ms; /* when the start was asked for */
	uint64_t        deadline_ms; /* pending: give up at */
	char           *error; /* why the last start failed */
	struct spawn_options opts; /* user_options and what they came to */
	char                *log_path;
	uv_process_t         proc; /* local spawner: children of this hub */
	int                  have_proc;
	uv_timer_t           timer; /* probe and stop timing */
	int                  refs; /* handles open + work in flight + 1 */
	int                  removed; /* no longer in the hub's table */
	int                  probing;
	int                  culling;
	int                  inflight; /* proxied exchanges under way */
	int                  forget_row; /* named: deleted, not kept, at stop */
	uint64_t             cpu_ticks; /* at the last cull */
	uint64_t             oom_kills; /* seen so far (servers_tick()) */
	struct server_event  ev[SERVER_MAX_EVENTS];
	int                  nev;
	struct server_listener_list listeners; /* progress.c */
	struct server              *hnext;
};

/* Finds the in-memory server 'srv' ("" the default) of user 'name';
 * NULL if none. */
struct server *hub_server(struct hub *, const char *name, size_t len,
    const char *srv);
/* The in-memory server of user 'name' whose spawner's pid is 'pid' (a
 * Slurm job's id), whichever of the user's servers it is; NULL if none. */
struct server *hub_server_by_pid(struct hub *, const char *name, size_t len,
    long long pid);
/* Whether another server of s's user than s is starting, running or
 * stopping: what ends with s must not end theirs (the account's). */
int server_has_siblings(const struct server *);

/*
 * Starts user 'u''s server 'srv' ("" the default; a named one takes
 * allow_named_servers, and a new one must fit named_server_limit_per_user).
 * Returns 0 if it is starting (pending), 1 if it was already pending or
 * running (nothing done), -1 with *err (static text, or this module's
 * buffer until the next call) if it cannot start.
 */
int server_start(struct hub *, const struct db_user *u, const char *srv,
    const char **err);
/* The same with options (spawn-options.h), which the server takes over
 * ('opts' is left empty); NULL: the default profile's. */
int server_start_with(struct hub *, const struct db_user *u, const char *srv,
    struct spawn_options *opts, const char **err);
/* The command the server runs: its profile's, else config_server_cmd(). */
const char *server_cmd_of(const struct server *);
/* A named server's row goes (JupyterHub's DELETE with "remove"): now if it
 * is stopped, else once it has stopped. 0 done or under way, 1 no such
 * server. */
int server_forget_named(struct hub *, const struct db_user *u, const char *srv);
/* Asks the server to stop; returns 0 if it is stopped already, 1 if it is
 * stopping. */
int server_stop(struct server *);
/* Proxied traffic: the server is in use. */
void server_touch(struct server *);
/* A proxied exchange began (1) or ended (0): while one is in flight the
 * server is in use however long it takes (culling), and it holds a
 * reference. */
void server_exchange(struct server *, int on);
/* A proxied connection was refused: check now whether it died. */
void server_unreachable(struct server *);
/* Where the server listens (spawner.h's address()). */
void server_address(const struct server *, struct endpoint *);
/* Once a second: notices servers that died without telling us. */
void servers_tick(struct hub *);
/* A user was deleted: stops their server, and the spawner ends all of
 * theirs and removes their account. */
void servers_drop_user(struct hub *, const char *name);
/* What the server uses (spawner.h); -1 if unknown. */
int server_usage(const struct server *, struct spawner_usage *);
/* " (120 MiB, 3.5 s CPU)" for the admin page; nothing if unknown. */
void server_usage_text(const struct server *, struct buf *);
/* The per-user use as Prometheus lines for /hub/metrics. */
void servers_usage_metrics(struct hub *, struct buf *);
/* The last lines of the server's log, for the spawn page; caller frees. */
char *server_log_tail(const struct server *, int lines);
/* Forgets every server in memory without stopping them (hub exit). */
void servers_release(struct hub *);

/* The spawner servers started or taken over from now on use (daemon.c
 * chooses the local one; tests a fake). One hub per process: the choice is
 * global. */
void servers_use_spawner(const struct spawner *);
/* The spawner chosen (fatal if none is). */
const struct spawner *servers_spawner(void);

/*
 * For the server modules (spawners, takeover.c, cull.c).
 *
 * server_new() puts a server for user 'name' in the table (state
 * STOPPED, the spawner servers_use_spawner() chose); server_remove()
 * takes it out, and it is freed once the last reference goes. Work that
 * outlives a callback (a probe, a useradd) holds a reference:
 * server_ref(), then server_unref() when it comes back, after checking
 * s->removed.
 */
struct server *server_new(struct hub *, const char *name, int64_t user_id,
    const char *srv);
void           server_remove(struct server *);
void           server_ref(struct server *);
void           server_unref(struct server *);
/* A server to take over was gone while the hub was down: its row cleared
 * (a named one's kept, stopped) and out of the table. */
void server_gone_before(struct server *);
/* Records the server's state in SQLite; logs on failure. */
void server_save(struct server *);
/* The probe got an answer: the server is ready. */
void server_ready(struct server *);
/* Starts the readiness probes, the first after 'first_ms'. */
#define SERVER_PROBE_MS 50
void server_probe_start(struct server *, uint64_t first_ms);
/* The same, probing every 'every_ms' instead (a server known to listen,
 * behind a way in that is a moment from ready). */
void server_probe_every(struct server *, uint64_t first_ms, uint64_t every_ms);
/* SIGTERM now, SIGKILL after SERVER_STOP_GRACE seconds. */
void server_terminate(struct server *);

#endif
