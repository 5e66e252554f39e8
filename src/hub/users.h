/* SPDX-License-Identifier: MIT */
/*
 * What the pages and the API both do for a user on a request's behalf.
 */
#ifndef USERS_H
#define USERS_H

struct db_user;
struct req;
struct spawn_options;

/*
 * User 'name' from the database into *u (db_user_release() it): 0, or -1
 * once answered: 404 "no such user" for a name that is not valid or no
 * user's, 500 if the database failed.
 */
int users_get(struct req *, const char *name, struct db_user *u);

/* Starts user u's server srv ("" the default) for the request's user;
 * returns what server_start() does (-1 with a message in *err) and logs
 * who asked. */
int users_start(struct req *, const struct db_user *u, const char *srv,
    const char **err);
/* The same with options (server_start_with(): it takes them over). */
int users_start_with(struct req *, const struct db_user *u, const char *srv,
    struct spawn_options *opts, const char **err);

/*
 * Gives user 'name' the admin right or takes it away, for the request's
 * user (an admin). No one takes their own away (another admin must), and
 * the last admin keeps theirs: without one, no one could use the admin
 * page or the API's user calls again. 0 done (or nothing to do), 1 no such
 * user, 2 refused (*err says why), -1 a database error.
 */
int users_set_admin(struct req *, const char *name, int admin,
    const char **err);

#endif
