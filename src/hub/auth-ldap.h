/* SPDX-License-Identifier: MIT */
/*
 * LDAP, for authenticator = ldap: a login name and password checked by
 * binding to a directory as that person, their entry's POSIX attributes
 * read, and their groups compared with allowed_groups and admin_groups,
 * as JupyterHub's LDAPAuthenticator does. It runs in 'rig ldap-auth'
 * (cmd-ldap-auth.c), a child the hub starts for each login, never in the
 * hub itself: see docs/ARCHITECTURE.md, "Authenticators".
 */
#ifndef AUTH_LDAP_H
#define AUTH_LDAP_H

#include <stddef.h>

/* The outcome of a check: also rig ldap-auth's exit status. */
enum authldap_result {
	AUTHLDAP_OK = 0, /* the password is right: the account below */
	AUTHLDAP_AUTH = 1, /* a wrong password, no such person, an empty
	                    * password (never sent: an unauthenticated bind
	                    * would "succeed") */
	AUTHLDAP_ACCOUNT = 2, /* the password is right, but the entry is no
	                       * Unix account (no uidNumber, ...) */
	AUTHLDAP_ERROR = 3, /* the directory could not be asked: down, its
	                     * certificate refused, the service bind ... */
};

/* The system's authorities, when ldap_ca_file is not set. */
#define AUTHLDAP_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"
/* Seconds for the connection and for each operation. */
#define AUTHLDAP_TIMEOUT 10

struct authldap_conf {
	const char *url; /* ldaps://HOST[:PORT] or ldap://HOST[:PORT] */
	const char *ca_file; /* NULL: AUTHLDAP_SYSTEM_CA */
	int         plaintext; /* ldap:// without StartTLS (the admin's) */
	const char *templates; /* bind_dn_template: '|' list, or NULL */
	const char *search_base; /* where to look the person up */
	const char *bind_dn; /* the service's bind for that search */
	const char *bind_password;
	const char *user_attribute; /* the attribute holding login names */
	const char *allowed_groups; /* NULL: anyone in the directory */
	const char *admin_groups; /* NULL: the admin right is the hub's */
};

/* What the directory says of a person who signed in. */
struct authldap_account {
	char      dn[1024];
	long long uid, gid; /* uidNumber, gidNumber */
	char      home[256]; /* homeDirectory; "" if none */
	char      shell[256]; /* loginShell; "" if none */
	int       allowed; /* in allowed_groups, or none are set */
	int       admin; /* in admin_groups: 1 or 0; -1 none are set */
};

/*
 * Checks 'password' of 'user' against the directory of 'c': binds as the
 * person's DN (each template's in turn, or the one a search with the
 * service's bind found), then reads the entry and the groups. 'user' is
 * escaped wherever it goes (ldap-escape.h). The reason of anything but
 * AUTHLDAP_OK is in 'why'.
 */
enum authldap_result authldap_check(const struct authldap_conf *c,
    const char *user, const char *password, struct authldap_account *acct,
    char *why, size_t len);

#endif
