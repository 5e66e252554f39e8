/* SPDX-License-Identifier: MIT */
/*
 * The REST API's server routes (api-servers.c), JupyterHub's: a user's
 * default server at /hub/api/users/NAME/server, their named servers at
 * .../servers/SRV (allow_named_servers), each with /progress, and the
 * "servers" dict of the user model. Also what api.c shares with it.
 */
#ifndef API_SERVERS_H
#define API_SERVERS_H

#include <stdint.h>

#include <jansson.h>

struct db_user;
struct req;
struct server;

/* The user model's "servers": each active server the scopes 'held' may
 * read (read:servers on it), and with 'stopped' the stopped named ones
 * too (JupyterHub's ?include_stopped_servers). */
json_t *api_servers_json(struct req *, const struct db_user *, const char *held,
    int stopped);
/* Whether one of u's servers is active (starting, running, stopping),
 * and whether one is ready. */
void api_servers_state(struct req *, const struct db_user *u, int *active,
    int *ready);
/* A server model's "pending": "spawn", "stop" or null. */
json_t *api_pending_json(const struct server *);
/* Whether the query has 'name' (JupyterHub's boolean parameters: present
 * with no value, or any value but false or 0). */
int api_query_flag(const struct req *, const char *name);

#endif
