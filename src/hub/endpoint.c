/* SPDX-License-Identifier: MIT */
/*
 * A server's or service's address, TCP or Unix (endpoint.h).
 */
#include <stdio.h>
#include <string.h>

#include "endpoint.h"
#include "lib/banned.h"

void
endpoint_tcp(struct endpoint *e, const char *host, int port)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->host, sizeof(e->host), "%s", host);
	e->port = port;
}

int
endpoint_unix(struct endpoint *e, const char *path)
{
	memset(e, 0, sizeof(*e));
	/* libuv would cut a longer path to fit sun_path, silently: the
	 * hub would connect to another socket than the one it meant. */
	if (path[0] == '\0' || strlen(path) >= sizeof(e->path))
		return -1;
	memcpy(e->path, path, strlen(path) + 1);
	return 0;
}

int
endpoint_eq(const struct endpoint *a, const struct endpoint *b)
{
	if (endpoint_is_unix(a) || endpoint_is_unix(b))
		return strcmp(a->path, b->path) == 0;
	/* Another peer (a server started again with new keys) is another
	 * place: its pooled connections hold the old pin. */
	return a->port == b->port && a->tls == b->tls &&
	    strcmp(a->host, b->host) == 0;
}

const char *
endpoint_text(const struct endpoint *e, char *buf, size_t len)
{
	int v6 = strchr(e->host, ':') != NULL;

	if (endpoint_is_unix(e))
		snprintf(buf, len, "unix:%s", e->path);
	else
		snprintf(buf, len, "%s%s%s%s:%d", e->tls != NULL ? "tls:" : "",
		    v6 ? "[" : "", e->host, v6 ? "]" : "", e->port);
	return buf;
}

const char *
endpoint_host_header(const struct endpoint *e, char *buf, size_t len)
{
	int v6 = strchr(e->host, ':') != NULL;

	if (endpoint_is_unix(e))
		snprintf(buf, len, "localhost");
	else
		snprintf(buf, len, "%s%s%s:%d", v6 ? "[" : "", e->host,
		    v6 ? "]" : "", e->port);
	return buf;
}

int
endpoint_connect(uv_loop_t *loop, const struct endpoint *e,
    union endpoint_stream *s, uv_connect_t *req, uv_connect_cb cb)
{
	struct sockaddr_storage ss;

	if (endpoint_is_unix(e)) {
		uv_pipe_init(loop, &s->pipe, 0);
		/* Reports every outcome, a failure too, through 'cb'. */
		uv_pipe_connect(req, &s->pipe, e->path, cb);
		return 0;
	}
	uv_tcp_init(loop, &s->tcp);
	memset(&ss, 0, sizeof(ss));
	if (uv_ip4_addr(e->host, e->port, (struct sockaddr_in *)&ss) != 0 &&
	    uv_ip6_addr(e->host, e->port, (struct sockaddr_in6 *)&ss) != 0)
		return UV_EINVAL;
	return uv_tcp_connect(req, &s->tcp, (struct sockaddr *)&ss, cb);
}

void
endpoint_connected(const struct endpoint *e, union endpoint_stream *s)
{
	if (!endpoint_is_unix(e))
		uv_tcp_nodelay(&s->tcp, 1);
}

void
endpoint_keepalive(const struct endpoint *e, union endpoint_stream *s,
    unsigned secs)
{
	if (!endpoint_is_unix(e))
		uv_tcp_keepalive(&s->tcp, 1, secs);
}
