/* SPDX-License-Identifier: MIT */
/* Scopes: what a held set grants on whose resources. */
#include <stdlib.h>

#include "unit.h"
#include "hub/scopes.h"

TEST(scopes_grant_filters)
{
	char *srv = scopes_server("alice");

	ASSERT(scopes_grant(srv, "users:activity", "alice"));
	ASSERT(scopes_grant(srv, "access:servers", "alice"));
	/* Another user, a prefix of the name, a longer name: no. */
	ASSERT(!scopes_grant(srv, "users:activity", "bob"));
	ASSERT(!scopes_grant(srv, "access:servers", "alic"));
	ASSERT(!scopes_grant(srv, "access:servers", "alicex"));
	/* A filtered scope never grants the unfiltered one. */
	ASSERT(!scopes_grant(srv, "access:servers", NULL));
	/* Nor another base that starts alike. */
	ASSERT(!scopes_grant(srv, "users", "alice"));
	ASSERT(!scopes_grant(srv, "access:server", "alice"));
	ASSERT(!scopes_grant("", "access:servers", "alice"));
	ASSERT(scopes_grant("access:servers", "access:servers", "bob"));
	ASSERT(scopes_grant("access:servers", "access:servers", NULL));
	ASSERT(!scopes_grant("access:servers!server=alice/x", "access:servers",
	    "alice"));
	free(srv);
}

TEST(scopes_of_user_admin_access)
{
	char *u = scopes_of_user("alice", 0, 1);
	char *a = scopes_of_user("root1", 1, 0);
	char *aa = scopes_of_user("root1", 1, 1);

	ASSERT(scopes_grant(u, "access:servers", "alice"));
	ASSERT(!scopes_grant(u, "access:servers", "bob"));
	ASSERT(!scopes_grant(a, "access:servers", "bob"));
	ASSERT(scopes_grant(a, "admin:users", "bob"));
	ASSERT(scopes_grant(aa, "access:servers", "bob"));
	free(u);
	free(a);
	free(aa);
}
