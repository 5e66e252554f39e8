/* SPDX-License-Identifier: MIT */
/*
 * The credential cache: a direct-mapped table indexed by the first hex
 * digits of the SHA-256 hash (uniformly distributed, since credentials are
 * random). A collision simply replaces the older entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authcache.h"
#include "util.h"

struct entry {
	char            hash[TOKEN_HASH_LEN + 1];
	uint64_t        expires_ms;
	struct auth_hit hit;
};

static struct entry table[AUTHCACHE_SLOTS];
static uint64_t     table_gen;

static struct entry *
slot(const char *hash)
{
	unsigned v = 0;

	for (int i = 0; i < 6 && hash[i] != '\0'; i++) {
		char c = hash[i];

		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	return &table[v % AUTHCACHE_SLOTS];
}

static void
entry_clear(struct entry *e)
{
	free_secret(e->hit.xsrf);
	db_user_release(&e->hit.user);
	memset(e, 0, sizeof(*e));
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
}

int
authcache_get(const char *hash, uint64_t gen, struct auth_hit *hit)
{
	struct entry *e = slot(hash);

	if (gen != table_gen) {
		authcache_clear();
		table_gen = gen;
		return 0;
	}
	if (e->hash[0] == '\0' || strcmp(e->hash, hash) != 0)
		return 0;
	if (now_ms() >= e->expires_ms) {
		entry_clear(e);
		return 0;
	}
	hit_copy(hit, &e->hit);
	return 1;
}

void
authcache_put(const char *hash, uint64_t gen, const struct auth_hit *hit)
{
	struct entry *e = slot(hash);

	if (gen != table_gen) {
		authcache_clear();
		table_gen = gen;
	}
	entry_clear(e);
	snprintf(e->hash, sizeof(e->hash), "%s", hash);
	e->expires_ms = now_ms() + AUTHCACHE_TTL_MS;
	hit_copy(&e->hit, hit);
}

void
authcache_clear(void)
{
	for (size_t i = 0; i < AUTHCACHE_SLOTS; i++)
		if (table[i].hash[0] != '\0')
			entry_clear(&table[i]);
}
