/* SPDX-License-Identifier: MIT */
/*
 * The hub's end of the link to a user's server on a pool's node
 * (spawn-slurm-internal.h): rig tls-tunnel (cmd-tls-tunnel.c), a child of
 * the hub as the hub's own account ('rig' once root is dropped: the
 * helper is not needed, and no user's account holds the hub's key),
 * listening on a Unix socket in STATE/slurm, a folder only the hub's
 * account may enter; from there to NODEADDR:PORT it is TLS with the job's
 * own keys, pinned both ways. The hub connects to that socket only: a
 * server's address is the socket from the moment the job says its port,
 * never the node's port itself. Paths stay relative to the state
 * directory, the hub's working directory, whose parents 'rig' may not
 * search; rig itself is run as /proc/self/exe for the same reason.
 *
 * The tunnel's keys (the hub's client key and certificate, the server's
 * certificate) are kept under the state directory (slurm/JOB.keys, 0600,
 * in a 0700 folder) from the submission to the job's end, so that a
 * restarted hub starts the tunnel again (adopt()). A tunnel ends by
 * itself once its socket is removed or replaced, and with the hub.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "server.h"
#include "spawn-slurm-internal.h"
#include "spawn-slurm-run.h"
#include "spawn-slurm-tls.h"

#define TUNNEL_DIR "slurm" /* under the state directory */

static char *state_path(struct hub *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static char *keys_path(struct hub *, long long);
static void  exit_cb(void *, int, int64_t, const char *);
static void  failed(struct server *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* STATE/TUNNEL_DIR/(fmt), the folder made 0700 if missing; NULL if it
 * cannot be. */
static char *
state_path(struct hub *hub, const char *fmt, ...)
{
	char   *dir, *name, *path;
	va_list ap;

	dir = xasprintf("%s/%s", hub->cfg->state_dir, TUNNEL_DIR);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	va_start(ap, fmt);
	if (vasprintf(&name, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	path = xasprintf("%s/%s", dir, name);
	free(name);
	free(dir);
	return path;
}

static char *
keys_path(struct hub *hub, long long id)
{
	return state_path(hub, "%lld.keys", id);
}

int
slurm_tunnel_keep(struct hub *hub, long long id, const char *keys)
{
	char *path = keys_path(hub, id);
	int   r;

	if (path == NULL) {
		log_warn("slurm: the state directory's %s folder", TUNNEL_DIR);
		return -1;
	}
	r = write_file_atomic(path, keys, strlen(keys), 0600);
	if (r == -1)
		log_warn("slurm: write %s", path);
	free(path);
	return r;
}

/* The start cannot go on: a pending server's start fails; a running
 * one (adopted) is said to have no way in, until it is restarted. */
static void
failed(struct server *s, const char *fmt, ...)
{
	char    why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (s->state == SERVER_PENDING)
		server_spawn_failed(s, "its TLS tunnel: %s", why);
	else
		log_warnx("server %s: no TLS tunnel to its Slurm job %d: %s",
		    s->name, s->pid, why);
}

void
slurm_tunnel_start(struct server *s, void (*then)(struct server *))
{
	struct hub *hub = s->hub;
	char        to[96], *keys, *kpath, *sock, *argv[7];
	int         r;

	sock = state_path(hub, "%d.sock", s->pid);
	if (sock == NULL ||
	    (size_t)snprintf(s->sock, sizeof(s->sock), "%s", sock) >=
	        sizeof(s->sock)) {
		s->sock[0] = '\0';
		failed(s, "no room for its socket under %s/%s",
		    hub->cfg->state_dir, TUNNEL_DIR);
		free(sock);
		return;
	}
	free(sock);
	kpath = keys_path(hub, s->pid);
	keys = kpath != NULL ? read_file(kpath, SLURM_TLS_PEM_MAX, NULL) : NULL;
	free(kpath);
	if (keys == NULL) {
		failed(s, "its keys for job %d are not kept", s->pid);
		return;
	}
	if (strchr(s->host, ':') != NULL)
		snprintf(to, sizeof(to), "[%s]:%d", s->host, s->port);
	else
		snprintf(to, sizeof(to), "%s:%d", s->host, s->port);
	argv[0] = (char *)"/proc/self/exe";
	argv[1] = (char *)"tls-tunnel";
	argv[2] = (char *)"--listen";
	argv[3] = s->sock;
	argv[4] = (char *)"--connect";
	argv[5] = to;
	argv[6] = NULL;
	r = slurm_run(hub, NULL, argv, NULL, NULL, keys, exit_cb,
	    xstrdup(s->name));
	free_secret(keys);
	if (r != 0) {
		failed(s, "cannot run rig tls-tunnel: %s", uv_strerror(r));
		return;
	}
	log_info("server %s: TLS tunnel %s to %s", s->name, s->sock, to);
	if (then != NULL)
		then(s);
}

/* A tunnel ended: its words (connections it refused, say) to the log. */
static void
exit_cb(void *arg, int r, int64_t status, const char *out)
{
	char *name = arg;

	if (r != UV_ECANCELED && (r != 0 || status != 0 || *out != '\0'))
		log_warnx("server %s: its TLS tunnel ended (%s %lld): %.2000s",
		    name, r != 0 ? uv_strerror(r) : "status", (long long)status,
		    out);
	free(name);
}

void
slurm_tunnel_end(struct server *s)
{
	char  *kpath;
	size_t n = strlen(s->sock);

	/* Only a socket of ours goes (its folder says so). */
	if (n > 5 && strcmp(s->sock + n - 5, ".sock") == 0 &&
	    strstr(s->sock, "/" TUNNEL_DIR "/") != NULL &&
	    unlink(s->sock) == -1 && errno != ENOENT)
		log_warn("server %s: unlink %s", s->name, s->sock);
	if (s->pid > 0 && (kpath = keys_path(s->hub, s->pid)) != NULL) {
		if (unlink(kpath) == -1 && errno != ENOENT)
			log_warn("server %s: unlink %s", s->name, kpath);
		free(kpath);
	}
}
