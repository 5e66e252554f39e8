/* SPDX-License-Identifier: MIT */
/*
 * Splice relay: moves bytes from one socket to another through a pipe with
 * splice(2), so they are never copied into user space. The proxy uses it
 * for the rest of a large response body when the client is plain.
 *
 * Both sockets stay owned by their libuv handles, which the relay never
 * closes. When one side blocks, it watches a dup() of it with uv_poll_t:
 * epoll keys a registration by descriptor number, so a dup can be watched
 * while the original keeps its own (the client's handle goes on reading,
 * to see EOF or the next request). A splice into a socket whose peer left
 * raises SIGPIPE, which the hub ignores, as for its writes.
 */
#ifndef RELAY_H
#define RELAY_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define RELAY_UNTIL_EOF UINT64_MAX /* as len: until the source ends */

enum relay_end {
	RELAY_DONE, /* every byte reached the destination */
	RELAY_NOT_STARTED, /* splice refused, or no descriptor: none moved */
	RELAY_SRC_EOF, /* the source ended before len bytes */
	RELAY_SRC_ERROR,
	RELAY_DST_ERROR,
};

struct relay;

/* 'n' more bytes reached the destination. Must not stop the relay. */
typedef void (*relay_moved_cb)(void *arg, size_t n);
/* The relay is over and gone: do not call relay_stop() on it any more. */
typedef void (*relay_end_cb)(void *arg, enum relay_end);

/*
 * A relay of 'len' bytes (or RELAY_UNTIL_EOF) from the socket 'from' to the
 * socket 'to', both non-blocking; borrows both descriptors. Nothing moves
 * before relay_run(). NULL if splice was found unsupported before, or no
 * pipe can be had.
 */
struct relay *relay_new(uv_loop_t *, uv_os_fd_t from, uv_os_fd_t to,
    uint64_t len, relay_moved_cb, relay_end_cb, void *arg);

/*
 * Moves what can be moved now, then waits on the loop for the side that
 * blocks. The end callback may run before this returns (often: a body
 * already in the source's buffer moves in one go).
 */
void relay_run(struct relay *);

/* Ends a relay early; no callback runs after. Bytes in flight are lost. */
void relay_stop(struct relay *);

/* 0 once splice(2) was refused: callers stop asking. */
int relay_usable(void);

/* Closes the spare pipes kept for reuse (hub stopping). */
void relay_pool_release(void);

#endif
