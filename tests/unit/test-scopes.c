/* SPDX-License-Identifier: MIT */
/*
 * Scopes: expansion (implied scopes, "self", bare filters), what a held
 * set grants on whose resources, the cut of a token's scopes to its
 * owner's, and the roles, against JupyterHub 3's definitions.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "hub/scopes.h"
#include "lib/util.h"

/* Expands 'raw' for 'owner', which must succeed; caller frees. */
static char *
expand(const char *raw, const char *owner)
{
	char *out = NULL, *bad = NULL;

	if (scopes_expand(raw, owner, &out, &bad) != 0)
		FAIL("'%s' did not expand: '%s'", raw, bad ? bad : "?");
	return out;
}

TEST(scopes_expand_implied)
{
	char *s = expand("admin:users", "alice");

	/* admin:users > users > read:users > read:users:name ... */
	ASSERT_STR_EQ(s,
	    "admin:auth_state admin:users delete:users list:users "
	    "read:roles:users read:users read:users:activity read:users:groups "
	    "read:users:name users users:activity");
	free(s);
	s = expand("servers!user=bob", "alice");
	ASSERT_STR_EQ(s,
	    "delete:servers!user=bob read:servers!user=bob "
	    "read:users:name!user=bob servers!user=bob");
	free(s);
	s = expand("tokens", "alice");
	ASSERT_STR_EQ(s, "read:tokens tokens");
	free(s);
	/* A scope that holds nothing is itself alone. */
	s = expand("read:users:activity", "alice");
	ASSERT_STR_EQ(s, "read:users:activity");
	free(s);
}

TEST(scopes_expand_self_and_bare_filters)
{
	char *s = expand("self", "alice");

	ASSERT_STR_EQ(s,
	    "access:servers!user=alice delete:servers!user=alice "
	    "read:servers!user=alice read:tokens!user=alice "
	    "read:users!user=alice read:users:activity!user=alice "
	    "read:users:groups!user=alice read:users:name!user=alice "
	    "servers!user=alice tokens!user=alice users:activity!user=alice");
	free(s);
	/* !user is the owner, !server the owner's server. */
	s = expand("users:activity!user access:servers!server", "bob");
	ASSERT_STR_EQ(s,
	    "access:servers!server=bob/ read:users:activity!user=bob "
	    "users:activity!user=bob");
	free(s);
	/* Reading a server is reading its owner's name. */
	s = expand("read:servers!server=carol/", "bob");
	ASSERT_STR_EQ(s,
	    "read:servers!server=carol/ read:users:name!server=carol/ "
	    "read:users:name!user=carol");
	free(s);
	/* A user's token names no service: dropped, as JupyterHub does. */
	s = expand("access:services!service read:hub", "bob");
	ASSERT_STR_EQ(s, "read:hub");
	free(s);
	/* inherit and (no_scope) stand for nothing here. */
	s = expand("inherit (no_scope)", "bob");
	ASSERT_STR_EQ(s, "");
	free(s);
	ASSERT(scopes_has("read:users inherit", "inherit"));
	ASSERT(!scopes_has("read:users inheritx", "inherit"));
}

TEST(scopes_expand_reduces)
{
	/* A filtered word beside its base without a filter goes. */
	char *s = expand("read:users!user=bob read:users:name read:users", "a");

	ASSERT_STR_EQ(s,
	    "read:users read:users:activity read:users:groups "
	    "read:users:name");
	free(s);
	s = expand("servers!user=b servers!user=b servers!user=a", "x");
	ASSERT_STR_EQ(s,
	    "delete:servers!user=a delete:servers!user=b "
	    "read:servers!user=a read:servers!user=b read:users:name!user=a "
	    "read:users:name!user=b servers!user=a servers!user=b");
	free(s);
}

TEST(scopes_expand_refuses)
{
	static const char *const bad[] = { "read:user", "all", "admin",
		"read:users!", "read:users!user=", "read:users!name=bob",
		"read:users!usr=bob", "self!user=bob", "inherit!user=x",
		"custom:thing", "READ:USERS",
		"read:users!user"
		"x" };

	for (size_t i = 0; i < nitems(bad); i++) {
		char *raw = xasprintf("read:tokens %s tokens", bad[i]);
		char *out = (char *)"x", *w = NULL;

		if (scopes_expand(raw, "bob", &out, &w) != -1)
			FAIL("'%s' expanded to '%s'", bad[i], out);
		ASSERT_NULL(out);
		ASSERT_STR_EQ(w, bad[i]);
		free(w);
		free(raw);
	}
	/* Without an owner there is no "self" nor bare filter. */
	{
		char *out, *w;

		ASSERT_EQ(scopes_expand("self", NULL, &out, &w), -1);
		free(w);
		ASSERT_EQ(scopes_expand("tokens!user", NULL, &out, &w), -1);
		free(w);
		ASSERT_EQ(scopes_expand("tokens!user=a", NULL, &out, &w), 0);
		ASSERT_STR_EQ(out, "read:tokens!user=a tokens!user=a");
		free(out);
	}
	ASSERT(scopes_known("read:metrics", 12));
	ASSERT(!scopes_known("read:metric", 11));
}

/* A named server's own scopes and a server filter name that server
 * alone: not the default, not a sibling, not a name it prefixes. */
TEST(scopes_check_named_server)
{
	char *srv = scopes_server("alice", "gpu");
	char *h = expand(srv, "alice");
	char *u = expand("read:servers!user=alice", "alice");

	ASSERT_EQ(scopes_check_server(h, "access:servers", "alice", "gpu"),
	    SCOPE_OK);
	ASSERT_EQ(scopes_check(h, "access:servers", "alice"), SCOPE_FILTERED);
	ASSERT_EQ(scopes_check_server(h, "access:servers", "alice", "gp"),
	    SCOPE_FILTERED);
	ASSERT_EQ(scopes_check_server(h, "access:servers", "alice", "gpu2"),
	    SCOPE_FILTERED);
	ASSERT_EQ(scopes_check_server(h, "access:servers", "bob", "gpu"),
	    SCOPE_FILTERED);
	/* A user filter holds all of that user's servers. */
	ASSERT_EQ(scopes_check_server(u, "read:servers", "alice", "gpu"),
	    SCOPE_OK);
	ASSERT_EQ(scopes_check_server(u, "read:servers", "bob", "gpu"),
	    SCOPE_FILTERED);
	free(srv);
	free(h);
	free(u);
}

TEST(scopes_check_filters)
{
	char *srv = scopes_server("alice", "");
	char *h = expand(srv, "alice");

	ASSERT_EQ(scopes_check(h, "users:activity", "alice"), SCOPE_OK);
	ASSERT_EQ(scopes_check(h, "read:users:activity", "alice"), SCOPE_OK);
	ASSERT_EQ(scopes_check(h, "access:servers", "alice"), SCOPE_OK);
	/* Held for alice only: another's is not found (404), whatever
	 * the name: a prefix of hers, a longer one. */
	ASSERT_EQ(scopes_check(h, "users:activity", "bob"), SCOPE_FILTERED);
	ASSERT_EQ(scopes_check(h, "access:servers", "alic"), SCOPE_FILTERED);
	ASSERT_EQ(scopes_check(h, "access:servers", "alicex"), SCOPE_FILTERED);
	/* Not held at all: 403. Nor is a base that merely starts alike. */
	ASSERT_EQ(scopes_check(h, "servers", "alice"), SCOPE_MISSING);
	ASSERT_EQ(scopes_check(h, "access:server", "alice"), SCOPE_MISSING);
	ASSERT_EQ(scopes_check(h, "users", "alice"), SCOPE_MISSING);
	ASSERT_EQ(scopes_check("", "access:servers", "alice"), SCOPE_MISSING);
	/* Any of several will do; a held one for another does not hide a
	 * grant by the next. */
	ASSERT_EQ(scopes_check(h, "servers access:servers", "alice"), SCOPE_OK);
	ASSERT_EQ(scopes_check(h, "access:servers servers", "bob"),
	    SCOPE_FILTERED);
	/* No one's resource in particular: any holding grants. */
	ASSERT_EQ(scopes_check(h, "access:servers", NULL), SCOPE_OK);
	ASSERT(scopes_grant("access:servers", "access:servers", "bob"));
	/* A server filter grants on the server's scopes, not the user's. */
	ASSERT(scopes_grant("servers!server=bob/", "servers", "bob"));
	ASSERT(!scopes_grant("read:users!server=bob/", "read:users", "bob"));
	ASSERT(!scopes_grant("access:servers!server=alice/x", "access:servers",
	    "alice"));
	/* Groups: rig has none, so a group filter grants nothing. */
	ASSERT_EQ(scopes_check("read:users!group=bob", "read:users", "bob"),
	    SCOPE_FILTERED);
	/* scopes_grant() takes one scope. */
	ASSERT(!scopes_grant(h, "servers access:servers", "alice"));
	free(h);
	free(srv);
}

TEST(scopes_of_user_roles)
{
	char *u = scopes_of_user("alice", 0, 1);
	char *a = scopes_of_user("root1", 1, 0);
	char *aa = scopes_of_user("root1", 1, 1);

	ASSERT(scopes_grant(u, "access:servers", "alice"));
	ASSERT(scopes_grant(u, "read:users:name", "alice"));
	ASSERT(!scopes_grant(u, "access:servers", "bob"));
	ASSERT(!scopes_grant(u, "list:users", NULL));
	ASSERT(!scopes_grant(u, "admin:users", "alice"));
	/* An admin administers everyone, and reaches others' servers only
	 * with admin_access; its own always. */
	ASSERT(scopes_grant(a, "admin:users", "bob"));
	ASSERT(scopes_grant(a, "read:users", "bob")); /* implied */
	ASSERT(scopes_grant(a, "delete:servers", "bob"));
	ASSERT(scopes_grant(a, "list:users", NULL));
	ASSERT(scopes_grant(a, "read:metrics", NULL));
	ASSERT_EQ(scopes_check(a, "access:servers", "bob"), SCOPE_FILTERED);
	ASSERT(scopes_grant(a, "access:servers", "root1"));
	ASSERT(scopes_grant(aa, "access:servers", "bob"));
	free(u);
	free(a);
	free(aa);
	ASSERT_STR_EQ(scopes_role("user", 0), "self");
	ASSERT_STR_EQ(scopes_role("token", 0), "inherit");
	ASSERT(scopes_has(scopes_role("admin", 1), "access:servers"));
	ASSERT(!scopes_has(scopes_role("admin", 0), "access:servers"));
	ASSERT_NULL(scopes_role("root", 1));
}

TEST(scopes_intersect_and_excess)
{
	char *own = scopes_of_user("alice", 0, 0);
	char *t = expand("read:users list:users", "alice");
	char *i = scopes_intersect(t, own);
	char *x;

	/* Unfiltered scopes cut to the owner's own resources; what the
	 * owner does not hold at all goes. */
	ASSERT_STR_EQ(i,
	    "read:users!user=alice read:users:activity!user=alice "
	    "read:users:groups!user=alice read:users:name!user=alice");
	x = scopes_excess(t, own);
	ASSERT_NOT_NULL(x);
	ASSERT(scopes_has(x, "list:users"));
	ASSERT(scopes_has(x, "read:users"));
	free(x);
	free(i);
	free(t);
	/* Within the owner's: no excess. */
	t = expand("access:servers!server=alice/ read:users:activity!user",
	    "alice");
	ASSERT_NULL(scopes_excess(t, own));
	i = scopes_intersect(t, own);
	ASSERT_STR_EQ(i,
	    "access:servers!server=alice/ read:users:activity!user=alice");
	free(i);
	free(t);
	/* A user's scope against a server of theirs, both ways round. */
	i = scopes_intersect("access:servers!user=bob",
	    "access:servers!server=bob/ access:servers!server=carol/");
	ASSERT_STR_EQ(i, "access:servers!server=bob/");
	free(i);
	/* Another user's, a group's: nothing. */
	i = scopes_intersect("read:users!user=bob read:users!group=g", own);
	ASSERT_STR_EQ(i, "");
	free(i);
	ASSERT_NULL(scopes_excess("", own));
	free(own);
}

TEST(scopes_of_token_follows_owner)
{
	/* An admin's token holds admin scopes while the admin is one. */
	char *t =
	    scopes_of_token("admin:users read:users:activity", "root1", 1, 0);

	ASSERT(scopes_grant(t, "delete:users", "bob"));
	ASSERT(!scopes_grant(t, "servers", "bob"));
	free(t);
	/* No longer admin: what is left is what any user holds of it, on
	 * their own. */
	t = scopes_of_token("admin:users read:users:activity", "root1", 0, 0);
	ASSERT_STR_EQ(t,
	    "read:users!user=root1 read:users:activity!user=root1 "
	    "read:users:groups!user=root1 read:users:name!user=root1 "
	    "users:activity!user=root1");
	free(t);
	/* A server's token: what its role says, on its user. */
	t = scopes_of_token(
	    "users:activity!user=bob access:servers!server=bob/", "bob", 0, 0);
	ASSERT_STR_EQ(t,
	    "access:servers!server=bob/ read:users:activity!user=bob "
	    "users:activity!user=bob");
	free(t);
	/* Words that are no scope count for nothing; the rest stand. */
	t = scopes_of_token("nonsense tokens!user=bob", "bob", 0, 0);
	ASSERT_STR_EQ(t, "read:tokens!user=bob tokens!user=bob");
	free(t);
	/* Another user's resources never come with a token. */
	t = scopes_of_token("tokens!user=carol access:servers", "bob", 0, 0);
	ASSERT_STR_EQ(t, "access:servers!user=bob");
	free(t);
	/* A token that asked for none says who it is, nothing more. */
	t = scopes_of_token("(no_scope)", "bob", 0, 0);
	ASSERT_STR_EQ(t, "");
	free(t);
}
