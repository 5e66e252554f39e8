/* SPDX-License-Identifier: MIT */
/*
 * The hub's link to a user's server on a pool's node
 * (spawn-slurm-internal.h): TLS from the hub's own loop to NODEADDR:PORT
 * with the job's own keys, pinned both ways (tlspeer.h, uptls.h: the proxy
 * and the probes speak it). The server's address is a TLS endpoint from
 * the moment the job says its port, never the node's port in the clear.
 *
 * Kept under the state directory (in a 0700 folder), so that a restarted
 * hub reaches its jobs' servers again (adopt()): the hub's own key and
 * certificate (slurm/hub.keys, 0600), made with its first job and shown
 * to every job's server; each job's server certificate, to pin
 * (slurm/JOB.keys, 0600), from the submission to the job's end.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "proxy.h"
#include "server.h"
#include "spawn-slurm-internal.h"
#include "spawn-slurm-tls.h"
#include "tlspeer.h"

#define KEYS_DIR "slurm" /* under the state directory */
#define IDENTITY_FILE "hub.keys" /* in it */

/* The hub's certificate (PEM) while its identity is loaded: each job's
 * server takes it as its --client-ca. */
static char *identity_cert;

static char *state_path(struct hub *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static char *keys_path(struct hub *, long long);
static int   identity_load(const char *);
static void  failed(struct server *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* STATE/KEYS_DIR/(fmt), the folder made 0700 if missing; NULL if it
 * cannot be. */
static char *
state_path(struct hub *hub, const char *fmt, ...)
{
	char   *dir, *name, *path;
	va_list ap;

	dir = xasprintf("%s/%s", hub->cfg->state_dir, KEYS_DIR);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	va_start(ap, fmt);
	name = xvasprintf(fmt, ap);
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

/* The identity from 'pem' (its key, then its certificate): 0 once loaded. */
static int
identity_load(const char *pem)
{
	const char *cert = strstr(pem, "-----BEGIN CERTIFICATE-----");
	char        why[256];

	if (cert == NULL ||
	    tlspeer_identity(pem, strlen(pem), why, sizeof(why)) == -1) {
		log_warnx("slurm: the hub's TLS key: %s",
		    cert == NULL ? "no certificate" : why);
		return -1;
	}
	free(identity_cert);
	identity_cert = xstrdup(cert);
	return 0;
}

int
slurm_link_identity(struct hub *hub)
{
	char *path, *pem;
	int   r;

	if (identity_cert != NULL)
		return 0;
	if ((path = state_path(hub, IDENTITY_FILE)) == NULL)
		return -1;
	pem = read_file(path, SLURM_TLS_PEM_MAX, NULL);
	if (pem == NULL && errno != ENOENT)
		log_warn("slurm: read %s", path);
	free(path);
	if (pem == NULL)
		return -1;
	r = identity_load(pem);
	free_secret(pem);
	return r;
}

int
slurm_link_identity_keep(struct hub *hub, const char *key, const char *cert)
{
	char *path = state_path(hub, IDENTITY_FILE), *pem;
	int   r = -1;

	if (path == NULL) {
		log_warn("slurm: the state directory's %s folder", KEYS_DIR);
		return -1;
	}
	pem = xasprintf("%s%s", key, cert);
	if (write_file_atomic(path, pem, strlen(pem), 0600) == -1)
		log_warn("slurm: write %s", path);
	else
		r = identity_load(pem);
	free_secret(pem);
	free(path);
	return r;
}

const char *
slurm_link_identity_cert(void)
{
	return identity_cert;
}

void
slurm_link_release(void)
{
	free(identity_cert);
	identity_cert = NULL;
	tlspeer_identity_release();
}

int
slurm_link_keep(struct hub *hub, long long id, const char *keys)
{
	char *path = keys_path(hub, id);
	int   r;

	if (path == NULL) {
		log_warn("slurm: the state directory's %s folder", KEYS_DIR);
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
		server_spawn_failed(s, "its TLS link: %s", why);
	else
		log_warnx("server %s: no TLS link to its Slurm job %d: %s",
		    s->label, s->pid, why);
}

void
slurm_link_start(struct server *s, void (*then)(struct server *))
{
	struct tlspeer *peer;
	struct endpoint to;
	char           *keys, *kpath, why[256], where[96];

	/* After a restart, the identity with the first job's link. */
	(void)slurm_link_identity(s->hub);
	kpath = keys_path(s->hub, s->pid);
	keys = kpath != NULL ? read_file(kpath, SLURM_TLS_PEM_MAX, NULL) : NULL;
	free(kpath);
	if (keys == NULL) {
		failed(s, "its keys for job %d are not kept", s->pid);
		return;
	}
	peer = tlspeer_new(keys, strlen(keys), why, sizeof(why));
	free_secret(keys);
	if (peer == NULL) {
		failed(s, "%s", why);
		return;
	}
	/* Connections to the last peer (if any) hold their own reference,
	 * and endpoint_eq() tells the two apart. */
	tlspeer_unref(s->tls);
	s->tls = peer;
	server_address(s, &to);
	log_info("server %s: TLS link to %s", s->label,
	    endpoint_text(&to, where, sizeof(where)));
	if (then != NULL)
		then(s);
}

void
slurm_link_end(struct server *s)
{
	struct endpoint to;
	char           *kpath;

	if (s->tls != NULL) {
		server_address(s, &to);
		proxy_forget(s->hub, &to);
		tlspeer_unref(s->tls);
		s->tls = NULL;
	}
	if (s->pid > 0 && (kpath = keys_path(s->hub, s->pid)) != NULL) {
		if (unlink(kpath) == -1 && errno != ENOENT)
			log_warn("server %s: unlink %s", s->label, kpath);
		free(kpath);
	}
}
