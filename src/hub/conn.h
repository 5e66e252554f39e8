/* SPDX-License-Identifier: MIT */
/*
 * A client connection: TCP, TLS through its own BIO (tls-bio.h), and the request cycle
 * (head, body, handler or proxy, response, keep-alive). Owns its requests
 * and its upstream while it lives.
 */
#ifndef CONN_H
#define CONN_H

#include <sys/queue.h>
#include <stddef.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "lib/buf.h"
#include "tls-bio.h"

struct hub;
struct req;
struct upstream;

#define CONN_MAX_INPUT   (1024 * 1024) /* buffered plaintext */
#define CONN_READ_PAUSE  (256 * 1024) /* stop reading past this */
#define CONN_WRITE_HIGH  (512 * 1024) /* peers stop feeding past this */
#define CONN_WRITE_LOW   (64 * 1024) /* and resume below this */

enum conn_state {
	CONN_HEAD, /* waiting for a request head */
	CONN_BODY, /* reading a body for a hub endpoint */
	CONN_HANDLING, /* a hub handler owns the request */
	CONN_PROXY, /* a request is being proxied */
	CONN_TUNNEL, /* after an upgrade: bytes both ways */
};

struct conn {
	uv_tcp_t         tcp; /* freed only after both handles closed */
	uv_timer_t       timer; /* header, body and keep-alive timeouts */
	struct hub      *hub;
	SSL             *ssl; /* NULL without TLS */
	struct tls_io    tls; /* ciphertext in and out */
	int              handshaken;
	enum conn_state  state;
	struct buf       in; /* plaintext read, not yet consumed */
	struct req      *req; /* the request in progress */
	struct upstream *up; /* while proxying or tunnelling */
	size_t           queued; /* bytes handed to uv_write, not done */
	int              reading;
	int              paused; /* by back-pressure */
	int              close_after_write;
	int              closing;
	int              handles; /* open handles left to close */
	unsigned         served; /* requests completed */
	char             addr[64]; /* peer, numeric */
	TAILQ_ENTRY(conn) entry;
};

/* Accepts one connection from the hub's listener. */
void conn_accept(struct hub *, uv_stream_t *listener);

/*
 * Writes what the socket 's' takes at once and returns how many bytes are
 * left for uv_write. Usually that is none: no request to allocate, no copy,
 * no callback, and none of the epoll_ctl libuv does after each uv_write it
 * completes. Ordering holds: uv_try_write refuses while writes are queued
 * (or a connect is pending). An error leaves everything to uv_write, which
 * reports it as before. Used for clients and back ends alike.
 */
size_t stream_write_now(uv_stream_t *s, const char *data, size_t len);

/* Queues bytes to the client (encrypted if TLS). -1 if closing. */
int  conn_write(struct conn *, const void *, size_t);

/* Queues 'len' bytes at 'data', inside 'chunk', without copying them
 * (plain connections; TLS encrypts a copy). Takes its own reference. */
int  conn_write_chunk(struct conn *, char *chunk, const char *data,
    size_t len);

/* Closes now; 'why' is logged at debug level. Safe to call twice. */
void conn_close(struct conn *, const char *why);

/* Closes once everything queued has been written. */
void conn_close_after_write(struct conn *);

/* Back-pressure from the peer this connection feeds. */
void conn_pause(struct conn *);
void conn_resume(struct conn *);

/* Processes buffered input again (after a state change). */
void conn_process(struct conn *);

/*
 * The response to c->req has been fully queued: logs it, frees the
 * request and reads the next one, or closes if the connection cannot be
 * kept alive.
 */
void conn_request_done(struct conn *);

#endif
