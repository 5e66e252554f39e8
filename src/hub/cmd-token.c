/* SPDX-License-Identifier: MIT */
/*
 * rig token: create, list and revoke a user's API tokens. A new token is
 * printed once, alone on its line so scripts can capture it; the database
 * keeps only its SHA-256, so a lost token is revoked and replaced, never
 * shown again. A token may be made with JupyterHub's scopes (--scopes,
 * within what its user's roles allow; the hub cuts it to them again at
 * each use) and a lifetime (--expires-in).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cmd.h"
#include "state.h"
#include "db.h"
#include "scopes.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/util.h"

#define TOKEN_MAX_ARGS 3
#define TOKEN_NOTE_MAX 256 /* bytes */
#define TOKEN_LIFE_MAX (10LL * 366 * 86400) /* --expires-in at most */

struct token_opts {
	const char *state_dir;
	const char *note;
	const char *scopes; /* words separated by commas or blanks */
	const char *expires_in; /* seconds */
	const char *args[TOKEN_MAX_ARGS]; /* subcommand and its operands */
	int         nargs;
};

static int token_parse(int, char **, struct token_opts *);
static int token_create(struct db *, const struct db_user *,
    const struct token_opts *);
static int token_list(struct db *, const struct db_user *);
static int token_revoke(struct db *, const struct db_user *, int64_t);

/* Options may come anywhere (opts.h). -1 on a usage error, reported. */
static int
token_parse(int argc, char **argv, struct token_opts *o)
{
	const struct opt opts[] = {
		{ "--state-dir", NULL, &o->state_dir },
		{ "--note", NULL, &o->note },
		{ "--scopes", NULL, &o->scopes },
		{ "--expires-in", NULL, &o->expires_in },
		{ NULL, NULL, NULL },
	};

	memset(o, 0, sizeof(*o));
	return opts_scan(argc, argv, opts, o->args, TOKEN_MAX_ARGS, &o->nargs);
}

/* --scopes as stored: words separated by single spaces, each a scope of
 * JupyterHub's that the user's roles hold (with admin_access, the widest:
 * the hub cuts a token to its own setting at each use). Caller frees
 * result; NULL after saying why. */
static char *
token_scopes(const struct db_user *u, const char *given)
{
	char      *words = xstrdup(given), *out, *bad = NULL, *over, *own;
	char      *save, *w, *norm;
	struct buf b;

	buf_init(&b, strlen(given) + 1);
	for (w = strtok_r(words, " ,\t", &save); w != NULL;
	     w = strtok_r(NULL, " ,\t", &save))
		buf_addf(&b, "%s%s", b.len > 0 ? " " : "", w);
	free(words);
	norm = buf_detach(&b, NULL);
	if (*norm == '\0' || strlen(norm) > SCOPES_MAX) {
		error("--scopes: give one scope or more (at most %d bytes)",
		    SCOPES_MAX);
		free(norm);
		return NULL;
	}
	if (scopes_expand(norm, u->name, &out, &bad) == -1) {
		error("--scopes: '%s' is not a scope", bad);
		free(bad);
		free(norm);
		return NULL;
	}
	own = scopes_of_user(u->name, u->admin, 1);
	over = scopes_excess(out, own);
	free(own);
	free(out);
	if (over != NULL) {
		error("--scopes: %s may not have %s", u->name, over);
		free(over);
		free(norm);
		return NULL;
	}
	return norm;
}

static int
token_create(struct db *db, const struct db_user *u, const struct token_opts *o)
{
	char               *token, hash[TOKEN_HASH_LEN + 1], *scopes = NULL;
	struct db_token_new t;
	long long           life = 0;
	int64_t             id;
	int                 r = 0;

	if (o->expires_in != NULL &&
	    parse_int(o->expires_in, 1, TOKEN_LIFE_MAX, &life) == -1)
		return error("--expires-in: seconds from 1 to %lld",
		           TOKEN_LIFE_MAX),
		       1;
	if (o->scopes != NULL && (scopes = token_scopes(u, o->scopes)) == NULL)
		return 1;
	token = token_new();
	token_hash(token, hash);
	memset(&t, 0, sizeof(t));
	t.user_id = u->id;
	t.hash = hash;
	t.kind = TOKEN_API;
	t.note = o->note != NULL ? o->note : "";
	t.scopes = scopes;
	t.expires = life > 0 ? now_sec() + life : 0;
	if (db_token_add_scoped(db, &t, &id) == -1)
		r = error("cannot store the token");
	else {
		printf("%s\n", token);
		if (fflush(stdout) == EOF)
			r = error("cannot print the token");
	}
	free_secret(token);
	free(scopes);
	return r == 0 ? 0 : 1;
}

static int
token_list(struct db *db, const struct db_user *u)
{
	struct db_token *t;
	size_t           n;
	char             created[40], used[40], note[QUOTED_SIZE];

	if (db_token_list(db, u->id, &t, &n) == -1)
		return 1;
	printf("id\tnote\tcreated\tlast_used\n");
	for (size_t i = 0; i < n; i++) {
		iso_time(t[i].created, created, sizeof(created));
		if (t[i].last_activity > 0)
			iso_time(t[i].last_activity, used, sizeof(used));
		else
			snprintf(used, sizeof(used), "never");
		if (t[i].note[0] != '\0')
			quote_for_terminal(t[i].note, note, sizeof(note));
		else
			snprintf(note, sizeof(note), "-");
		printf("%lld\t%s\t%s\t%s\n", (long long)t[i].id, note, created,
		    used);
	}
	db_tokens_free(t, n);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
token_revoke(struct db *db, const struct db_user *u, int64_t id)
{
	int r;

	r = db_token_del(db, u->id, id);
	if (r == 1)
		error("user '%s' has no token %lld", u->name, (long long)id);
	return r == 0 ? 0 : 1;
}

int
cmd_token(int argc, char **argv)
{
	struct token_opts o;
	struct db_user    u;
	struct db        *db;
	char              q[QUOTED_SIZE];
	const char       *sub, *why;
	long long         id = 0;
	int               r;

	if (token_parse(argc, argv, &o) == -1 || o.nargs < 2)
		return usage("token");
	sub = o.args[0];
	if (strcmp(sub, "create") == 0 || strcmp(sub, "list") == 0) {
		if (o.nargs != 2)
			return usage("token");
	} else if (strcmp(sub, "revoke") == 0) {
		if (o.nargs != 3)
			return usage("token");
	} else
		return usage("token");
	if ((o.note != NULL || o.scopes != NULL || o.expires_in != NULL) &&
	    strcmp(sub, "create") != 0)
		return usage("token");

	why = username_error(o.args[1]);
	if (why != NULL) {
		quote_for_terminal(o.args[1], q, sizeof(q));
		error("invalid username '%s': %s", q, why);
		return 1;
	}
	if (o.note != NULL && strlen(o.note) > TOKEN_NOTE_MAX) {
		error("note too long (at most %d bytes)", TOKEN_NOTE_MAX);
		return 1;
	}
	if (o.nargs == 3 && parse_int(o.args[2], 1, INT64_MAX, &id) == -1) {
		quote_for_terminal(o.args[2], q, sizeof(q));
		error("invalid token id '%s'", q);
		return 1;
	}

	db = state_open_db_flag(o.state_dir);
	if (db == NULL)
		return 1;
	r = db_user_get(db, o.args[1], &u);
	if (r == 1)
		error("no such user '%s'", o.args[1]);
	if (r != 0) {
		db_close(db);
		return 1;
	}
	if (strcmp(sub, "create") == 0)
		r = token_create(db, &u, &o);
	else if (strcmp(sub, "list") == 0)
		r = token_list(db, &u);
	else
		r = token_revoke(db, &u, (int64_t)id);
	db_user_release(&u);
	db_close(db);
	return r;
}
