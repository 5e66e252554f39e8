/* SPDX-License-Identifier: MIT */
/*
 * What the pages and the API both do for a user on a request's behalf.
 */
#ifndef USERS_H
#define USERS_H

struct db_user;
struct req;

/* Starts user u's server for the request's user; returns what
 * server_start() does (-1 with a message in *err) and logs who asked. */
int users_start(struct req *, const struct db_user *u, const char **err);

#endif
