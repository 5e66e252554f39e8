/* SPDX-License-Identifier: MIT */
/*
 * The last unasked end of each user's server (serverend.h).
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "serverend.h"
#include "lib/util.h"

struct end {
	char *name;
	char *why;
	TAILQ_ENTRY(end) entry; /* oldest first */
};
TAILQ_HEAD(ends, end);

static struct ends ends = TAILQ_HEAD_INITIALIZER(ends);
static size_t      count;

static struct end *find(const char *);
static void        drop(struct end *);

static struct end *
find(const char *name)
{
	struct end *e;

	TAILQ_FOREACH(e, &ends, entry)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void
drop(struct end *e)
{
	TAILQ_REMOVE(&ends, e, entry);
	free(e->name);
	free(e->why);
	free(e);
	count--;
}

void
serverend_note(const char *name, const char *why)
{
	struct end *e = find(name);

	if (e != NULL)
		drop(e);
	if (count == SERVEREND_MAX)
		drop(TAILQ_FIRST(&ends));
	e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(name);
	e->why = xstrdup(why);
	TAILQ_INSERT_TAIL(&ends, e, entry);
	count++;
}

const char *
serverend_why(const char *name)
{
	struct end *e = find(name);

	return e != NULL ? e->why : NULL;
}

void
serverend_clear(const char *name)
{
	struct end *e = find(name);

	if (e != NULL)
		drop(e);
}

void
serverend_release(void)
{
	while (!TAILQ_EMPTY(&ends))
		drop(TAILQ_FIRST(&ends));
}
