/* SPDX-License-Identifier: MIT */
/*
 * dlopen of Debian's libldap by its soname, every symbol looked up once
 * (ldap-api.h). 'rig ldap-auth' is single-threaded, but pthread_once
 * costs nothing and keeps it safe for any caller.
 */
#include <pthread.h>

#include "ldap-api.h"
#include "lib/dlapi.h"
#include "lib/util.h"
#include "lib/banned.h"

#define LDAP_SONAME "libldap-2.5.so.0"

static struct ldap_api api;
static int             loaded;
static char            why[256];
static pthread_once_t  once = PTHREAD_ONCE_INIT;

static const struct dlapi_sym syms[] = {
	DLAPI_SYM(struct ldap_api, initialize, "ldap_initialize"),
	DLAPI_SYM(struct ldap_api, set_option, "ldap_set_option"),
	DLAPI_SYM(struct ldap_api, get_option, "ldap_get_option"),
	DLAPI_SYM(struct ldap_api, start_tls_s, "ldap_start_tls_s"),
	DLAPI_SYM(struct ldap_api, connect, "ldap_connect"),
	DLAPI_SYM(struct ldap_api, sasl_bind_s, "ldap_sasl_bind_s"),
	DLAPI_SYM(struct ldap_api, search_ext_s, "ldap_search_ext_s"),
	DLAPI_SYM(struct ldap_api, first_entry, "ldap_first_entry"),
	DLAPI_SYM(struct ldap_api, count_entries, "ldap_count_entries"),
	DLAPI_SYM(struct ldap_api, get_dn, "ldap_get_dn"),
	DLAPI_SYM(struct ldap_api, get_values_len, "ldap_get_values_len"),
	DLAPI_SYM(struct ldap_api, value_free_len, "ldap_value_free_len"),
	DLAPI_SYM(struct ldap_api, msgfree, "ldap_msgfree"),
	DLAPI_SYM(struct ldap_api, memfree, "ldap_memfree"),
	DLAPI_SYM(struct ldap_api, unbind_ext_s, "ldap_unbind_ext_s"),
	DLAPI_SYM(struct ldap_api, err2string, "ldap_err2string"),
};

static void
load(void)
{
	loaded = dlapi_load(LDAP_SONAME, "libldap-2.5-0", syms, nitems(syms),
	             &api, why, sizeof(why)) == 0;
}

const struct ldap_api *
ldap_api(void)
{
	pthread_once(&once, load);
	return loaded ? &api : NULL;
}

const char *
ldap_api_error(void)
{
	return why;
}
