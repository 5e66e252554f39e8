/* SPDX-License-Identifier: MIT */
/*
 * Servers' output into capped log files (serverlog.h). The writes to the
 * file are plain write(2) calls on the loop's thread: a local file takes
 * a pipe's worth (64 KiB) in microseconds, and a full disk only loses the
 * log's lines, never blocks.
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "serverlog.h"
#include "lib/banned.h"

#define SERVERLOG_READ 65536 /* a pipe's capacity */

/* One server's copy, from its pipe to its file. */
struct serverlog {
	uv_pipe_t pipe; /* freed only in copy_close_cb */
	int       fd; /* the log file, or -1 after an error */
	char     *path;
	uint64_t  half; /* NAME.log's cap: half of server_log_max */
	uint64_t  size; /* of NAME.log */
	int       warned; /* a write error was logged */
	LIST_ENTRY(serverlog) entry;
};

static LIST_HEAD(, serverlog) copies = LIST_HEAD_INITIALIZER(copies);

/* A server's stdout opened before the drop (serverlog_preopen()). */
struct preopened {
	int pid;
	int fd;
	LIST_ENTRY(preopened) entry;
};

static LIST_HEAD(, preopened) preopened = LIST_HEAD_INITIALIZER(preopened);
static char readbuf[SERVERLOG_READ]; /* one read at a time: the loop's */

static int  open_log(struct serverlog *, int truncate);
static void rotate(struct serverlog *);
static void append(struct serverlog *, const char *, size_t);
static void alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void copy_close_cb(uv_handle_t *);
static void copy_close(struct serverlog *);
static int  copy_start(uv_loop_t *, int, const char *, uint64_t, int);

/* Opens NAME.log for appending (emptied if 'truncate'); -1 on error. */
static int
open_log(struct serverlog *l, int truncate)
{
	struct stat st;

	l->fd = open(l->path,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW |
	        (truncate ? O_TRUNC : 0),
	    0600);
	if (l->fd == -1) {
		log_warn("cannot open %s", l->path);
		return -1;
	}
	l->size = fstat(l->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

/* NAME.log is full: it becomes NAME.log.1, and a new one begins. */
static void
rotate(struct serverlog *l)
{
	char *old = xasprintf("%s.1", l->path);

	close(l->fd);
	l->fd = -1;
	if (rename(l->path, old) == -1)
		log_warn("cannot rename %s", l->path);
	free(old);
	(void)open_log(l, 1);
}

static void
append(struct serverlog *l, const char *p, size_t n)
{
	while (n > 0 && l->fd != -1) {
		size_t  k;
		ssize_t w;

		if (l->size >= l->half) {
			rotate(l);
			continue;
		}
		k = n < l->half - l->size ? n : (size_t)(l->half - l->size);
		w = write(l->fd, p, k);
		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			if (!l->warned)
				log_warn("cannot write %s (output dropped)",
				    l->path);
			l->warned = 1;
			return;
		}
		l->size += (uint64_t)w;
		p += w;
		n -= (size_t)w;
	}
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h, (void)suggested;
	buf->base = readbuf;
	buf->len = sizeof(readbuf);
}

static void
read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct serverlog *l = container_of(st, struct serverlog, pipe);

	if (n > 0) {
		append(l, buf->base, (size_t)n);
		return;
	}
	if (n < 0) /* UV_EOF: every writer is gone */
		copy_close(l);
}

static void
copy_close_cb(uv_handle_t *h)
{
	struct serverlog *l = container_of(h, struct serverlog, pipe);

	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	free(l);
}

static void
copy_close(struct serverlog *l)
{
	if (uv_is_closing((uv_handle_t *)&l->pipe))
		return;
	LIST_REMOVE(l, entry);
	uv_close((uv_handle_t *)&l->pipe, copy_close_cb);
}

/* A copy from pipe 'fd' into 'path'; NAME.log is emptied if 'fresh'. */
static int
copy_start(uv_loop_t *loop, int fd, const char *path, uint64_t max, int fresh)
{
	struct serverlog *l = xcalloc(1, sizeof(*l));
	int               r;

	l->path = xstrdup(path);
	l->half = max / 2;
	if (open_log(l, fresh) == -1) {
		close(fd);
		free(l->path);
		free(l);
		return -1;
	}
	uv_pipe_init(loop, &l->pipe, 0);
	LIST_INSERT_HEAD(&copies, l, entry);
	r = uv_pipe_open(&l->pipe, fd);
	if (r != 0)
		close(fd); /* not the handle's: ours to close */
	else
		r = uv_read_start((uv_stream_t *)&l->pipe, alloc_cb, read_cb);
	if (r != 0) {
		log_warnx("cannot read the output for %s: %s", path,
		    uv_strerror(r));
		copy_close(l);
		return -1;
	}
	return 0;
}

int
serverlog_start(uv_loop_t *loop, int fd, const char *path, uint64_t max)
{
	return copy_start(loop, fd, path, max, 1);
}

/* Process 'pid''s stdout pipe, a new read end of it; -1 if not a pipe. */
static int
open_stdout(int pid)
{
	char        proc[64];
	struct stat st;

	snprintf(proc, sizeof(proc), "/proc/%d/fd/1", pid);
	/* Opening a pipe's /proc link gives a new end of the same pipe. */
	if (stat(proc, &st) == -1 || !S_ISFIFO(st.st_mode))
		return -1;
	return open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

void
serverlog_preopen(int pid)
{
	struct preopened *p;
	int               fd;

	if (pid <= 1 || (fd = open_stdout(pid)) == -1)
		return;
	p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->fd = fd;
	LIST_INSERT_HEAD(&preopened, p, entry);
}

void
serverlog_preopen_release(void)
{
	struct preopened *p;

	while ((p = LIST_FIRST(&preopened)) != NULL) {
		LIST_REMOVE(p, entry);
		close(p->fd);
		free(p);
	}
}

int
serverlog_reattach(uv_loop_t *loop, int pid, const char *path, uint64_t max)
{
	struct preopened *p;
	int               fd = -1;

	LIST_FOREACH(p, &preopened, entry)
		if (p->pid == pid)
			break;
	if (p != NULL) {
		fd = p->fd;
		LIST_REMOVE(p, entry);
		free(p);
	} else
		fd = open_stdout(pid);
	if (fd == -1)
		return -1;
	return copy_start(loop, fd, path, max, 0);
}

void
serverlog_note(const char *path, const char *fmt, ...)
{
	va_list ap;
	char    line[512];
	int     fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1)
		return;
	if (write(fd, "[rig] ", 6) != 6 || write(fd, line, (size_t)n) != n)
		log_warn("cannot write %s", path);
	close(fd);
}

void
serverlogs_release(void)
{
	while (!LIST_EMPTY(&copies))
		copy_close(LIST_FIRST(&copies));
}
