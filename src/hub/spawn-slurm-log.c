/* SPDX-License-Identifier: MIT */
/*
 * The job's output (its --output file, SLURM_LOG in the user's home on the
 * shared storage) for the spawn page while a start waits, and for the
 * page of a failed start (spawn-slurm-internal.h). The hub cannot read a
 * user's home ('rig'), so tail reads it as the account, through the
 * helper, at most once a second per server and one at a time; the page
 * shows the last copy.
 */
#include <sys/queue.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "accounts.h"
#include "hub.h"
#include "lib/util.h"
#include "server.h"
#include "spawn-slurm-internal.h"
#include "spawn-slurm-run.h"

#define TAIL "/usr/bin/tail"
#define LOG_BYTES "8192" /* the end of the file read */
#define FETCH_MS 1000

struct joblog {
	const struct server *s; /* not referenced: dropped by forget */
	char                *text; /* the last copy, "" before */
	uint64_t             fetched_ms;
	int                  fetching;
	LIST_ENTRY(joblog) entry;
};

static LIST_HEAD(, joblog) logs = LIST_HEAD_INITIALIZER(logs);

static struct joblog *log_of(const struct server *, int);
static void           fetch_cb(void *, int, int64_t, const char *);

static struct joblog *
log_of(const struct server *s, int make)
{
	struct joblog *l;

	LIST_FOREACH(l, &logs, entry)
		if (l->s == s)
			return l;
	if (!make)
		return NULL;
	l = xcalloc(1, sizeof(*l));
	l->s = s;
	l->text = xstrdup("");
	LIST_INSERT_HEAD(&logs, l, entry);
	return l;
}

void
slurm_log_fetch(struct server *s)
{
	struct joblog *l = log_of(s, 1);
	char           acct[ACCOUNT_NAME_MAX + 1], *path, name[SLURM_LOG_MAX];
	char          *argv[] = { (char *)TAIL, (char *)"-c", (char *)LOG_BYTES,
		         (char *)"--", NULL, NULL };
	char          *env[] = { (char *)"PATH=" SLURM_SAFE_PATH, NULL };
	struct passwd *pw;

	if (l->fetching || now_ms() - l->fetched_ms < FETCH_MS ||
	    slurm_account_of(s, acct, sizeof(acct)) == -1 ||
	    (pw = getpwnam(acct)) == NULL)
		return;
	slurm_log_name(s, name);
	path = xasprintf("%s/%s", pw->pw_dir, name);
	argv[4] = path;
	l->fetched_ms = now_ms();
	server_ref(s);
	if (slurm_run(s->hub, s->hub->is_root ? acct : NULL, argv,
	        s->hub->is_root ? env : NULL, "/", NULL, fetch_cb, s) == 0)
		l->fetching = 1;
	else
		server_unref(s);
	free(path);
}

/* tail's answer: the new copy, if it read the file. */
static void
fetch_cb(void *arg, int r, int64_t status, const char *out)
{
	struct server *s = arg;
	struct joblog *l = log_of(s, 0);

	if (l != NULL) {
		l->fetching = 0;
		if (r == 0 && status == 0) {
			free(l->text);
			l->text = xstrdup(out);
		}
	}
	server_unref(s);
}

char *
slurm_log_get(const struct server *s, int lines)
{
	struct joblog *l = log_of(s, 0);
	const char    *p;

	if (l == NULL)
		return xstrdup("");
	/* The last 'lines' lines of the copy. */
	p = l->text + strlen(l->text);
	if (p > l->text && p[-1] == '\n')
		p--;
	while (p > l->text && lines > 0) {
		p--;
		if (*p == '\n' && --lines == 0) {
			p++;
			break;
		}
	}
	return xstrdup(p);
}

void
slurm_log_forget(const struct server *s)
{
	struct joblog *l = log_of(s, 0);

	if (l == NULL)
		return;
	LIST_REMOVE(l, entry);
	free(l->text);
	free(l);
}
