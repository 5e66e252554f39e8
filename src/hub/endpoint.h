/* SPDX-License-Identifier: MIT */
/*
 * Where the hub reaches a user's server or a service: a TCP address
 * (host and port, a server on another node as much as one on loopback)
 * or a Unix socket's path (the local spawner's servers: a socket in a
 * directory only the user and the hub can enter, so no other account can
 * take its place). The proxy, its pool and the probes connect to either
 * with one stream handle (union endpoint_stream). A TCP endpoint may also
 * say TLS: the hub speaks TLS to it itself, pinned (tlspeer.h: a Slurm
 * job's server), and nothing goes to it in the clear.
 */
#ifndef ENDPOINT_H
#define ENDPOINT_H

#include <stddef.h>

#include <uv.h>

#define ENDPOINT_PATH_MAX 108 /* sun_path, with its NUL */

struct endpoint {
	char path[ENDPOINT_PATH_MAX]; /* a Unix socket; "" for TCP */
	char host[64]; /* numeric IPv4 or IPv6 (TCP) */
	int  port; /* TCP */
	/* TLS to host:port with this peer's keys and pin, or NULL. Not a
	 * reference: whoever keeps an endpoint past its server takes one
	 * (the proxy's connections do). */
	struct tlspeer *tls;
};

/* A connection to an endpoint: a TCP or a Unix stream, as libuv sees it. */
union endpoint_stream {
	uv_handle_t handle;
	uv_stream_t stream;
	uv_tcp_t    tcp;
	uv_pipe_t   pipe;
};

/* Fills 'e' for TCP, or for a Unix socket; -1 if 'path' is too long for
 * sun_path (e is then empty). */
void endpoint_tcp(struct endpoint *e, const char *host, int port);
int  endpoint_unix(struct endpoint *e, const char *path);

static inline int
endpoint_is_unix(const struct endpoint *e)
{
	return e->path[0] != '\0';
}

/* Whether both name the same place. */
int endpoint_eq(const struct endpoint *, const struct endpoint *);

/* "127.0.0.1:8888", "[::1]:8888", "tls:10.0.0.5:8888" or
 * "unix:/run/rig/u/jupyter.sock", for logs. Returns 'buf'. */
const char *endpoint_text(const struct endpoint *, char *buf, size_t len);

/* The Host header a probe sends: "127.0.0.1:8888", or "localhost" for a
 * Unix socket. */
const char *endpoint_host_header(const struct endpoint *, char *buf,
    size_t len);

/*
 * Initialises 's' for 'e' on 'loop' and connects it: 0 and 'cb' gets the
 * outcome later, or a libuv error now (a bad address, no descriptor) and
 * no callback. Either way 's' is initialised and must be closed with
 * uv_close(&s->handle, ...).
 */
int endpoint_connect(uv_loop_t *, const struct endpoint *e,
    union endpoint_stream *s, uv_connect_t *req, uv_connect_cb cb);

/* After a successful connect: TCP_NODELAY on TCP, nothing on a Unix
 * socket. */
void endpoint_connected(const struct endpoint *, union endpoint_stream *);

/* TCP keep-alive probes after 'secs' idle (a tunnel's); a Unix socket's
 * peer is on this machine and its end is seen at once: nothing. */
void endpoint_keepalive(const struct endpoint *, union endpoint_stream *,
    unsigned secs);

#endif
