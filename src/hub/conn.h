/* SPDX-License-Identifier: MIT */
/*
 * A client connection: TCP, TLS through its own BIO (tls-bio.h), buffered
 * input, writes with back-pressure, timeouts and keep-alive. It knows no
 * HTTP beyond its states: what arrives goes up through two small
 * interfaces, the request layer's (struct conn_ops, req.c's, given at
 * accept) and, while a request is proxied or tunnelled, the peer's (struct
 * conn_peer_ops, the proxy's upstream).
 */
#ifndef CONN_H
#define CONN_H

#include <sys/queue.h>
#include <stddef.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "lib/buf.h"
#include "tls-bio.h"

struct conn;
struct hub;
struct req;

#define CONN_MAX_INPUT (1024 * 1024) /* buffered plaintext */
#define CONN_READ_PAUSE (256 * 1024) /* stop reading past this */
#define CONN_WRITE_HIGH (512 * 1024) /* peers stop feeding past this */
#define CONN_WRITE_LOW (64 * 1024) /* and resume below this */
/* Input kept while a request is answered (its body, pipelined requests). */
#define CONN_READ_PAUSE_BUSY (16 * 1024)
/* A write's rest up to this size is copied rather than held in its chunk. */
#define CONN_COPY_MAX (20 * 1024)
#define CONN_FD_RESERVE 64 /* descriptors not for connections */
/* Idle pooled connections to back ends: one open file in this many, within
 * these bounds (conn_limits). */
#define CONN_IDLE_UP_SHARE 16
#define CONN_IDLE_UP_MIN 256
#define CONN_IDLE_UP_MAX 4096

enum conn_state {
	CONN_HEAD, /* waiting for a request head */
	CONN_BODY, /* reading a body for a hub endpoint */
	CONN_HANDLING, /* a hub handler owns the request */
	CONN_PROXY, /* a request is being proxied */
	CONN_TUNNEL, /* after an upgrade: bytes both ways */
};

/* The request layer, called for every connection (req.c's req_conn_ops). */
struct conn_ops {
	/* c->in has bytes in CONN_HEAD or CONN_BODY: a head or a body. */
	void (*input)(struct conn *c);
	/* The client half-closed while its request is proxied: 1 to keep
	 * reading the response (the request was whole), 0 to close. */
	int (*half_closed)(struct conn *c);
	/* The connection is closing: let go of the request in progress. */
	void (*closing)(struct conn *c);
};

/* The peer a proxied request or tunnel feeds (proxy.c's upstream). */
struct conn_peer_ops {
	void (*input)(void *peer); /* c->in has bytes for it */
	void (*drained)(void *peer); /* the client can take more */
	void (*eof)(void *peer); /* the client half-closed a tunnel */
	void (*gone)(void *peer); /* the client closed, or was answered */
};

struct conn {
	uv_tcp_t               tcp; /* freed only after both handles closed */
	uv_timer_t             timer; /* header, body and keep-alive timeouts */
	struct hub            *hub;
	SSL                   *ssl; /* NULL without TLS */
	struct tls_io          tls; /* ciphertext in and out */
	int                    handshaken;
	enum conn_state        state;
	struct buf             in; /* plaintext read, not yet consumed */
	const struct conn_ops *ops;
	struct req *req; /* in progress: req.c's, carried, never read */
	void       *peer; /* while proxying or tunnelling, else NULL */
	const struct conn_peer_ops *peer_ops;
	size_t   queued; /* bytes handed to uv_write, not done */
	int      reading;
	int      paused; /* by back-pressure */
	int      close_after_write;
	int      closing;
	int      handles; /* open handles left to close */
	unsigned served; /* requests completed */
	int      trusted; /* has carried a signed-in request */
	int      drained; /* has taken all of a queue: it reads */
	int      internal; /* the servers' loopback API listener's: plain */
	char     addr[64]; /* peer, numeric */
	TAILQ_ENTRY(conn) entry;
};

/* Raises the soft limit of open files to the hard one and derives the
 * connection cap from it and max_conns, and the proxy's idle pool from it
 * (conn_idle_upstreams). Once, before the listener. */
void conn_limits(struct hub *);

/* Idle keep-alive connections to back ends the proxy may pool, in all:
 * their descriptors are left out of the client connections' share. */
size_t conn_idle_upstreams(void);

/* Accepts one connection from the hub's listener; 'ops' (which must
 * outlive it) gets its requests. An 'internal' one (from the servers'
 * loopback API listener, apilisten.h) is plain HTTP, TLS or not. */
void conn_accept(struct hub *, uv_stream_t *listener,
    const struct conn_ops *ops, int internal);

/*
 * Writes what the socket 's' takes at once and returns how many bytes are
 * left for uv_write. Usually that is none: no request to allocate, no copy,
 * no callback, and none of the epoll_ctl libuv does after each uv_write it
 * completes. Ordering holds: uv_try_write refuses while writes are queued
 * (or a connect is pending). An error leaves everything to uv_write, which
 * reports it as before. Used for clients and back ends alike.
 */
size_t stream_write_now(uv_stream_t *s, const char *data, size_t len);

/* Bytes queued to all clients that their sockets have not yet taken: what
 * clients slower than the hub cost it (the proxy's proxy_memory). */
size_t conn_held(void);

/* Whether the client may not be taking what it is sent: bytes queued
 * here, or, until it has once taken all that was queued, bytes its socket
 * has not been able to send (its window is closed). At most one ioctl. */
int conn_stalled(struct conn *);

/* Queues bytes to the client (encrypted if TLS). -1 if closing. */
int conn_write(struct conn *, const void *, size_t);

/* Queues 'len' bytes at 'data', inside 'chunk', without copying them
 * (plain connections; TLS encrypts a copy). Takes its own reference. */
int conn_write_chunk(struct conn *, char *chunk, const char *data, size_t len);

/* Closes now; 'why' is logged at debug level. Safe to call twice. */
void conn_close(struct conn *, const char *why);

/* Closes once everything queued has been written. */
void conn_close_after_write(struct conn *);

/* Back-pressure from the peer this connection feeds. */
void conn_pause(struct conn *);
void conn_resume(struct conn *);

/* Processes buffered input again (after a state change), then reads
 * again if what was taken left room. */
void conn_process(struct conn *);

/* (Re)starts the connection's one timer: closes it after 'seconds' of
 * waiting (408 for a head begun); 0 stops it. */
void conn_timeout(struct conn *, int seconds);

/* Makes 'peer' (NULL: none) the one c's input and drain go to. */
void conn_peer_set(struct conn *, const struct conn_peer_ops *, void *peer);
/* Tells the peer, if any, that the client is done with it, and forgets
 * it: the client closed, or the hub answered the request itself. */
void conn_peer_drop(struct conn *);

/* A request is over ('keep': the connection may serve another): reads the
 * next head, or closes once its response is written. */
void conn_next(struct conn *, int keep);

/* For errors before or outside a request's handling (malformed heads,
 * bodies): writes a plain response, logs it and closes after it. */
void conn_error_close(struct conn *, int status, const char *msg);

#endif
