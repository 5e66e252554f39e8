/* SPDX-License-Identifier: MIT */
/*
 * libcurl loaded on first use (curl-api.c): every function rig calls is
 * there and works on a handle.
 */
#include "azure/curl-api.h"
#include "unit.h"

TEST(curl_api_loads_libcurl)
{
	const struct curl_api *lc = curl_api();
	struct curl_slist     *l;
	CURL                  *h;
	long                   code = -1;

	ASSERT(lc != NULL);
	ASSERT(curl_api() == lc); /* once */
	ASSERT_STR_EQ(curl_api_error(), "");
	h = lc->easy_init();
	ASSERT(h != NULL);
	ASSERT_EQ(lc->easy_setopt(h, CURLOPT_USERAGENT, "rig"), CURLE_OK);
	ASSERT_EQ(lc->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
	ASSERT_EQ(code, 0);
	ASSERT_STR_EQ(lc->easy_strerror(CURLE_OK), "No error");
	l = lc->slist_append(NULL, "Accept: application/json");
	ASSERT(l != NULL);
	lc->slist_free_all(l);
	ASSERT_EQ(lc->getdate("Sun, 06 Nov 1994 08:49:37 GMT", NULL),
	    784111777);
	lc->easy_cleanup(h);
}
