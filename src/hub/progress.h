/* SPDX-License-Identifier: MIT */
/*
 * Progress of a user server's start, as events to listeners. A start
 * reports steps ("Server requested", "Creating the Unix account", "Server
 * process started, waiting for it to answer") and ends with one last
 * event, ready or failed. The events carry data only: whoever listens
 * decides what they look like on the wire (api.c writes JupyterHub's
 * text/event-stream at /hub/api/users/NAME/server/progress). A listener
 * that comes late gets the steps so far first, so every listener sees
 * the same story.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <sys/queue.h>

struct server;
struct server_listener;

TAILQ_HEAD(server_listener_list, server_listener);

enum server_progress_kind {
	SERVER_PROGRESS_STEP, /* one step of the start; more follow */
	SERVER_PROGRESS_READY, /* last: the server answers at 'url' */
	SERVER_PROGRESS_FAILED, /* last: the start failed or was stopped */
	SERVER_PROGRESS_CLOSED, /* last: gone, nothing to say (end quietly) */
};

/* One event; every pointer is borrowed for the length of the call. */
struct server_progress {
	enum server_progress_kind kind;
	int                       progress; /* 0..100; 100 if last */
	const char               *message; /* "" for CLOSED */
	const char               *url; /* READY: "/user/NAME/"; else NULL */
};

/*
 * A listener. Returns 0 to go on listening, -1 to stop: then it is not
 * called again. It is never called again after a READY, FAILED or CLOSED
 * event either. It may not call back into the server's functions.
 */
typedef int (*server_progress_fn)(void *arg, const struct server_progress *);

/*
 * Calls 'fn' with the steps so far, before returning. If the start is
 * over (the server is ready, failed or being stopped), the last event
 * follows at once too, and 0 is returned. Otherwise 1: 'fn' is called
 * with each new event, from the loop, up to and including a last one.
 * 0 as well if 'fn' returned -1 during the replay.
 */
int server_progress_listen(struct server *, server_progress_fn, void *arg);

/* Stops calling 'fn' with 'arg', if it is listening (the client left);
 * it is not called again, not even with CLOSED. */
void server_progress_unlisten(struct server *, server_progress_fn, void *arg);

/* The latest step of a start in progress: its percentage and message
 * (borrowed from the server); 0 and NULL before the first. */
int server_progress_latest(const struct server *, const char **message);

/*
 * For the server modules (server.c, spawners): report a step,
 * the last event (READY or FAILED, from the server's state and error),
 * or CLOSED to whoever still listens; progress_release() frees the
 * steps kept for late listeners, when the server is freed.
 */
void progress_step(struct server *, int pct, const char *message);
void progress_last(struct server *);
void progress_close(struct server *);
void progress_release(struct server *);

#endif
