/* SPDX-License-Identifier: MIT */
/*
 * Managed services (JupyterHub's "hub-managed services"): each [service
 * NAME] with a command is started by the hub when it starts, restarted
 * with a growing pause (1 s, doubling to 60 s; back to 1 s after a minute
 * up) whenever it ends, and sent SIGTERM (its process group) when the hub
 * stops; what is left of it at the next start (in its own account) is
 * killed then. Its environment is JupyterHub's (JUPYTERHUB_API_TOKEN, _API_URL,
 * _CLIENT_ID "service-NAME", _SERVICE_PREFIX "/services/NAME/", ...).
 *
 * Its account: as root, never root nor the hub's own 'rig' (which owns
 * the database), but an account of its own, PREFIX + NAME (made like a
 * user's, no password), or the one 'user =' names (an account the
 * helper would run a server as: of the prefix, not a system account).
 * A hub user of the same name would share that account, so such a user's
 * server is refused. Without root, the hub's own account, as JupyterHub.
 *
 * Its API token is new at each hub start, held in memory only (its hash
 * to check it), given in the environment only (never on a command line,
 * never in a file): /proc/PID/environ is its account's alone. The token
 * holds the service's roles and scopes and nothing of any user's.
 */
#ifndef SERVICES_H
#define SERVICES_H

#include <stddef.h>

struct hub;
struct service;

/* Starts every managed service (after priv_attach()). */
void services_start(struct hub *);
/* SIGTERM to each running service's process group; timers closed. Before
 * priv_close(). */
void services_stop(struct hub *);

/* Frees what services_start() kept, once the loop has ended. */
void services_release(void);

/* Whether any managed service runs (a token need not be checked
 * against them otherwise). */
int services_any(void);
/* The managed service whose API token has SHA-256 hex 'hash', or NULL. */
const struct service *services_by_token(const char *hash);
/* What that token may do, expanded (scopes.h); static text. */
const char *services_scopes(const struct service *);
/* Whether 'secret' is managed service s's token (its OAuth secret). */
int services_secret_ok(const struct service *, const char *secret);
/* The pid of managed service s, or 0 if it is not running. */
int services_pid(const struct service *);
/* Whether Unix account 'account' is a managed service's. */
int services_own_account(const char *account);

/* OAuth: a service's client id, "service-NAME"; caller frees. */
#define SERVICES_CLIENT_PREFIX "service-"
char *services_client_id(const char *name);
/* The managed service 'client_id' names, or NULL. */
const struct service *services_client(const struct hub *,
    const char *client_id);

/* 'held' (expanded scopes of an OAuth token, cut to its user's; taken
 * and freed), with "access:services!service=NAME" added back when
 * 'client' is that service's and 'raw', the token's stored scopes, holds
 * it: what the service needs to know who signed in. Returns the new set;
 * caller frees. */
char *services_keep_client_scope(char *held, const char *raw,
    const char *client);

#endif
