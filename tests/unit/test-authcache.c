/* SPDX-License-Identifier: MIT */
/*
 * The credential cache: hits while fresh and at the same database
 * generation, misses after its time to live or any change of generation.
 */
#include <unistd.h>

#include "unit.h"

#include "hub/authcache.h"
#include "lib/util.h"

#define H1 "token-one-0123456789abcdef"
#define H2 "token-two-fedcba9876543210"

static void
put(const char *hash, uint64_t gen, const char *name, const char *xsrf)
{
	struct auth_hit hit;

	memset(&hit, 0, sizeof(hit));
	hit.user_id = 7;
	hit.token_id = xsrf ? 0 : 3;
	hit.xsrf = (char *)xsrf;
	hit.user.id = 7;
	hit.user.name = (char *)name;
	hit.user.pwhash = (char *)"$y$secret";
	hit.user.admin = 1;
	authcache_put(hash, gen, &hit);
}

TEST(authcache_hit_and_copy)
{
	struct auth_hit hit;

	put(H1, 1, "alice", "x5");
	memset(&hit, 0, sizeof(hit));
	ASSERT_EQ(authcache_get(H1, 1, &hit), 1);
	ASSERT_STR_EQ(hit.user.name, "alice");
	ASSERT_STR_EQ(hit.xsrf, "x5");
	ASSERT_EQ(hit.user.admin, 1);
	ASSERT_EQ(hit.user_id, 7);
	/* The password hash is not kept in the cache. */
	ASSERT_STR_EQ(hit.user.pwhash, "");
	free(hit.xsrf);
	db_user_release(&hit.user);
	ASSERT_EQ(authcache_get(H2, 1, &hit), 0);
	authcache_clear();
}

TEST(authcache_generation_change_misses)
{
	struct auth_hit hit;

	put(H1, 4, "alice", NULL);
	put(H2, 4, "bob", NULL);
	ASSERT_EQ(authcache_get(H1, 5, &hit), 0);
	/* The change emptied everything, not only the entry asked for. */
	ASSERT_EQ(authcache_get(H2, 5, &hit), 0);
	authcache_clear();
}

TEST(authcache_prefix_is_not_a_match)
{
	struct auth_hit hit;

	put(H1, 1, "alice", NULL);
	ASSERT_EQ(authcache_get("token-one-0123456789abcde", 1, &hit), 0);
	ASSERT_EQ(authcache_get(H1 "0", 1, &hit), 0);
	authcache_clear();
}

TEST(authcache_expires)
{
	struct auth_hit hit;

	put(H1, 1, "alice", NULL);
	usleep((AUTHCACHE_TTL_MS + 100) * 1000);
	ASSERT_EQ(authcache_get(H1, 1, &hit), 0);
	authcache_clear();
}
