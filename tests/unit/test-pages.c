/* SPDX-License-Identifier: MIT */
/*
 * The page files' shared helpers (pages-internal.h): times as <time> in
 * UTC, plurals, and one-time messages across a redirect, which a session
 * takes once, for its own page only, and no other session sees.
 */
#include "unit.h"

#include "hub/pages-internal.h"
#include "hub/req.h"
#include "lib/buf.h"
#include "lib/util.h"

TEST(pages_time)
{
	struct buf b;

	buf_init(&b, 4096);
	page_time(&b, 0);
	ASSERT_STR_EQ(buf_str(&b), "never");
	buf_release(&b);
	buf_init(&b, 4096);
	page_time(&b, 1796618911); /* 2026-12-07 04:48:31 UTC */
	ASSERT_STR_EQ(buf_str(&b),
	    "<time datetime=\"2026-12-07T04:48:31Z\" "
	    "title=\"2026-12-07 04:48:31 UTC\">2026-12-07 04:48:31 UTC</time>");
	buf_release(&b);
}

TEST(pages_plural)
{
	ASSERT_STR_EQ(page_plural(1), "");
	ASSERT_STR_EQ(page_plural(0), "s");
	ASSERT_STR_EQ(page_plural(2), "s");
	ASSERT_STR_EQ(page_plural(-1), "s");
}

TEST(pages_flash_once)
{
	struct req a, b, none;
	char      *notice, *secret;
	char       xa[] = "0123456789abcdef0123456789abcdef";
	char       xb[] = "fedcba9876543210fedcba9876543210";

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&none, 0, sizeof(none));
	a.xsrf = xa;
	b.xsrf = xb;
	ASSERT_EQ(page_flash_put(&a, "/hub/token", "Your new token:", "s3cret"),
	    0);
	/* Another session, another page, no session: nothing. */
	ASSERT_EQ(page_flash_take(&b, "/hub/token", &notice, &secret), 0);
	ASSERT_EQ(page_flash_take(&a, "/hub/admin", &notice, &secret), 0);
	ASSERT_EQ(page_flash_take(&none, "/hub/token", &notice, &secret), 0);
	ASSERT_EQ(page_flash_put(&none, "/hub/token", "x", "y"), -1);
	/* Its own: once. */
	ASSERT_EQ(page_flash_take(&a, "/hub/token", &notice, &secret), 1);
	ASSERT_STR_EQ(notice, "Your new token:");
	ASSERT_STR_EQ(secret, "s3cret");
	free_secret(notice);
	free_secret(secret);
	ASSERT_EQ(page_flash_take(&a, "/hub/token", &notice, &secret), 0);
	ASSERT_NULL(notice);
	ASSERT_NULL(secret);
	/* A second one for the same page replaces the first. */
	ASSERT_EQ(page_flash_put(&a, "/hub/admin", "one", NULL), 0);
	ASSERT_EQ(page_flash_put(&a, "/hub/admin", "two", NULL), 0);
	ASSERT_EQ(page_flash_take(&a, "/hub/admin", &notice, &secret), 1);
	ASSERT_STR_EQ(notice, "two");
	ASSERT_NULL(secret);
	free_secret(notice);
	ASSERT_EQ(page_flash_take(&a, "/hub/admin", &notice, &secret), 0);
}
