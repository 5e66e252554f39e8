/* SPDX-License-Identifier: MIT */
/*
 * Tests of azure-auth.c that need no server: the az CLI's token JSON
 * (expires_on, the older expiresOn in local time), OAuth answers from
 * AAD (numbers) and IMDS (strings), and when a token is renewed. The
 * chain itself runs in tests/e2e/t410-azure-auth.sh.
 */
#include <stdint.h>
#include <time.h>

#include "azure/azure-auth.h"
#include "unit.h"
#include "lib/util.h"

TEST(azure_cli_expires_on)
{
	char   *tok = NULL;
	int64_t exp = 0;

	ASSERT_EQ(azure_parse_cli_token(
	              "{\"accessToken\":\"eyJ0.abc\",\"expiresOn\":"
	              "\"2023-10-31 14:22:33.000000\",\"expires_on\":"
	              "1698762153,\"subscription\":\"s\",\"tenant\":\"t\","
	              "\"tokenType\":\"Bearer\"}",
	              &tok, &exp),
	    0);
	ASSERT_STR_EQ(tok, "eyJ0.abc");
	ASSERT_EQ(exp, 1698762153);
	free_secret(tok);
}

TEST(azure_cli_expiresOn_local_time)
{
	char     *tok = NULL;
	int64_t   exp = 0;
	struct tm tm = { 0 };

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	ASSERT_EQ(azure_parse_cli_token("{\"accessToken\":\"x\",\"expiresOn\":"
	                                "\"2023-10-31 14:22:33.123456\"}",
	              &tok, &exp),
	    0);
	tm.tm_year = 123;
	tm.tm_mon = 9;
	tm.tm_mday = 31;
	tm.tm_hour = 14;
	tm.tm_min = 22;
	tm.tm_sec = 33;
	tm.tm_isdst = -1;
	ASSERT_EQ(exp, mktime(&tm));
	/* 14:22:33 in Berlin (CET, UTC+1) is 13:22:33 UTC. */
	ASSERT_EQ(exp, 1698758553);
	free_secret(tok);
}

TEST(azure_cli_malformed)
{
	char   *tok = NULL;
	int64_t exp = 0;

	ASSERT_EQ(azure_parse_cli_token("not json", &tok, &exp), -1);
	ASSERT_EQ(azure_parse_cli_token("{\"expires_on\":1}", &tok, &exp), -1);
	ASSERT_EQ(azure_parse_cli_token("{\"accessToken\":\"x\"}", &tok, &exp),
	    -1);
	ASSERT_EQ(azure_parse_cli_token("{\"accessToken\":\"x\",\"expiresOn\":"
	                                "\"yesterday\"}",
	              &tok, &exp),
	    -1);
	/* A token that would break the header line. */
	ASSERT_EQ(azure_parse_cli_token("{\"accessToken\":\"a\\r\\nX: y\","
	                                "\"expires_on\":1}",
	              &tok, &exp),
	    -1);
	ASSERT_EQ(azure_parse_cli_token("{\"accessToken\":\"\","
	                                "\"expires_on\":1}",
	              &tok, &exp),
	    -1);
	ASSERT_NULL(tok);
}

TEST(azure_oauth_aad_and_imds)
{
	char   *tok = NULL;
	int64_t exp = 0;

	/* AAD v2: expires_in is a number. */
	ASSERT_EQ(azure_parse_oauth_token("{\"token_type\":\"Bearer\","
	                                  "\"expires_in\":3599,"
	                                  "\"access_token\":\"aad\"}",
	              1000, &tok, &exp),
	    0);
	ASSERT_STR_EQ(tok, "aad");
	ASSERT_EQ(exp, 4599);
	free_secret(tok);
	/* IMDS: strings, expires_on wins. */
	ASSERT_EQ(azure_parse_oauth_token(
	              "{\"access_token\":\"imds\",\"client_id\":\"c\","
	              "\"expires_in\":\"3599\",\"expires_on\":\"1541705014\","
	              "\"resource\":\"https://management.azure.com/\","
	              "\"token_type\":\"Bearer\"}",
	              1000, &tok, &exp),
	    0);
	ASSERT_STR_EQ(tok, "imds");
	ASSERT_EQ(exp, 1541705014);
	free_secret(tok);
	tok = NULL;
	ASSERT_EQ(azure_parse_oauth_token("{\"access_token\":\"a\","
	                                  "\"expires_in\":\"soon\"}",
	              0, &tok, &exp),
	    -1);
	ASSERT_EQ(azure_parse_oauth_token("{\"access_token\":\"a\","
	                                  "\"expires_in\":-5}",
	              0, &tok, &exp),
	    -1);
	ASSERT_EQ(azure_parse_oauth_token("{\"expires_in\":5}", 0, &tok, &exp),
	    -1);
	ASSERT_NULL(tok);
}

TEST(azure_token_expiry)
{
	/* Renewed 5 minutes before it expires, not later. */
	ASSERT(!azure_token_stale(10000, 10000 - 301));
	ASSERT(azure_token_stale(10000, 10000 - 300));
	ASSERT(azure_token_stale(10000, 10000));
	ASSERT(azure_token_stale(10000, 20000));
}

TEST(azure_auth_login_must_be_https)
{
	struct azure_auth *a;

	ASSERT_NULL(azure_auth_new("http://login.example.com", NULL));
	a = azure_auth_new(NULL, NULL);
	ASSERT_NOT_NULL(a);
	ASSERT_EQ(azure_auth_source(a), AZURE_SOURCE_NONE);
	azure_auth_free(a);
	azure_auth_free(NULL);
}
