/* SPDX-License-Identifier: MIT */
/*
 * The servers' loopback API listener (apilisten.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apilisten.h"
#include "config.h"
#include "conn.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "req.h"

static void accept_cb(uv_stream_t *, int);
static int  port_read(const char *path);
static void port_write(const char *path, int port);
static int  bind_listen(struct hub *, int port);

static void
accept_cb(uv_stream_t *s, int status)
{
	struct hub *hub = s->data;

	if (status != 0) {
		log_warnx("api listener: %s", uv_strerror(status));
		return;
	}
	conn_accept(hub, s, &req_conn_ops, 1);
}

/* The port an earlier hub used; 0 if none or unreadable. */
static int
port_read(const char *path)
{
	char      buf[16];
	long long p;
	ssize_t   n;
	int       fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return parse_int(buf, 1024, 65535, &p) == 0 ? (int)p : 0;
}

static void
port_write(const char *path, int port)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "we");

	if (f == NULL || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) == -1)
		log_warn("cannot record the API port in %s", path);
	free(tmp);
}

/* 0 listening, else a libuv error (the handle closed). */
static int
bind_listen(struct hub *hub, int port)
{
	struct sockaddr_in sa;
	int                r;

	uv_ip4_addr(apilisten_address(hub), port, &sa);
	uv_tcp_init(hub->loop, &hub->api_listener);
	hub->api_listener.data = hub;
	r = uv_tcp_bind(&hub->api_listener, (struct sockaddr *)&sa, 0);
	/* A port in use is reported by listen, not bind. */
	if (r == 0)
		r = uv_listen((uv_stream_t *)&hub->api_listener, 256,
		    accept_cb);
	if (r != 0)
		uv_close((uv_handle_t *)&hub->api_listener, NULL);
	return r;
}

int
apilisten_start(struct hub *hub)
{
	char              *path = xasprintf("%s/api-port", hub->cfg->state_dir);
	int                old = port_read(path), r = UV_EINVAL;
	struct sockaddr_in sa;
	int                len = sizeof(sa);

	if (old != 0) {
		r = bind_listen(hub, old);
		if (r != 0)
			log_warnx("the servers' API port %d is taken (%s): "
			          "servers started before cannot reach the hub",
			    old, uv_strerror(r));
	}
	if (r != 0)
		r = bind_listen(hub, 0);
	if (r != 0) {
		log_warnx("cannot listen on %s for the servers' API: %s",
		    apilisten_address(hub), uv_strerror(r));
		free(path);
		return -1;
	}
	uv_tcp_getsockname(&hub->api_listener, (struct sockaddr *)&sa, &len);
	hub->api_port = ntohs(sa.sin_port);
	hub->api_listening = 1;
	if (hub->api_port != old)
		port_write(path, hub->api_port);
	log_info("servers reach the hub's API at http://%s:%d/hub/api",
	    apilisten_address(hub), hub->api_port);
	free(path);
	return 0;
}

const char *
apilisten_address(const struct hub *hub)
{
	const char *a = hub->cfg->api_address;

	return a != NULL && a[0] != '\0' ? a : "127.0.0.1";
}

void
apilisten_stop(struct hub *hub)
{
	if (!hub->api_listening)
		return;
	hub->api_listening = 0;
	uv_close((uv_handle_t *)&hub->api_listener, NULL);
}
