/* SPDX-License-Identifier: MIT */
/*
 * db.c's connection and its statements: each SQL literal prepared once and
 * kept, its ?N parameters bound from a list, stepped, and reset for the next
 * use. Every failure is logged as "FUNC: SQLite's message", FUNC being the
 * caller's __func__, so a log line names the query that failed. For db.c
 * alone: nothing else looks inside a struct db.
 */
#ifndef DB_STMT_H
#define DB_STMT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define DB_STMT_CACHE 48

struct db {
	sqlite3 *h;
	uint64_t gen; /* bumped by every change to who may log in */
	struct {
		const char   *sql; /* a literal: compared by address */
		sqlite3_stmt *st;
	} cache[DB_STMT_CACHE];
};

/* One parameter: text (NULL binds SQL NULL) or an integer. */
struct db_arg {
	int         is_text;
	const char *text;
	int64_t     num;
};

#define DB_TEXT(s) ((struct db_arg){ .is_text = 1, .text = (s) })
#define DB_INT(n) ((struct db_arg){ .num = (n) })
/* The parameters ?1, ?2, ... in order, as a list and its length. */
#define DB_ARGS(...)                                                           \
	(const struct db_arg[]){ __VA_ARGS__ },                                \
	    sizeof((const struct db_arg[]){ __VA_ARGS__ }) /                   \
	    sizeof(struct db_arg)

/* Runs SQL that returns nothing useful (no parameters); 0 or -1. */
int db_exec(struct db *, const char *sql, const char *func);

/* The statement for 'sql' (a literal), prepared or from the cache; NULL. */
sqlite3_stmt *db_prepare(struct db *, const char *sql, const char *func);

/* Prepared, with 'args' bound to ?1..?n; NULL on error. */
sqlite3_stmt *db_bound(struct db *, const char *sql, const char *func,
    const struct db_arg *args, size_t n);

/* Done with a statement: a cached one is reset (so it holds no read
 * lock), any other finalized. */
void db_finish(struct db *, sqlite3_stmt *);

/* Logs the connection's error, finishes 'st' and returns -1. */
int db_fail(struct db *, sqlite3_stmt *, const char *func);

/*
 * A statement that returns no rows, bound and stepped: 0 if it changed a
 * row, 1 if it changed none, -1 on error.
 */
int db_change(struct db *, const char *sql, const char *func,
    const struct db_arg *args, size_t n);

/* The same where it does not matter whether a row changed: 0 or -1. */
int db_write(struct db *, const char *sql, const char *func,
    const struct db_arg *args, size_t n);

/*
 * A statement bound and stepped once: 0 and *st standing on its first row
 * (read it, then db_finish() or step on), 1 no row (nothing to finish), -1
 * on error.
 */
int db_row(struct db *, sqlite3_stmt **st, const char *sql, const char *func,
    const struct db_arg *args, size_t n);

/* Finalizes every kept statement (before the connection closes). */
void db_stmt_cache_release(struct db *);

#endif
