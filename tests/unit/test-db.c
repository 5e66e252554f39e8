/* SPDX-License-Identifier: MIT */
/*
 * Tests of db.c against a real SQLite file in the test's temporary
 * directory: users and what hangs off them, tokens, sessions, servers, and
 * the file itself (migrations, mode).
 */
#include <sys/stat.h>

#include <stdint.h>
#include <unistd.h>

#include <sqlite3.h>

#include "unit.h"
#include "hub/db.h"
#include "lib/util.h"

static struct db *open_tmp(void);
static char      *tmp_path(const char *);
static int        raw_int(const char *, const char *);
static int        find(struct db *, const char *, int64_t *, int64_t *);
static char      *raw_text(const char *, const char *);
static struct db *migrated(const char *, int, const char *);

/* A path in the test's directory; caller frees result. */
static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", unit_tmpdir(), name);
}

/* A fresh database in the test's directory. */
static struct db *
open_tmp(void)
{
	struct db *db;
	char      *path = tmp_path("rig.db");

	db = db_open(path);
	free(path);
	ASSERT_NOT_NULL(db);
	return db;
}

/* A database at 'path' left at schema 'version' by an older rig, with user
 * alice and what 'sql' adds past db.c (rows that rig wrote), then opened by
 * this one: its migrations run. */
static struct db *
migrated(const char *path, int version, const char *sql)
{
	struct db *db;
	sqlite3   *h;

	db = db_open_at(path, version);
	ASSERT_NOT_NULL(db);
	ASSERT_EQ(db_user_add(db, "alice", "h", 0), 0);
	db_close(db);
	ASSERT_EQ(sqlite3_open(path, &h), SQLITE_OK);
	ASSERT_EQ(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	db = db_open(path);
	ASSERT_NOT_NULL(db);
	return db;
}

/* The integer a query returns on the file at 'path', past db.c. */
static int
raw_int(const char *path, const char *sql)
{
	sqlite3      *h;
	sqlite3_stmt *st;
	int           v;

	ASSERT_EQ(sqlite3_open(path, &h), SQLITE_OK);
	ASSERT_EQ(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The text a query returns on the file at 'path'; caller frees result. */
static char *
raw_text(const char *path, const char *sql)
{
	sqlite3      *h;
	sqlite3_stmt *st;
	char         *v;

	ASSERT_EQ(sqlite3_open(path, &h), SQLITE_OK);
	ASSERT_EQ(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
	v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* db_token_find() for the user and token ids alone. */
static int
find(struct db *db, const char *hash, int64_t *uid, int64_t *tid)
{
	struct db_token_auth a;
	int                  r = db_token_find(db, hash, &a);

	if (r == 0) {
		*uid = a.user_id;
		*tid = a.token_id;
	}
	db_token_auth_release(&a);
	return r;
}

TEST(db_user_add_get)
{
	struct db     *db = open_tmp();
	struct db_user u, v;
	int64_t        n, t0 = now_sec();

	ASSERT_EQ(db_user_add(db, "alice", "$y$hash", 1), 0);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_STR_EQ(u.name, "alice");
	ASSERT_STR_EQ(u.pwhash, "$y$hash");
	ASSERT_EQ(u.admin, 1);
	ASSERT(u.created >= t0 && u.created <= now_sec());
	ASSERT_EQ(u.last_activity, 0);
	ASSERT_EQ(db_user_get_id(db, u.id, &v), 0);
	ASSERT_STR_EQ(v.name, "alice");
	db_user_release(&v);
	ASSERT_EQ(db_user_get_id(db, u.id + 100, &v), 1);
	ASSERT_EQ(db_user_get(db, "bob", &v), 1);
	ASSERT_EQ(db_user_count(db, &n), 0);
	ASSERT_EQ(n, 1);
	db_user_release(&u);
	ASSERT_NULL(u.name);
	db_close(db);
	db_close(NULL);
}

TEST(db_user_dup)
{
	struct db     *db = open_tmp();
	struct db_user u;

	ASSERT_EQ(db_user_add(db, "alice", "h1", 0), 0);
	ASSERT_EQ(db_user_add(db, "alice", "h2", 1), 1);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_STR_EQ(u.pwhash, "h1");
	ASSERT_EQ(u.admin, 0);
	db_user_release(&u);
	db_close(db);
}

TEST(db_user_list_sorted)
{
	struct db      *db = open_tmp();
	struct db_user *users;
	size_t          n;

	ASSERT_EQ(db_user_list(db, &users, &n), 0);
	ASSERT_EQ(n, 0);
	db_users_free(users, n);
	ASSERT_EQ(db_user_add(db, "carol", "", 0), 0);
	ASSERT_EQ(db_user_add(db, "alice", "", 1), 0);
	ASSERT_EQ(db_user_add(db, "bob", NULL, 0), 0);
	ASSERT_EQ(db_user_list(db, &users, &n), 0);
	ASSERT_EQ(n, 3);
	ASSERT_STR_EQ(users[0].name, "alice");
	ASSERT_STR_EQ(users[1].name, "bob");
	ASSERT_STR_EQ(users[1].pwhash, "");
	ASSERT_STR_EQ(users[2].name, "carol");
	ASSERT_EQ(users[0].admin, 1);
	db_users_free(users, n);
	db_close(db);
}

TEST(db_user_set_password_admin_touch)
{
	struct db     *db = open_tmp();
	struct db_user u;

	ASSERT_EQ(db_user_add(db, "alice", "old", 0), 0);
	ASSERT_EQ(db_user_set_password(db, "alice", "new"), 0);
	ASSERT_EQ(db_user_set_admin(db, "alice", 1), 0);
	ASSERT_EQ(db_user_set_password(db, "bob", "x"), 1);
	ASSERT_EQ(db_user_set_admin(db, "bob", 1), 1);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_STR_EQ(u.pwhash, "new");
	ASSERT_EQ(u.admin, 1);
	ASSERT_EQ(db_user_touch(db, u.id, 1000), 0);
	ASSERT_EQ(db_user_touch(db, u.id, 500), 0); /* never backwards */
	ASSERT_EQ(db_user_touch(db, u.id + 1, 500), 1);
	db_user_release(&u);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_EQ(u.last_activity, 1000);
	db_user_release(&u);
	ASSERT_EQ(db_user_set_admin(db, "alice", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_EQ(u.admin, 0);
	db_user_release(&u);
	db_close(db);
}

TEST(db_user_del_cascades)
{
	struct db       *db = open_tmp();
	struct db_user   a, b;
	struct db_server s, got;
	int64_t          uid, tid, bt;
	char            *xsrf = NULL;

	ASSERT_EQ(db_user_add(db, "alice", "", 0), 0);
	ASSERT_EQ(db_user_add(db, "bob", "", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &a), 0);
	ASSERT_EQ(db_user_get(db, "bob", &b), 0);
	ASSERT_EQ(db_token_add(db, a.id, "ta", "n", &tid), 0);
	ASSERT_EQ(db_token_add(db, b.id, "tb", "n", &bt), 0);
	ASSERT_EQ(db_session_add(db, a.id, "sa", "xa", now_sec() + 60), 0);
	ASSERT_EQ(db_session_add(db, b.id, "sb", "xb", now_sec() + 60), 0);
	memset(&s, 0, sizeof(s));
	s.user_id = a.id;
	s.state = SERVER_READY;
	ASSERT_EQ(db_server_put(db, &s), 0);

	ASSERT_EQ(db_user_del(db, "alice"), 0);
	ASSERT_EQ(db_user_del(db, "alice"), 1);
	ASSERT_EQ(find(db, "ta", &uid, &tid), 1);
	ASSERT_EQ(db_session_find(db, "sa", &uid, &xsrf), 1);
	ASSERT_EQ(db_server_get(db, a.id, "", &got), 1);
	/* Bob's are untouched. */
	ASSERT_EQ(find(db, "tb", &uid, &tid), 0);
	ASSERT_EQ(uid, b.id);
	ASSERT_EQ(db_session_find(db, "sb", &uid, &xsrf), 0);
	ASSERT_STR_EQ(xsrf, "xb");
	free(xsrf);
	db_user_release(&a);
	db_user_release(&b);
	db_close(db);
}

TEST(db_token_add_find_del)
{
	struct db       *db = open_tmp();
	struct db_user   u;
	struct db_token *t, one;
	size_t           n;
	int64_t          id1, id2, uid, tid;

	ASSERT_EQ(db_user_add(db, "alice", "", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_EQ(db_token_add(db, u.id, "h1", "laptop", &id1), 0);
	ASSERT_EQ(db_token_add(db, u.id, "h2", NULL, &id2), 0);
	ASSERT(id1 != id2);
	ASSERT_EQ(db_token_add(db, u.id, "h1", "dup", NULL), -1);
	ASSERT_EQ(db_token_add(db, u.id + 9, "h3", "nouser", NULL), -1);

	ASSERT_EQ(find(db, "h2", &uid, &tid), 0);
	ASSERT_EQ(uid, u.id);
	ASSERT_EQ(tid, id2);
	ASSERT_EQ(find(db, "nope", &uid, &tid), 1);
	ASSERT_EQ(db_token_touch(db, id1, 77), 0);
	ASSERT_EQ(db_token_touch(db, id2 + 100, 77), 1);

	ASSERT_EQ(db_token_list(db, u.id, &t, &n), 0);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(t[0].id, id1);
	ASSERT_STR_EQ(t[0].note, "laptop");
	ASSERT_EQ(t[0].last_activity, 77);
	ASSERT_STR_EQ(t[1].note, "");
	ASSERT(t[1].created > 0);
	db_tokens_free(t, n);

	ASSERT_EQ(db_token_get(db, u.id, id1, &one), 0);
	ASSERT_STR_EQ(one.note, "laptop");
	db_token_release(&one);
	ASSERT_EQ(db_token_get(db, u.id + 1, id1, &one), 1);

	/* Another user's id does not delete it. */
	ASSERT_EQ(db_token_del(db, u.id + 1, id1), 1);
	ASSERT_EQ(db_token_del(db, u.id, id1), 0);
	ASSERT_EQ(db_token_del(db, u.id, id1), 1);
	ASSERT_EQ(find(db, "h1", &uid, &tid), 1);
	ASSERT_EQ(db_token_list(db, u.id, &t, &n), 0);
	ASSERT_EQ(n, 1);
	db_tokens_free(t, n);
	db_user_release(&u);
	db_close(db);
}

TEST(db_session_find_expire)
{
	struct db     *db = open_tmp();
	struct db_user u;
	int64_t        now = now_sec(), uid;
	char          *xsrf = NULL;

	ASSERT_EQ(db_user_add(db, "alice", "", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_EQ(db_session_add(db, u.id, "live", "x1", now + 3600), 0);
	ASSERT_EQ(db_session_add(db, u.id, "dead", "x2", now - 1), 0);
	ASSERT_EQ(db_session_add(db, u.id, "live", "x3", now + 3600), -1);
	ASSERT_EQ(db_session_add(db, u.id + 5, "orphan", "x", now + 60), -1);

	ASSERT_EQ(db_session_find(db, "live", &uid, &xsrf), 0);
	ASSERT_EQ(uid, u.id);
	ASSERT_STR_EQ(xsrf, "x1");
	free(xsrf);
	xsrf = NULL;
	/* Expired but not yet swept: already not found. */
	ASSERT_EQ(db_session_find(db, "dead", &uid, &xsrf), 1);
	ASSERT_NULL(xsrf);
	ASSERT_EQ(db_session_find(db, "none", &uid, &xsrf), 1);

	ASSERT_EQ(db_session_expire(db, now), 0);
	ASSERT_EQ(db_session_del(db, "dead"), 1); /* swept */
	ASSERT_EQ(db_session_find(db, "live", &uid, NULL), 0);
	ASSERT_EQ(db_session_expire(db, now + 3600), 0);
	ASSERT_EQ(db_session_find(db, "live", &uid, NULL), 1);

	ASSERT_EQ(db_session_add(db, u.id, "s1", "x", now + 60), 0);
	ASSERT_EQ(db_session_del(db, "s1"), 0);
	ASSERT_EQ(db_session_find(db, "s1", &uid, NULL), 1);
	db_user_release(&u);
	db_close(db);
}

TEST(db_session_del_user)
{
	struct db     *db = open_tmp();
	struct db_user a, b;
	int64_t        now = now_sec(), uid;

	ASSERT_EQ(db_user_add(db, "alice", "", 0), 0);
	ASSERT_EQ(db_user_add(db, "bob", "", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &a), 0);
	ASSERT_EQ(db_user_get(db, "bob", &b), 0);
	ASSERT_EQ(db_session_add(db, a.id, "a1", "x", now + 60), 0);
	ASSERT_EQ(db_session_add(db, a.id, "a2", "x", now + 60), 0);
	ASSERT_EQ(db_session_add(db, b.id, "b1", "x", now + 60), 0);
	ASSERT_EQ(db_session_del_user(db, a.id), 0);
	ASSERT_EQ(db_session_del_user(db, a.id), 0); /* none left: fine */
	ASSERT_EQ(db_session_find(db, "a1", &uid, NULL), 1);
	ASSERT_EQ(db_session_find(db, "a2", &uid, NULL), 1);
	ASSERT_EQ(db_session_find(db, "b1", &uid, NULL), 0);
	ASSERT_EQ(uid, b.id);
	db_user_release(&a);
	db_user_release(&b);
	db_close(db);
}

TEST(db_server_put_get_list)
{
	struct db       *db = open_tmp();
	struct db_user   a, b, c;
	struct db_server s, got, *list;
	size_t           n;

	ASSERT_EQ(db_user_add(db, "alice", "", 0), 0);
	ASSERT_EQ(db_user_add(db, "bob", "", 0), 0);
	ASSERT_EQ(db_user_add(db, "carol", "", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &a), 0);
	ASSERT_EQ(db_user_get(db, "bob", &b), 0);
	ASSERT_EQ(db_user_get(db, "carol", &c), 0);
	ASSERT_EQ(db_server_get(db, a.id, "", &got), 1);

	memset(&s, 0, sizeof(s));
	s.user_id = a.id;
	s.state = SERVER_PENDING;
	s.pid = 1234;
	s.pid_start = xstrdup("98765");
	s.port = 40001;
	s.secret = xstrdup("sekrit");
	s.started = 100;
	s.last_activity = 200;
	s.error = NULL;
	ASSERT_EQ(db_server_put(db, &s), 0);
	ASSERT_EQ(db_server_get(db, a.id, "", &got), 0);
	ASSERT_EQ(got.user_id, a.id);
	ASSERT_EQ(got.state, SERVER_PENDING);
	ASSERT_EQ(got.pid, 1234);
	ASSERT_STR_EQ(got.pid_start, "98765");
	ASSERT_EQ(got.port, 40001);
	ASSERT_STR_EQ(got.secret, "sekrit");
	ASSERT_EQ(got.started, 100);
	ASSERT_EQ(got.last_activity, 200);
	ASSERT_STR_EQ(got.error, "");
	ASSERT_STR_EQ(got.sock, "");
	db_server_release(&got);

	/* Put again replaces: one row per user. */
	s.state = SERVER_READY;
	s.port = 40002;
	s.sock = (char *)"/run/rig/rig-alice/jupyter.sock";
	ASSERT_EQ(db_server_put(db, &s), 0);
	s.sock = NULL;
	ASSERT_EQ(db_server_get(db, a.id, "", &got), 0);
	ASSERT_EQ(got.state, SERVER_READY);
	ASSERT_EQ(got.port, 40002);
	ASSERT_STR_EQ(got.sock, "/run/rig/rig-alice/jupyter.sock");
	db_server_release(&got);

	free(s.pid_start);
	free(s.secret);
	memset(&s, 0, sizeof(s));
	s.user_id = b.id;
	s.state = SERVER_FAILED;
	s.error = xstrdup("spawn failed");
	ASSERT_EQ(db_server_put(db, &s), 0);
	free(s.error);
	s.user_id = c.id;
	s.state = SERVER_STOPPING;
	s.error = NULL;
	ASSERT_EQ(db_server_put(db, &s), 0);
	s.user_id = c.id + 100;
	ASSERT_EQ(db_server_put(db, &s), -1); /* no such user */
	s.user_id = c.id;
	s.state = (enum server_state)7;
	ASSERT_EQ(db_server_put(db, &s), -1); /* not a state */

	ASSERT_EQ(db_server_list_active(db, &list, &n), 0);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(list[0].user_id, a.id);
	ASSERT_EQ(list[1].user_id, c.id);
	ASSERT_EQ(list[1].state, SERVER_STOPPING);
	db_servers_free(list, n);

	ASSERT_EQ(db_server_get(db, b.id, "", &got), 0);
	ASSERT_STR_EQ(got.error, "spawn failed");
	db_server_release(&got);
	ASSERT_EQ(db_server_del(db, b.id, ""), 0);
	ASSERT_EQ(db_server_del(db, b.id, ""), 1);
	db_user_release(&a);
	db_user_release(&b);
	db_user_release(&c);
	db_close(db);
}

TEST(db_server_state_names)
{
	ASSERT_STR_EQ(server_state_name(SERVER_STOPPED), "stopped");
	ASSERT_STR_EQ(server_state_name(SERVER_PENDING), "pending");
	ASSERT_STR_EQ(server_state_name(SERVER_READY), "ready");
	ASSERT_STR_EQ(server_state_name(SERVER_STOPPING), "stopping");
	ASSERT_STR_EQ(server_state_name(SERVER_FAILED), "failed");
}

#define TABLES "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"

TEST(db_migrations_idempotent)
{
	int            tables;
	char          *path = tmp_path("rig.db"), *mode;
	struct db     *db;
	struct db_user u;

	db = db_open(path);
	ASSERT_NOT_NULL(db);
	ASSERT_EQ(db_user_add(db, "alice", "h", 1), 0);
	db_close(db);
	ASSERT_EQ(raw_int(path, "PRAGMA user_version"), db_schema_latest());
	tables = raw_int(path, TABLES);
	ASSERT(tables >= 5);

	for (int i = 0; i < 2; i++) {
		db = db_open(path);
		ASSERT_NOT_NULL(db);
		ASSERT_EQ(db_user_get(db, "alice", &u), 0);
		ASSERT_EQ(u.admin, 1);
		db_user_release(&u);
		db_close(db);
	}
	/* Opening again ran nothing twice. */
	ASSERT_EQ(raw_int(path, "PRAGMA user_version"), db_schema_latest());
	ASSERT_EQ(raw_int(path, TABLES), tables);
	mode = raw_text(path, "PRAGMA journal_mode");
	ASSERT_STR_EQ(mode, "wal");
	free(mode);
	free(path);
}

TEST(db_two_handles)
{
	char          *path = tmp_path("rig.db");
	struct db     *hub, *cli;
	struct db_user u;

	/* The hub and a CLI command have the file open at once. */
	hub = db_open(path);
	cli = db_open(path);
	ASSERT_NOT_NULL(hub);
	ASSERT_NOT_NULL(cli);
	ASSERT_EQ(db_user_add(cli, "alice", "h", 0), 0);
	ASSERT_EQ(db_user_get(hub, "alice", &u), 0);
	db_user_release(&u);
	ASSERT_EQ(db_user_del(cli, "alice"), 0);
	ASSERT_EQ(db_user_get(hub, "alice", &u), 1);
	db_close(cli);
	db_close(hub);
	free(path);
}

TEST(db_newer_schema_refused)
{
	char      *path = tmp_path("rig.db");
	struct db *db;
	sqlite3   *h;

	db = db_open(path);
	ASSERT_NOT_NULL(db);
	db_close(db);
	ASSERT_EQ(sqlite3_open(path, &h), SQLITE_OK);
	ASSERT_EQ(sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	ASSERT_NULL(db_open(path));
	free(path);
}

TEST(db_file_mode_0600)
{
	char       *path = tmp_path("rig.db"), *wal;
	struct db  *db;
	struct stat sb;

	umask(0); /* the test runs in its own process */
	db = db_open(path);
	ASSERT_NOT_NULL(db);
	ASSERT_EQ(db_user_add(db, "alice", "h", 0), 0);
	ASSERT_EQ(stat(path, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0600);
	wal = tmp_path("rig.db-wal");
	ASSERT_EQ(stat(wal, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0600);
	free(wal);
	wal = tmp_path("rig.db-shm");
	ASSERT_EQ(stat(wal, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0600);
	free(wal);
	db_close(db);

	/* A file left world-readable is tightened on open. */
	ASSERT_EQ(chmod(path, 0644), 0);
	db = db_open(path);
	ASSERT_NOT_NULL(db);
	ASSERT_EQ(stat(path, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0600);
	db_close(db);
	free(path);
}

TEST(db_symlink_refused)
{
	char *path = tmp_path("rig.db"), *target = tmp_path("elsewhere");

	ASSERT_EQ(symlink(target, path), 0);
	ASSERT_NULL(db_open(path));
	free(path);
	free(target);
}

/* A database of the first schema (servers by port only) gains the socket
 * column, its rows kept: a hub upgraded while servers run takes them over
 * on their ports. */
TEST(db_migration_2_sock_column)
{
	char            *path = tmp_path("rig.db");
	struct db       *db;
	struct db_user   u;
	struct db_server got;

	/* Schema 1, with a running server's row. */
	db = migrated(path, 1,
	    "INSERT INTO servers (user_id, state, pid, port, secret)"
	    " SELECT id, 2, 99, 40123, 's' FROM users;");
	ASSERT_EQ(raw_int(path, "PRAGMA user_version"), db_schema_latest());
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_EQ(db_server_get(db, u.id, "", &got), 0);
	ASSERT_EQ(got.port, 40123);
	ASSERT_EQ(got.pid, 99);
	ASSERT_STR_EQ(got.sock, "");
	db_server_release(&got);
	db_user_release(&u);
	db_close(db);
	free(path);
}

/* A database of schema 4 gains the host column (a server on another
 * machine, a Slurm job's node), its rows kept, and the host round-trips. */
TEST(db_migration_5_host_column)
{
	char            *path = tmp_path("rig.db");
	struct db       *db;
	struct db_user   u;
	struct db_server got, put;

	db = migrated(path, 4,
	    "INSERT INTO servers (user_id, state, pid, sock, secret)"
	    " SELECT id, 2, 99, '/run/rig/a/jupyter.sock', 's' "
	    "FROM users;");
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_EQ(db_server_get(db, u.id, "", &got), 0);
	ASSERT_EQ(got.pid, 99);
	ASSERT_STR_EQ(got.sock, "/run/rig/a/jupyter.sock");
	ASSERT_STR_EQ(got.host, "");
	db_server_release(&got);
	memset(&put, 0, sizeof(put));
	put.user_id = u.id;
	put.state = SERVER_READY;
	put.pid = 12;
	put.pid_start = (char *)"slurm";
	put.port = 40001;
	put.host = (char *)"10.0.0.7";
	ASSERT_EQ(db_server_put(db, &put), 0);
	ASSERT_EQ(db_server_get(db, u.id, "", &got), 0);
	ASSERT_STR_EQ(got.host, "10.0.0.7");
	ASSERT_EQ(got.port, 40001);
	ASSERT_STR_EQ(got.sock, "");
	db_server_release(&got);
	db_user_release(&u);
	db_close(db);
	free(path);
}

/* Schema 5's servers (one per user) become the default servers ("") of
 * schema 7 (after 6's user_options), their rows and server tokens kept; then a
 * user has named servers beside it, each with its own row and token. */
TEST(db_migration_7_named_servers)
{
	char                *path = tmp_path("rig.db");
	struct db           *db;
	struct db_user       u;
	struct db_server     got, put, *list;
	struct db_token_auth a;
	size_t               n;

	db = migrated(path, 5,
	    "INSERT INTO servers (user_id, state, pid, sock, secret)"
	    " SELECT id, 2, 99, '/run/rig/a/jupyter.sock', 's' "
	    "FROM users;"
	    "INSERT INTO tokens (user_id, hash, created, kind)"
	    " SELECT id, 'srvhash', 1, 'server' FROM users;");
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_EQ(db_server_get(db, u.id, "", &got), 0);
	ASSERT_EQ(got.pid, 99);
	ASSERT_STR_EQ(got.name, "");
	ASSERT_EQ(got.state, SERVER_READY);
	db_server_release(&got);
	ASSERT_EQ(db_token_find(db, "srvhash", &a), 0);
	ASSERT_STR_EQ(a.server, "");
	db_token_auth_release(&a);
	/* Two named servers beside it. */
	memset(&put, 0, sizeof(put));
	put.user_id = u.id;
	put.name = (char *)"gpu";
	put.state = SERVER_PENDING;
	put.pid = 7;
	ASSERT_EQ(db_server_put(db, &put), 0);
	put.name = (char *)"big";
	put.state = SERVER_STOPPED;
	put.pid = 0;
	ASSERT_EQ(db_server_put(db, &put), 0);
	ASSERT_EQ(db_server_get(db, u.id, "gpu", &got), 0);
	ASSERT_EQ(got.pid, 7);
	db_server_release(&got);
	ASSERT_EQ(db_server_get(db, u.id, "nope", &got), 1);
	ASSERT_EQ(db_server_named(db, "alice", "big"), 1);
	ASSERT_EQ(db_server_named(db, "alice", "nope"), 0);
	ASSERT_EQ(db_server_named(db, "bob", "big"), 0);
	ASSERT_EQ(db_server_list_user(db, u.id, &list, &n), 0);
	ASSERT_EQ(n, 3);
	ASSERT_STR_EQ(list[0].name, "");
	ASSERT_STR_EQ(list[1].name, "big");
	ASSERT_STR_EQ(list[2].name, "gpu");
	db_servers_free(list, n);
	/* Active rows only: the default and gpu. */
	ASSERT_EQ(db_server_list_active(db, &list, &n), 0);
	ASSERT_EQ(n, 2);
	db_servers_free(list, n);
	/* Each server's token is its own: setting gpu's keeps the
	 * default's, deleting gpu's row ends gpu's token alone. */
	ASSERT_EQ(db_server_token_set(db, u.id, "gpu", "gpuhash", ""), 0);
	ASSERT_EQ(db_token_find(db, "srvhash", &a), 0);
	db_token_auth_release(&a);
	ASSERT_EQ(db_token_find(db, "gpuhash", &a), 0);
	ASSERT_STR_EQ(a.server, "gpu");
	db_token_auth_release(&a);
	ASSERT_EQ(db_server_del(db, u.id, "gpu"), 0);
	ASSERT_EQ(db_token_find(db, "gpuhash", &a), 1);
	ASSERT_EQ(db_token_find(db, "srvhash", &a), 0);
	db_token_auth_release(&a);
	ASSERT_EQ(db_server_get(db, u.id, "", &got), 0);
	db_server_release(&got);
	db_user_release(&u);
	db_close(db);
	free(path);
}

/* Scoped tokens: kinds, scopes, expiry; a server's token goes with its
 * row; OAuth tokens go with their login session. */
TEST(db_token_scoped)
{
	struct db           *db = open_tmp();
	struct db_user       u;
	struct db_token_new  t;
	struct db_token_auth a;
	struct db_server     s;
	struct db_token     *list;
	size_t               n;

	ASSERT_EQ(db_user_add(db, "alice", "", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	ASSERT_EQ(db_session_add(db, u.id, "sess", "x", now_sec() + 60), 0);
	memset(&t, 0, sizeof(t));
	t.user_id = u.id;
	t.hash = "oa";
	t.kind = TOKEN_OAUTH;
	t.scopes = "access:servers!server=alice/";
	t.client_id = "jupyterhub-user-alice";
	t.session = "sess";
	t.expires = now_sec() + 60;
	ASSERT_EQ(db_token_add_scoped(db, &t, NULL), 0);
	ASSERT_EQ(db_token_find(db, "oa", &a), 0);
	ASSERT_EQ(a.kind, TOKEN_OAUTH);
	ASSERT_STR_EQ(a.scopes, "access:servers!server=alice/");
	ASSERT_STR_EQ(a.session, "sess");
	db_token_auth_release(&a);
	/* A second one for the same client and session replaces it. */
	t.hash = "ob";
	ASSERT_EQ(db_token_add_scoped(db, &t, NULL), 0);
	ASSERT_EQ(db_token_find(db, "oa", &a), 1);
	/* An expired one is not found. */
	t.hash = "old";
	t.session = NULL;
	t.expires = now_sec() - 1;
	ASSERT_EQ(db_token_add_scoped(db, &t, NULL), 0);
	ASSERT_EQ(db_token_find(db, "old", &a), 1);
	/* The user sees (and may revoke) the live OAuth token, with its
	 * client and session, as JupyterHub lists them; never a server's. */
	ASSERT_EQ(db_server_token_set(db, u.id, "", "srv", "users:activity"),
	    0);
	ASSERT_EQ(db_token_list(db, u.id, &list, &n), 0);
	ASSERT_EQ(n, 1);
	ASSERT_STR_EQ(list[0].client_id, "jupyterhub-user-alice");
	ASSERT_STR_EQ(list[0].session, "sess");
	ASSERT_STR_EQ(list[0].scopes, "access:servers!server=alice/");
	db_tokens_free(list, n);
	ASSERT_EQ(db_token_find(db, "srv", &a), 0);
	ASSERT_EQ(a.kind, TOKEN_SERVER);
	db_token_auth_release(&a);
	/* Setting it again replaces it. */
	ASSERT_EQ(db_server_token_set(db, u.id, "", "srv2", "users:activity"),
	    0);
	ASSERT_EQ(db_token_find(db, "srv", &a), 1);
	memset(&s, 0, sizeof(s));
	s.user_id = u.id;
	s.state = SERVER_READY;
	ASSERT_EQ(db_server_put(db, &s), 0);
	ASSERT_EQ(db_server_del(db, u.id, ""), 0);
	ASSERT_EQ(db_token_find(db, "srv2", &a), 1);
	/* Logging out ends the session's OAuth tokens. */
	ASSERT_EQ(db_token_find(db, "ob", &a), 0);
	db_token_auth_release(&a);
	ASSERT_EQ(db_session_del(db, "sess"), 0);
	ASSERT_EQ(db_token_find(db, "ob", &a), 1);
	db_user_release(&u);
	db_close(db);
}

/* API tokens made with scopes and an expiry: read back with them, and
 * once expired neither found, listed nor got. */
TEST(db_token_api_scopes_expiry)
{
	struct db           *db = open_tmp();
	struct db_user       u;
	struct db_token_new  t;
	struct db_token     *list, one;
	struct db_token_auth a;
	size_t               n;
	int64_t              live, dead;

	ASSERT_EQ(db_user_add(db, "alice", "", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	memset(&t, 0, sizeof(t));
	t.user_id = u.id;
	t.hash = "live";
	t.kind = TOKEN_API;
	t.note = "ci";
	t.scopes = "read:users:activity";
	t.expires = now_sec() + 60;
	ASSERT_EQ(db_token_add_scoped(db, &t, &live), 0);
	t.hash = "dead";
	t.expires = now_sec() - 1;
	ASSERT_EQ(db_token_add_scoped(db, &t, &dead), 0);
	ASSERT_EQ(db_token_list(db, u.id, &list, &n), 0);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(list[0].id, live);
	ASSERT_STR_EQ(list[0].scopes, "read:users:activity");
	ASSERT(list[0].expires > now_sec());
	db_tokens_free(list, n);
	ASSERT_EQ(db_token_get(db, u.id, live, &one), 0);
	ASSERT_STR_EQ(one.note, "ci");
	db_token_release(&one);
	ASSERT_EQ(db_token_get(db, u.id, dead, &one), 1);
	ASSERT_EQ(db_token_find(db, "dead", &a), 1);
	ASSERT_EQ(db_token_find(db, "live", &a), 0);
	ASSERT_STR_EQ(a.scopes, "read:users:activity");
	db_token_auth_release(&a);
	/* A token made the old way inherits: no scopes, no expiry. */
	ASSERT_EQ(db_token_add(db, u.id, "old", "", &live), 0);
	ASSERT_EQ(db_token_get(db, u.id, live, &one), 0);
	ASSERT_STR_EQ(one.scopes, "");
	ASSERT_EQ(one.expires, 0);
	db_token_release(&one);
	/* Expiring drops the dead row alone; one without expiry stays. */
	ASSERT_EQ(db_token_expire(db, now_sec()), 0);
	ASSERT_EQ(db_token_del(db, u.id, dead), 1);
	ASSERT_EQ(db_token_find(db, "old", &a), 0);
	db_token_auth_release(&a);
	ASSERT_EQ(db_token_find(db, "live", &a), 0);
	db_token_auth_release(&a);
	db_user_release(&u);
	db_close(db);
}

/* A code is taken once; a second take finds nothing. */
TEST(db_oauth_code_once)
{
	struct db           *db = open_tmp();
	struct db_user       u;
	struct db_oauth_code c, got;

	ASSERT_EQ(db_user_add(db, "alice", "", 0), 0);
	ASSERT_EQ(db_user_get(db, "alice", &u), 0);
	memset(&c, 0, sizeof(c));
	c.hash = "code";
	c.user_id = u.id;
	c.client_id = "jupyterhub-user-alice";
	c.redirect_uri = "/user/alice/oauth_callback";
	c.scopes = "access:servers!server=alice/";
	c.expires = now_sec() + 60;
	ASSERT_EQ(db_oauth_code_add(db, &c), 0);
	ASSERT_EQ(db_oauth_code_add(db, &c), -1);
	ASSERT_EQ(db_oauth_code_take(db, "code", &got), 0);
	ASSERT_STR_EQ(got.client_id, "jupyterhub-user-alice");
	ASSERT_STR_EQ(got.redirect_uri, "/user/alice/oauth_callback");
	ASSERT_EQ(got.user_id, u.id);
	ASSERT(got.session == NULL);
	db_oauth_code_release(&got);
	ASSERT_EQ(db_oauth_code_take(db, "code", &got), 1);
	c.hash = "stale";
	c.expires = now_sec() - 1;
	ASSERT_EQ(db_oauth_code_add(db, &c), 0);
	ASSERT_EQ(db_oauth_code_expire(db, now_sec()), 0);
	ASSERT_EQ(db_oauth_code_take(db, "stale", &got), 1);
	db_user_release(&u);
	db_close(db);
}
