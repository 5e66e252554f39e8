/* SPDX-License-Identifier: MIT */
/*
 * Tests of lib/util.c's helpers shared by the parts: remove_tree()
 * removes a tree and never follows a link out of it; hex_value().
 */
#include <sys/stat.h>

#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "lib/util.h"

TEST(util_remove_tree)
{
	char       *top = xasprintf("%s/tree", unit_tmpdir());
	char       *deep = xasprintf("%s/a/b/c", top);
	char       *file = xasprintf("%s/a/b/f.txt", top);
	char       *keep = xasprintf("%s/keep", unit_tmpdir());
	char       *kept = xasprintf("%s/keep/k.txt", unit_tmpdir());
	char       *link = xasprintf("%s/a/out", top);
	struct stat sb;

	ASSERT_EQ(mkdir_p(deep, 0700), 0);
	ASSERT_EQ(mkdir_p(keep, 0700), 0);
	ASSERT_EQ(write_file_atomic(file, "x", 1, 0600), 0);
	ASSERT_EQ(write_file_atomic(kept, "k", 1, 0600), 0);
	ASSERT_EQ(symlink(keep, link), 0);
	remove_tree(top);
	ASSERT_EQ(lstat(top, &sb), -1);
	ASSERT_EQ(stat(kept, &sb), 0);
	remove_tree(file); /* gone already: nothing to do */
	free(top);
	free(deep);
	free(file);
	free(keep);
	free(kept);
	free(link);
}

/* A taken() that says the first 'refuse' ports it is asked about are
 * taken, and records them. */
struct picks {
	int refuse, asked, seen[8];
};

static int
refuse_first(int port, void *arg)
{
	struct picks *p = arg;

	p->seen[p->asked] = port;
	return p->asked++ < p->refuse;
}

TEST(util_free_loopback_port_except)
{
	struct picks p = { .refuse = 3 };
	int          port;

	/* The fourth pick is the one, after three the caller holds. */
	port = free_loopback_port_except(refuse_first, &p, 8);
	ASSERT(port > 0);
	ASSERT_EQ(p.asked, 4);
	ASSERT_EQ(port, p.seen[3]);
	/* All of them taken: none, not the last one tried. */
	memset(&p, 0, sizeof(p));
	p.refuse = 8;
	ASSERT_EQ(free_loopback_port_except(refuse_first, &p, 5), -1);
	ASSERT_EQ(p.asked, 5);
}

TEST(util_hex_value)
{
	ASSERT_EQ(hex_value('0'), 0);
	ASSERT_EQ(hex_value('9'), 9);
	ASSERT_EQ(hex_value('a'), 10);
	ASSERT_EQ(hex_value('F'), 15);
	ASSERT_EQ(hex_value('g'), -1);
	ASSERT_EQ(hex_value('/'), -1);
	ASSERT_EQ(hex_value('\0'), -1);
}

/* Loopback is the whole host parsed, or exactly localhost (issue 16): the
 * rule of the endpoint checks and of the hub's plain-HTTP warning. */
TEST(util_host_is_loopback)
{
	static const char *const yes[] = { "127.0.0.1", "127.9.8.7",
		"127.255.255.255", "localhost", "LocalHost", "::1",
		"0:0:0:0:0:0:0:1" };
	static const char *const no[] = { "127.evil.test", "127.0.0.1.evil",
		"127.", "127.0.0.1:80", "localhost.evil.test", "evil-localhost",
		"128.0.0.1", "126.255.255.255", "0.0.0.0", "::", "::2",
		"::ffff:127.0.0.1", "[::1]", "127.1", "", "0x7f.0.0.1" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!host_is_loopback(yes[i]))
			FAIL("'%s' is loopback", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (host_is_loopback(no[i]))
			FAIL("'%s' is not loopback", no[i]);
}
