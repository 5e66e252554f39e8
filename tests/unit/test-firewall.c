/* SPDX-License-Identifier: MIT */
/*
 * firewall.c: the nft script built from lists of accounts, back-end ports
 * and listeners (sorted, without duplicates, no empty element lists, the
 * table replaced in one transaction), and comparing two sets of rules.
 * Loading it for real is tests/e2e/t190-user-firewall.sh, in a network
 * namespace of its own.
 */
#include <string.h>

#include "hub/firewall.h"
#include "unit.h"

static void has(const char *, const char *);
static void lacks(const char *, const char *);

/* Fails unless 'text' contains the line 'line' (tabs stripped). */
static void
has(const char *text, const char *line)
{
	const char *p = text;
	size_t      n = strlen(line);

	while (*p != '\0') {
		const char *s = p + strspn(p, "\t"), *e = strchr(s, '\n');

		if (e == NULL)
			e = s + strlen(s);
		if ((size_t)(e - s) == n && memcmp(s, line, n) == 0)
			return;
		p = *e == '\n' ? e + 1 : e;
	}
	FAIL("no line \"%s\" in:\n%s", line, text);
}

static void
lacks(const char *text, const char *needle)
{
	if (strstr(text, needle) != NULL)
		FAIL("\"%s\" in:\n%s", needle, text);
}

TEST(firewall_ruleset_lists)
{
	struct firewall_rules r;
	struct buf            out;
	const char           *t,
	    *head = "table inet rig\n"
	            "delete table inet rig\n"
	            "table inet rig {\n";

	firewall_rules_init(&r);
	firewall_rules_add_uid(&r, 1002);
	firewall_rules_add_uid(&r, 1001);
	firewall_rules_add_uid(&r, 1002);
	firewall_rules_add_internal(&r, 9000);
	firewall_rules_add_listener(&r, 1002, 8889);
	firewall_rules_add_listener(&r, 1001, 8888);
	firewall_rules_add_listener(&r, 1001, 40000);
	firewall_rules_add_listener(&r, 1002, 8888); /* another address */
	firewall_rules_add_listener(&r, 1001, 8888);
	buf_init(&out, 1 << 20);
	ASSERT_EQ(firewall_ruleset(&r, &out), 0);
	t = buf_str(&out);

	/* The old table goes in the same transaction, also when absent. */
	ASSERT(strncmp(t, head, strlen(head)) == 0);
	has(t, "elements = { 1001, 1002 }");
	has(t, "elements = { 169.254.169.254, 168.63.129.16 }");
	has(t, "elements = { fd00:ec2::254 }");
	has(t, "elements = { 9000 }");
	has(t, "elements = { 8888, 8889, 40000 }");
	has(t,
	    "elements = { 1001 . 8888, 1001 . 40000, 1002 . 8888, "
	    "1002 . 8889 }");
	has(t, "typeof meta skuid . tcp dport");
	has(t, "type filter hook output priority filter; policy accept;");
	has(t, "meta skuid @users jump user");
	has(t, "chain user {");
	has(t, "ip daddr @metadata4 meta l4proto tcp reject with tcp reset");
	has(t, "ip daddr @metadata4 reject with icmpx admin-prohibited");
	has(t,
	    "fib daddr type local tcp dport @internal reject with tcp "
	    "reset");
	has(t,
	    "fib daddr type local tcp dport @listen_ports meta skuid . "
	    "tcp dport != @owned reject with tcp reset");
	/* The caller's lists are left as they were. */
	ASSERT_EQ(r.nuids, 3);
	ASSERT_EQ(r.uids[0], 1002);
	buf_release(&out);
	firewall_rules_release(&r);
}

/* No accounts yet (a new hub): nft takes no "elements = { }". */
TEST(firewall_ruleset_empty)
{
	struct firewall_rules r;
	struct buf            out;

	firewall_rules_init(&r);
	buf_init(&out, 1 << 20);
	ASSERT_EQ(firewall_ruleset(&r, &out), 0);
	lacks(buf_str(&out), "{ }");
	lacks(buf_str(&out), "elements = {  }");
	has(buf_str(&out), "typeof meta skuid");
	has(buf_str(&out), "elements = { 169.254.169.254, 168.63.129.16 }");
	has(buf_str(&out), "meta skuid @users jump user");
	buf_release(&out);
}

/* Thousands of accounts: the lists grow, and a too small buffer is an
 * error, never a cut script. */
TEST(firewall_ruleset_many)
{
	struct firewall_rules r;
	struct buf            out;

	firewall_rules_init(&r);
	for (uint32_t u = 5000; u >= 1000; u--)
		firewall_rules_add_uid(&r, u);
	for (uint32_t u = 1000; u < 3000; u++)
		firewall_rules_add_listener(&r, u, (uint16_t)(u + 20000));
	buf_init(&out, 1 << 20);
	ASSERT_EQ(firewall_ruleset(&r, &out), 0);
	ASSERT(strstr(buf_str(&out), "{ 1000, 1001, 1002,") != NULL);
	ASSERT(strstr(buf_str(&out), "4999, 5000 }") != NULL);
	ASSERT(strstr(buf_str(&out), "2999 . 22999 }") != NULL);
	buf_release(&out);
	buf_init(&out, 4096);
	ASSERT_EQ(firewall_ruleset(&r, &out), -1);
	buf_release(&out);
	firewall_rules_release(&r);
}

TEST(firewall_rules_equal)
{
	struct firewall_rules a, b;

	firewall_rules_init(&a);
	firewall_rules_init(&b);
	ASSERT_EQ(firewall_rules_equal(&a, &b), 1);
	firewall_rules_add_uid(&a, 1001);
	firewall_rules_add_uid(&a, 1003);
	firewall_rules_add_listener(&a, 1001, 8888);
	firewall_rules_add_uid(&b, 1003);
	firewall_rules_add_uid(&b, 1001);
	firewall_rules_add_uid(&b, 1001);
	firewall_rules_add_listener(&b, 1001, 8888);
	firewall_rules_normalize(&a);
	firewall_rules_normalize(&b);
	ASSERT_EQ(b.nuids, 2);
	ASSERT_EQ(firewall_rules_equal(&a, &b), 1);
	firewall_rules_add_listener(&b, 1003, 8888);
	firewall_rules_normalize(&b);
	ASSERT_EQ(firewall_rules_equal(&a, &b), 0);
	firewall_rules_add_listener(&a, 1003, 8888);
	firewall_rules_normalize(&a);
	ASSERT_EQ(firewall_rules_equal(&a, &b), 1);
	firewall_rules_add_internal(&a, 9000);
	ASSERT_EQ(firewall_rules_equal(&a, &b), 0);
	firewall_rules_release(&a);
	firewall_rules_release(&b);
}

TEST(firewall_teardown)
{
	ASSERT_STR_EQ(firewall_teardown(),
	    "table inet rig\ndelete table inet rig\n");
}
