/* SPDX-License-Identifier: MIT */
/*
 * rig user: add, delete, list and change the hub's users in its database,
 * also while the hub runs (it reads users on each request). A password is
 * generated and printed once, or read from standard input for scripts; it
 * is never taken from the command line, where ps(1) would show it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "auth.h"
#include "cmd.h"
#include "config.h"
#include "state.h"
#include "db.h"
#include "oneuser.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/util.h"

#define USER_MAX_ARGS 4

struct user_opts {
	const char *state_dir;
	int         admin;
	int         password_stdin;
	int         keep_home; /* delete: move the home aside */
	int         unix_password; /* add: signs in with the Unix account's */
	const char *args[USER_MAX_ARGS]; /* subcommand and its operands */
	int         nargs;
};

static int user_parse(int, char **, struct user_opts *);
static int check_name(const char *);
static int read_password(char *, size_t);
static int new_password(int, char **, int *);
static int print_password(const char *, const char *);
static int add_outside(struct db *, const struct user_opts *, const char *,
    const char *);
static int user_add(struct db *, const struct user_opts *);
static int user_del(struct db *, const struct user_opts *);
static int user_list(struct db *);
static int user_passwd(struct db *, const struct user_opts *);
static int user_admin(struct db *, const struct user_opts *);
static int unix_passwords(struct db *);

/* Whether the hub of this database last ran with authenticator = pam
 * (1: its users' passwords are then their Unix accounts') or ldap (2:
 * the directory's); 0 local. */
static int
unix_passwords(struct db *db)
{
	char *v;
	int   r;

	if (db_fact_get(db, CONFIG_FACT_AUTHENTICATOR, &v) != 0)
		return 0;
	r = strcmp(v, "pam") == 0 ? 1 : strcmp(v, "ldap") == 0 ? 2 : 0;
	free(v);
	return r;
}

/* Options may come anywhere (opts.h). -1 on a usage error, reported. */
static int
user_parse(int argc, char **argv, struct user_opts *o)
{
	const struct opt opts[] = {
		{ "--admin", &o->admin, NULL },
		{ "--password-stdin", &o->password_stdin, NULL },
		{ "--keep-home", &o->keep_home, NULL },
		{ "--unix-password", &o->unix_password, NULL },
		{ "--state-dir", NULL, &o->state_dir },
		{ NULL, NULL, NULL },
	};

	memset(o, 0, sizeof(*o));
	return opts_scan(argc, argv, opts, o->args, USER_MAX_ARGS, &o->nargs);
}

/* 0 if 'name' is a valid username, else -1 with a message. */
static int
check_name(const char *name)
{
	char        q[QUOTED_SIZE];
	const char *why;

	why = username_error(name);
	if (why == NULL)
		return 0;
	quote_for_terminal(name, q, sizeof(q));
	return error("invalid username '%s': %s", q, why);
}

/*
 * Reads one line from standard input into 'pw' with read(2) a byte at a
 * time: no stdio buffer keeps a copy of the password, and nothing after the
 * line is consumed. The newline (and a CR before it) is dropped.
 */
static int
read_password(char *pw, size_t size)
{
	size_t  len = 0;
	ssize_t r;
	char    c;

	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return error("cannot read password: %s",
			    strerror(errno));
		}
		if (r == 0 || c == '\n')
			break;
		if (c == '\0')
			return error("password contains a NUL byte");
		if (len + 1 >= size)
			return error("password too long (at most %zu bytes)",
			    size - 1);
		pw[len++] = c;
	}
	if (len > 0 && pw[len - 1] == '\r')
		len--;
	pw[len] = '\0';
	explicit_bzero(&c, sizeof(c));
	if (password_error(pw) != NULL)
		return error("%s", password_error(pw));
	return 0;
}

/*
 * A new password in *pw (free with free_secret), from standard input if
 * 'from_stdin', else generated, and *generated says which.
 */
static int
new_password(int from_stdin, char **pw, int *generated)
{
	char buf[PASSWORD_MAX + 1];

	*pw = NULL;
	*generated = !from_stdin;
	if (!from_stdin) {
		*pw = password_generate();
		return 0;
	}
	if (read_password(buf, sizeof(buf)) == -1) {
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	*pw = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* Prints a generated password, the only time anyone sees it. */
static int
print_password(const char *name, const char *pw)
{
	printf("password for %s: %s\n", name, pw);
	if (fflush(stdout) == EOF)
		return error("cannot print the password: %s", strerror(errno));
	return 0;
}

/*
 * The name rule of account_user_error(), with the prefix the hub last ran
 * with in this state directory (saved when it runs as root), else the
 * default one.
 */
static int
check_new_name(const char *state_dir, const char *name)
{
	char       *dir = state_dir_resolve(state_dir);
	char       *prefix = dir != NULL ? accounts_read_prefix(dir) : NULL;
	char        why[160];
	const char *e;

	e = account_user_error(prefix != NULL ? prefix : ACCOUNT_PREFIX_DEFAULT,
	    name, why, sizeof(why));
	free(prefix);
	free(dir);
	if (e == NULL)
		return 0;
	return error("invalid username '%s': %s", name, e);
}

/* A user whose password is checked elsewhere (PAM's or the directory's):
 * no password of the hub's is set or read. */
static int
add_outside(struct db *db, const struct user_opts *o, const char *auth,
    const char *whose)
{
	const char *name = o->args[1];
	int         r;

	if (o->password_stdin) {
		error("the hub runs with authenticator = %s: '%s' signs in "
		      "with %s password",
		    auth, name, whose);
		return 1;
	}
	r = db_user_add(db, name, "", o->admin);
	if (r == 1)
		error("user '%s' already exists", name);
	else if (r == 0)
		printf("added %s, who signs in with %s password "
		       "(authenticator = %s)\n",
		    name, whose, auth);
	return r == 0 ? 0 : 1;
}

static int
user_add(struct db *db, const struct user_opts *o)
{
	const char    *name = o->args[1];
	struct passwd *pw_acct;
	char          *pw, *hash;
	int            generated, r, auth;

	if (check_new_name(o->state_dir, name) == -1)
		return 1;
	if (oneuser_may_add(db, oneuser_hub_is_root(db)) == -1) {
		error("cannot add '%s': %s", name, ONEUSER_WHY);
		return 1;
	}
	/* --unix-password: rig up says so before the hub has first run
	 * with authenticator = pam (the fact is the hub's to record). */
	auth = o->unix_password ? 1 : unix_passwords(db);
	if (auth == 1 && account_lookup(name, &pw_acct) != 1) {
		error("cannot add '%s': the hub runs with authenticator = pam, "
		      "and there is no Unix account of that name for a person "
		      "here",
		    name);
		return 1;
	}
	if (auth != 0)
		return add_outside(db, o, auth == 1 ? "pam" : "ldap",
		    auth == 1 ? "the Unix account's" : "the directory's");
	if (new_password(o->password_stdin, &pw, &generated) == -1)
		return 1;
	hash = password_hash(pw);
	if (hash == NULL) {
		free_secret(pw);
		error("cannot hash password");
		return 1;
	}
	r = db_user_add(db, name, hash, o->admin);
	free_secret(hash);
	if (r == 1)
		error("user '%s' already exists", name);
	else if (r == 0 && generated)
		r = print_password(name, pw);
	free_secret(pw);
	return r == 0 ? 0 : 1;
}

static int
user_del(struct db *db, const struct user_opts *o)
{
	int r;

	r = db_user_del(db, o->args[1]);
	if (r == 1)
		error("no such user '%s'", o->args[1]);
	if (r == 0) { /* and the Unix account the hub made, if any */
		char *dir = state_dir_resolve(o->state_dir);

		if (dir != NULL &&
		    accounts_delete_user(dir, o->args[1], o->keep_home) == -1)
			r = -1;
		free(dir);
	}
	return r == 0 ? 0 : 1;
}

static int
user_list(struct db *db)
{
	struct db_user *users;
	size_t          n;
	char            when[40], q[QUOTED_SIZE];

	if (db_user_list(db, &users, &n) == -1)
		return 1;
	printf("name\tadmin\tlast_activity\n");
	for (size_t i = 0; i < n; i++) {
		if (users[i].last_activity > 0)
			iso_time(users[i].last_activity, when, sizeof(when));
		else
			snprintf(when, sizeof(when), "never");
		/* Names were checked when added; quote in case of a
		 * database edited by hand. */
		quote_for_terminal(users[i].name, q, sizeof(q));
		printf("%s\t%s\t%s\n", q, users[i].admin ? "admin" : "-", when);
	}
	db_users_free(users, n);
	return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * A new password ends every login session of the user: whoever knew the
 * old one may hold one. API tokens are separate credentials and stay.
 */
static int
user_passwd(struct db *db, const struct user_opts *o)
{
	const char    *name = o->args[1];
	struct db_user u;
	char          *pw, *hash;
	int            generated, r;

	if (unix_passwords(db) == 2)
		return error("the hub runs with authenticator = ldap: '%s' "
		             "changes the password in the directory",
		           name),
		       1;
	if (unix_passwords(db))
		return error("the hub runs with authenticator = pam: '%s' "
		             "changes the Unix account's password on the "
		             "machine, with passwd",
		           name),
		       1;
	r = db_user_get(db, name, &u);
	if (r == 1)
		error("no such user '%s'", name);
	if (r != 0)
		return 1;
	if (new_password(o->password_stdin, &pw, &generated) == -1) {
		db_user_release(&u);
		return 1;
	}
	hash = password_hash(pw);
	if (hash == NULL) {
		error("cannot hash password");
		r = -1;
		goto out;
	}
	r = db_user_set_password(db, name, hash);
	free_secret(hash);
	if (r == 1) {
		error("no such user '%s'", name);
		goto out;
	}
	if (r == 0)
		r = db_session_del_user(db, u.id);
	if (r == 0 && generated)
		r = print_password(name, pw);
out:
	free_secret(pw);
	db_user_release(&u);
	return r == 0 ? 0 : 1;
}

/* The caller checked that args[2] is "on" or "off". The last admin keeps
 * the right, as in the hub (users_set_admin()): without one, no one could
 * use the admin page or the API's user calls. */
static int
user_admin(struct db *db, const struct user_opts *o)
{
	struct db_user u;
	int64_t        admins;
	int            on = strcmp(o->args[2], "on") == 0, r;

	r = db_user_get(db, o->args[1], &u);
	if (r != 0)
		goto out;
	if (!on && u.admin) {
		if (db_admin_count(db, &admins) == -1)
			r = -1;
		else if (admins <= 1) {
			error("'%s' is the last admin: make another one first",
			    o->args[1]);
			r = -1;
		}
	}
	db_user_release(&u);
	if (r == 0)
		r = db_user_set_admin(db, o->args[1], on);
out:
	if (r == 1)
		error("no such user '%s'", o->args[1]);
	return r == 0 ? 0 : 1;
}

int
cmd_user(int argc, char **argv)
{
	struct user_opts o;
	struct db       *db;
	const char      *sub;
	int              want, r;

	if (user_parse(argc, argv, &o) == -1 || o.nargs == 0)
		return usage("user");
	sub = o.args[0];
	if (strcmp(sub, "add") == 0)
		want = 2;
	else if (strcmp(sub, "del") == 0 || strcmp(sub, "delete") == 0 ||
	    strcmp(sub, "passwd") == 0)
		want = 2;
	else if (strcmp(sub, "list") == 0)
		want = 1;
	else if (strcmp(sub, "admin") == 0)
		want = 3;
	else
		return usage("user");
	if (o.nargs != want)
		return usage("user");
	if ((o.admin && strcmp(sub, "add") != 0) ||
	    (o.keep_home && strncmp(sub, "del", 3) != 0))
		return usage("user");
	if (o.unix_password && (strcmp(sub, "add") != 0 || o.password_stdin))
		return usage("user");
	if (o.password_stdin && strcmp(sub, "add") != 0 &&
	    strcmp(sub, "passwd") != 0)
		return usage("user");
	if (want == 3 && strcmp(o.args[2], "on") != 0 &&
	    strcmp(o.args[2], "off") != 0)
		return usage("user");
	if (want >= 2 && check_name(o.args[1]) == -1)
		return 1;

	db = state_open_db_flag(o.state_dir);
	if (db == NULL)
		return 1;
	if (strcmp(sub, "add") == 0)
		r = user_add(db, &o);
	else if (strncmp(sub, "del", 3) == 0)
		r = user_del(db, &o);
	else if (strcmp(sub, "list") == 0)
		r = user_list(db);
	else if (strcmp(sub, "passwd") == 0)
		r = user_passwd(db, &o);
	else
		r = user_admin(db, &o);
	db_close(db);
	return r;
}
