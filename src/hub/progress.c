/* SPDX-License-Identifier: MIT */
/*
 * Progress events of a server's start (progress.h). The steps of the
 * current start are kept in the server (at most SERVER_MAX_EVENTS) for
 * listeners that come late and for the spawn page; the last event is not
 * kept but made again from the server's state whenever it is asked for,
 * since the state is what it reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "progress.h"
#include "server.h"

struct server_listener {
	server_progress_fn fn;
	void              *arg;
	TAILQ_ENTRY(server_listener) entry;
};

static void deliver(struct server *, const struct server_progress *);
static void last_event(const struct server *, struct server_progress *,
    char *url, size_t urllen, char **msg);

/* Calls every listener with 'ev'; drops those done listening. */
static void
deliver(struct server *s, const struct server_progress *ev)
{
	struct server_listener *l, *next;

	for (l = TAILQ_FIRST(&s->listeners); l != NULL; l = next) {
		next = TAILQ_NEXT(l, entry);
		if (l->fn(l->arg, ev) == -1 ||
		    ev->kind != SERVER_PROGRESS_STEP) {
			TAILQ_REMOVE(&s->listeners, l, entry);
			free(l);
		}
	}
}

/* The last event as the server's state says: ready if it is, else
 * failed with the reason. *msg is the caller's to free. */
static void
last_event(const struct server *s, struct server_progress *ev, char *url,
    size_t urllen, char **msg)
{
	snprintf(url, urllen, "%s", s->url);
	memset(ev, 0, sizeof(*ev));
	ev->progress = 100;
	if (s->state == SERVER_READY) {
		*msg = xasprintf("Server ready at %s", url);
		ev->kind = SERVER_PROGRESS_READY;
		ev->url = url;
	} else {
		*msg = xasprintf("Spawn failed: %s",
		    s->error ? s->error : "stopped");
		ev->kind = SERVER_PROGRESS_FAILED;
	}
	ev->message = *msg;
}

int
server_progress_listen(struct server *s, server_progress_fn fn, void *arg)
{
	struct server_progress  ev;
	struct server_listener *l;
	char                    url[sizeof(s->url)], *msg;
	int                     r;

	for (int i = 0; i < s->nev; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = SERVER_PROGRESS_STEP;
		ev.progress = s->ev[i].progress;
		ev.message = s->ev[i].message;
		if (fn(arg, &ev) == -1)
			return 0;
	}
	if (s->state != SERVER_PENDING) {
		last_event(s, &ev, url, sizeof(url), &msg);
		r = fn(arg, &ev);
		free(msg);
		(void)r; /* the last event: it is done either way */
		return 0;
	}
	l = xcalloc(1, sizeof(*l));
	l->fn = fn;
	l->arg = arg;
	TAILQ_INSERT_TAIL(&s->listeners, l, entry);
	return 1;
}

void
server_progress_unlisten(struct server *s, server_progress_fn fn, void *arg)
{
	struct server_listener *l;

	TAILQ_FOREACH(l, &s->listeners, entry) {
		if (l->fn == fn && l->arg == arg) {
			TAILQ_REMOVE(&s->listeners, l, entry);
			free(l);
			return;
		}
	}
}

int
server_progress_latest(const struct server *s, const char **message)
{
	if (s->nev == 0) {
		*message = NULL;
		return 0;
	}
	*message = s->ev[s->nev - 1].message;
	return s->ev[s->nev - 1].progress;
}

void
progress_step(struct server *s, int pct, const char *message)
{
	struct server_progress ev;

	if (s->nev < SERVER_MAX_EVENTS) {
		s->ev[s->nev].progress = pct;
		s->ev[s->nev].message = xstrdup(message);
		s->nev++;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = SERVER_PROGRESS_STEP;
	ev.progress = pct;
	ev.message = message;
	deliver(s, &ev);
}

void
progress_last(struct server *s)
{
	struct server_progress ev;
	char                   url[sizeof(s->url)], *msg;

	last_event(s, &ev, url, sizeof(url), &msg);
	deliver(s, &ev);
	free(msg);
}

void
progress_close(struct server *s)
{
	struct server_progress ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = SERVER_PROGRESS_CLOSED;
	ev.message = "";
	deliver(s, &ev);
}

void
progress_release(struct server *s)
{
	struct server_listener *l;

	while ((l = TAILQ_FIRST(&s->listeners)) != NULL) {
		TAILQ_REMOVE(&s->listeners, l, entry);
		free(l);
	}
	for (int i = 0; i < s->nev; i++)
		free(s->ev[i].message);
	s->nev = 0;
}
