/* SPDX-License-Identifier: MIT */
/*
 * The hub's state in SQLite: users, API tokens, login sessions and running
 * servers. All SQL lives in db.c, with numbered migrations. The database is
 * opened in WAL mode with a busy timeout, so the CLI (rig user ..., rig token
 * ...) can change it while the hub runs; the hub reads users and tokens on
 * each request and never caches them.
 */
#ifndef DB_H
#define DB_H

#include <stddef.h>
#include <stdint.h>

struct db;

struct db_user {
	int64_t id;
	char   *name;
	char   *pwhash; /* crypt(3) string; "" for no password */
	int     admin;
	int64_t created;
	int64_t last_activity; /* 0 = never */
};

/* Whose a token is and what it may do (db_token_find). */
enum token_kind {
	TOKEN_API = 0, /* made by a user or admin; scopes "" inherit theirs */
	TOKEN_SERVER, /* a server's own (JUPYTERHUB_API_TOKEN) */
	TOKEN_OAUTH, /* an OAuth access token a client got for a user */
};

/* What a token's hash resolves to; release with db_token_auth_release. */
struct db_token_auth {
	int64_t         user_id;
	int64_t         token_id;
	enum token_kind kind;
	char   *scopes; /* "" inherits the owner's, else scopes by spaces */
	char   *client_id; /* OAuth: the client it was issued to, else "" */
	char   *session; /* OAuth: the hub session's hash, or NULL */
	int64_t expires; /* 0 never */
	char   *server; /* a server's own: its name ("" the default) */
};

/* A token to store (db_token_add_scoped); all borrowed. */
struct db_token_new {
	int64_t         user_id;
	const char     *hash;
	enum token_kind kind;
	const char     *note;
	const char     *scopes; /* NULL or "": the owner's */
	const char     *client_id;
	const char     *session; /* NULL: none */
	int64_t         expires; /* 0 never */
	const char     *server; /* kind server: which of the user's */
};

/* An OAuth authorization code, stored by its hash: single-use. */
struct db_oauth_code {
	const char *hash; /* only when adding */
	int64_t     user_id;
	const char *client_id;
	const char *redirect_uri;
	const char *scopes;
	const char *session; /* the hub session it was given under, or NULL */
	int64_t     expires;
};

struct db_token {
	int64_t id;
	int64_t user_id;
	char   *note;
	int64_t created;
	int64_t last_activity; /* 0 = never */
	char   *scopes; /* as asked: "" inherits the owner's (scopes.h) */
	int64_t expires; /* 0 never */
	char   *client_id; /* an OAuth token's client, else "" */
	char   *session; /* an OAuth token's login session (hash), or NULL */
};

/* A user's server as the hub last recorded it. */
enum server_state {
	SERVER_STOPPED = 0,
	SERVER_PENDING, /* started, not yet answering */
	SERVER_READY,
	SERVER_STOPPING,
	SERVER_FAILED, /* last start failed; 'error' says why */
};

struct db_server {
	int64_t           user_id;
	char             *name; /* "" the default server, else a named one */
	enum server_state state;
	int               pid;
	char   *pid_start; /* /proc/PID/stat start time, guards reuse */
	int     port;
	char   *sock; /* a Unix socket's path, "" if it listens on port */
	char   *host; /* the port's host if on another machine, else "" */
	char   *secret; /* the server's own token */
	int64_t started;
	int64_t last_activity;
	char   *error; /* "" when none */
	int     protocol; /* enum server_protocol (config.h) */
	char   *user_options; /* JSON, "{}" when none (spawn-options.h) */
};

/* Opens (creating if needed) 'path' with mode 0600 and runs migrations.
 * NULL on error, logged. */
struct db *db_open(const char *path);
/* The same, migrated only up to schema 'version' (1 to db_schema_latest()):
 * for the tests of a migration, which start from the schema before it. */
struct db *db_open_at(const char *path, int version);
int        db_schema_latest(void); /* the number of the last migration */
void       db_close(struct db *); /* db_close(NULL) does nothing */
/* Changes whenever this handle deletes a user, token or session, or
 * changes a password or admin flag: caches of credentials compare it. */
uint64_t db_generation(const struct db *);

/* Users. Lookups return 0 and fill *u (release with db_user_release), 1 if
 * missing, -1 on error. */
int db_user_get(struct db *, const char *name, struct db_user *u);
int db_user_get_id(struct db *, int64_t id, struct db_user *u);
/* 0 added, 1 already exists, -1 error. */
int db_user_add(struct db *, const char *name, const char *pwhash, int admin);
/* 0 done, 1 no such user, -1 error; deleting removes tokens, sessions and
 * the server row too. */
int db_user_del(struct db *, const char *name);
int db_user_set_password(struct db *, const char *name, const char *pwhash);
int db_user_set_admin(struct db *, const char *name, int admin);
int db_user_touch(struct db *, int64_t user_id, int64_t when);
/* All users ordered by name; *n set; caller frees with db_users_free. */
int db_user_list(struct db *, struct db_user **users, size_t *n);
int db_user_count(struct db *, int64_t *n);
int db_admin_count(struct db *, int64_t *n); /* users who are admins */
/* The first admin (the lowest id among admins, else among all users):
 * 0 and *id set, 1 if there are no users, -1 on error. */
int db_user_first(struct db *, int64_t *id);

/* Facts the hub records about itself (name, value), for the commands that
 * run apart from it. get: 0 and *value set (caller frees), 1 if never set,
 * -1 on error; set: 0 or -1. */
int  db_fact_get(struct db *, const char *name, char **value);
int  db_fact_set(struct db *, const char *name, const char *value);
void db_user_release(struct db_user *);
void db_users_free(struct db_user *, size_t n);

/* API tokens, stored as SHA-256 hex of the token. */
int db_token_add(struct db *, int64_t user_id, const char *hash,
    const char *note, int64_t *id);
/* 0 and *a filled for a known hash of a token that has not expired; 1 if
 * unknown or expired; -1 error. */
int  db_token_find(struct db *, const char *hash, struct db_token_auth *a);
void db_token_auth_release(struct db_token_auth *);
/* Any kind of token, with its scopes and expiry; 0 done, -1 error. */
int db_token_add_scoped(struct db *, const struct db_token_new *, int64_t *id);
/* The own token of a user's server 'server' ("" the default): replaces
 * any earlier one; it goes with the server's row (db_server_del). 0 done,
 * -1 error. */
int db_server_token_set(struct db *, int64_t user_id, const char *server,
    const char *hash, const char *scopes);
/* The list, get and delete below see API tokens and OAuth tokens (kinds
 * api and oauth: what the user may revoke), not servers' own; list and
 * get only those that have not expired. */
int db_token_touch(struct db *, int64_t token_id, int64_t when);
int db_token_list(struct db *, int64_t user_id, struct db_token **t, size_t *n);
int db_token_get(struct db *, int64_t user_id, int64_t token_id,
    struct db_token *t); /* 0, 1 missing, -1; db_token_release() it */
int db_token_del(struct db *, int64_t user_id, int64_t token_id);
/* Deletes every token (of any kind) past its expiry: 0 or -1. */
int  db_token_expire(struct db *, int64_t now);
void db_token_release(struct db_token *);
void db_tokens_free(struct db_token *, size_t n);

/* Login sessions, stored as SHA-256 hex of the cookie value. */
int db_session_add(struct db *, int64_t user_id, const char *hash,
    const char *xsrf, int64_t expires);
/* 0 and *user_id plus a copy of its xsrf token (caller frees) if the
 * session exists and has not expired; 1 if not; -1 error. */
int db_session_find(struct db *, const char *hash, int64_t *user_id,
    char **xsrf);
int db_session_del(struct db *, const char *hash);
/* Ends every session of a user: after a password change. */
int db_session_del_user(struct db *, int64_t user_id);
int db_session_expire(struct db *, int64_t now);

/* OAuth authorization codes. add: 0 done, -1 error. take: 0 and *c (the
 * row, now deleted: a code works once; release with
 * db_oauth_code_release), 1 if unknown, -1 error. */
int  db_oauth_code_add(struct db *, const struct db_oauth_code *);
int  db_oauth_code_take(struct db *, const char *hash, struct db_oauth_code *c);
void db_oauth_code_release(struct db_oauth_code *);
int  db_oauth_code_expire(struct db *, int64_t now);

/* Servers: one per (user, name), the default server named "". */
int db_server_get(struct db *, int64_t user_id, const char *name,
    struct db_server *s);
int db_server_put(struct db *, const struct db_server *s);
int db_server_del(struct db *, int64_t user_id, const char *name);
/* Whether user 'user' (by name) has a row for server 'name': 1, 0, -1. */
int db_server_named(struct db *, const char *user, const char *name);
/* Every row of one user, the default server first, then by name. */
int db_server_list_user(struct db *, int64_t user_id, struct db_server **s,
    size_t *n);
/* Every row whose state is PENDING, READY or STOPPING. */
int  db_server_list_active(struct db *, struct db_server **s, size_t *n);
void db_server_release(struct db_server *);
void db_servers_free(struct db_server *, size_t n);

const char *server_state_name(enum server_state);

#endif
