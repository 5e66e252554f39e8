/* SPDX-License-Identifier: MIT */
/*
 * libldap (OpenLDAP's client library), opened the first time 'rig
 * ldap-auth' needs it, not linked: Debian builds it with GnuTLS and SASL
 * (a dozen libraries), which every hub and every server's launcher would
 * otherwise map for nothing, as curl-api.h says of libcurl.
 */
#ifndef LDAP_API_H
#define LDAP_API_H

#define LDAP_DEPRECATED 0
#include <ldap.h>

struct ldap_api {
	int (*initialize)(LDAP **, const char *);
	int (*set_option)(LDAP *, int, const void *);
	int (*get_option)(LDAP *, int, void *);
	int (*start_tls_s)(LDAP *, LDAPControl **, LDAPControl **);
	int (*connect)(LDAP *);
	int (*sasl_bind_s)(LDAP *, const char *, const char *, struct berval *,
	    LDAPControl **, LDAPControl **, struct berval **);
	int (*search_ext_s)(LDAP *, const char *, int, const char *, char **,
	    int, LDAPControl **, LDAPControl **, struct timeval *, int,
	    LDAPMessage **);
	LDAPMessage *(*first_entry)(LDAP *, LDAPMessage *);
	int (*count_entries)(LDAP *, LDAPMessage *);
	char *(*get_dn)(LDAP *, LDAPMessage *);
	struct berval **(*get_values_len)(LDAP *, LDAPMessage *, const char *);
	void (*value_free_len)(struct berval **);
	int (*msgfree)(LDAPMessage *);
	void (*memfree)(void *);
	int (*unbind_ext_s)(LDAP *, LDAPControl **, LDAPControl **);
	char *(*err2string)(int);
};

/* libldap's functions, loaded once; NULL if it cannot be loaded, and
 * ldap_api_error() says why. */
const struct ldap_api *ldap_api(void);
const char            *ldap_api_error(void);

#endif
