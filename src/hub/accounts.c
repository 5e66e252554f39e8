/* SPDX-License-Identifier: MIT */
/*
 * Unix accounts (accounts.h): names, look-ups and useradd. useradd runs
 * as a child with an argv array, its output to the hub's stderr, so the
 * loop goes on while it works (it can take a second on a busy machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "lib/util.h"

/* One useradd run. */
struct account_job {
	uv_process_t proc;
	account_cb   cb;
	void        *arg;
};

static void useradd_close_cb(uv_handle_t *);
static void useradd_exit_cb(uv_process_t *, int64_t, int);

int
account_name(const char *prefix, const char *user, char *out, size_t outlen)
{
	int n;

	n = snprintf(out, outlen, "%s%s", prefix, user);
	if (n < 0 || (size_t)n >= outlen || n > ACCOUNT_NAME_MAX)
		return -1;
	return username_error(out) == NULL ? 0 : -1;
}

int
account_lookup(const char *name, struct passwd **pw)
{
	*pw = getpwnam(name);
	if (*pw == NULL)
		return 0;
	return (*pw)->pw_uid < ACCOUNT_MIN_UID ? -1 : 1;
}

/* Frees the job once libuv lets go of its handle. */
static void
useradd_close_cb(uv_handle_t *h)
{
	free(h->data);
}

static void
useradd_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct account_job *job = p->data;

	/* Call back first: 'job' lives until the close callback. */
	job->cb(job->arg, status, sig);
	uv_close((uv_handle_t *)p, useradd_close_cb);
}

int
account_create(uv_loop_t *loop, const char *name, const char *user,
    account_cb cb, void *arg)
{
	struct account_job  *job;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	char                *home, *comment;
	char                *args[12];
	int                  r;

	home = xasprintf("/home/%s", name);
	comment = xasprintf("rig user %s", user);
	args[0] = (char *)ACCOUNT_USERADD;
	args[1] = (char *)"-m";
	args[2] = (char *)"-U";
	args[3] = (char *)"-s";
	args[4] = (char *)"/bin/bash";
	args[5] = (char *)"-d";
	args[6] = home;
	args[7] = (char *)"-c";
	args[8] = comment;
	args[9] = (char *)"--";
	args[10] = (char *)name;
	args[11] = NULL;
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_IGNORE;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	o.file = args[0];
	o.args = args;
	o.exit_cb = useradd_exit_cb;
	o.stdio = stdio;
	o.stdio_count = 3;
	job = xcalloc(1, sizeof(*job));
	job->cb = cb;
	job->arg = arg;
	job->proc.data = job;
	r = uv_spawn(loop, &job->proc, &o);
	free(home);
	free(comment);
	/* A failed uv_spawn() leaves the handle on the loop: close it. */
	if (r != 0)
		uv_close((uv_handle_t *)&job->proc, useradd_close_cb);
	return r;
}
