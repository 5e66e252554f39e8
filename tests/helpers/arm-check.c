/* SPDX-License-Identifier: MIT */
/*
 * Drives rig's ARM client and its generic long-running-operation poller
 * through scenarios of Microsoft's LRO conformance server
 * (@microsoft.azure/autorest.testserver, its /lro routes), then reads
 * the server's coverage report (/report/azure) and fails if a scenario
 * it ran was not counted there. One line per scenario; exit 0 only if
 * every one behaved as Azure's rules say. Usage: arm-check BASE_URL
 *
 * With --auth it runs the credential chain (azure-auth.c) instead,
 * against tests/helpers/azure-login-double.py: takes a token, checks it
 * is cached, calls the double's ARM route with it, revokes it there and
 * calls again, which must succeed through one refresh after the 401.
 * Tokens are never printed. Usage: arm-check --auth LOGIN IMDS ARM
 *
 * With --retry it checks arm_request()'s retries against the double's
 * /arm/flaky route: 429 waits Retry-After, 503 and a dropped connection
 * are retried for GET, a POST is not retried on 503 unless declared
 * idempotent; and the poller waits the Retry-After of an ARM-shaped
 * operation and reports its error object. Usage: arm-check --retry ARM
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "azure/arm.h"
#include "azure/azure-auth.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

struct scenario {
	const char *name; /* the key in /report/azure */
	const char *method;
	const char *path;
	int         flags;
	int         ok; /* 1: must succeed; 0: must fail */
	const char *want; /* failure: a substring of the message */
};

/*
 * Chosen to cover each rule once or twice: PUT answered at once, polled
 * on the resource, on Location, on Azure-AsyncOperation; Retry-After
 * (0 here) and backoff without it; DELETE and POST; failed and canceled
 * operations; 500 retried on the first call and while polling; 400s
 * that must not be retried; a poll body without a status.
 */
static const struct scenario scenarios[] = {
	{ "LROPutInlineComplete", "PUT", "/lro/put/200/succeeded", 0, 1, NULL },
	{ "LROPutInlineComplete201", "PUT", "/lro/put/201/succeeded", 0, 1,
	    NULL },
	{ "LROPutSucceededWithBody", "PUT",
	    "/lro/put/201/creating/succeeded/200", 0, 1, NULL },
	{ "LROPutFailed", "PUT", "/lro/put/201/created/failed/200", 0, 0,
	    "Failed" },
	{ "LROPutCanceled", "PUT", "/lro/put/200/accepted/canceled/200", 0, 0,
	    "Canceled" },
	{ "LROPut202Retry200", "PUT", "/lro/put/202/retry/200", 0, 1, NULL },
	{ "LROPutAsyncRetrySucceeded", "PUT", "/lro/putasync/retry/succeeded",
	    0, 1, NULL },
	{ "LROPutAsyncNoRetrySucceeded", "PUT",
	    "/lro/putasync/noretry/succeeded", 0, 1, NULL },
	{ "LROPutAsyncRetryFailed", "PUT", "/lro/putasync/retry/failed", 0, 0,
	    "Failed" },
	{ "LROPutAsyncNoRetryCanceled", "PUT", "/lro/putasync/noretry/canceled",
	    0, 0, "Canceled" },
	{ "LRODeleteProvisioningSucceededWithBody", "DELETE",
	    "/lro/delete/provisioning/202/accepted/200/succeeded", 0, 1, NULL },
	{ "LRODeleteInlineComplete", "DELETE", "/lro/delete/204/succeeded", 0,
	    1, NULL },
	{ "LRODelete200", "DELETE", "/lro/delete/202/retry/200", 0, 1, NULL },
	{ "LRODelete204", "DELETE", "/lro/delete/202/noretry/204", 0, 1, NULL },
	{ "LRODeleteAsyncRetrySucceeded", "DELETE",
	    "/lro/deleteasync/retry/succeeded", 0, 1, NULL },
	{ "LRODeleteAsyncRetryFailed", "DELETE",
	    "/lro/deleteasync/retry/failed", 0, 0, "Failed" },
	{ "LROPostSuccededWithBody", "POST", "/lro/post/202/retry/200", 0, 1,
	    NULL },
	{ "LROPostSuccededNoBody", "POST", "/lro/post/202/noretry/204", 0, 1,
	    NULL },
	{ "LROPostAsyncRetrySucceeded", "POST",
	    "/lro/postasync/retry/succeeded", 0, 1, NULL },
	{ "LROPostAsyncRetryFailed", "POST", "/lro/postasync/retry/failed", 0,
	    0, "Failed" },
	{ "LROPostDoubleHeadersFinalLocationGet", "POST",
	    "/lro/LROPostDoubleHeadersFinalLocationGet", 0, 1, NULL },
	{ "LRORetryPutSucceededWithBody", "PUT",
	    "/lro/retryerror/put/201/creating/succeeded/200", 0, 1, NULL },
	{ "LRORetryErrorPutAsyncSucceeded", "PUT",
	    "/lro/retryerror/putasync/retry/succeeded", 0, 1, NULL },
	{ "LRORetryErrorDelete202Accepted200Succeeded", "DELETE",
	    "/lro/retryerror/delete/provisioning/202/accepted/200/succeeded", 0,
	    1, NULL },
	{ "LRORetryErrorDeleteAsyncRetrySucceeded", "DELETE",
	    "/lro/retryerror/deleteasync/retry/succeeded", 0, 1, NULL },
	{ "LRORetryErrorPost202Retry200Succeeded", "POST",
	    "/lro/retryerror/post/202/retry/200", ARM_IDEMPOTENT, 1, NULL },
	{ "LRONonRetryPut400", "PUT", "/lro/nonretryerror/put/400", 0, 0,
	    "400" },
	{ "LRONonRetryPutAsyncRetry400", "PUT",
	    "/lro/nonretryerror/putasync/retry/400", 0, 0, "400" },
	{ "LRONonRetryDelete202Retry400", "DELETE",
	    "/lro/nonretryerror/delete/202/retry/400", 0, 0, "400" },
	{ "LRONonRetryPost400", "POST", "/lro/nonretryerror/post/400", 0, 0,
	    "400" },
	{ "LROErrorPutAsyncNoPollingStatus", "PUT",
	    "/lro/error/putasync/retry/nostatus", 0, 0, "no status" },
	{ "LROPatch201WithAsyncHeader", "PATCH",
	    "/lro/patch/201/retry/onlyAsyncHeader", 0, 1, NULL },
	{ "LROPatch202WithAsyncAndLocationHeader", "PATCH",
	    "/lro/patch/202/retry/asyncAndLocationHeader", 0, 1, NULL },
	{ "LRODeleteAsyncRetryCanceled", "DELETE",
	    "/lro/deleteasync/retry/canceled", 0, 0, "Canceled" },
	{ "LROPostAsyncRetryCanceled", "POST", "/lro/postasync/retry/canceled",
	    0, 0, "Canceled" },
	{ "LRORetryErrorDelete202Retry200Succeeded", "DELETE",
	    "/lro/retryerror/delete/202/retry/200", 0, 1, NULL },
	{ "LRORetryErrorPostAsyncRetrySucceeded", "POST",
	    "/lro/retryerror/postasync/retry/succeeded", ARM_IDEMPOTENT, 1,
	    NULL },
	{ "LRONonRetryPut201Creating400", "PUT",
	    "/lro/nonretryerror/put/201/creating/400", 0, 0, "400" },
	{ "LRONonRetryPut201Creating400InvalidJson", "PUT",
	    "/lro/nonretryerror/put/201/creating/400/invalidjson", 0, 0,
	    "400" },
	{ "LRONonRetryDelete400", "DELETE", "/lro/nonretryerror/delete/400", 0,
	    0, "400" },
	{ "LRONonRetryDeleteAsyncRetry400", "DELETE",
	    "/lro/nonretryerror/deleteasync/retry/400", 0, 0, "400" },
	{ "LRONonRetryPost202Retry400", "POST",
	    "/lro/nonretryerror/post/202/retry/400", 0, 0, "400" },
	{ "LRONonRetryPostAsyncRetry400", "POST",
	    "/lro/nonretryerror/postasync/retry/400", 0, 0, "400" },
	{ "LROErrorPut201NoProvisioningStatePayload", "PUT",
	    "/lro/error/put/201/noprovisioningstatepayload", 0, 0,
	    "without a resource" },
	{ "LROErrorPut200InvalidJson", "PUT", "/lro/error/put/200/invalidjson",
	    0, 0, "without a resource" },
	{ "LROErrorPutAsyncNoPollingStatusPayload", "PUT",
	    "/lro/error/putasync/retry/nostatuspayload", 0, 0, "no status" },
	{ "LROErrorPutAsyncInvalidJsonPolling", "PUT",
	    "/lro/error/putasync/retry/invalidjsonpolling", 0, 0, "not JSON" },
	{ "LROErrorPutAsyncInvalidHeader", "PUT",
	    "/lro/error/putasync/retry/invalidheader", 0, 0, "not absolute" },
	{ "LROErrorDelete202RetryInvalidHeader", "DELETE",
	    "/lro/error/delete/202/retry/invalidheader", 0, 0, "not absolute" },
	{ "LROErrorDeleteNoLocation", "DELETE",
	    "/lro/error/delete/204/nolocation", 0, 1, NULL },
};

static const char *
token_cb(void *arg, int refresh)
{
	(void)arg;
	(void)refresh;
	return "arm-check-token";
}

/* Runs one scenario; 0 if it behaved as expected. */
static int
run(struct arm_client *c, const struct scenario *s)
{
	struct arm_response init, final;
	json_t             *body = NULL;
	char                msg[1200];
	int                 r, ok;

	arm_response_init(&init);
	arm_response_init(&final);
	if (strcmp(s->method, "POST") != 0)
		body = json_pack("{s:s}", "location", "West US");
	r = arm_request(c, s->method, s->path, body, NULL, s->flags, &init);
	json_decref(body);
	if (r == 0)
		r = arm_lro_wait(c, s->method, s->path, &init, &final);
	snprintf(msg, sizeof(msg), "%s", r == 0 ? "" : arm_client_error(c));
	ok = s->ok ? r == 0 : (r == -1 && strstr(msg, s->want) != NULL);
	if (ok && r == 0)
		printf("ok   %-44s %s -> %ld\n", s->name, s->method,
		    final.status);
	else if (ok)
		printf("ok   %-44s %s failed as it must: %s\n", s->name,
		    s->method, msg);
	else if (r == 0)
		printf("FAIL %-44s %s succeeded, must fail with '%s'\n",
		    s->name, s->method, s->want);
	else
		printf("FAIL %-44s %s: %s\n", s->name, s->method, msg);
	arm_response_release(&init);
	arm_response_release(&final);
	return ok ? 0 : -1;
}

/* Checks that the server counted each scenario; 0 if so. */
static int
check_coverage(const char *base)
{
	struct arm_response res;
	json_t             *j;
	char                url[512], err[512];
	int                 bad = 0;

	arm_response_init(&res);
	snprintf(url, sizeof(url), "%s/report/azure", base);
	if (arm_http("GET", url, NULL, NULL, 0, 10000, &res, err,
	        sizeof(err)) == -1 ||
	    res.status != 200) {
		printf("FAIL coverage report: %s (HTTP %ld)\n", err,
		    res.status);
		arm_response_release(&res);
		return -1;
	}
	j = arm_response_json(&res);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		json_t *n = json_object_get(j, scenarios[i].name);

		if (!json_is_integer(n) || json_integer_value(n) < 1) {
			printf("FAIL coverage: %s not counted by the server\n",
			    scenarios[i].name);
			bad = 1;
		}
	}
	if (!bad)
		printf(
		    "ok   coverage: all %zu scenarios counted by the server\n",
		    sizeof(scenarios) / sizeof(scenarios[0]));
	json_decref(j);
	arm_response_release(&res);
	return bad ? -1 : 0;
}

/* GET /arm/check through the client; 0 if it answered 200. */
static int
arm_get_check(struct arm_client *c, const char *what)
{
	struct arm_response r;
	int                 ok;

	arm_response_init(&r);
	ok = arm_request(c, "GET", "/arm/check", NULL, NULL, 0, &r) == 0 &&
	    r.status == 200;
	if (ok)
		printf("ok   %s\n", what);
	else
		printf("FAIL %s: %s (HTTP %ld)\n", what, arm_client_error(c),
		    r.status);
	arm_response_release(&r);
	return ok ? 0 : -1;
}

static int
auth_check(const char *login, const char *imds, const char *arm)
{
	struct azure_auth  *a;
	struct arm_client  *c = NULL;
	struct arm_response r;
	const char         *tok;
	char               *first = NULL, url[512], err[512];
	int                 ret = 1;

	log_verbose = 1; /* the debug lines must not show tokens either */
	arm_response_init(&r);
	a = azure_auth_new(login, imds);
	if (a == NULL)
		return 1;
	tok = azure_auth_token(a, 0);
	if (tok == NULL)
		goto out;
	printf("source: %s\n", azure_source_name(azure_auth_source(a)));
	first = strdup(tok);
	tok = azure_auth_token(a, 0);
	if (tok == NULL || strcmp(tok, first) != 0) {
		printf("FAIL a fresh token was not reused\n");
		goto out;
	}
	printf("ok   token cached while fresh\n");
	c = arm_client_new(arm, azure_auth_token, a);
	if (c == NULL || arm_get_check(c, "ARM call with the token") == -1)
		goto out;
	snprintf(url, sizeof(url), "%s/control/revoke", arm);
	if (arm_http("POST", url, NULL, first, 0, 10000, &r, err,
	        sizeof(err)) == -1 ||
	    r.status != 200) {
		printf("FAIL revoke: %s\n", err);
		goto out;
	}
	if (arm_get_check(c, "ARM call after a 401: token renewed once") == -1)
		goto out;
	tok = azure_auth_token(a, 0);
	if (tok == NULL || strcmp(tok, first) == 0) {
		printf("FAIL the renewed token was not kept\n");
		goto out;
	}
	printf("ok   renewed token kept\n");
	ret = 0;
out:
	if (first != NULL)
		explicit_bzero(first, strlen(first));
	free(first);
	arm_response_release(&r);
	arm_client_free(c);
	azure_auth_free(a);
	return ret;
}

struct retry_case {
	const char *what;
	const char *method;
	const char *query;
	int         flags;
	long        status; /* wanted; 0: no response at all */
	int         tries; /* wanted "tries" in the 200 body */
	uint64_t    min_ms; /* at least this long (Retry-After honoured) */
};

static const struct retry_case retry_cases[] = {
	{ "GET 429 waits Retry-After: 1, then succeeds", "GET",
	    "key=a&fail=429&times=1", 0, 200, 2, 1000 },
	{ "POST 429 is retried too (ARM did nothing)", "POST",
	    "key=b&fail=429&times=1", 0, 200, 2, 1000 },
	{ "GET 503 twice, retried with backoff", "GET",
	    "key=c&fail=503&times=2", 0, 200, 3, 0 },
	{ "GET dropped connection, retried", "GET", "key=d&fail=drop&times=1",
	    0, 200, 2, 0 },
	{ "POST 503 not retried", "POST", "key=e&fail=503&times=1", 0, 503, 0,
	    0 },
	{ "POST dropped connection not retried", "POST",
	    "key=f&fail=drop&times=1", 0, 0, 0, 0 },
	{ "POST 503 retried when declared idempotent", "POST",
	    "key=g&fail=503&times=1", ARM_IDEMPOTENT, 200, 2, 0 },
	{ "GET 503 beyond max_retries gives the 503", "GET",
	    "key=h&fail=503&times=9", 0, 503, 0, 0 },
};

/*
 * A PUT through the poller whose every answer says Retry-After: 1 (the
 * first, and one InProgress poll): it must take two seconds, not the
 * 20 ms backoff; a failed operation must report ARM's error object.
 */
static int
lro_retry_after(struct arm_client *c, const char *key, int must_fail)
{
	struct arm_response init, final;
	char                path[64];
	uint64_t            t0 = now_ms(), dt;
	int                 r, ok;

	arm_response_init(&init);
	arm_response_init(&final);
	snprintf(path, sizeof(path), "/arm/lro?key=%s", key);
	r = arm_request(c, "PUT", path, NULL, NULL, 0, &init);
	if (r == 0)
		r = arm_lro_wait(c, "PUT", path, &init, &final);
	dt = now_ms() - t0;
	if (must_fail)
		ok = r == -1 && dt >= 2000 &&
		    strstr(arm_client_error(c),
		        "Failed: QuotaExceeded: Operation could not") != NULL;
	else
		ok = r == 0 && dt >= 2000 && final.status == 200 &&
		    strstr(final.body, "Succeeded") != NULL;
	printf("%s LRO %s honours Retry-After (%llu ms)%s%s\n",
	    ok ? "ok  " : "FAIL", must_fail ? "failure" : "success",
	    (unsigned long long)dt, r == -1 ? ": " : "",
	    r == -1 ? arm_client_error(c) : "");
	arm_response_release(&init);
	arm_response_release(&final);
	return ok ? 0 : -1;
}

/* A PUT answered 200 with provisioningState Failed: no polling, failed. */
static int
lro_sync_failed(struct arm_client *c)
{
	struct arm_response init, final;
	int                 r, ok;

	arm_response_init(&init);
	arm_response_init(&final);
	r = arm_request(c, "PUT", "/arm/lro?key=syncfail", NULL, NULL, 0,
	    &init);
	if (r == 0)
		r = arm_lro_wait(c, "PUT", "/arm/lro?key=syncfail", &init,
		    &final);
	ok = r == -1 &&
	    strstr(arm_client_error(c), "long-running operation Failed") !=
	        NULL;
	printf("%s PUT answered 200 Failed is a failure: %s\n",
	    ok ? "ok  " : "FAIL", arm_client_error(c));
	arm_response_release(&init);
	arm_response_release(&final);
	return ok ? 0 : -1;
}

static int
retry_check(const char *arm)
{
	struct arm_client *c;
	int                failed = 0;

	c = arm_client_new(arm, NULL, NULL);
	if (c == NULL)
		return 1;
	arm_client_tuning(c)->backoff_ms = 20;
	arm_client_tuning(c)->max_retries = 3;
	for (size_t i = 0; i < sizeof(retry_cases) / sizeof(retry_cases[0]);
	     i++) {
		const struct retry_case *rc = &retry_cases[i];
		struct arm_response      r;
		char                     path[128];
		uint64_t                 t0 = now_ms(), dt;
		json_t                  *j;
		int                      ok, tries = 0;

		arm_response_init(&r);
		snprintf(path, sizeof(path), "/arm/flaky?%s", rc->query);
		ok = arm_request(c, rc->method, path, NULL, NULL, rc->flags,
		         &r) == 0;
		dt = now_ms() - t0;
		j = arm_response_json(&r);
		if (json_is_integer(json_object_get(j, "tries")))
			tries = (int)json_integer_value(
			    json_object_get(j, "tries"));
		json_decref(j);
		if (rc->status == 0)
			ok = !ok;
		else
			ok = ok && r.status == rc->status &&
			    (rc->tries == 0 || tries == rc->tries) &&
			    dt >= rc->min_ms;
		printf("%s %s (HTTP %ld, %d tries, %llu ms)%s%s\n",
		    ok ? "ok  " : "FAIL", rc->what, r.status, tries,
		    (unsigned long long)dt, *arm_client_error(c) ? ": " : "",
		    arm_client_error(c));
		failed += !ok;
		arm_response_release(&r);
	}
	failed += lro_retry_after(c, "ok-1", 0) == -1;
	failed += lro_retry_after(c, "fail-1", 1) == -1;
	failed += lro_sync_failed(c) == -1;
	arm_client_free(c);
	return failed ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	struct arm_client *c;
	struct arm_tuning *t;
	int                failed = 0;

	if (argc == 3 && strcmp(argv[1], "--retry") == 0)
		return retry_check(argv[2]);
	if (argc == 5 && strcmp(argv[1], "--auth") == 0)
		return auth_check(argv[2], argv[3], argv[4]);
	if (argc != 2) {
		fprintf(stderr,
		    "usage: arm-check BASE_URL\n"
		    "       arm-check --auth LOGIN IMDS ARM\n");
		return 2;
	}
	c = arm_client_new(argv[1], token_cb, NULL);
	if (c == NULL)
		return 1;
	/* Short waits where the server sends no Retry-After. */
	t = arm_client_tuning(c);
	t->backoff_ms = 50;
	t->backoff_max_ms = 200;
	t->timeout_ms = 10000;
	t->lro_timeout_ms = 30000;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (run(c, &scenarios[i]) == -1)
			failed++;
	if (check_coverage(argv[1]) == -1)
		failed++;
	arm_client_free(c);
	printf("%d failed\n", failed);
	return failed ? 1 : 0;
}
