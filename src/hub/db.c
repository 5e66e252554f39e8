/* SPDX-License-Identifier: MIT */
/*
 * The hub's state in SQLite. Every statement is a literal with ?N
 * parameters, prepared once per connection and kept (db-stmt.c). The schema
 * grows only by numbered migrations, recorded in PRAGMA user_version and run
 * inside one write transaction, so a CLI and a hub opening the same file at
 * once agree on which ran. The file holds password hashes and server
 * secrets: it is created 0600, and so are its -wal and -shm companions.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db-stmt.h"
#include "db.h"
#include "lib/log.h"
#include "lib/util.h"

#define DB_BUSY_TIMEOUT 5000 /* ms a writer waits for another's lock */

/*
 * Migration N is migrations[N - 1]. Append only: a released migration is
 * never edited, since databases in the field already ran it.
 */
static const char *const migrations[] = {
	/* 1: users with their tokens, login sessions and one server each. */
	"CREATE TABLE users ("
	"  id            INTEGER PRIMARY KEY,"
	"  name          TEXT    NOT NULL UNIQUE,"
	"  pwhash        TEXT    NOT NULL DEFAULT '',"
	"  admin         INTEGER NOT NULL DEFAULT 0,"
	"  created       INTEGER NOT NULL,"
	"  last_activity INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE TABLE tokens ("
	"  id            INTEGER PRIMARY KEY,"
	"  user_id       INTEGER NOT NULL"
	"                REFERENCES users(id) ON DELETE CASCADE,"
	"  hash          TEXT    NOT NULL UNIQUE,"
	"  note          TEXT    NOT NULL DEFAULT '',"
	"  created       INTEGER NOT NULL,"
	"  last_activity INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE INDEX tokens_user ON tokens(user_id);"
	"CREATE TABLE sessions ("
	"  hash          TEXT    PRIMARY KEY,"
	"  user_id       INTEGER NOT NULL"
	"                REFERENCES users(id) ON DELETE CASCADE,"
	"  xsrf          TEXT    NOT NULL,"
	"  created       INTEGER NOT NULL,"
	"  expires       INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE INDEX sessions_expires ON sessions(expires);"
	"CREATE TABLE servers ("
	"  user_id       INTEGER PRIMARY KEY"
	"                REFERENCES users(id) ON DELETE CASCADE,"
	"  state         INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),"
	"  pid           INTEGER NOT NULL DEFAULT 0,"
	"  pid_start     TEXT    NOT NULL DEFAULT '',"
	"  port          INTEGER NOT NULL DEFAULT 0,"
	"  secret        TEXT    NOT NULL DEFAULT '',"
	"  started       INTEGER NOT NULL DEFAULT 0,"
	"  last_activity INTEGER NOT NULL DEFAULT 0,"
	"  error         TEXT    NOT NULL DEFAULT ''"
	") STRICT;"
	"CREATE INDEX servers_state ON servers(state);",
	/* 2: a server may listen on a Unix socket instead of a port; a hub
	 * that takes it over after a restart must find it there. */
	"ALTER TABLE servers ADD COLUMN sock TEXT NOT NULL DEFAULT '';",
	/* 3: facts the hub records about itself for the commands that run
	 * apart from it (whether it runs as root: oneuser.h). */
	"CREATE TABLE facts ("
	"  name          TEXT    PRIMARY KEY,"
	"  value         TEXT    NOT NULL"
	") STRICT;",
	/*
	 * 4: JupyterHub's protocol. Tokens get a kind (an API token, a
	 * server's own, an OAuth access token), scopes ('' inherits the
	 * owner's), an expiry (0 never), the OAuth client they were issued
	 * to and the login session they came from (logging out ends them);
	 * OAuth authorization codes, single-use; and the protocol a server
	 * was started with, so a hub that takes it over proxies it the same.
	 */
	"ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api'"
	"  CHECK (kind IN ('api', 'server', 'oauth'));"
	"ALTER TABLE tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE tokens ADD COLUMN expires INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tokens ADD COLUMN client_id TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE tokens ADD COLUMN session TEXT"
	"  REFERENCES sessions(hash) ON DELETE CASCADE;"
	"CREATE INDEX tokens_session ON tokens(session);"
	"CREATE TABLE oauth_codes ("
	"  hash          TEXT    PRIMARY KEY,"
	"  user_id       INTEGER NOT NULL"
	"                REFERENCES users(id) ON DELETE CASCADE,"
	"  client_id     TEXT    NOT NULL,"
	"  redirect_uri  TEXT    NOT NULL,"
	"  scopes        TEXT    NOT NULL,"
	"  session       TEXT"
	"                REFERENCES sessions(hash) ON DELETE CASCADE,"
	"  expires       INTEGER NOT NULL"
	") STRICT;"
	"ALTER TABLE servers ADD COLUMN protocol INTEGER NOT NULL DEFAULT 0;",
	/* 5: a server on another machine (a Slurm job on a pool's node)
	 * listens at that machine's address: the host of its TCP port. */
	"ALTER TABLE servers ADD COLUMN host TEXT NOT NULL DEFAULT '';",
	/* 6: the options a server was started with (JupyterHub's
	 * user_options, as JSON), shown in the API's server model after a
	 * restart too. */
	("ALTER TABLE servers ADD COLUMN user_options TEXT NOT NULL"
	 "  DEFAULT '{}';"),
	/*
	 * 7: named servers. A user's servers are keyed by (user, name), the
	 * default server the name ''; the rows kept are the default ones. A
	 * server's own token names its server too, so that each named
	 * server has its secret and its OAuth client.
	 */
	"CREATE TABLE servers_by_name ("
	"  user_id       INTEGER NOT NULL"
	"                REFERENCES users(id) ON DELETE CASCADE,"
	"  name          TEXT    NOT NULL DEFAULT '',"
	"  state         INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),"
	"  pid           INTEGER NOT NULL DEFAULT 0,"
	"  pid_start     TEXT    NOT NULL DEFAULT '',"
	"  port          INTEGER NOT NULL DEFAULT 0,"
	"  secret        TEXT    NOT NULL DEFAULT '',"
	"  started       INTEGER NOT NULL DEFAULT 0,"
	"  last_activity INTEGER NOT NULL DEFAULT 0,"
	"  error         TEXT    NOT NULL DEFAULT '',"
	"  sock          TEXT    NOT NULL DEFAULT '',"
	"  protocol      INTEGER NOT NULL DEFAULT 0,"
	"  host          TEXT    NOT NULL DEFAULT '',"
	"  user_options  TEXT    NOT NULL DEFAULT '{}',"
	"  PRIMARY KEY (user_id, name)"
	") STRICT;"
	"INSERT INTO servers_by_name (user_id, name, state, pid, pid_start,"
	"  port, secret, started, last_activity, error, sock, protocol, host,"
	"  user_options)"
	"  SELECT user_id, '', state, pid, pid_start, port, secret, started,"
	"  last_activity, error, sock, protocol, host, user_options"
	"  FROM servers;"
	"DROP TABLE servers;"
	"ALTER TABLE servers_by_name RENAME TO servers;"
	"CREATE INDEX servers_state ON servers(state);"
	"ALTER TABLE tokens ADD COLUMN server TEXT NOT NULL DEFAULT '';",
};

static int   db_int64(struct db *, const char *, const char *, int64_t *);
static int   db_user_version(struct db *, int *);
static int   db_migrate(struct db *, int upto);
static int   db_create_file(const char *);
static void  db_chmod_aux(const char *, const char *);
static char *col_str(sqlite3_stmt *, int);
static void  user_from_row(sqlite3_stmt *, struct db_user *);
static int   token_insert(struct db *, const struct db_token_new *, int64_t *,
      const char *);
static void  token_from_row(sqlite3_stmt *, struct db_token *);
static int   server_token_del(struct db *, int64_t, const char *, const char *);
static void  server_from_row(sqlite3_stmt *, struct db_server *);

/* The first column of the first row of 'sql' (no parameters): 0 or -1. */
static int
db_int64(struct db *db, const char *sql, const char *func, int64_t *v)
{
	sqlite3_stmt *st;

	if (db_row(db, &st, sql, func, NULL, 0) != 0)
		return -1;
	*v = sqlite3_column_int64(st, 0);
	db_finish(db, st);
	return 0;
}

/* Reads PRAGMA user_version, the number of the last migration run. */
static int
db_user_version(struct db *db, int *version)
{
	int64_t v;

	if (db_int64(db, "PRAGMA user_version", __func__, &v) == -1)
		return -1;
	*version = (int)v;
	return 0;
}

/*
 * Brings the schema up to date. The version is read again inside the write
 * transaction: another process may have migrated between the first look and
 * taking the lock. A database newer than this binary is refused rather than
 * used with a schema it does not know.
 */
static int
db_migrate(struct db *db, int upto)
{
	const int latest = (int)nitems(migrations);
	char      sql[64];
	int       version, r;

	if (db_user_version(db, &version) == -1)
		return -1;
	if (version == upto)
		return 0;
	if (db_exec(db, "BEGIN IMMEDIATE", __func__) == -1)
		return -1;
	if (db_user_version(db, &version) == -1)
		goto fail;
	if (version < 0 || version > latest) {
		log_warnx("%s: schema version %d is newer than this rig's %d",
		    __func__, version, latest);
		goto fail;
	}
	for (; version < upto; version++) {
		if (db_exec(db, migrations[version], __func__) == -1)
			goto fail;
		r = snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    version + 1);
		if (r < 0 || (size_t)r >= sizeof(sql))
			goto fail;
		if (db_exec(db, sql, __func__) == -1)
			goto fail;
		log_debug("%s: ran migration %d", __func__, version + 1);
	}
	if (db_exec(db, "COMMIT", __func__) == -1)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Creates 'path' 0600 before SQLite sees it, so the file is never readable
 * by others, whatever the umask. An existing file is tightened to 0600.
 */
static int
db_create_file(const char *path)
{
	struct stat sb;
	int         fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		log_warn("open %s", path);
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		log_warn("fstat %s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if ((sb.st_mode & 077) != 0 && fchmod(fd, 0600) == -1) {
		log_warn("chmod %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * SQLite gives -wal and -shm the database's mode when it creates them; this
 * also tightens ones left behind by an older run. Missing ones are fine.
 */
static void
db_chmod_aux(const char *path, const char *suffix)
{
	struct stat sb;
	char       *p;
	int         fd;

	p = xasprintf("%s%s", path, suffix);
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1) {
		if (errno != ENOENT)
			log_warn("open %s", p);
		free(p);
		return;
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_mode & 077) != 0 && fchmod(fd, 0600) == -1)
		log_warn("chmod %s", p);
	close(fd);
	free(p);
}

int
db_schema_latest(void)
{
	return (int)nitems(migrations);
}

struct db *
db_open(const char *path)
{
	return db_open_at(path, db_schema_latest());
}

struct db *
db_open_at(const char *path, int version)
{
	struct db    *db;
	sqlite3_stmt *st;
	const char   *mode;
	int           r;

	if (db_create_file(path) == -1)
		return NULL;
	db = xcalloc(1, sizeof(*db));
	r = sqlite3_open_v2(path, &db->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (r != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, path,
		    db->h != NULL ? sqlite3_errmsg(db->h) : sqlite3_errstr(r));
		goto fail;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT);
	if (db_exec(db,
	        "PRAGMA foreign_keys = ON;"
	        "PRAGMA trusted_schema = OFF;"
	        "PRAGMA synchronous = NORMAL;",
	        __func__) == -1)
		goto fail;

	/* The pragma answers with the mode now in force, which may not be
	 * WAL (on a file system without shared memory, say). */
	if (db_row(db, &st, "PRAGMA journal_mode = WAL", __func__, NULL, 0) !=
	    0)
		goto fail;
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0)
		log_warnx("%s: %s: journal mode is %s, not wal", __func__, path,
		    mode != NULL ? mode : "unknown");
	db_finish(db, st);

	if (version < 1 || version > db_schema_latest() ||
	    db_migrate(db, version) == -1)
		goto fail;
	db_chmod_aux(path, "-wal");
	db_chmod_aux(path, "-shm");
	return db;
fail:
	db_close(db);
	return NULL;
}

uint64_t
db_generation(const struct db *db)
{
	return db->gen;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	db_stmt_cache_release(db);
	sqlite3_close_v2(db->h); /* harmless on NULL */
	free(db);
}

/* A copy of a text column; "" for NULL. Caller frees result. */
static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *p = sqlite3_column_text(st, i);

	return xstrdup(p != NULL ? (const char *)p : "");
}

#define USER_COLS "id, name, pwhash, admin, created, last_activity"

static void
user_from_row(sqlite3_stmt *st, struct db_user *u)
{
	u->id = sqlite3_column_int64(st, 0);
	u->name = col_str(st, 1);
	u->pwhash = col_str(st, 2);
	u->admin = sqlite3_column_int(st, 3) != 0;
	u->created = sqlite3_column_int64(st, 4);
	u->last_activity = sqlite3_column_int64(st, 5);
}

int
db_user_get(struct db *db, const char *name, struct db_user *u)
{
	sqlite3_stmt *st;
	int           r;

	memset(u, 0, sizeof(*u));
	r = db_row(db, &st, "SELECT " USER_COLS " FROM users WHERE name = ?1",
	    __func__, DB_ARGS(DB_TEXT(name)));
	if (r == 0) {
		user_from_row(st, u);
		db_finish(db, st);
	}
	return r;
}

int
db_user_get_id(struct db *db, int64_t id, struct db_user *u)
{
	sqlite3_stmt *st;
	int           r;

	memset(u, 0, sizeof(*u));
	r = db_row(db, &st, "SELECT " USER_COLS " FROM users WHERE id = ?1",
	    __func__, DB_ARGS(DB_INT(id)));
	if (r == 0) {
		user_from_row(st, u);
		db_finish(db, st);
	}
	return r;
}

int
db_user_add(struct db *db, const char *name, const char *pwhash, int admin)
{
	return db_change(db,
	    "INSERT INTO users (name, pwhash, admin, created)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO NOTHING",
	    __func__,
	    DB_ARGS(DB_TEXT(name), DB_TEXT(pwhash != NULL ? pwhash : ""),
	        DB_INT(admin != 0), DB_INT(now_sec())));
}

int
db_user_del(struct db *db, const char *name)
{
	db->gen++;
	return db_change(db, "DELETE FROM users WHERE name = ?1", __func__,
	    DB_ARGS(DB_TEXT(name)));
}

/* 0 done, 1 no such user, -1 error. */
int
db_user_set_password(struct db *db, const char *name, const char *pwhash)
{
	db->gen++;
	return db_change(db, "UPDATE users SET pwhash = ?2 WHERE name = ?1",
	    __func__,
	    DB_ARGS(DB_TEXT(name), DB_TEXT(pwhash != NULL ? pwhash : "")));
}

/* 0 done, 1 no such user, -1 error. */
int
db_user_set_admin(struct db *db, const char *name, int admin)
{
	db->gen++;
	return db_change(db, "UPDATE users SET admin = ?2 WHERE name = ?1",
	    __func__, DB_ARGS(DB_TEXT(name), DB_INT(admin != 0)));
}

/*
 * 0 done, 1 no such user, -1 error. Activity never moves backwards, since
 * reports from servers may arrive out of order.
 */
int
db_user_touch(struct db *db, int64_t user_id, int64_t when)
{
	return db_change(db,
	    "UPDATE users SET last_activity = max(last_activity, ?2)"
	    " WHERE id = ?1",
	    __func__, DB_ARGS(DB_INT(user_id), DB_INT(when)));
}

int
db_user_list(struct db *db, struct db_user **users, size_t *n)
{
	sqlite3_stmt   *st;
	struct db_user *v = NULL;
	size_t          len = 0, cap = 0;
	int             r;

	*users = NULL;
	*n = 0;
	st = db_prepare(db, "SELECT " USER_COLS " FROM users ORDER BY name",
	    __func__);
	if (st == NULL)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		user_from_row(st, &v[len++]);
	}
	if (r != SQLITE_DONE) {
		db_users_free(v, len);
		return db_fail(db, st, __func__);
	}
	db_finish(db, st);
	*users = v;
	*n = len;
	return 0;
}

int
db_user_first(struct db *db, int64_t *id)
{
	sqlite3_stmt *st;
	int           r;

	r = db_row(db, &st,
	    "SELECT id FROM users ORDER BY admin DESC, id LIMIT 1", __func__,
	    NULL, 0);
	if (r == 0) {
		*id = sqlite3_column_int64(st, 0);
		db_finish(db, st);
	}
	return r;
}

int
db_fact_get(struct db *db, const char *name, char **value)
{
	sqlite3_stmt *st;
	int           r;

	*value = NULL;
	r = db_row(db, &st, "SELECT value FROM facts WHERE name = ?1", __func__,
	    DB_ARGS(DB_TEXT(name)));
	if (r == 0) {
		*value = col_str(st, 0);
		db_finish(db, st);
	}
	return r;
}

int
db_fact_set(struct db *db, const char *name, const char *value)
{
	return db_write(db,
	    "INSERT INTO facts (name, value) VALUES (?1, ?2)"
	    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
	    __func__, DB_ARGS(DB_TEXT(name), DB_TEXT(value)));
}

int
db_user_count(struct db *db, int64_t *n)
{
	return db_int64(db, "SELECT count(*) FROM users", __func__, n);
}

int
db_admin_count(struct db *db, int64_t *n)
{
	return db_int64(db, "SELECT count(*) FROM users WHERE admin != 0",
	    __func__, n);
}

void
db_user_release(struct db_user *u)
{
	if (u == NULL)
		return;
	free(u->name);
	free_secret(u->pwhash);
	memset(u, 0, sizeof(*u));
}

void
db_users_free(struct db_user *users, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_user_release(&users[i]);
	free(users);
}

/* 0 and *id (if not NULL) added, -1 error (no such user included). */
int
db_token_add(struct db *db, int64_t user_id, const char *hash, const char *note,
    int64_t *id)
{
	struct db_token_new t;

	/* An API token: the columns left out keep their defaults. */
	memset(&t, 0, sizeof(t));
	t.user_id = user_id;
	t.hash = hash;
	t.kind = TOKEN_API;
	t.note = note;
	return token_insert(db, &t, id, __func__);
}

static const char *const token_kinds[] = { "api", "server", "oauth" };

/* Expired tokens are as good as gone: never found. */
int
db_token_find(struct db *db, const char *hash, struct db_token_auth *a)
{
	sqlite3_stmt *st;
	const char   *kind;
	int           r;

	memset(a, 0, sizeof(*a));
	r = db_row(db, &st,
	    "SELECT user_id, id, kind, scopes, expires, client_id, session,"
	    " server FROM tokens WHERE hash = ?1 AND (expires = 0 OR expires > ?2)",
	    __func__, DB_ARGS(DB_TEXT(hash), DB_INT(now_sec())));
	if (r != 0)
		return r;
	a->user_id = sqlite3_column_int64(st, 0);
	a->token_id = sqlite3_column_int64(st, 1);
	kind = (const char *)sqlite3_column_text(st, 2);
	a->kind = TOKEN_API;
	for (size_t i = 0; i < nitems(token_kinds); i++)
		if (kind != NULL && strcmp(kind, token_kinds[i]) == 0)
			a->kind = (enum token_kind)i;
	a->scopes = col_str(st, 3);
	a->expires = sqlite3_column_int64(st, 4);
	a->client_id = col_str(st, 5);
	a->session =
	    sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : col_str(st, 6);
	a->server = col_str(st, 7);
	db_finish(db, st);
	return 0;
}

void
db_token_auth_release(struct db_token_auth *a)
{
	if (a == NULL)
		return;
	free(a->scopes);
	free(a->client_id);
	free(a->session);
	free(a->server);
	memset(a, 0, sizeof(*a));
}

/* The token's row, its id into *id (if not NULL): 0 or -1, logged as
 * 'func'. A NULL session is stored as NULL, other NULL strings as "". */
static int
token_insert(struct db *db, const struct db_token_new *t, int64_t *id,
    const char *func)
{
	sqlite3_stmt *st;

	if (db_row(db, &st,
	        "INSERT INTO tokens (user_id, hash, note, created, kind, scopes,"
	        " expires, client_id, session, server)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
	        func,
	        DB_ARGS(DB_INT(t->user_id), DB_TEXT(t->hash),
	            DB_TEXT(t->note != NULL ? t->note : ""), DB_INT(now_sec()),
	            DB_TEXT(token_kinds[t->kind]),
	            DB_TEXT(t->scopes != NULL ? t->scopes : ""),
	            DB_INT(t->expires),
	            DB_TEXT(t->client_id != NULL ? t->client_id : ""),
	            DB_TEXT(t->session),
	            DB_TEXT(t->server != NULL ? t->server : ""))) != 0)
		return -1;
	if (id != NULL)
		*id = sqlite3_column_int64(st, 0);
	/* RETURNING writes as the statement steps: run it to the end. */
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, st, func);
	db_finish(db, st);
	return 0;
}

/* A new OAuth token replaces the one its user had for that client in
 * that session (the client lost its cookie and came back): one each. */
int
db_token_add_scoped(struct db *db, const struct db_token_new *t, int64_t *id)
{
	if (t->kind == TOKEN_OAUTH) {
		db->gen++;
		if (db_change(db,
		        "DELETE FROM tokens WHERE kind = 'oauth' AND user_id = ?1"
		        " AND client_id = ?2 AND session IS ?3",
		        __func__,
		        DB_ARGS(DB_INT(t->user_id), DB_TEXT(t->client_id),
		            DB_TEXT(t->session))) == -1)
			return -1;
	}
	return token_insert(db, t, id, __func__);
}

/* The own token of a user's server goes (with the server, or for a new
 * one): 0 (also when there was none) or -1, logged as 'func'. */
static int
server_token_del(struct db *db, int64_t user_id, const char *server,
    const char *func)
{
	db->gen++;
	return db_write(db,
	    "DELETE FROM tokens WHERE user_id = ?1 AND kind = 'server'"
	    " AND server = ?2",
	    func, DB_ARGS(DB_INT(user_id), DB_TEXT(server)));
}

int
db_server_token_set(struct db *db, int64_t user_id, const char *server,
    const char *hash, const char *scopes)
{
	struct db_token_new t;

	if (server_token_del(db, user_id, server, __func__) == -1)
		return -1;
	memset(&t, 0, sizeof(t));
	t.user_id = user_id;
	t.hash = hash;
	t.kind = TOKEN_SERVER;
	t.note = "server";
	t.scopes = scopes;
	t.server = server;
	return db_token_add_scoped(db, &t, NULL);
}

int
db_oauth_code_add(struct db *db, const struct db_oauth_code *c)
{
	return db_write(db,
	    "INSERT INTO oauth_codes (hash, user_id, client_id,"
	    " redirect_uri, scopes, session, expires)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    __func__,
	    DB_ARGS(DB_TEXT(c->hash), DB_INT(c->user_id), DB_TEXT(c->client_id),
	        DB_TEXT(c->redirect_uri), DB_TEXT(c->scopes),
	        DB_TEXT(c->session), DB_INT(c->expires)));
}

/* One statement deletes and returns the row: two exchanges of one code
 * cannot both get it, whoever else has the database open. */
int
db_oauth_code_take(struct db *db, const char *hash, struct db_oauth_code *c)
{
	sqlite3_stmt *st;
	int           r;

	memset(c, 0, sizeof(*c));
	r = db_row(db, &st,
	    "DELETE FROM oauth_codes WHERE hash = ?1 RETURNING user_id,"
	    " client_id, redirect_uri, scopes, session, expires",
	    __func__, DB_ARGS(DB_TEXT(hash)));
	if (r != 0)
		return r;
	c->user_id = sqlite3_column_int64(st, 0);
	c->client_id = col_str(st, 1);
	c->redirect_uri = col_str(st, 2);
	c->scopes = col_str(st, 3);
	c->session =
	    sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL : col_str(st, 4);
	c->expires = sqlite3_column_int64(st, 5);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_oauth_code_release(c);
		return db_fail(db, st, __func__);
	}
	db_finish(db, st);
	return 0;
}

void
db_oauth_code_release(struct db_oauth_code *c)
{
	if (c == NULL)
		return;
	free((char *)c->client_id);
	free((char *)c->redirect_uri);
	free((char *)c->scopes);
	free((char *)c->session);
	memset(c, 0, sizeof(*c));
}

/* Codes are good for minutes: the ones never exchanged go. */
int
db_oauth_code_expire(struct db *db, int64_t now)
{
	return db_write(db, "DELETE FROM oauth_codes WHERE expires <= ?1",
	    __func__, DB_ARGS(DB_INT(now)));
}

/* 0 done, 1 no such token, -1 error; never moves backwards. */
int
db_token_touch(struct db *db, int64_t token_id, int64_t when)
{
	return db_change(db,
	    "UPDATE tokens SET last_activity = max(last_activity, ?2)"
	    " WHERE id = ?1",
	    __func__, DB_ARGS(DB_INT(token_id), DB_INT(when)));
}

#define TOKEN_COLS                                                             \
	"id, user_id, note, created, last_activity, scopes, expires, "         \
	"client_id, session"
/* The tokens a user sees and may revoke: their API tokens and the OAuth
 * tokens clients got for them (not a server's own). */
#define TOKEN_SEEN "kind IN ('api', 'oauth')"

static void
token_from_row(sqlite3_stmt *st, struct db_token *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->user_id = sqlite3_column_int64(st, 1);
	t->note = col_str(st, 2);
	t->created = sqlite3_column_int64(st, 3);
	t->last_activity = sqlite3_column_int64(st, 4);
	t->scopes = col_str(st, 5);
	t->expires = sqlite3_column_int64(st, 6);
	t->client_id = col_str(st, 7);
	t->session =
	    sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : col_str(st, 8);
}

/* A user's tokens, oldest first; caller frees with db_tokens_free. */
int
db_token_list(struct db *db, int64_t user_id, struct db_token **t, size_t *n)
{
	sqlite3_stmt    *st;
	struct db_token *v = NULL;
	size_t           len = 0, cap = 0;
	int              r;

	*t = NULL;
	*n = 0;
	st = db_bound(db,
	    "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = ?1"
	    " AND " TOKEN_SEEN " AND (expires = 0 OR expires > ?2) ORDER BY id",
	    __func__, DB_ARGS(DB_INT(user_id), DB_INT(now_sec())));
	if (st == NULL)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		token_from_row(st, &v[len++]);
	}
	if (r != SQLITE_DONE) {
		db_tokens_free(v, len);
		return db_fail(db, st, __func__);
	}
	db_finish(db, st);
	*t = v;
	*n = len;
	return 0;
}

/* Fills *t; the caller releases it with db_token_release. */
int
db_token_get(struct db *db, int64_t user_id, int64_t token_id,
    struct db_token *t)
{
	sqlite3_stmt *st;
	int           r;

	memset(t, 0, sizeof(*t));
	r = db_row(db, &st,
	    "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = ?1 AND id = ?2"
	    " AND " TOKEN_SEEN " AND (expires = 0 OR expires > ?3)",
	    __func__,
	    DB_ARGS(DB_INT(user_id), DB_INT(token_id), DB_INT(now_sec())));
	if (r == 0) {
		token_from_row(st, t);
		db_finish(db, st);
	}
	return r;
}

/* 0 done, 1 no such token of that user, -1 error. */
int
db_token_del(struct db *db, int64_t user_id, int64_t token_id)
{
	db->gen++;
	return db_change(db,
	    "DELETE FROM tokens WHERE user_id = ?1 AND id = ?2"
	    " AND " TOKEN_SEEN,
	    __func__, DB_ARGS(DB_INT(user_id), DB_INT(token_id)));
}

void
db_token_release(struct db_token *t)
{
	if (t == NULL)
		return;
	free(t->note);
	free(t->scopes);
	free(t->client_id);
	free(t->session);
	memset(t, 0, sizeof(*t));
}

void
db_tokens_free(struct db_token *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_token_release(&t[i]);
	free(t);
}

/* 0 added, -1 error (an unknown user or a reused hash included). */
int
db_session_add(struct db *db, int64_t user_id, const char *hash,
    const char *xsrf, int64_t expires)
{
	return db_write(db,
	    "INSERT INTO sessions (hash, user_id, xsrf, created,"
	    " expires) VALUES (?1, ?2, ?3, ?4, ?5)",
	    __func__,
	    DB_ARGS(DB_TEXT(hash), DB_INT(user_id), DB_TEXT(xsrf),
	        DB_INT(now_sec()), DB_INT(expires)));
}

/* A session is alive while now < expires. */
int
db_session_find(struct db *db, const char *hash, int64_t *user_id, char **xsrf)
{
	sqlite3_stmt *st;
	int           r;

	r = db_row(db, &st,
	    "SELECT user_id, xsrf FROM sessions"
	    " WHERE hash = ?1 AND expires > ?2",
	    __func__, DB_ARGS(DB_TEXT(hash), DB_INT(now_sec())));
	if (r == 0) {
		*user_id = sqlite3_column_int64(st, 0);
		if (xsrf != NULL)
			*xsrf = col_str(st, 1);
		db_finish(db, st);
	}
	return r;
}

/* 0 done, 1 no such session, -1 error. */
int
db_session_del(struct db *db, const char *hash)
{
	db->gen++;
	return db_change(db, "DELETE FROM sessions WHERE hash = ?1", __func__,
	    DB_ARGS(DB_TEXT(hash)));
}

/* 0 done (also when there were none), -1 error. */
int
db_session_del_user(struct db *db, int64_t user_id)
{
	db->gen++;
	return db_write(db, "DELETE FROM sessions WHERE user_id = ?1", __func__,
	    DB_ARGS(DB_INT(user_id)));
}

/* Deletes sessions with expires <= now; 0 done, -1 error. */
int
db_session_expire(struct db *db, int64_t now)
{
	db->gen++;
	return db_write(db, "DELETE FROM sessions WHERE expires <= ?1",
	    __func__, DB_ARGS(DB_INT(now)));
}

/* Tokens past their expiry are never found; this drops their rows. */
int
db_token_expire(struct db *db, int64_t now)
{
	db->gen++;
	return db_write(db,
	    "DELETE FROM tokens WHERE expires != 0 AND expires <= ?1", __func__,
	    DB_ARGS(DB_INT(now)));
}

#define SERVER_COLS                                                            \
	"user_id, state, pid, pid_start, port, secret, started,"               \
	" last_activity, error, sock, protocol, host, user_options, name"

static void
server_from_row(sqlite3_stmt *st, struct db_server *s)
{
	s->user_id = sqlite3_column_int64(st, 0);
	/* The schema's CHECK keeps the state within the enum. */
	s->state = (enum server_state)sqlite3_column_int(st, 1);
	s->pid = sqlite3_column_int(st, 2);
	s->pid_start = col_str(st, 3);
	s->port = sqlite3_column_int(st, 4);
	s->secret = col_str(st, 5);
	s->started = sqlite3_column_int64(st, 6);
	s->last_activity = sqlite3_column_int64(st, 7);
	s->error = col_str(st, 8);
	s->sock = col_str(st, 9);
	s->protocol = sqlite3_column_int(st, 10);
	s->host = col_str(st, 11);
	s->user_options = col_str(st, 12);
	s->name = col_str(st, 13);
}

/* 0 and *s filled (release with db_server_release), 1 no row, -1 error. */
int
db_server_get(struct db *db, int64_t user_id, const char *name,
    struct db_server *s)
{
	sqlite3_stmt *st;
	int           r;

	memset(s, 0, sizeof(*s));
	r = db_row(db, &st,
	    "SELECT " SERVER_COLS " FROM servers"
	    " WHERE user_id = ?1 AND name = ?2",
	    __func__, DB_ARGS(DB_INT(user_id), DB_TEXT(name)));
	if (r == 0) {
		server_from_row(st, s);
		db_finish(db, st);
	}
	return r;
}

/* Inserts or replaces the row of (user, name); 0 done, -1 error (no such
 * user included). NULL strings are stored as "". */
int
db_server_put(struct db *db, const struct db_server *s)
{
	return db_write(db,
	    "INSERT INTO servers (" SERVER_COLS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " ?13, ?14)"
	    " ON CONFLICT (user_id, name) DO UPDATE SET"
	    " state = excluded.state, pid = excluded.pid,"
	    " pid_start = excluded.pid_start, port = excluded.port,"
	    " secret = excluded.secret, started = excluded.started,"
	    " last_activity = excluded.last_activity,"
	    " error = excluded.error, sock = excluded.sock,"
	    " protocol = excluded.protocol, host = excluded.host,"
	    " user_options = excluded.user_options",
	    __func__,
	    DB_ARGS(DB_INT(s->user_id), DB_INT(s->state), DB_INT(s->pid),
	        DB_TEXT(s->pid_start != NULL ? s->pid_start : ""),
	        DB_INT(s->port), DB_TEXT(s->secret != NULL ? s->secret : ""),
	        DB_INT(s->started), DB_INT(s->last_activity),
	        DB_TEXT(s->error != NULL ? s->error : ""),
	        DB_TEXT(s->sock != NULL ? s->sock : ""), DB_INT(s->protocol),
	        DB_TEXT(s->host != NULL ? s->host : ""),
	        DB_TEXT(s->user_options != NULL ? s->user_options : "{}"),
	        DB_TEXT(s->name != NULL ? s->name : "")));
}

/* 0 done, 1 no row, -1 error. */
int
db_server_del(struct db *db, int64_t user_id, const char *name)
{
	/* The server's own token ends with it. */
	if (server_token_del(db, user_id, name, __func__) == -1)
		return -1;
	return db_change(db,
	    "DELETE FROM servers WHERE user_id = ?1 AND name = ?2", __func__,
	    DB_ARGS(DB_INT(user_id), DB_TEXT(name)));
}

/* Rows of 'st' (bound) into *s; caller frees with db_servers_free. */
static int
server_rows(struct db *db, sqlite3_stmt *st, struct db_server **s, size_t *n,
    const char *func)
{
	struct db_server *v = NULL;
	size_t            len = 0, cap = 0;
	int               r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		server_from_row(st, &v[len++]);
	}
	if (r != SQLITE_DONE) {
		db_servers_free(v, len);
		return db_fail(db, st, func);
	}
	db_finish(db, st);
	*s = v;
	*n = len;
	return 0;
}

/* Whether user 'user' has a row for server 'name': 1 yes, 0 no, -1. */
int
db_server_named(struct db *db, const char *user, const char *name)
{
	sqlite3_stmt *st;
	int           r;

	r = db_row(db, &st,
	    "SELECT 1 FROM servers JOIN users ON users.id = servers.user_id"
	    " WHERE users.name = ?1 AND servers.name = ?2",
	    __func__, DB_ARGS(DB_TEXT(user), DB_TEXT(name)));
	if (r == 0)
		db_finish(db, st);
	return r == -1 ? -1 : r == 0;
}

/* Ordered by name, the default server ("") first. */
int
db_server_list_user(struct db *db, int64_t user_id, struct db_server **s,
    size_t *n)
{
	sqlite3_stmt *st;

	*s = NULL;
	*n = 0;
	st = db_bound(db,
	    "SELECT " SERVER_COLS " FROM servers WHERE user_id = ?1"
	    " ORDER BY name",
	    __func__, DB_ARGS(DB_INT(user_id)));
	if (st == NULL)
		return -1;
	return server_rows(db, st, s, n, __func__);
}

/* Ordered by user id and name; caller frees with db_servers_free. */
int
db_server_list_active(struct db *db, struct db_server **s, size_t *n)
{
	sqlite3_stmt *st;

	*s = NULL;
	*n = 0;
	st = db_bound(db,
	    "SELECT " SERVER_COLS " FROM servers"
	    " WHERE state IN (?1, ?2, ?3) ORDER BY user_id, name",
	    __func__,
	    DB_ARGS(DB_INT(SERVER_PENDING), DB_INT(SERVER_READY),
	        DB_INT(SERVER_STOPPING)));
	if (st == NULL)
		return -1;
	return server_rows(db, st, s, n, __func__);
}

void
db_server_release(struct db_server *s)
{
	if (s == NULL)
		return;
	free(s->pid_start);
	free(s->sock);
	free(s->host);
	free(s->user_options);
	free(s->name);
	free_secret(s->secret);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

void
db_servers_free(struct db_server *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_server_release(&s[i]);
	free(s);
}

const char *
server_state_name(enum server_state state)
{
	switch (state) {
	case SERVER_STOPPED:
		return "stopped";
	case SERVER_PENDING:
		return "pending";
	case SERVER_READY:
		return "ready";
	case SERVER_STOPPING:
		return "stopping";
	case SERVER_FAILED:
		return "failed";
	}
	return "unknown";
}
