/* SPDX-License-Identifier: MIT */
/*
 * Tests of ldap-escape.c: hostile login names stay one value in a DN
 * (RFC 4514) and in a filter (RFC 4515); the settings' templates, lists
 * and URLs are read as documented.
 */
#include "unit.h"
#include "hub/ldap-escape.h"

#define ASSERT_ESC(fn, in, want)                                               \
	do {                                                                   \
		char *got_ = fn(in);                                           \
		ASSERT_STR_EQ(got_, want);                                     \
		free(got_);                                                    \
	} while (0)

TEST(ldapesc_dn)
{
	ASSERT_ESC(ldapesc_dn_value, "alice", "alice");
	ASSERT_ESC(ldapesc_dn_value, "admin,ou=x", "admin\\,ou\\=x");
	ASSERT_ESC(ldapesc_dn_value, "a+b\"c;d<e>f\\g",
	    "a\\+b\\\"c\\;d\\<e\\>f\\\\g");
	ASSERT_ESC(ldapesc_dn_value, " #x ", "\\ #x\\ ");
	ASSERT_ESC(ldapesc_dn_value, "#x", "\\#x");
	ASSERT_ESC(ldapesc_dn_value, "a\nb\x7f", "a\\0ab\\7f");
	ASSERT_ESC(ldapesc_dn_value, "*)(uid=*", "*)(uid\\=*");
	ASSERT_ESC(ldapesc_dn_value, "", "");
}

TEST(ldapesc_filter)
{
	ASSERT_ESC(ldapesc_filter_value, "alice", "alice");
	ASSERT_ESC(ldapesc_filter_value, "*)(uid=*", "\\2a\\29\\28uid=\\2a");
	ASSERT_ESC(ldapesc_filter_value, "a\\b", "a\\5cb");
	ASSERT_ESC(ldapesc_filter_value, "x)(|(objectClass=*)",
	    "x\\29\\28|\\28objectClass=\\2a\\29");
	ASSERT_ESC(ldapesc_filter_value, "a\rb", "a\\0db");
	ASSERT_ESC(ldapesc_filter_value, "admin,ou=x", "admin,ou=x");
}

TEST(ldapesc_template_fill)
{
	char *s;

	s = ldapesc_template("uid={username},ou=people,dc=example,dc=org",
	    "admin,ou=x");
	ASSERT_STR_EQ(s, "uid=admin\\,ou\\=x,ou=people,dc=example,dc=org");
	free(s);
	s = ldapesc_template("cn={username}+uid={username},dc=o", "bob");
	ASSERT_STR_EQ(s, "cn=bob+uid=bob,dc=o");
	free(s);
	ASSERT_NULL(ldapesc_template_error("uid={username},dc=o"));
	ASSERT_NOT_NULL(ldapesc_template_error("uid=alice,dc=o"));
	ASSERT_NOT_NULL(ldapesc_template_error("uid={user},dc=o{username}"));
	ASSERT_NOT_NULL(ldapesc_template_error("uid={username}\n,dc=o"));
}

TEST(ldapesc_list)
{
	const char *p = " uid={username},ou=a,dc=o |cn={username}, dc=o|| ";
	char       *e;

	e = ldapesc_list_next(&p);
	ASSERT_STR_EQ(e, "uid={username},ou=a,dc=o");
	free(e);
	e = ldapesc_list_next(&p);
	ASSERT_STR_EQ(e, "cn={username}, dc=o");
	free(e);
	ASSERT_NULL(ldapesc_list_next(&p));
	ASSERT_NULL(ldapesc_list_next(&p));
}

TEST(ldapesc_url)
{
	int tls = -1;

	ASSERT_NULL(ldapesc_url_error("ldaps://ldap.example.org", &tls));
	ASSERT_EQ(tls, 1);
	ASSERT_NULL(ldapesc_url_error("ldap://127.0.0.1:389/", &tls));
	ASSERT_EQ(tls, 0);
	ASSERT_NOT_NULL(ldapesc_url_error("http://x", &tls));
	ASSERT_NOT_NULL(ldapesc_url_error("ldaps://", &tls));
	ASSERT_NOT_NULL(ldapesc_url_error("ldaps://x:0", &tls));
	ASSERT_NOT_NULL(ldapesc_url_error("ldaps://x:70000", &tls));
	ASSERT_NOT_NULL(ldapesc_url_error("ldaps://x/dc=o??sub", &tls));
	ASSERT_NOT_NULL(ldapesc_url_error("ldaps://user@x", &tls));
	ASSERT_NOT_NULL(ldapesc_url_error("ldaps://x y", &tls));
}
