/* SPDX-License-Identifier: MIT */
/*
 * A command run as an account or as the hub, read to the end (cmdrun.h).
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "hub.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "priv.h"
#include "cmdrun.h"
#include "slurm-ask.h"

struct run {
	uv_process_t  proc; /* a child of the hub (not through the helper) */
	uv_pipe_t     pipe; /* the hub's end of the socketpair */
	uv_write_t    wreq;
	uv_shutdown_t sreq;
	struct hub   *hub;
	struct buf    out;
	char         *input; /* for its stdin; then shut */
	const char   *file; /* argv[0], for messages */
	int           have_proc, eof, exited, handles, done, cut, listed;
	int64_t       status;
	cmdrun_cb     cb;
	void         *arg;
	LIST_ENTRY(run) entry; /* if listed: let go by cmdrun_release() */
};

static LIST_HEAD(, run) runs = LIST_HEAD_INITIALIZER(runs);

static void unlist(struct run *);
static void run_check(struct run *);
static void run_close_cb(uv_handle_t *);
static void run_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void run_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void run_write_cb(uv_write_t *, int);
static void run_shutdown_cb(uv_shutdown_t *, int);
static void run_exit_cb(uv_process_t *, int64_t, int);
static void run_helper_exit_cb(void *, int64_t, int);
static void run_spawned_cb(void *, int, int);

static void
unlist(struct run *r)
{
	if (r->listed)
		LIST_REMOVE(r, entry);
	r->listed = 0;
}

static void
run_close_cb(uv_handle_t *h)
{
	struct run *r = h->data;

	if (--r->handles > 0)
		return;
	buf_release(&r->out);
	free(r->input);
	free(r);
}

/* Done once the output ended and the process exited: the callback, then
 * the handles go. */
static void
run_check(struct run *r)
{
	if (r->done || !r->eof || !r->exited)
		return;
	r->done = 1;
	unlist(r);
	if (r->cb != NULL)
		r->cb(r->arg, 0, r->status, buf_str(&r->out), r->out.len,
		    r->cut);
	if (!uv_is_closing((uv_handle_t *)&r->pipe))
		uv_close((uv_handle_t *)&r->pipe, run_close_cb);
	if (r->have_proc && !uv_is_closing((uv_handle_t *)&r->proc))
		uv_close((uv_handle_t *)&r->proc, run_close_cb);
}

/* Every read lands here, then is copied to its run's output. */
static char read_chunk[16384];

static void
run_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	(void)h;
	(void)hint;
	b->base = read_chunk;
	b->len = sizeof(read_chunk);
}

static void
run_read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct run *r = st->data;

	if (n > 0) {
		/* Past the limit the rest is dropped, still read to the end
		 * so that the child is not stuck writing. */
		if (buf_add(&r->out, b->base, (size_t)n) == -1)
			r->cut = 1;
		if (r->out.secret)
			explicit_bzero(b->base, (size_t)n);
		return;
	}
	if (n == 0)
		return;
	uv_read_stop(st);
	r->eof = 1;
	run_check(r);
}

static void
run_write_cb(uv_write_t *w, int status)
{
	struct run *r = w->data;

	if (status == 0 &&
	    uv_shutdown(&r->sreq, (uv_stream_t *)&r->pipe, run_shutdown_cb) ==
	        0)
		return;
	/* The tool reads its end to EOF: it sees the error as one. */
	if (status != 0 && status != UV_ECANCELED)
		log_warnx("cannot write to %s: %s", r->file,
		    uv_strerror(status));
}

static void
run_shutdown_cb(uv_shutdown_t *s, int status)
{
	(void)s;
	(void)status;
}

static void
run_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	run_helper_exit_cb(p->data, status, sig);
}

static void
run_helper_exit_cb(void *arg, int64_t status, int sig)
{
	struct run *r = arg;

	r->status = sig != 0 ? 128 + sig : status;
	r->exited = 1;
	run_check(r);
}

/* The start's outcome; a failed one ends the run at once. */
static void
run_spawned_cb(void *arg, int rv, int pid)
{
	struct run *r = arg;

	(void)pid;
	if (rv == 0)
		return;
	r->status = rv;
	r->exited = 1;
	r->eof = 1;
	r->done = 1;
	unlist(r);
	if (r->cb != NULL)
		r->cb(r->arg, rv, 0, "", 0, 0);
	r->cb = NULL;
	/* Closed when run_start() returns (the in-process case calls back
	 * before it does) or here, with the helper. */
	if (priv_active(r->hub)) {
		uv_close((uv_handle_t *)&r->pipe, run_close_cb);
	}
}

int
cmdrun_start(struct hub *hub, const struct cmdrun *c, cmdrun_cb cb, void *arg)
{
	const char          *account = c->account;
	const char          *qargv[SLURM_ASK_ARGV_MAX];
	char                 qid[24];
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	struct run          *r;
	int                  fds[2], rv;

	if (c->question != SLURM_Q_NONE &&
	    (c->account != NULL ||
	        slurm_ask_argv(c->question, c->job, qid, qargv) == -1))
		return UV_EINVAL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1)
		return uv_translate_sys_error(errno);
	r = xcalloc(1, sizeof(*r));
	r->hub = hub;
	r->cb = cb;
	r->arg = arg;
	r->file = c->question != SLURM_Q_NONE ? qargv[0] : c->argv[0];
	buf_init(&r->out, c->max_out);
	if (c->secret_out)
		buf_secret(&r->out);
	uv_pipe_init(hub->loop, &r->pipe, 0);
	r->pipe.data = r;
	r->handles = 1;
	rv = uv_pipe_open(&r->pipe, fds[0]);
	if (rv != 0) {
		close(fds[0]);
		close(fds[1]);
		uv_close((uv_handle_t *)&r->pipe, run_close_cb);
		return rv;
	}
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = fds[1];
	stdio[2] = stdio[1];
	if (c->input != NULL)
		stdio[0] = stdio[1];
	o.file = r->file;
	o.args =
	    c->question != SLURM_Q_NONE ? (char **)qargv : (char **)c->argv;
	o.env = (char **)c->env;
	o.cwd = c->cwd;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = run_exit_cb;
	r->proc.data = r;
	if (c->release_at_stop) {
		LIST_INSERT_HEAD(&runs, r, entry);
		r->listed = 1;
	}
	if (c->question != SLURM_Q_NONE && priv_active(hub)) {
		rv = priv_slurm_ask(hub, c->question, c->job, fds[1],
		    run_spawned_cb, run_helper_exit_cb, r);
	} else if (account != NULL) {
		/* Without the helper priv_spawn() is uv_spawn() here. */
		if (!priv_active(hub)) {
			r->have_proc = 1;
			r->handles++;
		}
		rv = priv_spawn(hub, account, &o, NULL, &r->proc,
		    run_spawned_cb, run_helper_exit_cb, r);
		r->proc.data = r;
	} else {
		rv = uv_spawn(hub->loop, &r->proc, &o);
		r->proc.data = r;
		r->have_proc = 1;
		r->handles++;
		run_spawned_cb(r, rv, 0);
		rv = 0; /* said through the callback */
	}
	close(fds[1]);
	if (rv != 0) {
		/* Nothing started, and no callback came or will. */
		unlist(r);
		r->cb = NULL;
		uv_close((uv_handle_t *)&r->pipe, run_close_cb);
		if (r->have_proc)
			uv_close((uv_handle_t *)&r->proc, run_close_cb);
		return rv;
	}
	if (r->done) {
		/* It failed to start, and said so: the handles go. */
		if (!uv_is_closing((uv_handle_t *)&r->pipe))
			uv_close((uv_handle_t *)&r->pipe, run_close_cb);
		if (r->have_proc)
			uv_close((uv_handle_t *)&r->proc, run_close_cb);
		return 0;
	}
	uv_read_start((uv_stream_t *)&r->pipe, run_alloc_cb, run_read_cb);
	if (c->input != NULL) {
		uv_buf_t b;

		r->input = xstrdup(c->input);
		b = uv_buf_init(r->input, (unsigned)strlen(r->input));
		r->wreq.data = r;
		if (uv_write(&r->wreq, (uv_stream_t *)&r->pipe, &b, 1,
		        run_write_cb) != 0)
			log_warnx("cannot write to %s", r->file);
	}
	return 0;
}

void
cmdrun_release(void)
{
	struct run *r;

	while ((r = LIST_FIRST(&runs)) != NULL) {
		unlist(r);
		r->done = 1;
		if (r->cb != NULL)
			r->cb(r->arg, UV_ECANCELED, 0, "", 0, 0);
		r->cb = NULL;
		if (!uv_is_closing((uv_handle_t *)&r->pipe))
			uv_close((uv_handle_t *)&r->pipe, run_close_cb);
		if (r->have_proc && !uv_is_closing((uv_handle_t *)&r->proc))
			uv_close((uv_handle_t *)&r->proc, run_close_cb);
	}
}
