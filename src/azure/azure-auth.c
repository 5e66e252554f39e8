/* SPDX-License-Identifier: MIT */
/*
 * The Azure credential chain. The first source that yields a token is
 * kept for the life of the chain, so a refresh asks the same source
 * again rather than silently switching identity. Secrets (the client
 * secret in the form body, tokens) are wiped before they are freed and
 * never reach a log line: messages name the source and the HTTP status
 * or ARM error code only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "arm.h"
#include "azure-auth.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/url.h"
#include "lib/util.h"
#include "lib/banned.h"

#define AZURE_LOGIN_TIMEOUT_MS 30000
#define AZURE_TOKEN_MAX 16384 /* bytes of one access token */

struct azure_auth {
	char             *login; /* no trailing slash */
	char             *imds;
	enum azure_source source;
	char             *token; /* wiped on free */
	int64_t           expires;
	char             *subscription; /* the az CLI's current one */
	char              why[3][1024]; /* why each source gave nothing */
};

static int   fetch_sp(struct azure_auth *, char **, int64_t *);
static int   fetch_cli(struct azure_auth *, char **, int64_t *);
static int   fetch_imds(struct azure_auth *, char **, int64_t *);
static char *find_az(void);

/* A JSON value that is a whole number, or a string of one; -1 if not. */
static int
json_seconds(json_t *v, long long *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return *out >= 0 ? 0 : -1;
	}
	if (json_is_string(v))
		return parse_int(json_string_value(v), 0, 1LL << 40, out);
	return -1;
}

static int
token_ok(const char *t)
{
	size_t n;

	if (t == NULL)
		return 0;
	n = strlen(t);
	/* It goes into a header line: no controls, bounded. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return 0;
	return n > 0 && n <= AZURE_TOKEN_MAX;
}

int
azure_parse_cli_token(const char *json, char **token, int64_t *expires)
{
	json_t     *j, *v;
	const char *t, *s;
	long long   secs;
	struct tm   tm;
	char       *end;
	int         ret = -1;

	j = json_loads(json, 0, NULL);
	t = json_string_value(json_object_get(j, "accessToken"));
	if (!token_ok(t))
		goto out;
	v = json_object_get(j, "expires_on");
	if (v != NULL && json_seconds(v, &secs) == 0)
		*expires = secs;
	else {
		/* Older CLIs: local time, fractional seconds ignored. */
		s = json_string_value(json_object_get(j, "expiresOn"));
		if (s == NULL)
			goto out;
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
		if (end == NULL || (*end != '\0' && *end != '.'))
			goto out;
		tm.tm_isdst = -1;
		*expires = (int64_t)mktime(&tm);
		if (*expires == -1)
			goto out;
	}
	*token = xstrdup(t);
	ret = 0;
out:
	json_decref(j);
	return ret;
}

int
azure_parse_oauth_token(const char *json, int64_t now, char **token,
    int64_t *expires)
{
	json_t     *j;
	const char *t;
	long long   secs;
	int         ret = -1;

	j = json_loads(json, 0, NULL);
	t = json_string_value(json_object_get(j, "access_token"));
	if (!token_ok(t))
		goto out;
	if (json_seconds(json_object_get(j, "expires_on"), &secs) == 0)
		*expires = secs;
	else if (json_seconds(json_object_get(j, "expires_in"), &secs) == 0)
		*expires = now + secs;
	else
		goto out;
	*token = xstrdup(t);
	ret = 0;
out:
	json_decref(j);
	return ret;
}

int
azure_token_stale(int64_t expires, int64_t now)
{
	return now + AZURE_REFRESH_MARGIN >= expires;
}

const char *
azure_source_name(enum azure_source s)
{
	switch (s) {
	case AZURE_SOURCE_SP:
		return "service principal";
	case AZURE_SOURCE_CLI:
		return "az CLI";
	case AZURE_SOURCE_IMDS:
		return "managed identity";
	default:
		return "none";
	}
}

static char *
strip_slash(const char *s)
{
	char  *r = xstrdup(s);
	size_t n = strlen(r);

	while (n > 0 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

struct azure_auth *
azure_auth_new(const char *login, const char *imds)
{
	struct azure_auth *a;
	char               why[512];

	if (login == NULL)
		login = AZURE_LOGIN_DEFAULT;
	if (imds == NULL)
		imds = AZURE_IMDS_DEFAULT;
	if (arm_url_allowed(login, why, sizeof(why)) == -1) {
		error("login endpoint: %s", why);
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	a->login = strip_slash(login);
	a->imds = strip_slash(imds);
	return a;
}

void
azure_auth_free(struct azure_auth *a)
{
	if (a == NULL)
		return;
	free_secret(a->token);
	free(a->login);
	free(a->imds);
	free(a->subscription);
	free(a);
}

void
azure_auth_only(struct azure_auth *a, enum azure_source s)
{
	a->source = s;
}

const char *
azure_auth_subscription(const struct azure_auth *a)
{
	return a->subscription;
}

enum azure_source
azure_auth_source(const struct azure_auth *a)
{
	return a->source;
}

/* Client credentials at {login}/{tenant}/oauth2/v2.0/token. */
static int
fetch_sp(struct azure_auth *a, char **tok, int64_t *exp)
{
	struct arm_response res;
	const char         *tenant = getenv("AZURE_TENANT_ID");
	const char         *id = getenv("AZURE_CLIENT_ID");
	const char         *secret = getenv("AZURE_CLIENT_SECRET");
	const char         *hdrs[] = {
		        "Content-Type: application/x-www-form-urlencoded",
		        "Accept: application/json", NULL
	};
	char *url, *e_id, *e_secret, *e_scope, *e_tenant, *form;
	char  msg[600];
	int   ret = -1;

	e_tenant = url_encode(tenant, 0);
	url = xasprintf("%s/%s/oauth2/v2.0/token", a->login, e_tenant);
	e_id = url_encode(id, 0);
	e_secret = url_encode(secret, 0);
	e_scope = url_encode(AZURE_ARM_SCOPE, 0);
	form = xasprintf("grant_type=client_credentials&client_id=%s"
	                 "&client_secret=%s&scope=%s",
	    e_id, e_secret, e_scope);
	free_secret(e_secret);
	arm_response_init(&res);
	if (arm_http("POST", url, hdrs, form, 0, AZURE_LOGIN_TIMEOUT_MS, &res,
	        msg, sizeof(msg)) == -1) {
		snprintf(a->why[0], sizeof(a->why[0]), "%s", msg);
		goto out;
	}
	if (res.status != 200) {
		arm_error_message(res.status, res.body, msg, sizeof(msg));
		/* AAD's own error shape: {"error":"invalid_client", ...}. */
		if (strncmp(msg, "HTTP ", 5) == 0 && res.body != NULL) {
			json_t     *j = json_loads(res.body, 0, NULL);
			const char *code =
			    json_string_value(json_object_get(j, "error"));

			if (code != NULL)
				snprintf(msg, sizeof(msg), "%.100s (HTTP %ld)",
				    code, res.status);
			json_decref(j);
		}
		snprintf(a->why[0], sizeof(a->why[0]),
		    "service principal login failed: %s", msg);
		goto out;
	}
	if (azure_parse_oauth_token(res.body, now_sec(), tok, exp) == -1) {
		snprintf(a->why[0], sizeof(a->why[0]),
		    "service principal login: malformed token answer");
		goto out;
	}
	ret = 0;
out:
	if (res.body != NULL)
		explicit_bzero(res.body, res.len);
	arm_response_release(&res);
	free_secret(form);
	free(e_id);
	free(e_scope);
	free(e_tenant);
	free(url);
	return ret;
}

/* RIG_AZ, else "az" found on PATH; NULL if neither. Caller frees. */
static char *
find_az(void)
{
	const char *env = getenv("RIG_AZ");

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	return proc_which("az", getenv("PATH"));
}

static int
fetch_cli(struct azure_auth *a, char **tok, int64_t *exp)
{
	struct proc_result res;
	char              *az;
	int                ret = -1;

	az = find_az();
	if (az == NULL) {
		snprintf(a->why[1], sizeof(a->why[1]), "no az CLI on PATH");
		return -1;
	}
	{
		char *argv[] = { az, (char *)"account",
			(char *)"get-access-token", (char *)"--resource",
			(char *)AZURE_ARM_RESOURCE, (char *)"--output",
			(char *)"json", NULL };

		proc_result_init(&res);
		if (proc_capture(argv, NULL, -1, AZURE_AZ_TIMEOUT_MS, &res) ==
		    -1) {
			snprintf(a->why[1], sizeof(a->why[1]),
			    "cannot run '%s'", az);
			goto out;
		}
	}
	if (res.status != 0) {
		char line[200];

		/* az's own first line says why (e.g. "Please run 'az login'").
		 */
		snprintf(line, sizeof(line), "%.*s",
		    (int)strcspn(res.err.data ? res.err.data : "", "\n"),
		    res.err.data ? res.err.data : "");
		snprintf(a->why[1], sizeof(a->why[1]),
		    "'%s account get-access-token' failed (exit %d): %s", az,
		    res.status, line);
		goto out;
	}
	if (res.out.data == NULL ||
	    azure_parse_cli_token(res.out.data, tok, exp) == -1) {
		snprintf(a->why[1], sizeof(a->why[1]),
		    "'%s account get-access-token': malformed output", az);
		goto out;
	}
	{
		json_t *j = json_loads(res.out.data, 0, NULL);
		json_t *sub = json_object_get(j, "subscription");

		if (json_is_string(sub) && a->subscription == NULL)
			a->subscription = xstrdup(json_string_value(sub));
		json_decref(j);
	}
	ret = 0;
out:
	if (res.out.data != NULL)
		explicit_bzero(res.out.data, res.out.len);
	proc_result_release(&res);
	free(az);
	return ret;
}

static int
fetch_imds(struct azure_auth *a, char **tok, int64_t *exp)
{
	struct arm_response res;
	const char         *hdrs[] = { "Metadata: true", NULL };
	char               *url, *res_enc, msg[600];
	int                 ret = -1;

	res_enc = url_encode(AZURE_ARM_RESOURCE, 0);
	url = xasprintf("%s/metadata/identity/oauth2/token"
	                "?api-version=2018-02-01&resource=%s",
	    a->imds, res_enc);
	arm_response_init(&res);
	if (arm_http("GET", url, hdrs, NULL, 1, AZURE_IMDS_TIMEOUT_MS, &res,
	        msg, sizeof(msg)) == -1) {
		snprintf(a->why[2], sizeof(a->why[2]),
		    "no managed identity: %s", msg);
		goto out;
	}
	if (res.status != 200) {
		arm_error_message(res.status, res.body, msg, sizeof(msg));
		snprintf(a->why[2], sizeof(a->why[2]), "managed identity: %s",
		    msg);
		goto out;
	}
	if (azure_parse_oauth_token(res.body, now_sec(), tok, exp) == -1) {
		snprintf(a->why[2], sizeof(a->why[2]),
		    "managed identity: malformed token answer");
		goto out;
	}
	ret = 0;
out:
	if (res.body != NULL)
		explicit_bzero(res.body, res.len);
	arm_response_release(&res);
	free(url);
	free(res_enc);
	return ret;
}

static int
sp_configured(void)
{
	return getenv("AZURE_TENANT_ID") != NULL ||
	    getenv("AZURE_CLIENT_ID") != NULL ||
	    getenv("AZURE_CLIENT_SECRET") != NULL;
}

static int
fetch_from(struct azure_auth *a, enum azure_source s, char **tok, int64_t *exp)
{
	switch (s) {
	case AZURE_SOURCE_SP:
		return fetch_sp(a, tok, exp);
	case AZURE_SOURCE_CLI:
		return fetch_cli(a, tok, exp);
	case AZURE_SOURCE_IMDS:
		return fetch_imds(a, tok, exp);
	default:
		return -1;
	}
}

const char *
azure_auth_token(void *arg, int refresh)
{
	struct azure_auth *a = arg;
	char              *tok = NULL;
	int64_t            exp = 0;
	enum azure_source  s;

	if (a->token != NULL && !refresh &&
	    !azure_token_stale(a->expires, now_sec()))
		return a->token;
	if (a->source != AZURE_SOURCE_NONE) {
		/* The same identity as before, never another one. */
		if (fetch_from(a, a->source, &tok, &exp) == -1) {
			error("cannot renew the Azure token (%s): %s",
			    azure_source_name(a->source),
			    a->why[a->source - 1]);
			return NULL;
		}
	} else if (sp_configured()) {
		/* Set but incomplete is a mistake to report, not skip. */
		if (getenv("AZURE_TENANT_ID") == NULL ||
		    getenv("AZURE_CLIENT_ID") == NULL ||
		    getenv("AZURE_CLIENT_SECRET") == NULL) {
			error("AZURE_TENANT_ID, AZURE_CLIENT_ID and "
			      "AZURE_CLIENT_SECRET must be set together");
			return NULL;
		}
		if (fetch_sp(a, &tok, &exp) == -1) {
			error("%s", a->why[0]);
			return NULL;
		}
		a->source = AZURE_SOURCE_SP;
	} else {
		for (s = AZURE_SOURCE_CLI; s <= AZURE_SOURCE_IMDS; s++)
			if (fetch_from(a, s, &tok, &exp) == 0)
				break;
		if (s > AZURE_SOURCE_IMDS) {
			error(
			    "no Azure credentials: set AZURE_TENANT_ID, "
			    "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (a service "
			    "principal), or run 'az login' (the az CLI), or "
			    "run on an Azure VM with a managed identity "
			    "(az: %s; managed identity: %s)",
			    a->why[1], a->why[2]);
			return NULL;
		}
		a->source = s;
	}
	free_secret(a->token);
	a->token = tok;
	a->expires = exp;
	log_debug("%s: token from %s, expires in %lld s", __func__,
	    azure_source_name(a->source), (long long)(exp - now_sec()));
	return a->token;
}
