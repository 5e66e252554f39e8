/* SPDX-License-Identifier: MIT */
/*
 * A hub without root serves one user (oneuser.h): the check before a user
 * is added, the check of who may sign in and start a server, and the fact
 * 'root' recorded in the database at each start.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "lib/log.h"
#include "oneuser.h"
#include "lib/banned.h"

#define FACT_ROOT "root"

int
oneuser_start(struct db *db, int is_root)
{
	struct db_user u;
	int64_t        n, first;

	if (db_fact_set(db, FACT_ROOT, is_root ? "yes" : "no") == -1)
		return -1;
	if (is_root)
		return 0;
	if (db_user_count(db, &n) == -1 || db_user_first(db, &first) == -1)
		return -1;
	if (n < 2 || db_user_get_id(db, first, &u) != 0)
		return 0;
	log_warnx("running without root with %lld users: every server would "
	          "run as this one account, so the hub serves only its first "
	          "admin, %s; the others are refused at login and their "
	          "servers are not started until the hub runs as root (or "
	          "remove them with 'rig user delete')",
	    (long long)n, u.name);
	db_user_release(&u);
	return 0;
}

int
oneuser_hub_is_root(struct db *db)
{
	char *v;
	int   r;

	r = db_fact_get(db, FACT_ROOT, &v);
	if (r != 0)
		return geteuid() == 0;
	r = strcmp(v, "yes") == 0;
	free(v);
	return r;
}

int
oneuser_may_add(struct db *db, int is_root)
{
	int64_t n;

	if (is_root)
		return 0;
	if (db_user_count(db, &n) == -1)
		return -1;
	return n == 0 ? 0 : -1;
}

int
oneuser_serves(struct db *db, int is_root, int64_t id)
{
	int64_t first;
	int     r;

	if (is_root)
		return 1;
	r = db_user_first(db, &first);
	if (r == -1)
		return -1;
	return r == 0 && first == id;
}
