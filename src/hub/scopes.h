/* SPDX-License-Identifier: MIT */
/*
 * JupyterHub's scopes, as far as rig uses them yet: the sets a server's
 * own token and an OAuth access token hold, the set a user's credentials
 * stand for in GET /hub/api/user, and whether a held set grants a scope on
 * a user's resources. A scope is "base" or "base!filter", the filters
 * "user=NAME" and "server=NAME/SERVER" (rig's one server per user is the
 * server named "", so "server=NAME/"). A token with scopes "" holds its
 * owner's (JupyterHub's "inherit"): the route table's roles decide.
 */
#ifndef SCOPES_H
#define SCOPES_H

/* The longest scope list a token stores. */
#define SCOPES_MAX 1024

/* JupyterHub's "server" role for user 'name': report activity, use its
 * own server. Caller frees result. */
char *scopes_server(const char *name);
/* What a server asks of its users' OAuth tokens (the server's
 * JUPYTERHUB_OAUTH_ACCESS_SCOPES, as words). Caller frees result. */
char *scopes_access(const char *name);
/* The same as a JSON list's text for the environment. Caller frees. */
char *scopes_access_json(const char *name);
/* The scopes a user's own credentials (a login session, a token that
 * inherits) stand for, space-separated: the "user" role, with the
 * "admin" role's for an admin, and access to every server only with
 * admin_access. Caller frees result. */
char *scopes_of_user(const char *name, int admin, int admin_access);

/*
 * 1 if the scopes 'held' (space-separated) grant 'need' on the resources
 * of user 'owner' (a NULL owner: a base scope without a filter is
 * needed), else 0. "" never grants: a caller first checks whether the
 * credential inherits.
 */
int scopes_grant(const char *held, const char *need, const char *owner);

#endif
