/* SPDX-License-Identifier: MIT */
/*
 * Tests of oneuser.c: a hub without root takes one user and serves its
 * first admin alone; one run as root takes and serves everyone; what the
 * hub records at start is what the commands go by.
 */
#include <unistd.h>

#include "unit.h"
#include "hub/db.h"
#include "hub/oneuser.h"
#include "lib/util.h"

static struct db *
open_tmp(void)
{
	char      *path = xasprintf("%s/rig.db", unit_tmpdir());
	struct db *db = db_open(path);

	free(path);
	ASSERT_NOT_NULL(db);
	return db;
}

TEST(oneuser_add_refused_without_root)
{
	struct db *db = open_tmp();

	ASSERT_EQ(oneuser_may_add(db, 0), 0); /* the first one */
	ASSERT_EQ(db_user_add(db, "alice", "h", 0), 0);
	ASSERT_EQ(oneuser_may_add(db, 0), -1);
	ASSERT_EQ(oneuser_may_add(db, 1), 0);
	db_close(db);
}

TEST(oneuser_serves_first_admin)
{
	struct db_user a, b, c;
	struct db     *db = open_tmp();

	ASSERT_EQ(db_user_add(db, "alice", "h", 0), 0);
	ASSERT_EQ(db_user_add(db, "bob", "h", 1), 0);
	ASSERT_EQ(db_user_add(db, "carol", "h", 1), 0);
	ASSERT_EQ(db_user_get(db, "alice", &a), 0);
	ASSERT_EQ(db_user_get(db, "bob", &b), 0);
	ASSERT_EQ(db_user_get(db, "carol", &c), 0);
	/* The lowest-numbered admin, not the lowest-numbered user. */
	ASSERT_EQ(oneuser_serves(db, 0, a.id), 0);
	ASSERT_EQ(oneuser_serves(db, 0, b.id), 1);
	ASSERT_EQ(oneuser_serves(db, 0, c.id), 0);
	ASSERT_EQ(oneuser_serves(db, 1, a.id), 1);
	ASSERT_EQ(oneuser_serves(db, 1, c.id), 1);
	/* No admin left: the lowest-numbered user. */
	ASSERT_EQ(db_user_set_admin(db, "bob", 0), 0);
	ASSERT_EQ(db_user_set_admin(db, "carol", 0), 0);
	ASSERT_EQ(oneuser_serves(db, 0, a.id), 1);
	ASSERT_EQ(oneuser_serves(db, 0, b.id), 0);
	db_user_release(&a);
	db_user_release(&b);
	db_user_release(&c);
	db_close(db);
}

TEST(oneuser_recorded_mode)
{
	struct db *db = open_tmp();

	/* Never started: this process decides. */
	ASSERT_EQ(oneuser_hub_is_root(db), geteuid() == 0);
	ASSERT_EQ(oneuser_start(db, 0), 0);
	ASSERT_EQ(oneuser_hub_is_root(db), 0);
	ASSERT_EQ(oneuser_start(db, 1), 0);
	ASSERT_EQ(oneuser_hub_is_root(db), 1);
	db_close(db);
}
