/* SPDX-License-Identifier: MIT */
/*
 * JupyterHub's roles and scopes (JupyterHub 2 and 3; docs/source/rbac in
 * its repository). A scope is "base" or "base!filter": the filters are
 * "user=NAME", "server=NAME/SERVER" (a user's default server is the one
 * named "", so "server=NAME/"; named servers servername.h), "group=NAME" and
 * "service=NAME" (rig has no groups or managed services yet: those two never
 * match), and in what a token asks for, the bare "!user" and "!server": the
 * token's owner and the owner's server. Scopes imply others ("admin:users"
 * holds "users", which holds "read:users", which holds "read:users:name" ...),
 * and the metascope "self" stands for a user's own resources; "inherit" is all
 * that the owner of a token may do. Sets are stored and passed as text,
 * words separated by spaces, the way JupyterHub writes them.
 *
 * An "expanded" set has every implied scope written out, "self" replaced
 * and bare filters resolved, and no filtered word beside the same base
 * without a filter: what the checks below take. Roles are fixed:
 * "user" (self), "admin" (the hub's administration; access to other
 * users' servers only with admin_access), "server" (what a server's own
 * token does: report activity, be reached) and "token" (inherit).
 */
#ifndef SCOPES_H
#define SCOPES_H

#include <stddef.h>

/* The longest scope list a token stores, as asked. */
#define SCOPES_MAX 1024

/* JupyterHub's "server" role for user 'name''s server 'srv' ("" the
 * default), as rig gives it to a server's own token: report activity, use
 * its own server. Caller frees result. */
char *scopes_server(const char *name, const char *srv);
/* What a server asks of its users' OAuth tokens (the server's
 * JUPYTERHUB_OAUTH_ACCESS_SCOPES, as words). Caller frees result. */
char *scopes_access(const char *name, const char *srv);
/* The same as a JSON list's text for the environment. Caller frees. */
char *scopes_access_json(const char *name, const char *srv);

/* Whether 'base' (no filter) is one of JupyterHub 3's scopes, the
 * metascopes "self", "inherit" and "(no_scope)" included. */
int scopes_known(const char *base, size_t len);
/* The raw scopes of a role (user, admin, server, token); NULL if there is
 * no such role. Static text. */
const char *scopes_role(const char *role, int admin_access);
/* Whether the words 'set' hold 'word' exactly. */
int scopes_has(const char *set, const char *word);

/*
 * Expands raw scopes (what a token asks for, a role's) for user 'owner':
 * 0 and *out (caller frees), the expanded set sorted; -1 if a word is no
 * scope or has a filter JupyterHub does not know, with *bad that word
 * (caller frees). "inherit" and "(no_scope)" expand to nothing: a caller
 * asks scopes_has() about "inherit" first.
 */
int scopes_expand(const char *raw, const char *owner, char **out, char **bad);
/* The scopes a user's own credentials (a login session, a token that
 * inherits) stand for, expanded: the "user" role, with the "admin"
 * role's for an admin. Caller frees result. */
char *scopes_of_user(const char *name, int admin, int admin_access);
/* What a token with scopes of its own ('raw', as stored) may do: those
 * scopes expanded for its owner, cut to what the owner may do now (an
 * owner who is no longer admin takes the token's admin scopes with
 * them). Words that are no scope count for nothing. Caller frees. */
char *scopes_of_token(const char *raw, const char *owner, int admin,
    int admin_access);
/* What two expanded sets both grant, expanded. Caller frees result. */
char *scopes_intersect(const char *a, const char *b);
/* The words of expanded set 'a' that expanded set 'b' does not grant,
 * or NULL if 'b' grants all of 'a'. Caller frees result. */
char *scopes_excess(const char *a, const char *b);

/* What an expanded set says to a request. */
enum scope_verdict {
	SCOPE_OK,
	SCOPE_MISSING, /* none of the scopes asked for is held: 403 */
	SCOPE_FILTERED, /* held, but for other users: 404 (the resource is
	                 * not to be seen, whether it exists or not) */
};

/*
 * Whether expanded set 'held' grants one of the scopes 'need' (words, any
 * of them will do) on the resources of user 'owner'. A NULL owner asks
 * for no one's resource in particular: any holding of the scope grants,
 * and the handler keeps to what the filters allow (a list of users).
 * The server scopes (access:servers, servers, delete:servers,
 * read:servers, admin:servers, admin:server_state) are also granted by
 * a filter naming the owner's server: scopes_check() asks about the
 * default server, scopes_check_server() about server 'srv'.
 */
enum scope_verdict scopes_check(const char *held, const char *need,
    const char *owner);
enum scope_verdict scopes_check_server(const char *held, const char *need,
    const char *owner, const char *srv);
/* 1 if scopes_check() of the one scope 'need' is SCOPE_OK, else 0. */
int scopes_grant(const char *held, const char *need, const char *owner);
int scopes_grant_server(const char *held, const char *need, const char *owner,
    const char *srv);

#endif
