/* SPDX-License-Identifier: MIT */
/*
 * A short-lived cache of who a credential belongs to. The proxy checks a
 * session cookie or token on every request; asking SQLite each time costs
 * file locks (fcntl) and a query. An entry lives AUTHCACHE_TTL_MS, so a
 * change made with the CLI (token revoked, user deleted, password changed)
 * takes effect within that time; a change made through the hub itself
 * changes db_generation(), which empties the cache at once.
 */
#ifndef AUTHCACHE_H
#define AUTHCACHE_H

#include <stdint.h>

#include "db.h"

#define AUTHCACHE_TTL_MS 1000
#define AUTHCACHE_SLOTS 1024

/* What a credential hash resolved to. */
struct auth_hit {
	int64_t         user_id;
	int64_t         token_id; /* 0 for a session */
	char           *xsrf; /* sessions only; caller frees */
	struct db_user  user; /* caller releases with db_user_release */
	enum token_kind kind; /* tokens only */
	/* What the credential may do, expanded (scopes.h): its user's
	 * roles' for a session or a token that inherits, else the token's
	 * own as far as they reach (restricted). Caller frees. */
	char   *scopes;
	int     restricted;
	char   *session; /* the login session's hash, or NULL; caller frees */
	int64_t expires; /* a token's expiry, 0 never */
};

/* Frees what a filled auth_hit holds. */
void auth_hit_release(struct auth_hit *);

/*
 * 1 and *hit filled if the credential 'cred' (a token or session id, as the
 * client sent it) is cached, fresh, and the database's generation is still
 * 'gen'; else 0. Keyed by the credential itself, compared in constant time,
 * so a hit costs no SHA-256; the copies are wiped when dropped.
 */
int authcache_get(const char *cred, uint64_t gen, struct auth_hit *hit);
/* Remembers what 'cred' resolved to at generation 'gen' (copies it). */
void authcache_put(const char *cred, uint64_t gen, const struct auth_hit *);
/* Forgets everything. */
void authcache_clear(void);

#endif
