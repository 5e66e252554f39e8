/* SPDX-License-Identifier: MIT */
/*
 * Azure credentials, in the order: a service principal from the
 * environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET;
 * OAuth client credentials), else the az CLI's login (`az account
 * get-access-token`, run as a child; RIG_AZ or "az" on PATH), else the
 * VM's managed identity (IMDS). Tokens are kept in memory only, renewed
 * AZURE_REFRESH_MARGIN seconds before they expire and once after a 401,
 * and never logged.
 */
#ifndef AZURE_AUTH_H
#define AZURE_AUTH_H

#include <stdint.h>

#define AZURE_ARM_RESOURCE "https://management.azure.com/"
#define AZURE_ARM_SCOPE "https://management.azure.com/.default"
#define AZURE_LOGIN_DEFAULT "https://login.microsoftonline.com"
#define AZURE_IMDS_DEFAULT "http://169.254.169.254"
#define AZURE_REFRESH_MARGIN 300 /* seconds before expiry */
#define AZURE_AZ_TIMEOUT_MS 60000
#define AZURE_IMDS_TIMEOUT_MS 3000 /* short: absent off Azure */

enum azure_source {
	AZURE_SOURCE_NONE,
	AZURE_SOURCE_SP, /* service principal */
	AZURE_SOURCE_CLI, /* az account get-access-token */
	AZURE_SOURCE_IMDS, /* managed identity */
};

/*
 * Parses the az CLI's JSON: "accessToken", and "expires_on" (POSIX
 * seconds, CLI >= 2.54) or else the older "expiresOn" (local time,
 * "2023-10-31 14:22:33.000000"). 0 with *token (caller frees with
 * free_secret()) and *expires set, -1 if malformed.
 */
int azure_parse_cli_token(const char *json, char **token, int64_t *expires);

/*
 * Parses an OAuth token answer (AAD v2 or IMDS): "access_token", and
 * "expires_on" if given, else 'now' + "expires_in"; either may be a
 * number (AAD) or a string of digits (IMDS). As above.
 */
int azure_parse_oauth_token(const char *json, int64_t now, char **token,
    int64_t *expires);

/* Whether a token that expires at 'expires' must be renewed at 'now'. */
int azure_token_stale(int64_t expires, int64_t now);

struct azure_auth;

/*
 * A credential chain; 'login' and 'imds' are the endpoints (NULL: the
 * public cloud's). NULL after printing why if 'login' is not allowed
 * (arm_url_allowed()).
 */
struct azure_auth *azure_auth_new(const char *login, const char *imds);
void               azure_auth_free(struct azure_auth *);

/*
 * The current token (borrowed until the next call), renewed when stale or
 * if 'refresh'; NULL after printing why, naming the three ways to log in
 * when none worked. The signature of arm_token_fn, 'arg' the chain.
 */
const char *azure_auth_token(void *auth, int refresh);

/* Uses only source 's' (the VM's own identity for its self-stop: never
 * a person's login that happens to be on the machine). */
void azure_auth_only(struct azure_auth *, enum azure_source);

/* The subscription the az CLI has selected (known after a token came
 * from it), or NULL. Borrowed. */
const char *azure_auth_subscription(const struct azure_auth *);

/* Where the token came from; AZURE_SOURCE_NONE before the first one. */
enum azure_source azure_auth_source(const struct azure_auth *);
const char       *azure_source_name(enum azure_source);

#endif
