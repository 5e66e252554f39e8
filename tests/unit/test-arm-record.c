/* SPDX-License-Identifier: MIT */
/*
 * arm-record.c: the recording's id scrubbing, and a whole exchange
 * written with RIG_AZURE_RECORD: no token, secret or subscription id
 * left in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "azure/arm-record.h"
#include "azure/arm.h"
#include "azure/curl-api.h"
#include "unit.h"
#include "lib/util.h"

TEST(arm_record_scrub_ids)
{
	char s[] = "/subscriptions/1a2b3c4d-0000-4444-8888-0123456789ab/"
	           "resourceGroups/g and /Subscriptions/"
	           "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF/x /subscriptions/"
	           "not-a-guid";

	arm_record_scrub_ids(s);
	ASSERT_STR_EQ(s,
	    "/subscriptions/00000000-0000-0000-0000-000000000000/"
	    "resourceGroups/g and /Subscriptions/"
	    "00000000-0000-0000-0000-000000000000/x /subscriptions/"
	    "not-a-guid");
}

TEST(arm_record_writes_scrubbed_lines)
{
	char                   path[] = "/tmp/rig-unit-rec.XXXXXX";
	const struct curl_api *lc;
	struct curl_slist     *h = NULL;
	struct arm_response    res;
	char                  *text;
	int                    fd = mkstemp(path);

	ASSERT(fd >= 0);
	close(fd);
	setenv("RIG_AZURE_RECORD", path, 1);
	lc = curl_api();
	ASSERT(lc != NULL);
	h = lc->slist_append(h, "Authorization: Bearer sekrit-token");
	h = lc->slist_append(h, "Content-Type: application/json");
	arm_response_init(&res);
	res.status = 200;
	res.body = xstrdup("{\"access_token\":\"tok-123\",\"tenantId\":"
	                   "\"11111111-2222-3333-4444-555555555555\"}");
	res.len = strlen(res.body);
	arm_record("PUT",
	    "https://management.azure.com/subscriptions/"
	    "1a2b3c4d-0000-4444-8888-0123456789ab/x?api-version=1",
	    h, "{\"properties\":{\"osProfile\":{\"adminPassword\":\"pw-1\"}}}",
	    &res);
	arm_record("POST",
	    "https://login.example/99999999-8888-7777-6666-555555555555/"
	    "oauth2/v2.0/token",
	    NULL, "grant_type=client_credentials&client_secret=s3cr3t", &res);
	unsetenv("RIG_AZURE_RECORD");
	text = read_file(path, 1 << 20, NULL);
	unlink(path);
	ASSERT(text != NULL);
	ASSERT(strstr(text, "sekrit-token") == NULL);
	ASSERT(strstr(text, "tok-123") == NULL);
	ASSERT(strstr(text, "pw-1") == NULL);
	ASSERT(strstr(text, "s3cr3t") == NULL);
	ASSERT(strstr(text, "1a2b3c4d") == NULL);
	ASSERT(strstr(text, "11111111-2222") == NULL);
	ASSERT(strstr(text, "99999999-8888") == NULL); /* the tenant */
	ASSERT(strstr(text, "\"Content-Type\":\"application/json\"") != NULL);
	ASSERT(strstr(text, "\"statusCode\":\"200\"") != NULL);
	/* Two exchanges, two lines. */
	ASSERT(strchr(strchr(text, '\n') + 1, '\n') != NULL);
	free(text);
	arm_response_release(&res);
	lc->slist_free_all(h);
}
