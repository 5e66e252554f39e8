/* SPDX-License-Identifier: MIT */
/*
 * servername.c: which names may name a server (what goes into a URL, a
 * socket's and a log's file name), and the URLs made from them.
 */
#include <stdlib.h>
#include <string.h>

#include "hub/servername.h"
#include "unit.h"

TEST(servername_valid_and_hostile)
{
	static const char *const good[] = { "gpu", "a", "0", "big-1", "x.y",
		"a_b", "abcdefghijklmnopqrstuvwxyz012345" };
	static const char *const bad[] = { "", "..", "a..b", "../x", "a/b",
		"a%2fb", "%2e%2e", ".x", "x.", "-x", "x-", "A", "gpu!", "a b",
		"a\\b", "é", "abcdefghijklmnopqrstuvwxyz0123456", "x\n" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (server_name_check(good[i]) != NULL)
			FAIL("'%s' refused: %s", good[i],
			    server_name_check(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (server_name_check(bad[i]) == NULL)
			FAIL("'%s' accepted", bad[i]);
}

TEST(servername_urls)
{
	char *u = server_url("alice", "");
	char *n = server_url("alice", "gpu");
	char *l = server_label("alice", "gpu");

	ASSERT_STR_EQ(u, "/user/alice/");
	ASSERT_STR_EQ(n, "/user/alice/gpu/");
	ASSERT_STR_EQ(l, "alice/gpu");
	free(u);
	free(n);
	free(l);
}
