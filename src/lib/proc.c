/* SPDX-License-Identifier: MIT */
/*
 * Child processes, in the manner of git's run-command.c: a child is
 * started from an argv array, never a shell string, and either captured
 * or given rig's terminal. proc_capture() runs it in a private libuv
 * loop (pipes for its output, kept in bounded buffers; a timer for its
 * deadline, which sends SIGTERM and then SIGKILL); proc_run() passes
 * rig's standard streams through and ignores ^C in rig while it waits,
 * so the signal reaches the child alone. struct argv builds the arrays;
 * proc_which() finds a program as the shell would.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "log.h"
#include "proc.h"
#include "util.h"

#define DRAIN_MS 2000 /* after exit, wait this long for pipes to end */
#define KILL_MS 2000 /* after SIGTERM at the deadline, SIGKILL */

/* One proc_capture() in progress; every handle is in its private loop. */
struct cap {
	uv_process_t        proc;
	uv_pipe_t           out, err;
	uv_timer_t          timer;
	struct proc_result *res;
	int                 exited, killed, open_pipes;
	char                chunk[65536];
};

static void cap_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void cap_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void cap_exit_cb(uv_process_t *, int64_t, int);
static void cap_timer_cb(uv_timer_t *);
static void cap_pipe_close_cb(uv_handle_t *);
static void cap_maybe_done(struct cap *);
static void run_exit_cb(uv_process_t *, int64_t, int);
static int  spawn(uv_loop_t *, uv_process_t *, char *const *, const char *,
     uv_stdio_container_t *, uv_exit_cb);
static int  exit_status(int64_t, int);

void
argv_init(struct argv *a)
{
	a->cap = 8;
	a->n = 0;
	a->v = xcalloc(a->cap, sizeof(char *));
}

void
argv_add(struct argv *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap *= 2;
		a->v = xrealloc(a->v, a->cap * sizeof(char *));
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

void
argv_addf(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	argv_add(a, s);
	free(s);
}

void
argv_release(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

void
proc_result_init(struct proc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = -1;
	buf_init(&r->out, PROC_OUTPUT_MAX);
	buf_init(&r->err, PROC_OUTPUT_MAX);
}

void
proc_result_release(struct proc_result *r)
{
	buf_release(&r->out);
	buf_release(&r->err);
}

static void
cap_alloc_cb(uv_handle_t *h, size_t size, uv_buf_t *b)
{
	struct cap *c = h->data;

	(void)size;
	b->base = c->chunk;
	b->len = sizeof(c->chunk);
}

/* Output past the limit is read and dropped: a child must not block
 * on a full pipe while rig waits for it to exit. */
static void
cap_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct cap *c = s->data;
	struct buf *dst =
	    s == (uv_stream_t *)&c->out ? &c->res->out : &c->res->err;

	if (n > 0) {
		if (buf_add(dst, b->base, (size_t)n) == -1)
			c->res->overflow = 1;
		return;
	}
	if (n < 0 && !uv_is_closing((uv_handle_t *)s))
		uv_close((uv_handle_t *)s, cap_pipe_close_cb);
}

static void
cap_pipe_close_cb(uv_handle_t *h)
{
	struct cap *c = h->data;

	c->open_pipes--;
	cap_maybe_done(c);
}

/* When the child has exited and its pipes are closed, the timer goes
 * too, and the loop ends. */
static void
cap_maybe_done(struct cap *c)
{
	if (c->exited && c->open_pipes == 0 &&
	    !uv_is_closing((uv_handle_t *)&c->timer))
		uv_close((uv_handle_t *)&c->timer, NULL);
}

static void
cap_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct cap *c = p->data;

	c->res->status = exit_status(status, sig);
	c->exited = 1;
	uv_close((uv_handle_t *)p, NULL);
	/* A grandchild may hold the pipes open (a daemon that kept them):
	 * give it DRAIN_MS, then stop listening. */
	uv_timer_start(&c->timer, cap_timer_cb, DRAIN_MS, 0);
	cap_maybe_done(c);
}

static void
cap_timer_cb(uv_timer_t *t)
{
	struct cap *c = t->data;

	if (c->exited) {
		if (!uv_is_closing((uv_handle_t *)&c->out))
			uv_close((uv_handle_t *)&c->out, cap_pipe_close_cb);
		if (!uv_is_closing((uv_handle_t *)&c->err))
			uv_close((uv_handle_t *)&c->err, cap_pipe_close_cb);
		return;
	}
	c->res->timed_out = 1;
	uv_process_kill(&c->proc, c->killed ? SIGKILL : SIGTERM);
	c->killed = 1;
	uv_timer_start(&c->timer, cap_timer_cb, KILL_MS, 0);
}

/*
 * Starts 'argv' in 'cwd' with the three streams of 'io'. The error is
 * printed; the handle is closed then too (libuv asks for that), so the
 * caller's loop only has to run.
 */
static int
spawn(uv_loop_t *loop, uv_process_t *proc, char *const *argv, const char *cwd,
    uv_stdio_container_t *io, uv_exit_cb exit_cb)
{
	uv_process_options_t o;
	int                  r;

	memset(&o, 0, sizeof(o));
	o.file = argv[0];
	o.args = (char **)argv;
	o.cwd = cwd;
	o.stdio = io;
	o.stdio_count = 3;
	o.exit_cb = exit_cb;
	r = uv_spawn(loop, proc, &o);
	if (r != 0) {
		error("cannot run '%s': %s", argv[0], uv_strerror(r));
		uv_close((uv_handle_t *)proc, NULL);
	}
	return r;
}

/* The shell's way: the exit status, or 128+N for signal N. */
static int
exit_status(int64_t status, int sig)
{
	return sig != 0 ? 128 + sig : (int)status;
}

int
proc_capture(char *const *argv, const char *cwd, int in_fd, int timeout_ms,
    struct proc_result *res)
{
	uv_loop_t            loop;
	uv_stdio_container_t io[3];
	struct cap          *c;
	int                  r;

	c = xcalloc(1, sizeof(*c));
	c->res = res;
	res->status = -1;
	uv_loop_init(&loop);
	uv_pipe_init(&loop, &c->out, 0);
	uv_pipe_init(&loop, &c->err, 0);
	uv_timer_init(&loop, &c->timer);
	c->out.data = c->err.data = c->timer.data = c->proc.data = c;
	memset(io, 0, sizeof(io));
	if (in_fd >= 0) {
		io[0].flags = UV_INHERIT_FD;
		io[0].data.fd = in_fd;
	} else
		io[0].flags = UV_IGNORE;
	io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[1].data.stream = (uv_stream_t *)&c->out;
	io[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[2].data.stream = (uv_stream_t *)&c->err;
	r = spawn(&loop, &c->proc, argv, cwd, io, cap_exit_cb);
	if (r != 0) {
		uv_close((uv_handle_t *)&c->out, NULL);
		uv_close((uv_handle_t *)&c->err, NULL);
		uv_close((uv_handle_t *)&c->timer, NULL);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		free(c);
		return -1;
	}
	c->open_pipes = 2;
	uv_read_start((uv_stream_t *)&c->out, cap_alloc_cb, cap_read_cb);
	uv_read_start((uv_stream_t *)&c->err, cap_alloc_cb, cap_read_cb);
	if (timeout_ms > 0)
		uv_timer_start(&c->timer, cap_timer_cb, (uint64_t)timeout_ms,
		    0);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0)
		log_debug("%s: loop not closed", __func__);
	free(c);
	return 0;
}

/* proc_run()'s child and the signals it passes on to it. */
struct run {
	uv_process_t proc;
	uv_signal_t  sigs[2]; /* SIGTERM, SIGHUP */
	int          status;
};

static void
run_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct run *run = container_of(p, struct run, proc);

	run->status = exit_status(status, sig);
	uv_close((uv_handle_t *)p, NULL);
	for (size_t i = 0; i < nitems(run->sigs); i++)
		uv_close((uv_handle_t *)&run->sigs[i], NULL);
}

/* rig was told to end: so is the child (ssh, with its forwards), which
 * would otherwise outlive it. */
static void
run_signal_cb(uv_signal_t *h, int sig)
{
	struct run *run = h->data;

	uv_process_kill(&run->proc, sig);
}

int
proc_run(char *const *argv, const char *cwd, int out_fd)
{
	static const int     pass[] = { SIGTERM, SIGHUP };
	uv_loop_t            loop;
	struct run           run;
	uv_stdio_container_t io[3];
	struct sigaction     ign, old_int, old_quit;
	int                  r;

	for (int i = 0; i < 3; i++) {
		io[i].flags = UV_INHERIT_FD;
		io[i].data.fd = i;
	}
	if (out_fd >= 0)
		io[1].data.fd = out_fd;
	memset(&run, 0, sizeof(run));
	run.status = -1;
	/* libuv resets every signal to its default in the child. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	uv_loop_init(&loop);
	r = spawn(&loop, &run.proc, argv, cwd, io, run_exit_cb);
	if (r == 0) {
		for (size_t i = 0; i < nitems(run.sigs); i++) {
			uv_signal_init(&loop, &run.sigs[i]);
			run.sigs[i].data = &run;
			uv_signal_start(&run.sigs[i], run_signal_cb, pass[i]);
		}
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return r != 0 ? -1 : run.status;
}

char *
proc_which(const char *name, const char *path)
{
	const char *p, *e;
	char       *cand;

	for (p = path; p != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, ":");
		if (e == p)
			continue;
		cand = xasprintf("%.*s/%s", (int)(e - p), p, name);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}
