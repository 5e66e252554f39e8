/* SPDX-License-Identifier: MIT */
/*
 * Commands run as an account, their output captured (runas.h). The
 * child's standard output and error are one end of a socketpair; the
 * hub reads the other to its end, and calls back once both the output
 * ended and the process exited.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "priv.h"
#include "runas.h"
#include "lib/banned.h"

struct runas {
	uv_process_t proc; /* in-process only */
	uv_pipe_t    pipe;
	struct hub  *hub;
	struct buf   out;
	int          have_proc, eof, exited, done, cut, handles;
	int64_t      status;
	runas_cb     cb;
	void        *arg;
};

static char *const runas_env[] = { (char *)"PATH=/usr/bin:/bin", NULL };

static void
close_cb(uv_handle_t *h)
{
	struct runas *r = h->data;

	if (--r->handles > 0)
		return;
	buf_release(&r->out);
	free(r);
}

/* The callback once the output ended and the process exited. */
static void
check(struct runas *r)
{
	if (r->done || !r->eof || !r->exited)
		return;
	r->done = 1;
	if (r->cb != NULL)
		r->cb(r->arg, 0, r->status, buf_str(&r->out), r->out.len,
		    r->cut);
	if (!uv_is_closing((uv_handle_t *)&r->pipe))
		uv_close((uv_handle_t *)&r->pipe, close_cb);
	if (r->have_proc && !uv_is_closing((uv_handle_t *)&r->proc))
		uv_close((uv_handle_t *)&r->proc, close_cb);
}

static void
alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	static char chunk[65536];

	(void)h;
	(void)hint;
	b->base = chunk;
	b->len = sizeof(chunk);
}

static void
read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct runas *r = st->data;

	if (n > 0) {
		/* Past the limit the rest is dropped, still read to the end
		 * so the child is not stuck writing. */
		if (buf_add(&r->out, b->base, (size_t)n) == -1)
			r->cut = 1;
		return;
	}
	if (n == 0)
		return;
	uv_read_stop(st);
	r->eof = 1;
	check(r);
}

static void
helper_exit_cb(void *arg, int64_t status, int sig)
{
	struct runas *r = arg;

	r->status = sig != 0 ? 128 + sig : status;
	r->exited = 1;
	check(r);
}

static void
exit_cb(uv_process_t *p, int64_t status, int sig)
{
	helper_exit_cb(p->data, status, sig);
}

/* The start's outcome: a failed one calls back at once. */
static void
spawned_cb(void *arg, int rv, int pid)
{
	struct runas *r = arg;

	(void)pid;
	if (rv == 0)
		return;
	r->done = 1;
	if (r->cb != NULL)
		r->cb(r->arg, rv, 0, "", 0, 0);
	r->cb = NULL;
	/* Through the helper this comes after runas_start() returned: the
	 * pipe goes here. In-process, runas_start() closes both. */
	if (!r->have_proc)
		uv_close((uv_handle_t *)&r->pipe, close_cb);
}

int
runas_start(struct hub *hub, const char *account, char *const *argv,
    size_t max_out, runas_cb cb, void *arg)
{
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	struct runas        *r;
	int                  fds[2], rv;

	/* Without the helper, a root hub would run it as root: never. */
	if (account != NULL && !priv_active(hub)) {
		if (geteuid() == 0)
			return UV_EPERM;
		account = NULL;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1)
		return uv_translate_sys_error(errno);
	r = xcalloc(1, sizeof(*r));
	r->hub = hub;
	r->cb = cb;
	r->arg = arg;
	buf_init(&r->out, max_out);
	uv_pipe_init(hub->loop, &r->pipe, 0);
	r->pipe.data = r;
	r->handles = 1;
	rv = uv_pipe_open(&r->pipe, fds[0]);
	if (rv != 0) {
		close(fds[0]);
		close(fds[1]);
		uv_close((uv_handle_t *)&r->pipe, close_cb);
		return rv;
	}
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = fds[1];
	stdio[2] = stdio[1];
	o.file = argv[0];
	o.args = (char **)argv;
	o.env = (char **)runas_env;
	o.cwd = "/";
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = exit_cb;
	r->proc.data = r;
	if (account != NULL) {
		rv = priv_spawn(hub, account, &o, NULL, &r->proc, spawned_cb,
		    helper_exit_cb, r);
	} else {
		r->have_proc = 1;
		r->handles++;
		rv = uv_spawn(hub->loop, &r->proc, &o);
		spawned_cb(r, rv, 0);
		rv = 0; /* said through the callback */
	}
	r->proc.data = r;
	close(fds[1]);
	if (rv != 0) {
		/* Nothing started, and no callback came or will. */
		r->cb = NULL;
		uv_close((uv_handle_t *)&r->pipe, close_cb);
		if (r->have_proc)
			uv_close((uv_handle_t *)&r->proc, close_cb);
		return rv;
	}
	if (r->done) {
		/* It failed to start and said so: the handles go. */
		uv_close((uv_handle_t *)&r->pipe, close_cb);
		if (r->have_proc)
			uv_close((uv_handle_t *)&r->proc, close_cb);
		return 0;
	}
	uv_read_start((uv_stream_t *)&r->pipe, alloc_cb, read_cb);
	return 0;
}
