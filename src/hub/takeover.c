/* SPDX-License-Identifier: MIT */
/*
 * Taking over the servers of an earlier hub (takeover.h). A server left
 * pending is probed again with a fresh spawn_timeout, since its clock
 * stopped with the old hub; one left stopping is sent SIGTERM again.
 * Its output is read again from its stdout pipe (serverlog.h).
 *
 * As root, the start is also when the accounts rig made are checked: a
 * home others may read is made 0700 (accounts made before homes were
 * private), and the account prefix is written down for 'rig user
 * delete'.
 */
#include <stdio.h>
#include <stdlib.h>

#include "accounts.h"
#include "lib/log.h"
#include "lib/util.h"
#include "server.h"
#include "serverlog.h"
#include "takeover.h"

static void take_over(struct hub *, const struct db_server *,
    const struct db_user *);

/* Puts the server of row 'r' back in the table, if it still runs. */
static void
take_over(struct hub *hub, const struct db_server *r, const struct db_user *u)
{
	struct server  *s;
	struct endpoint to;
	char            where[ENDPOINT_PATH_MAX + 16], why[256];

	s = server_new(hub, u->name, u->id, r->name);
	s->pid = r->pid;
	snprintf(s->pid_start, sizeof(s->pid_start), "%s", r->pid_start);
	if (!s->spawner->alive(s)) {
		log_info("server %s: gone while the hub was down", s->label);
		s->state = SERVER_STOPPED;
		server_gone_before(s);
		return;
		return;
	}
	s->state = r->state;
	s->port = r->port;
	snprintf(s->sock, sizeof(s->sock), "%s",
	    r->sock != NULL ? r->sock : "");
	snprintf(s->host, sizeof(s->host), "%s",
	    r->host != NULL ? r->host : "");
	s->secret = xstrdup(r->secret);
	s->protocol = r->protocol;
	if (spawn_options_parse_text(hub->cfg, r->user_options, &s->opts, why,
	        sizeof(why)) == -1) {
		/* The config changed since: show what it was started with. */
		log_info("server %s: its options no longer hold: %s", s->name,
		    why);
		s->opts.json =
		    xstrdup(r->user_options != NULL ? r->user_options : "{}");
	}
	s->started = r->started;
	s->last_activity = r->last_activity > 0 ? r->last_activity : now_sec();
	s->spawn_ms = now_ms();
	server_address(s, &to);
	/* A Slurm job's server has no address until adopt() below links
	 * it again: its row's host and port meanwhile. */
	if (endpoint_is_unix(&to) || to.host[0] != '\0')
		endpoint_text(&to, where, sizeof(where));
	else if (s->port > 0)
		snprintf(where, sizeof(where), "%s:%d", s->host, s->port);
	else
		snprintf(where, sizeof(where), "no address yet");
	log_info("server %s: taken over (pid %d, %s, %s)", s->label, s->pid,
	    where, server_state_name(s->state));
	if (s->spawner->output_pipe &&
	    serverlog_reattach(hub->loop, s->pid, s->log_path,
	        hub->cfg->limits.server_log_max) == -1)
		log_info("server %s: its output cannot be read again: it is "
		         "lost until it restarts",
		    s->label);
	{
		struct spawner_usage use;

		/* OOM kills before the restart were told already. */
		if (server_usage(s, &use) == 0)
			s->oom_kills = use.oom_kills;
	}
	/* A spawner that watches its servers itself (a Slurm job, maybe
	 * still queued) carries a pending start on from where it was. */
	if (s->spawner->adopt != NULL && s->spawner->adopt(s) == 1)
		return;
	if (s->state == SERVER_PENDING) {
		s->deadline_ms =
		    now_ms() + (uint64_t)hub->cfg->spawn_timeout * 1000;
		server_probe_start(s, 0);
	} else if (s->state == SERVER_STOPPING)
		server_terminate(s);
}

void
servers_preopen(struct hub *hub)
{
	struct db_server *rows;
	size_t            n;

	/* Only a local process's pid names a pipe here. */
	if (!servers_spawner()->output_pipe)
		return;
	if (db_server_list_active(hub->db, &rows, &n) == -1)
		return; /* servers_restore() says so */
	for (size_t i = 0; i < n; i++)
		serverlog_preopen(rows[i].pid);
	db_servers_free(rows, n);
}

void
servers_restore(struct hub *hub)
{
	struct db_server *rows;
	size_t            n;

	/* Homes were fixed before the drop (daemon.c). */
	if (hub->is_root)
		(void)accounts_save_prefix(hub->cfg->state_dir,
		    hub->cfg->user_prefix);
	if (db_server_list_active(hub->db, &rows, &n) == -1) {
		log_warnx("cannot read the servers of the last run");
		serverlog_preopen_release();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct db_user u;

		if (db_user_get_id(hub->db, rows[i].user_id, &u) != 0) {
			db_server_del(hub->db, rows[i].user_id, rows[i].name);
			continue;
		}
		take_over(hub, &rows[i], &u);
		db_user_release(&u);
	}
	db_servers_free(rows, n);
	serverlog_preopen_release();
}
