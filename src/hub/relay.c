/* SPDX-License-Identifier: MIT */
/*
 * Splice relay: source socket -> pipe -> destination socket, the kernel
 * moving page references instead of user space copying bytes twice.
 *
 * Most bodies are in the source's socket buffer already, or nearly: the
 * relay moves what it can at once, and makes a dup and a poll handle for a
 * side only when that side first blocks (seven system calls each, made,
 * polled and undone).
 *
 * Which side is watched: the source only while the pipe is empty and bytes
 * are still to come, the destination only while the pipe holds bytes it
 * refused (EAGAIN). A pipe is counted in slots as well as in bytes (a
 * socket's pages may take a slot each), so its room cannot be known from a
 * byte count: a splice into it that finds nothing to do while it holds
 * bytes is taken as "full", and the source waits until the destination
 * takes some. Watching a readable source whose bytes do not fit would spin.
 *
 * Empty pipes are kept for the next relay (a few): a new one costs
 * pipe2, two fcntl and two close calls, and a size change in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "relay.h"
#include "lib/util.h"

#define RELAY_PIPE_SIZE (256 * 1024) /* asked for; the default is 64 KiB */
#define RELAY_PIPES_KEPT 16

struct relay {
	uv_poll_t      src_poll; /* on src_dup */
	uv_poll_t      dst_poll; /* on dst_dup */
	uv_loop_t     *loop;
	int            from, to; /* borrowed */
	int            src_dup, dst_dup; /* ours; -1 until needed */
	int            pipe[2]; /* read end, write end */
	size_t         pipe_size;
	size_t         in_pipe; /* bytes in it */
	uint64_t       left; /* to take from the source */
	int            until_eof;
	int            took; /* any byte taken from the source */
	int            watch_src, watch_dst; /* poll started */
	int            handles; /* poll handles open */
	int            stopped;
	relay_moved_cb moved_cb;
	relay_end_cb   end_cb;
	void          *arg;
};

struct spare_pipe {
	int    fd[2];
	size_t size;
};

static struct spare_pipe spares[RELAY_PIPES_KEPT];
static size_t            nspares;
static int               refused; /* splice failed as unsupported once */

static void pump(struct relay *);
static int  poll_init(struct relay *, uv_poll_t *, int fd, int *dup_fd);

static int
pipe_get(struct relay *r)
{
	int n;

	if (nspares > 0) {
		nspares--;
		memcpy(r->pipe, spares[nspares].fd, sizeof(r->pipe));
		r->pipe_size = spares[nspares].size;
		return 0;
	}
	if (pipe2(r->pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	/* Refused past the user's pipe quota (pipe-user-pages-soft); the
	 * default size works too, in more turns. */
	(void)fcntl(r->pipe[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	n = fcntl(r->pipe[1], F_GETPIPE_SZ);
	r->pipe_size = n > 0 ? (size_t)n : 65536;
	return 0;
}

/* Keeps an empty pipe for the next relay; one holding bytes is closed,
 * which drops them. */
static void
pipe_put(struct relay *r)
{
	if (r->pipe[0] == -1)
		return;
	if (r->in_pipe == 0 && nspares < RELAY_PIPES_KEPT) {
		memcpy(spares[nspares].fd, r->pipe, sizeof(r->pipe));
		spares[nspares].size = r->pipe_size;
		nspares++;
	} else {
		close(r->pipe[0]);
		close(r->pipe[1]);
	}
	r->pipe[0] = r->pipe[1] = -1;
}

void
relay_pool_release(void)
{
	while (nspares > 0) {
		nspares--;
		close(spares[nspares].fd[0]);
		close(spares[nspares].fd[1]);
	}
}

int
relay_usable(void)
{
	return !refused;
}

/* The dup is closed only here, after libuv has let go of it: closing it
 * while still registered would leave epoll watching a recycled number. */
static void
poll_close_cb(uv_handle_t *h)
{
	struct relay *r = h->data;

	if (h == (uv_handle_t *)&r->src_poll)
		close(r->src_dup);
	else
		close(r->dst_dup);
	if (--r->handles == 0)
		free(r);
}

void
relay_stop(struct relay *r)
{
	if (r->stopped)
		return;
	r->stopped = 1;
	pipe_put(r);
	if (r->src_dup != -1)
		uv_close((uv_handle_t *)&r->src_poll, poll_close_cb);
	if (r->dst_dup != -1)
		uv_close((uv_handle_t *)&r->dst_poll, poll_close_cb);
	if (r->handles == 0)
		free(r);
}

static void
end(struct relay *r, enum relay_end how)
{
	relay_end_cb cb = r->end_cb;
	void        *arg = r->arg;

	relay_stop(r);
	cb(arg, how);
}

/* Either side's poll: the socket it watches is ready (or failed). */
static void
poll_cb(uv_poll_t *p, int status, int events)
{
	struct relay *r = p->data;

	(void)events;
	if (r->stopped)
		return;
	if (status < 0) {
		/* libuv stopped the poll; splice says why. */
		if (p == &r->src_poll)
			r->watch_src = 0;
		else
			r->watch_dst = 0;
	}
	pump(r);
}

/* Without a descriptor to watch with, the relay ends: the ordinary way
 * if nothing moved yet, else as an error on that side. */
static int
watch(struct relay *r, int src, int dst)
{
	if (src != r->watch_src) {
		if (!src)
			uv_poll_stop(&r->src_poll);
		else if (r->src_dup == -1 &&
		    poll_init(r, &r->src_poll, r->from, &r->src_dup) == -1) {
			end(r, r->took ? RELAY_SRC_ERROR : RELAY_NOT_STARTED);
			return -1;
		} else
			uv_poll_start(&r->src_poll, UV_READABLE, poll_cb);
		r->watch_src = src;
	}
	if (dst != r->watch_dst) {
		if (!dst)
			uv_poll_stop(&r->dst_poll);
		else if (r->dst_dup == -1 &&
		    poll_init(r, &r->dst_poll, r->to, &r->dst_dup) == -1) {
			end(r, RELAY_DST_ERROR);
			return -1;
		} else
			uv_poll_start(&r->dst_poll, UV_WRITABLE, poll_cb);
		r->watch_dst = dst;
	}
	return 0;
}

/* Whether a failed splice into the pipe means "not supported here"
 * (EINVAL: a socket type or kernel without splice; ENOSYS or EPERM: a
 * sandbox's system call filter), and nothing moved yet, so that the
 * caller can still do it the ordinary way. */
static int
unsupported(struct relay *r, int err)
{
	if (r->took ||
	    (err != EINVAL && err != ENOSYS && err != EOPNOTSUPP &&
	        err != EPERM))
		return 0;
	errno = err;
	log_warn("splice refused: proxied bodies are copied from now on");
	refused = 1;
	return 1;
}

/* Moves what can be moved now, then waits for the side that blocks. */
static void
pump(struct relay *r)
{
	ssize_t n;
	size_t  want;
	int     progress;

	do {
		progress = 0;
		if (r->left > 0 && r->in_pipe < r->pipe_size) {
			want = r->pipe_size - r->in_pipe;
			if (!r->until_eof && want > r->left)
				want = (size_t)r->left;
			n = splice(r->from, NULL, r->pipe[1], NULL, want,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				r->took = 1;
				r->in_pipe += (size_t)n;
				if (!r->until_eof)
					r->left -= (uint64_t)n;
				progress = 1;
			} else if (n == 0) {
				if (!r->until_eof) {
					end(r, RELAY_SRC_EOF);
					return;
				}
				r->left = 0;
			} else if (errno == EINTR)
				progress = 1;
			else if (errno != EAGAIN) {
				int e = errno;

				log_debug("%s: from the source: %s", __func__,
				    strerror(e));
				end(r,
				    unsupported(r, e) ? RELAY_NOT_STARTED
				                      : RELAY_SRC_ERROR);
				return;
			}
		}
		if (r->in_pipe > 0) {
			n = splice(r->pipe[0], NULL, r->to, NULL, r->in_pipe,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				r->in_pipe -= (size_t)n;
				progress = 1;
				r->moved_cb(r->arg, (size_t)n);
			} else if (n < 0 && errno == EINTR)
				progress = 1;
			else if (n < 0 && errno != EAGAIN) {
				log_debug("%s: to the destination: %s",
				    __func__, strerror(errno));
				end(r, RELAY_DST_ERROR);
				return;
			}
		}
	} while (progress);
	if (r->left == 0 && r->in_pipe == 0) {
		end(r, RELAY_DONE);
		return;
	}
	(void)watch(r, r->in_pipe == 0, r->in_pipe > 0);
}

/* Polls a dup of 'fd'; -1 if out of descriptors. */
static int
poll_init(struct relay *r, uv_poll_t *p, int fd, int *dup_fd)
{
	int d, e;

	d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (d == -1)
		return -1;
	e = uv_poll_init(r->loop, p, d);
	if (e != 0) {
		log_debug("%s: %s", __func__, uv_strerror(e));
		close(d);
		return -1;
	}
	p->data = r;
	*dup_fd = d;
	r->handles++;
	return 0;
}

struct relay *
relay_new(uv_loop_t *loop, uv_os_fd_t from, uv_os_fd_t to, uint64_t len,
    relay_moved_cb moved_cb, relay_end_cb end_cb, void *arg)
{
	struct relay *r;

	if (refused || len == 0)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->from = from;
	r->to = to;
	r->src_dup = r->dst_dup = -1;
	r->left = len;
	r->until_eof = len == RELAY_UNTIL_EOF;
	r->moved_cb = moved_cb;
	r->end_cb = end_cb;
	r->arg = arg;
	if (pipe_get(r) == -1) {
		log_debug("%s: pipe: %s", __func__, strerror(errno));
		free(r);
		return NULL;
	}
	return r;
}

void
relay_run(struct relay *r)
{
	pump(r);
}
