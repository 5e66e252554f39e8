/* SPDX-License-Identifier: MIT */
/*
 * dlopen of Debian's libcurl4 by its soname, every symbol looked up once
 * under pthread_once, so concurrent first users (the thread pool) are safe.
 */
#include <pthread.h>

#include "curl-api.h"
#include "lib/dlapi.h"
#include "lib/util.h"
#include "lib/banned.h"

#define CURL_SONAME "libcurl.so.4"

static struct curl_api api;
static int             loaded;
static char            why[256];
static pthread_once_t  once = PTHREAD_ONCE_INIT;

static const struct dlapi_sym syms[] = {
	DLAPI_SYM(struct curl_api, easy_init, "curl_easy_init"),
	DLAPI_SYM(struct curl_api, easy_setopt, "curl_easy_setopt"),
	DLAPI_SYM(struct curl_api, easy_perform, "curl_easy_perform"),
	DLAPI_SYM(struct curl_api, easy_getinfo, "curl_easy_getinfo"),
	DLAPI_SYM(struct curl_api, easy_cleanup, "curl_easy_cleanup"),
	DLAPI_SYM(struct curl_api, easy_strerror, "curl_easy_strerror"),
	DLAPI_SYM(struct curl_api, slist_append, "curl_slist_append"),
	DLAPI_SYM(struct curl_api, slist_free_all, "curl_slist_free_all"),
	DLAPI_SYM(struct curl_api, getdate, "curl_getdate"),
};

static void
load(void)
{
	loaded = dlapi_load(CURL_SONAME, "libcurl4", syms, nitems(syms), &api,
	             why, sizeof(why)) == 0;
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
