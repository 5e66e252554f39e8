/* SPDX-License-Identifier: MIT */
/*
 * progress.c: late listeners get the steps so far, the last event follows
 * at once when the start is over, a listener that says stop is not called
 * again, and nothing comes after a last event.
 */
#include <stdio.h>
#include <string.h>

#include "hub/progress.h"
#include "hub/server.h"
#include "unit.h"

static int  record(void *, const struct server_progress *);
static void server_init(struct server *);

/* What a listener saw, as "kind:pct:message" lines. */
struct seen {
	char text[1024];
	int  calls;
	int  stop_after; /* return -1 on this call (1-based); 0 never */
};

static int
record(void *arg, const struct server_progress *p)
{
	struct seen *s = arg;
	size_t       len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%d:%d:%s%s%s\n",
	    (int)p->kind, p->progress, p->message, p->url ? " " : "",
	    p->url ? p->url : "");
	s->calls++;
	return s->calls == s->stop_after ? -1 : 0;
}

static void
server_init(struct server *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "alice");
	snprintf(s->url, sizeof(s->url), "/user/alice/");
	s->state = SERVER_PENDING;
	TAILQ_INIT(&s->listeners);
}

TEST(progress_replay_then_live)
{
	struct server s;
	struct seen   a = { "", 0, 0 }, b = { "", 0, 0 };

	server_init(&s);
	progress_step(&s, 0, "Server requested");
	ASSERT_EQ(server_progress_listen(&s, record, &a), 1);
	ASSERT_STR_EQ(a.text, "0:0:Server requested\n");
	progress_step(&s, 50, "started");
	ASSERT_EQ(server_progress_listen(&s, record, &b), 1);
	ASSERT_STR_EQ(b.text, "0:0:Server requested\n0:50:started\n");
	s.state = SERVER_READY;
	progress_last(&s);
	ASSERT_STR_EQ(a.text,
	    "0:0:Server requested\n0:50:started\n"
	    "1:100:Server ready at /user/alice/ /user/alice/\n");
	ASSERT_EQ(b.calls, 3);
	/* Done: nothing after the last event. */
	progress_step(&s, 60, "late");
	progress_close(&s);
	ASSERT_EQ(a.calls, 3);
	ASSERT_EQ(server_progress_latest(&s, &(const char *){ NULL }), 60);
	progress_release(&s);
}

/* A named server's ready event points at its own prefix. */
TEST(progress_named_server_url)
{
	struct server s;
	struct seen   a = { "", 0, 0 };

	server_init(&s);
	snprintf(s.srv, sizeof(s.srv), "gpu");
	snprintf(s.url, sizeof(s.url), "/user/alice/gpu/");
	ASSERT_EQ(server_progress_listen(&s, record, &a), 1);
	s.state = SERVER_READY;
	progress_last(&s);
	ASSERT_STR_EQ(a.text,
	    "1:100:Server ready at /user/alice/gpu/ /user/alice/gpu/\n");
	progress_release(&s);
}

TEST(progress_over_already)
{
	struct server s;
	struct seen   a = { "", 0, 0 };

	server_init(&s);
	progress_step(&s, 0, "Server requested");
	s.state = SERVER_FAILED;
	s.error = (char *)"command not found: x";
	ASSERT_EQ(server_progress_listen(&s, record, &a), 0);
	ASSERT_STR_EQ(a.text,
	    "0:0:Server requested\n"
	    "2:100:Spawn failed: command not found: x\n");
	s.error = NULL;
	ASSERT(TAILQ_EMPTY(&s.listeners));
	progress_release(&s);
}

TEST(progress_stop_and_unlisten)
{
	struct server s;
	struct seen   a = { "", 0, 2 }, b = { "", 0, 0 }, c = { "", 0, 1 };
	const char   *msg;

	server_init(&s);
	ASSERT_EQ(server_progress_latest(&s, &msg), 0);
	ASSERT_NULL(msg);
	progress_step(&s, 0, "one");
	/* Stops during the replay: not subscribed. */
	ASSERT_EQ(server_progress_listen(&s, record, &c), 0);
	ASSERT_EQ(server_progress_listen(&s, record, &a), 1);
	ASSERT_EQ(server_progress_listen(&s, record, &b), 1);
	progress_step(&s, 10, "two");
	progress_step(&s, 50, "three");
	ASSERT_EQ(a.calls, 2);
	ASSERT_EQ(b.calls, 3);
	server_progress_unlisten(&s, record, &b);
	progress_close(&s);
	ASSERT_EQ(b.calls, 3);
	ASSERT_EQ(c.calls, 1);
	ASSERT_EQ(server_progress_latest(&s, &msg), 50);
	ASSERT_STR_EQ(msg, "three");
	progress_release(&s);
}

TEST(progress_closed)
{
	struct server s;
	struct seen   a = { "", 0, 0 };

	server_init(&s);
	ASSERT_EQ(server_progress_listen(&s, record, &a), 1);
	progress_close(&s);
	ASSERT_STR_EQ(a.text, "3:0:\n");
	ASSERT(TAILQ_EMPTY(&s.listeners));
	progress_release(&s);
}
