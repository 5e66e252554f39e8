/* SPDX-License-Identifier: MIT */
/*
 * What a login name may become inside an LDAP request, for authenticator =
 * ldap (auth-ldap.h): a value in a DN escaped as RFC 4514 says, a value in
 * a search filter as RFC 4515 says, and the DN templates and URL of the
 * settings. Pure string work, no libldap, so it is unit-tested alone: a
 * name such as "*)(uid=*" or "admin,ou=x" must stay one value.
 */
#ifndef LDAP_ESCAPE_H
#define LDAP_ESCAPE_H

#include <stddef.h>

/* The placeholder of bind_dn_template, as JupyterHub's LDAPAuthenticator
 * spells it. */
#define LDAPESC_USERNAME "{username}"
/* bind_dn_template and the group lists: several entries apart by '|'
 * (DNs hold commas and spaces, and ';' starts an INI comment). */
#define LDAPESC_LIST_SEP '|'

/*
 * 'v' as an attribute value of a DN (RFC 4514 section 2.4): '"', '+',
 * ',', ';', '<', '>', '\\' and '=' after a backslash, a leading space or
 * '#' and a trailing space too, and bytes below 0x20 or 0x7f as \XX.
 * Caller frees result.
 */
char *ldapesc_dn_value(const char *v);

/* 'v' as an assertion value of a filter (RFC 4515 section 3): '*', '(',
 * ')', '\\' and bytes below 0x20 or 0x7f as \XX. Caller frees result. */
char *ldapesc_filter_value(const char *v);

/* Template 't' with each LDAPESC_USERNAME replaced by 'user' escaped for a
 * DN. Caller frees result. */
char *ldapesc_template(const char *t, const char *user);

/*
 * The next entry of a LDAPESC_LIST_SEP list: from *p, blanks around it
 * trimmed, into a new string (caller frees); *p moves past it. NULL at the
 * end. Empty entries are skipped.
 */
char *ldapesc_list_next(const char **p);

/* What ldap_url must be: ldaps:// or ldap://, a host and an optional
 * port, nothing after ('/' alone allowed). NULL if 'url' is one, else
 * why not. *tls: 1 for ldaps, 0 for ldap. */
const char *ldapesc_url_error(const char *url, int *tls);

/* A template of bind_dn_template: one LDAPESC_USERNAME at least, no
 * byte below 0x20, no other '{'. NULL if it is one, else why not. */
const char *ldapesc_template_error(const char *t);

#endif
