/* SPDX-License-Identifier: MIT */
/*
 * accounts.c: PREFIX + NAME as a Unix account name, refused when too long
 * for useradd or not a valid name, and system accounts refused; a home
 * moved aside is root's and closed.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/accounts.h"
#include "lib/util.h"
#include "unit.h"

TEST(account_name_built)
{
	char out[ACCOUNT_NAME_MAX + 1];

	ASSERT_EQ(account_name("rig-", "alice", out, sizeof(out)), 0);
	ASSERT_STR_EQ(out, "rig-alice");
	ASSERT_EQ(account_name("", "bob.b_2", out, sizeof(out)), 0);
	ASSERT_STR_EQ(out, "bob.b_2");
}

TEST(account_name_limits)
{
	char out[ACCOUNT_NAME_MAX + 1], small[8];
	/* 16 + 16 = 32: the longest; one more is too long. */
	const char *p16 = "pppppppppppppppp", *u16 = "uuuuuuuuuuuuuuuu";

	ASSERT_EQ(account_name(p16, u16, out, sizeof(out)), 0);
	ASSERT_EQ(strlen(out), 32);
	ASSERT_EQ(account_name(p16, "uuuuuuuuuuuuuuuuu", out, sizeof(out)), -1);
	ASSERT_EQ(account_name("rig-", "alice", small, sizeof(small)), -1);
}

TEST(account_name_invalid)
{
	char out[ACCOUNT_NAME_MAX + 1];

	ASSERT_EQ(account_name("rig-", "", out, sizeof(out)), 0);
	ASSERT_EQ(account_name("", "", out, sizeof(out)), -1);
	ASSERT_EQ(account_name("-", "alice", out, sizeof(out)), -1);
	ASSERT_EQ(account_name("rig-", "Alice", out, sizeof(out)), -1);
	ASSERT_EQ(account_name("rig-", "a/b", out, sizeof(out)), -1);
	ASSERT_EQ(account_name("rig-", "a b", out, sizeof(out)), -1);
}

TEST(account_lookup_system)
{
	struct passwd *pw;

	/* root exists everywhere and is below ACCOUNT_MIN_UID. */
	ASSERT_EQ(account_lookup("root", &pw), -1);
	ASSERT_NOT_NULL(pw);
	ASSERT_EQ(account_lookup("rig-no-such-account-x", &pw), 0);
}

TEST(account_home_aside_closed)
{
	char       *home, *to, *to2;
	struct stat st;

	if (geteuid() != 0)
		return; /* lchown to root needs root */
	home = xasprintf("%s/rig-alice", unit_tmpdir());
	ASSERT_EQ(mkdir(home, 0755), 0);
	to = account_home_aside(home, "deleted");
	ASSERT_NOT_NULL(to);
	ASSERT(strncmp(to, home, strlen(home)) == 0);
	ASSERT(strncmp(to + strlen(home), ".deleted-", 9) == 0);
	ASSERT_EQ(lstat(home, &st), -1);
	ASSERT_EQ(lstat(to, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0700);
	ASSERT_EQ(st.st_uid, 0);
	/* The same second again: a name of its own. */
	ASSERT_EQ(mkdir(home, 0755), 0);
	to2 = account_home_aside(home, "deleted");
	ASSERT_NOT_NULL(to2);
	ASSERT(strcmp(to, to2) != 0);
	free(to);
	free(to2);
	free(home);
}

/* A new user's name leaves room for its account: one rule for the CLI,
 * the admin page and the API. */
TEST(account_user_rule)
{
	char why[160];

	ASSERT_EQ(account_user_max("rig-"), 28);
	ASSERT_EQ(account_user_max(""), 32);
	ASSERT_NULL(account_user_error("rig-", "alice", why, sizeof(why)));
	/* 28 fit after "rig-", 29 do not (the account would be 33). */
	ASSERT_NULL(account_user_error("rig-", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    why, sizeof(why)));
	ASSERT_NOT_NULL(account_user_error("rig-",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", why, sizeof(why)));
	ASSERT_NOT_NULL(strstr(why, "at most 28"));
	/* Without a prefix, 32 as before; what no username may be, still. */
	ASSERT_NULL(account_user_error("", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    why, sizeof(why)));
	ASSERT_NOT_NULL(account_user_error("", "Alice", why, sizeof(why)));
	ASSERT_NOT_NULL(account_user_error("rig-", "", why, sizeof(why)));
}

/* UID_MIN as login.defs says it: the word alone on its line, comments
 * and other keys skipped, a value out of range or malformed ignored. */
TEST(account_login_defs_uid_min)
{
	ASSERT_EQ(login_defs_uid_min("", 1000), 1000);
	ASSERT_EQ(login_defs_uid_min("UID_MIN 1000\n", 7), 1000);
	ASSERT_EQ(login_defs_uid_min("# UID_MIN 5\nUID_MIN\t\t\t 2000\n"
	                             "UID_MAX 60000\n",
	              1000),
	    2000);
	ASSERT_EQ(login_defs_uid_min("SYS_UID_MIN 100\nUID_MINX 3\n", 1000),
	    1000);
	ASSERT_EQ(login_defs_uid_min("UID_MIN 500 # low\n", 1000), 500);
	ASSERT_EQ(login_defs_uid_min("UID_MIN 0\n", 1000), 1000);
	ASSERT_EQ(login_defs_uid_min("UID_MIN -5\n", 1000), 1000);
	ASSERT_EQ(login_defs_uid_min("UID_MIN 99999\n", 1000), 1000);
	ASSERT_EQ(login_defs_uid_min("UID_MIN 12abc\n", 1000), 1000);
	ASSERT_EQ(login_defs_uid_min("UID_MIN 1500 extra\n", 1000), 1000);
	ASSERT_EQ(login_defs_uid_min("UID_MIN 1500", 1000), 1500);
	/* Never below ACCOUNT_MIN_UID on this machine. */
	ASSERT(account_uid_min() >= ACCOUNT_MIN_UID);
	ASSERT_EQ(account_uid_ok(0), 0);
	ASSERT_EQ(account_uid_ok(999), 0);
	ASSERT_EQ(account_uid_ok(ACCOUNT_UID_END), 0);
	ASSERT_EQ(account_uid_ok(65534), 0);
	ASSERT_EQ(account_uid_ok(ACCOUNT_UID_END - 1), 1);
}

/* Membership through getgrouplist(): root's primary group is "root". */
TEST(account_groups)
{
	ASSERT_EQ(account_in_groups("root", 0, "root"), 1);
	ASSERT_EQ(account_in_groups("root", 0, "nosuchgroup-x, root"), 1);
	ASSERT_EQ(account_in_groups("root", 0, "nosuchgroup-x"), 0);
	ASSERT_EQ(account_in_groups("root", 0, ""), 0);
	ASSERT_EQ(account_in_groups("root", 0, NULL), 0);
	ASSERT_EQ(account_in_groups("nosuchuser-x", 65534, "nogroup"), 1);
	ASSERT_EQ(account_lookup("nobody", &(struct passwd *){ NULL }), -1);
}
