/* SPDX-License-Identifier: MIT */
/*
 * libcurl, opened the first time an HTTP client is needed. Only commands
 * that talk to Azure (and self-stop) need it; linked in at start, it and
 * what Debian builds it with (GnuTLS through LDAP, Kerberos, SSH, HTTP/2,
 * p11-kit: some 25 libraries) were mapped into every process, 3 MB of the
 * hub's resident memory and a share of its start-up for nothing.
 */
#ifndef CURL_API_H
#define CURL_API_H

#include <time.h>

#include <curl/curl.h>

struct curl_api {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	time_t (*getdate)(const char *, const time_t *);
};

/* libcurl's functions, loaded once (any thread); NULL if it cannot be
 * loaded, and curl_api_error() says why. */
const struct curl_api *curl_api(void);
const char            *curl_api_error(void);

#endif
