/* SPDX-License-Identifier: MIT */
/*
 * dlopen of Debian's libcurl4 by its soname, every symbol looked up once
 * under pthread_once, so concurrent first users (the thread pool) are safe.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "curl-api.h"
#include "lib/banned.h"

#define CURL_SONAME "libcurl.so.4"

static struct curl_api api;
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
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL) {
		snprintf(why, sizeof(why),
		    "cannot load %s (the libcurl4 "
		    "package): %s",
		    CURL_SONAME, dlerror());
		return;
	}
	LOOK(easy_init, "curl_easy_init");
	LOOK(easy_setopt, "curl_easy_setopt");
	LOOK(easy_perform, "curl_easy_perform");
	LOOK(easy_getinfo, "curl_easy_getinfo");
	LOOK(easy_cleanup, "curl_easy_cleanup");
	LOOK(easy_strerror, "curl_easy_strerror");
	LOOK(slist_append, "curl_slist_append");
	LOOK(slist_free_all, "curl_slist_free_all");
	LOOK(getdate, "curl_getdate");
	loaded = 1;
	return;
missing:
	snprintf(why, sizeof(why), "%s lacks a function rig uses: %s",
	    CURL_SONAME, dlerror());
	dlclose(lib);
}

const struct curl_api *
curl_api(void)
{
	pthread_once(&once, load);
	return loaded ? &api : NULL;
}

const char *
curl_api_error(void)
{
	return why;
}
