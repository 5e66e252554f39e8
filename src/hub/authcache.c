/* SPDX-License-Identifier: MIT */
/*
 * The credential cache: a direct-mapped table indexed by a hash of the
 * credential; a collision simply replaces the older entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authcache.h"
#include "lib/util.h"

#define CRED_MAX 256 /* longer credentials are refused before this */

struct entry {
	char            cred[CRED_MAX + 1]; /* "" when empty */
	uint64_t        expires_ms;
	struct auth_hit hit;
};

static struct entry table[AUTHCACHE_SLOTS];
static uint64_t     table_gen;

static struct entry *
slot(const char *cred)
{
	unsigned h = 2166136261u;

	for (const char *p = cred; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &table[h % AUTHCACHE_SLOTS];
}

void
auth_hit_release(struct auth_hit *h)
{
	free_secret(h->xsrf);
	db_user_release(&h->user);
	free(h->scopes);
	free(h->session);
	explicit_bzero(h, sizeof(*h));
}

static void
entry_clear(struct entry *e)
{
	auth_hit_release(&e->hit);
	explicit_bzero(e, sizeof(*e));
}

static void
hit_copy(struct auth_hit *dst, const struct auth_hit *src)
{
	dst->user_id = src->user_id;
	dst->token_id = src->token_id;
	dst->xsrf = src->xsrf != NULL ? xstrdup(src->xsrf) : NULL;
	dst->user = src->user;
	dst->user.name = xstrdup(src->user.name);
	dst->user.pwhash = xstrdup(""); /* never needed past login */
	dst->kind = src->kind;
	dst->scopes = src->scopes != NULL ? xstrdup(src->scopes) : NULL;
	dst->session = src->session != NULL ? xstrdup(src->session) : NULL;
	dst->restricted = src->restricted;
	dst->expires = src->expires;
}

int
authcache_get(const char *cred, uint64_t gen, struct auth_hit *hit)
{
	struct entry *e = slot(cred);

	if (gen != table_gen) {
		authcache_clear();
		table_gen = gen;
		return 0;
	}
	if (e->cred[0] == '\0' || !secret_equal(e->cred, cred))
		return 0;
	if (now_ms() >= e->expires_ms) {
		entry_clear(e);
		return 0;
	}
	hit_copy(hit, &e->hit);
	return 1;
}

void
authcache_put(const char *cred, uint64_t gen, const struct auth_hit *hit)
{
	struct entry *e = slot(cred);

	if (gen != table_gen) {
		authcache_clear();
		table_gen = gen;
	}
	if (strlen(cred) > CRED_MAX)
		return;
	entry_clear(e);
	snprintf(e->cred, sizeof(e->cred), "%s", cred);
	e->expires_ms = now_ms() + AUTHCACHE_TTL_MS;
	hit_copy(&e->hit, hit);
}

void
authcache_clear(void)
{
	for (size_t i = 0; i < AUTHCACHE_SLOTS; i++)
		if (table[i].cred[0] != '\0')
			entry_clear(&table[i]);
}
