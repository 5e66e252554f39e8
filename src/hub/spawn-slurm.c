/* SPDX-License-Identifier: MIT */
/*
 * The Slurm spawner (spawner.h): a user's server is a batch job on one of
 * a pool's nodes, the batchspawner way, with the lessons of
 * ../shared/POOL-NOTES.md. The hub runs on the pool's head, beside
 * slurmctld, and uses Slurm's own commands there; it knows nothing of
 * the pool's setup (src/pool/), only what Slurm says.
 *
 * Its files: this one, the spawner's operations; spawn-slurm-submit.c,
 * sbatch and scancel as the account; spawn-slurm-script.c, the job's
 * script (where the server listens on its node); spawn-slurm-watch.c, the
 * one squeue for all jobs, progress, a job's end; spawn-slurm-run.c,
 * Slurm's commands run; spawn-slurm-parse.c, their output read.
 *
 * Start: as root, the user's Unix account is made on the head if missing
 * (the nodes make it at the job's first start there: the prolog rig up
 * installs takes the name and ids slurmctld sends with the job), then the
 * job is submitted as that account. Stop: scancel as the account; SIGKILL
 * to every process of the job after SERVER_STOP_GRACE. A hub restart
 * watches the jobs of its rows again (adopt()).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "endpoint.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "server.h"
#include "spawn-account.h"
#include "spawn-slurm-internal.h"
#include "spawn-slurm-parse.h"
#include "spawn-slurm-run.h"
#include "spawner.h"

static void  slurm_start(struct server *);
static void  slurm_signal(struct server *, enum spawner_signal);
static int   slurm_alive(const struct server *);
static int   slurm_watched(const struct server *);
static void  slurm_address(const struct server *, struct endpoint *);
static char *slurm_log_tail(const struct server *, int);
static int   slurm_adopt(struct server *);
static void  slurm_forget(struct server *);
static void  slurm_drop_user(struct hub *, const char *);
static void  slurm_release(void);
static void  drop_cb(void *, int, int64_t, const char *);

const struct spawner spawner_slurm = {
	.name = "slurm",
	.start = slurm_start,
	.signal = slurm_signal,
	.alive = slurm_alive,
	.watched = slurm_watched,
	.address = slurm_address,
	/* The job checked the port's listener on its node before it said
	 * the port (spawn-slurm-script.c): nothing to ask here, where that
	 * node's sockets cannot be seen. */
	.listener_ok = NULL,
	.log_tail = slurm_log_tail,
	.adopt = slurm_adopt,
	.forget = slurm_forget,
	.drop_user = slurm_drop_user,
	.release = slurm_release,
};

static void
slurm_start(struct server *s)
{
	if (s->hub->is_root)
		spawn_account_then(s, slurm_submit);
	else
		slurm_submit(s);
}

static void
slurm_signal(struct server *s, enum spawner_signal sig)
{
	char acct[ACCOUNT_NAME_MAX + 1];

	if (s->pid <= 0 || slurm_watch_gone(s) == 1 ||
	    slurm_account_of(s, acct, sizeof(acct)) == -1)
		return;
	if (sig == SPAWNER_KILL) {
		log_warnx("server %s: Slurm job %d did not end in %d s, "
		          "killing it",
		    s->label, s->pid, SERVER_STOP_GRACE);
	}
	slurm_cancel(s->hub, acct, s->pid, sig == SPAWNER_KILL);
}

/* Alive unless its end was seen; a row of another spawner's (a pid with
 * a /proc start time) is not a job. */
static int
slurm_alive(const struct server *s)
{
	int gone = slurm_watch_gone(s);

	if (gone != -1)
		return !gone;
	return s->pid > 0 && strcmp(s->pid_start, SLURM_PID_START) == 0;
}

static int
slurm_watched(const struct server *s)
{
	return slurm_watch_gone(s) == 0;
}

/* Only ever TLS to the job's port with its keys (spawn-slurm-link.c):
 * before the keys are read, an address nothing connects to, never the
 * node's port in the clear. */
static void
slurm_address(const struct server *s, struct endpoint *to)
{
	if (s->tls == NULL || s->port <= 0 || s->host[0] == '\0') {
		endpoint_tcp(to, "", 0);
		return;
	}
	endpoint_tcp(to, s->host, s->port);
	to->tls = s->tls;
}

/* The last copy of the job's output (spawn-slurm-log.c). */
static char *
slurm_log_tail(const struct server *s, int lines)
{
	return slurm_log_get(s, lines);
}

static int
slurm_adopt(struct server *s)
{
	slurm_watch_add(s);
	/* A job that said its port: reached again with its kept keys. */
	if (s->port > 0)
		slurm_link_start(s, NULL);
	return s->state == SERVER_PENDING && s->port == 0;
}

static void
slurm_forget(struct server *s)
{
	slurm_log_forget(s);
	slurm_watch_remove(s);
}

/* The account's jobs are cancelled first (as the account, which must
 * still exist), then it goes as the local spawner removes it. */
struct drop {
	struct hub *hub;
	char       *name;
};

static void
drop_cb(void *arg, int r, int64_t status, const char *out)
{
	struct drop *d = arg;

	(void)status;
	(void)out;
	if (r != UV_ECANCELED)
		spawner_local.drop_user(d->hub, d->name);
	free(d->name);
	free(d);
}

static void
slurm_drop_user(struct hub *hub, const char *name)
{
	char           acct[ACCOUNT_NAME_MAX + 1], *conf = NULL;
	char          *argv[] = { (char *)SLURM_SCANCEL, (char *)"--name",
		         (char *)SLURM_JOB_NAME, NULL };
	char          *env[] = { (char *)"PATH=" SLURM_SAFE_PATH, NULL, NULL };
	struct passwd *pw;
	struct drop   *d;

	if (!hub->is_root ||
	    account_name(hub->cfg->user_prefix, name, acct, sizeof(acct)) ==
	        -1 ||
	    account_lookup(acct, &pw) != 1)
		return;
	if (getenv("SLURM_CONF") != NULL) {
		conf = xasprintf("SLURM_CONF=%s", getenv("SLURM_CONF"));
		env[1] = conf;
	}
	d = xcalloc(1, sizeof(*d));
	d->hub = hub;
	d->name = xstrdup(name);
	/* scancel as the account cancels only the account's own jobs. */
	if (slurm_run(hub, acct, argv, env, "/", NULL, drop_cb, d) != 0)
		drop_cb(d, 0, 0, "");
	free(conf);
}

/* The hub stops: commands in flight are let go (their callbacks get
 * UV_ECANCELED), the timer closed; jobs run on. */
static void
slurm_release(void)
{
	slurm_run_release();
	slurm_watch_release();
	slurm_link_release();
}
