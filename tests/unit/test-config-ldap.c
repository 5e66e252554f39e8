/* SPDX-License-Identifier: MIT */
/*
 * Tests of config-ldap.c: authenticator = ldap's keys one by one, and
 * config_check() on them together (root needed, one way to find the DN,
 * groups by cn only with a search base, the bind password file private).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "unit.h"
#include "hub/config.h"

TEST(config_ldap_keys)
{
	struct config c;

	config_init(&c);
	ASSERT_NULL(c.ldap.url);
	ASSERT_STR_EQ(c.ldap.user_attribute, "uid");
	ASSERT_EQ(c.ldap.allow_plaintext, 0);
	ASSERT_EQ(config_set(&c, "ldap_url", "https://x"), -1);
	ASSERT_EQ(config_set(&c, "ldap_url", "ldaps://x/dc=o"), -1);
	ASSERT_EQ(config_set(&c, "ldap_url", "ldaps://ldap.example.org:636"),
	    0);
	ASSERT_EQ(config_set(&c, "bind_dn_template", "uid=alice,dc=o"), -1);
	ASSERT_EQ(config_set(&c, "bind_dn_template", "uid={user},dc=o"), -1);
	ASSERT_EQ(config_set(&c, "bind_dn_template",
	              "uid={username},ou=a,dc=o | uid={username},ou=b,dc=o"),
	    0);
	ASSERT_EQ(config_set(&c, "ldap_user_attribute", "sAMAccountName"), 0);
	ASSERT_EQ(config_set(&c, "ldap_user_attribute", "uid)(x"), -1);
	ASSERT_EQ(config_set(&c, "ldap_search_base", "people"), -1);
	ASSERT_EQ(config_set(&c, "ldap_ca_file", "ca.pem"), -1);
	/* Groups by DN, apart by '|'; by name as before. */
	ASSERT_EQ(config_set(&c, "allowed_groups",
	              "cn=users,ou=groups,dc=o|cn=staff, ou=groups, dc=o"),
	    0);
	ASSERT_EQ(config_set(&c, "admin_groups", "cn=a\n,dc=o"), -1);
	ASSERT_EQ(config_set(&c, "admin_groups", "admins"), 0);
	config_release(&c);
}

TEST(config_ldap_check)
{
	struct config c;
	char          pwfile[] = "/tmp/rig-unit-ldap-XXXXXX";
	int           fd;

	config_init(&c);
	ASSERT_EQ(config_set(&c, "authenticator", "ldap"), 0);
	ASSERT_EQ(config_check(&c, 1), -1); /* no URL */
	ASSERT_EQ(config_set(&c, "ldap_url", "ldap://127.0.0.1"), 0);
	ASSERT_EQ(config_check(&c, 1), -1); /* no way to a DN */
	ASSERT_EQ(config_set(&c, "bind_dn_template", "uid={username},dc=o"), 0);
	ASSERT_EQ(config_check(&c, 0), -1); /* not root */
	ASSERT_EQ(config_check(&c, 1), 0);
	ASSERT_STR_EQ(c.user_prefix, "");
	ASSERT_NULL(config_admin_groups(&c)); /* no default with ldap */
	/* A group by cn is looked for under the search base. */
	ASSERT_EQ(config_set(&c, "admin_groups", "admins"), 0);
	ASSERT_EQ(config_check(&c, 1), -1);
	ASSERT_EQ(config_set(&c, "ldap_search_base", "dc=o"), 0);
	ASSERT_EQ(config_check(&c, 1), 0);
	/* Plaintext only for ldap://. */
	ASSERT_EQ(config_set(&c, "ldap_allow_plaintext", "yes"), 0);
	ASSERT_EQ(config_check(&c, 1), 0);
	ASSERT_EQ(config_set(&c, "ldap_url", "ldaps://127.0.0.1"), 0);
	ASSERT_EQ(config_check(&c, 1), -1);
	ASSERT_EQ(config_set(&c, "ldap_allow_plaintext", "no"), 0);
	/* Both a template and a service bind: refused; the bind alone
	 * needs its password file, private. */
	ASSERT_EQ(config_set(&c, "ldap_bind_dn", "cn=svc,dc=o"), 0);
	ASSERT_EQ(config_check(&c, 1), -1);
	settings_set_str(&c.ldap.bind_dn_template, NULL);
	ASSERT_EQ(config_check(&c, 1), -1);
	fd = mkstemp(pwfile);
	ASSERT(fd != -1);
	ASSERT_EQ(write(fd, "s3cret\n", 7), 7);
	close(fd);
	ASSERT_EQ(chmod(pwfile, 0640), 0);
	ASSERT_EQ(config_set(&c, "ldap_bind_password_file", pwfile), 0);
	ASSERT_EQ(config_check(&c, 1), -1);
	ASSERT_NULL(c.ldap.bind_password);
	ASSERT_EQ(chmod(pwfile, 0600), 0);
	ASSERT_EQ(config_check(&c, 1), 0);
	ASSERT_STR_EQ(c.ldap.bind_password, "s3cret");
	unlink(pwfile);
	config_release(&c);
}

/* DN groups are the directory's: refused with pam. */
TEST(config_ldap_dn_groups_not_pam)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(config_set(&c, "authenticator", "pam"), 0);
	ASSERT_EQ(config_set(&c, "allowed_groups", "cn=users,dc=o"), 0);
	ASSERT_EQ(config_check(&c, 1), -1);
	config_release(&c);
}
