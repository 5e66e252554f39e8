/* SPDX-License-Identifier: MIT */
/*
 * Between the Slurm spawner's files: spawn-slurm.c (the spawner's
 * operations, spawner.h), spawn-slurm-submit.c (sbatch and scancel as the
 * server's account) and spawn-slurm-watch.c (the one squeue for all jobs,
 * a job's states as progress, its end as the server's, where it listens).
 */
#ifndef SPAWN_SLURM_INTERNAL_H
#define SPAWN_SLURM_INTERNAL_H

#include <stddef.h>

#include "spawn-slurm-account.h"

struct hub;
struct server;

/* sbatch of the server's job as its account; its id becomes s->pid and
 * the job is watched. */
void slurm_submit(struct server *);

/* scancel of job 'id' as 'account', its owner; with 'kill', SIGKILL to
 * all of the job's processes. Nothing is reported. */
void slurm_cancel(struct hub *, const char *account, long long id, int kill);

/* The hub's own TLS key and certificate for its jobs (spawn-slurm-link.c),
 * read from where they are kept if not loaded yet: 0 if the hub has them,
 * -1 if they were never made (or cannot be read: logged). */
int slurm_link_identity(struct hub *);
/* A key and certificate of rig slurm-tls-keys --hub kept and loaded as
 * the hub's; -1 if they cannot be (logged). */
int slurm_link_identity_keep(struct hub *, const char *key, const char *cert);
/* The hub's certificate (PEM) once loaded, else NULL. */
const char *slurm_link_identity_cert(void);
/* The hub stops: the identity dropped. */
void slurm_link_release(void);
/* The server's certificate of job 'id' kept, to pin (spawn-slurm-link.c);
 * -1 if it cannot be (logged). */
int slurm_link_keep(struct hub *, long long id, const char *keys);
/* The server's way in: TLS from the hub to s->host:s->port with the kept
 * keys (s->tls); then 'then' (NULL: nothing). A failure ends a pending
 * start, or is logged for a running server. */
void slurm_link_start(struct server *, void (*then)(struct server *));
/* The job ended: its pooled connections, its peer and its keys go. */
void slurm_link_end(struct server *);

/* The job's output read again (spawn-slurm-log.c), unless it was less
 * than a second ago or a read is out; the copy kept for slurm_log_get(),
 * its last 'lines' lines (the caller frees it), until slurm_log_forget(). */
void  slurm_log_fetch(struct server *);
char *slurm_log_get(const struct server *, int lines);
void  slurm_log_forget(const struct server *);

/* The server's job is watched from now on (once). */
void slurm_watch_add(struct server *);
/* The job reported 'port' itself (spawn-slurm-report.c): the server is
 * there as soon as its node's address is known. -1 if the server's job
 * is not watched. */
int slurm_watch_reported(struct server *, int port);
/* Not watched any more (the server goes). */
void slurm_watch_remove(struct server *);
/* -1 if the server's job is not watched, 1 if its end was seen, else 0. */
int slurm_watch_gone(const struct server *);
/* A progress step of the start, once per message. */
void slurm_watch_say(struct server *, int pct, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The hub stops: the timer closed, what was learnt dropped. */
void slurm_watch_release(void);

#endif
