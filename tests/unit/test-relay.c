/* SPDX-License-Identifier: MIT */
/*
 * The splice relay between two socket pairs on a real loop: a feeder
 * writes into the source pair, a reader drains the destination pair, and
 * the relay in between must move exactly its length (no byte of what
 * follows), end when it should, say why, and leave no handle or
 * descriptor behind.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#include "hub/relay.h"
#include "unit.h"
#include "lib/util.h"

struct run {
	uv_loop_t      loop;
	uv_poll_t      feed; /* writes data[] into src[0] */
	uv_poll_t      drain; /* reads dst[1] into got[] */
	int            src[2]; /* the relay reads src[1] */
	int            dst[2]; /* the relay writes dst[0] */
	unsigned char *data;
	size_t         len, fed;
	int            eof_after; /* shut src[0] once all is fed */
	unsigned char *got;
	size_t         ngot;
	uint64_t       moved;
	int            ended;
	enum relay_end how;
	struct relay  *r;
};

/* Descriptors open now. The first loop makes libuv's global signal pipe,
 * which stays: one is made and closed first. */
static size_t
open_fds(void)
{
	uv_loop_t loop;
	DIR      *d;
	size_t    n = 0;

	ASSERT_EQ(uv_loop_init(&loop), 0);
	ASSERT_EQ(uv_loop_close(&loop), 0);
	d = opendir("/proc/self/fd");
	ASSERT_NOT_NULL(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void
moved_cb(void *arg, size_t n)
{
	struct run *run = arg;

	run->moved += n;
}

static void
end_cb(void *arg, enum relay_end how)
{
	struct run *run = arg;

	ASSERT_EQ(run->ended, 0);
	run->ended = 1;
	run->how = how;
	run->r = NULL;
	if (!uv_is_closing((uv_handle_t *)&run->feed))
		uv_close((uv_handle_t *)&run->feed, NULL);
	if (!uv_is_closing((uv_handle_t *)&run->drain))
		uv_close((uv_handle_t *)&run->drain, NULL);
}

static void
refused_end_cb(void *arg, enum relay_end how)
{
	struct run *run = arg;

	run->ended++;
	run->how = how;
}

static void
feed_cb(uv_poll_t *p, int status, int events)
{
	struct run *run = p->data;
	ssize_t     n;

	(void)events;
	ASSERT_EQ(status, 0);
	n = write(run->src[0], run->data + run->fed, run->len - run->fed);
	if (n < 0) {
		ASSERT(errno == EAGAIN);
		return;
	}
	run->fed += (size_t)n;
	if (run->fed < run->len)
		return;
	if (run->eof_after)
		shutdown(run->src[0], SHUT_WR);
	uv_poll_stop(p);
}

static void
drain_cb(uv_poll_t *p, int status, int events)
{
	struct run *run = p->data;
	ssize_t     n;

	(void)events;
	ASSERT_EQ(status, 0);
	n = read(run->dst[1], run->got + run->ngot, run->len + 1 - run->ngot);
	if (n > 0)
		run->ngot += (size_t)n;
	else if (n == 0)
		uv_poll_stop(p);
	else
		ASSERT(errno == EAGAIN);
}

/* Two socket pairs, 'len' bytes of a pattern to feed, a relay of 'want'
 * bytes between them; runs the loop until nothing is left to do. */
static void
run_relay(struct run *run, size_t len, uint64_t want, int eof_after, int reader)
{
	memset(run, 0, sizeof(*run));
	signal(SIGPIPE, SIG_IGN); /* as the hub does */
	ASSERT_EQ(uv_loop_init(&run->loop), 0);
	/* Non-blocking, as libuv's sockets are. */
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, run->src),
	    0);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, run->dst),
	    0);
	run->len = len;
	run->eof_after = eof_after;
	run->data = malloc(len);
	run->got = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		run->data[i] = (unsigned char)(i * 7 + (i >> 12));
	ASSERT_EQ(uv_poll_init(&run->loop, &run->feed, run->src[0]), 0);
	ASSERT_EQ(uv_poll_init(&run->loop, &run->drain, run->dst[1]), 0);
	run->feed.data = run->drain.data = run;
	uv_poll_start(&run->feed, UV_WRITABLE, feed_cb);
	if (reader)
		uv_poll_start(&run->drain, UV_READABLE, drain_cb);
	else
		close(run->dst[1]); /* the client is gone */
	run->r = relay_new(&run->loop, run->src[1], run->dst[0], want, moved_cb,
	    end_cb, run);
	ASSERT_NOT_NULL(run->r);
	relay_run(run->r);
	uv_run(&run->loop, UV_RUN_DEFAULT);
	ASSERT_EQ(run->ended, 1);
	/* What reached dst[0] after the reader stopped is still there. */
	if (reader)
		for (;;) {
			ssize_t n = read(run->dst[1], run->got + run->ngot,
			    run->len + 1 - run->ngot);

			if (n <= 0)
				break;
			run->ngot += (size_t)n;
		}
}

static void
run_end(struct run *run)
{
	relay_pool_release();
	ASSERT_EQ(uv_loop_close(&run->loop), 0);
	close(run->src[0]);
	close(run->src[1]);
	close(run->dst[0]);
	close(run->dst[1]);
	free(run->data);
	free(run->got);
}

TEST(relay_moves_exactly_len)
{
	struct run run;
	size_t     fds = open_fds();
	char       rest[200];
	size_t     nrest = 0;

	/* 100 bytes more than the relay's length: the next message. */
	run_relay(&run, (1 << 20) + 100, 1 << 20, 0, 1);
	ASSERT_EQ(run.how, RELAY_DONE);
	ASSERT_EQ(run.moved, 1 << 20);
	ASSERT_EQ(run.ngot, 1 << 20);
	ASSERT(memcmp(run.got, run.data, 1 << 20) == 0);
	/* The feeder may not have written the last of it yet. */
	while (run.fed < run.len) {
		ssize_t n =
		    write(run.src[0], run.data + run.fed, run.len - run.fed);

		ASSERT(n > 0);
		run.fed += (size_t)n;
	}
	while (nrest < 100) {
		ssize_t n =
		    read(run.src[1], rest + nrest, sizeof(rest) - nrest);

		ASSERT(n > 0);
		nrest += (size_t)n;
	}
	ASSERT_EQ(nrest, 100);
	ASSERT(memcmp(rest, run.data + (1 << 20), 100) == 0);
	run_end(&run);
	ASSERT_EQ(open_fds(), fds);
}

TEST(relay_until_eof)
{
	struct run run;

	run_relay(&run, 700 * 1024 + 3, RELAY_UNTIL_EOF, 1, 1);
	ASSERT_EQ(run.how, RELAY_DONE);
	ASSERT_EQ(run.moved, run.len);
	ASSERT_EQ(run.ngot, run.len);
	ASSERT(memcmp(run.got, run.data, run.len) == 0);
	run_end(&run);
}

TEST(relay_source_ends_early)
{
	struct run run;

	run_relay(&run, 300 * 1024, 1 << 20, 1, 1);
	ASSERT_EQ(run.how, RELAY_SRC_EOF);
	ASSERT(run.moved <= run.len);
	ASSERT_EQ(run.ngot, run.moved);
	ASSERT(memcmp(run.got, run.data, run.ngot) == 0);
	run_end(&run);
}

TEST(relay_destination_gone)
{
	struct run run;

	run_relay(&run, 1 << 20, 1 << 20, 0, 0);
	ASSERT_EQ(run.how, RELAY_DST_ERROR);
	ASSERT_EQ(run.moved, 0);
	run.dst[1] = -1;
	run_end(&run);
}

/* Stopped before it ran, or while it waits: no callback, no handle, no
 * descriptor left. */
TEST(relay_stop_early)
{
	struct run run;
	uv_loop_t  loop;
	size_t     fds = open_fds();

	memset(&run, 0, sizeof(run));
	ASSERT_EQ(uv_loop_init(&loop), 0);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, run.src),
	    0);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, run.dst),
	    0);
	ASSERT_EQ(write(run.src[0], "abc", 3), 3);
	run.r = relay_new(&loop, run.src[1], run.dst[0], 1000, moved_cb, end_cb,
	    &run);
	ASSERT_NOT_NULL(run.r);
	relay_stop(run.r);
	/* Again, blocked on the source, which has 3 of 1000 bytes. */
	run.r = relay_new(&loop, run.src[1], run.dst[0], 1000, moved_cb, end_cb,
	    &run);
	ASSERT_NOT_NULL(run.r);
	relay_run(run.r);
	ASSERT_EQ(run.moved, 3);
	relay_stop(run.r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(run.ended, 0);
	ASSERT_EQ(uv_loop_close(&loop), 0);
	relay_pool_release();
	for (int i = 0; i < 2; i++) {
		close(run.src[i]);
		close(run.dst[i]);
	}
	ASSERT_EQ(open_fds(), fds);
}

/* splice(2) refused by the system (a seccomp filter, as a sandbox might
 * have): the relay ends before moving anything, and none is made again. */
TEST(relay_refused)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_splice, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { nitems(filter), filter };
	struct run        run;
	uv_loop_t         loop;
	char              buf[8];

	memset(&run, 0, sizeof(run));
	ASSERT_EQ(uv_loop_init(&loop), 0);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, run.src),
	    0);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, run.dst),
	    0);
	ASSERT_EQ(write(run.src[0], "abc", 3), 3);
	ASSERT_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ASSERT_EQ(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
	ASSERT_EQ(relay_usable(), 1);
	run.r = relay_new(&loop, run.src[1], run.dst[0], 1000, moved_cb,
	    refused_end_cb, &run);
	ASSERT_NOT_NULL(run.r);
	relay_run(run.r);
	ASSERT_EQ(run.ended, 1);
	ASSERT_EQ(run.how, RELAY_NOT_STARTED);
	ASSERT_EQ(run.moved, 0);
	ASSERT_EQ(relay_usable(), 0);
	ASSERT_NULL(relay_new(&loop, run.src[1], run.dst[0], 1000, moved_cb,
	    refused_end_cb, &run));
	/* The source's bytes are still there for the ordinary way. */
	ASSERT_EQ(read(run.src[1], buf, sizeof(buf)), 3);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(uv_loop_close(&loop), 0);
	relay_pool_release();
}
