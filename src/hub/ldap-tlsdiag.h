/* SPDX-License-Identifier: MIT */
/*
 * Why TLS to the directory failed, for the hub's log. libldap (built with
 * GnuTLS on Debian) says only "Can't contact LDAP server" when the
 * server's certificate is refused; the admin needs to know whether the
 * server is down or which check its certificate failed.
 */
#ifndef LDAP_TLSDIAG_H
#define LDAP_TLSDIAG_H

#include <stddef.h>

#include "auth-ldap.h"
#include "ldap-api.h"

/*
 * After a failed connection to 'c->url': connects again, this time
 * accepting any certificate (StartTLS first on ldap://), sends nothing
 * else, takes the server's certificate and checks it with OpenSSL
 * against the CA file and the URL's host. Writes what it found into
 * 'why': that the server cannot be reached, or the certificate's fault
 * in OpenSSL's words, or that it passes (then the fault was elsewhere).
 */
void ldap_tlsdiag(const struct ldap_api *api, const struct authldap_conf *c,
    char *why, size_t len);

#endif
