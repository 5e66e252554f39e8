/* SPDX-License-Identifier: MIT */
/*
 * 'rig service pool' as JSON, on the pool's head for rig pool status:
 * the view the hub's admin page shows (hub/poolview.h), asked of Slurm
 * here, with the hub's servers from its database and the hours each
 * node was powered this month from the power log (lib/powerlog.h).
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "hub/db.h"
#include "hub/poolquery.h"
#include "hub/poolview.h"
#include "hub/servername.h"
#include "hub/state.h"
#include "lib/powerlog.h"
#include "lib/util.h"
#include "service.h"
#include "lib/banned.h"

#define SLURM_PID_START "slurm" /* spawn-slurm.c's mark of a job's row */

json_t *
service_pool(struct service *s)
{
	struct poolview_server *sv = NULL;
	struct db_server       *rows = NULL;
	struct db_user         *users = NULL;
	char                  **labels = NULL;
	struct db              *db = NULL;
	struct stat             sb;
	size_t                  n = 0, k = 0;
	char                   *si, *sq, *err, *dbp;
	json_t                 *view;

	if (poolquery_run(&si, &sq, &err) == -1) {
		view = json_pack("{s:s}", "error", err);
		free(err);
		return view;
	}
	dbp = xasprintf("%s/rig.db", s->state);
	if (stat(dbp, &sb) == 0 && (db = state_open_db(s->state)) != NULL &&
	    db_server_list_active(db, &rows, &n) == 0) {
		sv = xcalloc(n + 1, sizeof(*sv));
		users = xcalloc(n + 1, sizeof(*users));
		labels = xcalloc(n + 1, sizeof(*labels));
		for (size_t i = 0; i < n; i++) {
			if (rows[i].pid_start == NULL ||
			    strcmp(rows[i].pid_start, SLURM_PID_START) != 0 ||
			    db_user_get_id(db, rows[i].user_id, &users[k]) != 0)
				continue;
			sv[k].job = rows[i].pid;
			labels[k] = server_label(users[k].name, rows[i].name);
			sv[k].label = labels[k];
			k++;
		}
	}
	view = poolview_build(si, sq, sv, k, POWERLOG_PATH, now_sec());
	for (size_t i = 0; i < k; i++) {
		free(labels[i]);
		db_user_release(&users[i]);
	}
	free(labels);
	free(users);
	free(sv);
	if (rows != NULL)
		db_servers_free(rows, n);
	db_close(db);
	free(dbp);
	free(si);
	free(sq);
	return view;
}
