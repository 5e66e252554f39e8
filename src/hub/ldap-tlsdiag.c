/* SPDX-License-Identifier: MIT */
/*
 * The certificate check again, by OpenSSL, on a probe connection that
 * accepts anything (ldap-tlsdiag.h). The probe never binds: no secret
 * goes over it.
 */
#include <arpa/inet.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "ldap-escape.h"
#include "ldap-tlsdiag.h"
#include "lib/util.h"
#include "lib/banned.h"

static void verify(const struct berval *, const char *, const char *, char *,
    size_t);

/* The DER certificate 'der' against CA file 'ca' and host 'host'. */
static void
verify(const struct berval *der, const char *ca, const char *host, char *why,
    size_t len)
{
	const unsigned char *p = (const unsigned char *)der->bv_val;
	X509                *x = d2i_X509(NULL, &p, (long)der->bv_len);
	X509_STORE          *st = X509_STORE_new();
	X509_STORE_CTX      *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM   *vp;
	struct in_addr       a;
	int                  err;

	if (x == NULL || st == NULL || ctx == NULL) {
		snprintf(why, len, "the server's certificate cannot be read");
		goto out;
	}
	if (X509_STORE_load_file(st, ca) != 1) {
		snprintf(why, len, "cannot load CA file '%s'", ca);
		goto out;
	}
	if (X509_STORE_CTX_init(ctx, st, x, NULL) != 1)
		goto out;
	vp = X509_STORE_CTX_get0_param(ctx);
	if (inet_pton(AF_INET, host, &a) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(vp, host);
	else
		X509_VERIFY_PARAM_set1_host(vp, host, 0);
	if (X509_verify_cert(ctx) == 1) {
		snprintf(why, len,
		    "its certificate passes OpenSSL's check against '%s' "
		    "(the TLS failure is elsewhere: protocol versions?)",
		    ca);
		goto out;
	}
	err = X509_STORE_CTX_get_error(ctx);
	snprintf(why, len,
	    "the server's certificate was refused: %s (checked against "
	    "ldap_ca_file '%s' and the host '%s')",
	    X509_verify_cert_error_string(err), ca, host);
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	X509_free(x);
}

void
ldap_tlsdiag(const struct ldap_api *api, const struct authldap_conf *c,
    char *why, size_t len)
{
	struct timeval tv = { AUTHLDAP_TIMEOUT, 0 };
	struct berval  der = { 0, NULL };
	LDAP          *ld = NULL;
	const char *ca = c->ca_file != NULL ? c->ca_file : AUTHLDAP_SYSTEM_CA;
	char       *host;
	int v3 = LDAP_VERSION3, allow = LDAP_OPT_X_TLS_ALLOW, zero = 0, tls = 0,
	    rc;
	size_t skip;

	(void)ldapesc_url_error(c->url, &tls);
	skip = tls ? strlen("ldaps://") : strlen("ldap://");
	host = xstrndup(c->url + skip, strcspn(c->url + skip, ":/"));
	if (api->initialize(&ld, c->url) != LDAP_SUCCESS) {
		snprintf(why, len, "'%s' is not a URL libldap takes", c->url);
		goto out;
	}
	api->set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	api->set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	api->set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	api->set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &allow);
	api->set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	rc = tls ? api->connect(ld) : api->start_tls_s(ld, NULL, NULL);
	if (rc != LDAP_SUCCESS) {
		snprintf(why, len,
		    "the server at %s cannot be reached%s (%s): is it up, "
		    "and is that its address and port?",
		    c->url, tls ? "" : " or refused StartTLS",
		    api->err2string(rc));
		goto out;
	}
	if (api->get_option(ld, LDAP_OPT_X_TLS_PEERCERT, &der) !=
	        LDAP_OPT_SUCCESS ||
	    der.bv_val == NULL) {
		snprintf(why, len, "the server at %s sent no certificate",
		    c->url);
		goto out;
	}
	verify(&der, ca, host, why, len);
out:
	if (der.bv_val != NULL)
		api->memfree(der.bv_val);
	if (ld != NULL)
		api->unbind_ext_s(ld, NULL, NULL);
	free(host);
}
