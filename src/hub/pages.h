/* SPDX-License-Identifier: MIT */
/*
 * The hub's pages: login and logout, home (my server), spawn progress,
 * admin, tokens, static assets and metrics.
 */
#ifndef PAGES_H
#define PAGES_H

struct req;
struct db_user;

/* Handles any path under /hub/ that is not the API, and "/". */
void pages_handle(struct req *);

/* Starts user u's server on behalf of a request; returns what
 * server_start() does, with a message on -1. Shared with the API. */
int start_for(struct req *, const struct db_user *u, const char **err);

#endif
