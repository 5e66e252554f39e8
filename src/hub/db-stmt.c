/* SPDX-License-Identifier: MIT */
/*
 * Statements for db.c. The proxy looks up a session or token on every
 * request, and a prepare costs more than the lookup, so each literal is
 * prepared once per connection and kept; sqlite3_prepare_v2 statements
 * re-prepare themselves after a schema change made by another process.
 */
#include <stdlib.h>

#include "db-stmt.h"
#include "lib/log.h"
#include "lib/banned.h"

int
db_exec(struct db *db, const char *sql, const char *func)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("%s: %s", func,
		    msg != NULL ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
db_prepare(struct db *db, const char *sql, const char *func)
{
	sqlite3_stmt *st = NULL;
	size_t        i;

	for (i = 0; i < DB_STMT_CACHE && db->cache[i].sql != NULL; i++) {
		if (db->cache[i].sql == sql) {
			sqlite3_reset(db->cache[i].st);
			sqlite3_clear_bindings(db->cache[i].st);
			return db->cache[i].st;
		}
	}
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("%s: %s", func, sqlite3_errmsg(db->h));
		sqlite3_finalize(st);
		return NULL;
	}
	if (i < DB_STMT_CACHE) {
		db->cache[i].sql = sql;
		db->cache[i].st = st;
	}
	return st;
}

sqlite3_stmt *
db_bound(struct db *db, const char *sql, const char *func,
    const struct db_arg *args, size_t n)
{
	sqlite3_stmt *st;
	int           r;

	st = db_prepare(db, sql, func);
	if (st == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		/* SQLITE_STATIC: the caller's strings outlive the step. */
		if (args[i].is_text)
			r = sqlite3_bind_text(st, (int)i + 1, args[i].text, -1,
			    SQLITE_STATIC);
		else
			r = sqlite3_bind_int64(st, (int)i + 1, args[i].num);
		if (r != SQLITE_OK) {
			db_fail(db, st, func);
			return NULL;
		}
	}
	return st;
}

void
db_finish(struct db *db, sqlite3_stmt *st)
{
	for (size_t i = 0; i < DB_STMT_CACHE && db->cache[i].sql != NULL; i++) {
		if (db->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

int
db_fail(struct db *db, sqlite3_stmt *st, const char *func)
{
	log_warnx("%s: %s", func, sqlite3_errmsg(db->h));
	db_finish(db, st);
	return -1;
}

int
db_change(struct db *db, const char *sql, const char *func,
    const struct db_arg *args, size_t n)
{
	sqlite3_stmt *st;

	st = db_bound(db, sql, func, args, n);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, st, func);
	db_finish(db, st);
	/* A row whose values stay the same still counts as changed. */
	return sqlite3_changes(db->h) > 0 ? 0 : 1;
}

int
db_write(struct db *db, const char *sql, const char *func,
    const struct db_arg *args, size_t n)
{
	return db_change(db, sql, func, args, n) == -1 ? -1 : 0;
}

int
db_row(struct db *db, sqlite3_stmt **stp, const char *sql, const char *func,
    const struct db_arg *args, size_t n)
{
	sqlite3_stmt *st;
	int           r;

	*stp = NULL;
	st = db_bound(db, sql, func, args, n);
	if (st == NULL)
		return -1;
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		db_finish(db, st);
		return 1;
	}
	if (r != SQLITE_ROW)
		return db_fail(db, st, func);
	*stp = st;
	return 0;
}

void
db_stmt_cache_release(struct db *db)
{
	for (size_t i = 0; i < DB_STMT_CACHE && db->cache[i].sql != NULL; i++)
		sqlite3_finalize(db->cache[i].st);
}
