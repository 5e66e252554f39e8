/* SPDX-License-Identifier: MIT */
/*
 * dlopen of Debian's libldap by its soname, every symbol looked up once
 * (ldap-api.h). 'rig ldap-auth' is single-threaded, but pthread_once
 * costs nothing and keeps it safe for any caller.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "ldap-api.h"
#include "lib/banned.h"

#define LDAP_SONAME "libldap-2.5.so.0"

static struct ldap_api api;
static int             loaded;
static char            why[256];
static pthread_once_t  once = PTHREAD_ONCE_INIT;

/* dlsym's object pointer into a function pointer, as POSIX allows. */
#define LOOK(field, name)                                                      \
	do {                                                                   \
		void *sym_ = dlsym(lib, name);                                 \
		if (sym_ == NULL)                                              \
			goto missing;                                          \
		*(void **)&api.field = sym_;                                   \
	} while (0)

static void
load(void)
{
	void *lib = dlopen(LDAP_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL) {
		snprintf(why, sizeof(why),
		    "cannot load %s (the libldap-2.5-0 package): %s",
		    LDAP_SONAME, dlerror());
		return;
	}
	LOOK(initialize, "ldap_initialize");
	LOOK(set_option, "ldap_set_option");
	LOOK(get_option, "ldap_get_option");
	LOOK(start_tls_s, "ldap_start_tls_s");
	LOOK(connect, "ldap_connect");
	LOOK(sasl_bind_s, "ldap_sasl_bind_s");
	LOOK(search_ext_s, "ldap_search_ext_s");
	LOOK(first_entry, "ldap_first_entry");
	LOOK(count_entries, "ldap_count_entries");
	LOOK(get_dn, "ldap_get_dn");
	LOOK(get_values_len, "ldap_get_values_len");
	LOOK(value_free_len, "ldap_value_free_len");
	LOOK(msgfree, "ldap_msgfree");
	LOOK(memfree, "ldap_memfree");
	LOOK(unbind_ext_s, "ldap_unbind_ext_s");
	LOOK(err2string, "ldap_err2string");
	loaded = 1;
	return;
missing:
	snprintf(why, sizeof(why), "%s lacks a function rig uses: %s",
	    LDAP_SONAME, dlerror());
	dlclose(lib);
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
