/* SPDX-License-Identifier: MIT */
/*
 * The settings of authenticator = ldap (auth-ldap.h): the directory's
 * URL and CA, how a login name becomes a DN (bind_dn_template, or a
 * search with a service's bind), checked together once all keys are read.
 */
#ifndef CONFIG_LDAP_H
#define CONFIG_LDAP_H

#include "lib/settings.h"

struct ldap_conf {
	char *url; /* ldap_url */
	char *ca_file; /* ldap_ca_file; NULL: the system's authorities */
	int   allow_plaintext; /* ldap_allow_plaintext: ldap:// in clear */
	char *bind_dn_template; /* '|' list of DNs with {username} */
	char *search_base; /* ldap_search_base */
	char *bind_dn; /* ldap_bind_dn: the service's, for the search */
	char *bind_password_file; /* ldap_bind_password_file, mode 0600 */
	char *user_attribute; /* ldap_user_attribute, default uid */
	/* Not a key: the file's content, read by config_check_ldap() (as
	 * root, before the hub drops it); wiped by config_ldap_release(). */
	char *bind_password;
};

/* The keys above, a table inside the hub's (config.c). */
extern const struct setting ldap_settings[];

/*
 * What the keys say together with authenticator = ldap: a URL, one way
 * to find the DN, groups named by cn only with a search base, the bind
 * password file private (no access for group or others, owned by root
 * or the hub's user) and read now; 'admins' and 'allowed' are
 * admin_groups and allowed_groups. 0, or -1 with a message printed.
 */
int config_check_ldap(struct ldap_conf *, const char *allowed,
    const char *admins);

/* Wipes and frees the bind password (the keys are the engine's). */
void config_ldap_release(struct ldap_conf *);

#endif
