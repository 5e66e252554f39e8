/* SPDX-License-Identifier: MIT */
/*
 * A small Azure Resource Manager REST client over libcurl: a base URL
 * (https, or http on a loopback address for tests), a bearer token from
 * a token source, JSON in and out, the pinned api-version of each
 * resource provider, timeouts, retries with backoff and jitter, ARM's
 * error bodies turned into one line, and the generic long-running-
 * operation poller (arm_lro_wait()), which knows Azure's rules and no
 * paths. Blocking: it runs in CLI commands, never on the hub's loop.
 */
#ifndef ARM_H
#define ARM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define ARM_MAX_BODY (16u * 1024 * 1024) /* bytes of one response */
#define ARM_MAX_HEADER 8192 /* bytes of one kept header value */
#define ARM_RETRY_AFTER_MAX 600 /* seconds; a larger Retry-After is capped */

/*
 * The api-version of resource provider 'ns' ("Microsoft.Compute", any
 * case), from the one table in arm.c; NULL if rig does not use it.
 */
const char *arm_api_version(const char *ns);

/*
 * 'path' with "?api-version=" (or "&api-version=") of its resource
 * provider appended: the namespace after the last "/providers/", else
 * Microsoft.Resources (subscriptions, resource groups). NULL if that
 * provider is not in the table. Caller frees result.
 */
char *arm_versioned(const char *path);

/*
 * The length of the origin of 'url' ("scheme://host[:port]"), with *end
 * just after it; 0 if 'url' has none.
 */
int arm_url_origin(const char *url, const char **end);

/*
 * Whether rig may send credentials to 'url': https, or plain http to a
 * loopback address (127.0.0.0/8, ::1, localhost). 0 if allowed, else -1
 * and the reason in 'why'.
 */
int arm_url_allowed(const char *url, char *why, size_t whylen);

/*
 * The host of 'url' (without port or brackets) into 'host'; -1 if it has
 * none, it does not fit, or the URL carries a user name.
 */
int arm_url_host(const char *url, char *host, size_t hostlen);

/*
 * One line for a failed call: "CODE: MESSAGE" from ARM's error body
 * {"error":{"code","message"}} (or the LRO poll body's "error"), else
 * "HTTP STATUS". 'body' may be NULL.
 */
void arm_error_message(long status, const char *body, char *out, size_t outlen);

/* A response; arm_response_release() frees it, init again to reuse. */
struct arm_response {
	long    status; /* 0: no response (see arm_client's err) */
	char   *body; /* NUL-terminated, may be empty */
	size_t  len;
	char   *async_op; /* Azure-AsyncOperation, or NULL */
	char   *location; /* Location, or NULL */
	int64_t retry_after; /* seconds, -1 if absent or not a number */
};

void arm_response_init(struct arm_response *);
void arm_response_release(struct arm_response *);
/* The body as JSON, or NULL if it is not; caller owns the reference. */
json_t *arm_response_json(const struct arm_response *);

/*
 * A token source: returns the current bearer token (borrowed, valid
 * until the next call), a fresh one if 'refresh', or NULL after printing
 * why. The client calls it with 'refresh' once after a 401.
 */
typedef const char *(*arm_token_fn)(void *arg, int refresh);

/* Flags of arm_request(). */
#define ARM_IDEMPOTENT                                                         \
	0x1 /* a POST that may be retried (start, deallocate)                  \
	     */
#define ARM_NO_AUTH 0x2 /* no Authorization header (login, IMDS) */

struct arm_client;

/*
 * A client for 'base' (e.g. "https://management.azure.com"); NULL after
 * printing why if the URL is not allowed. 'token' may be NULL for calls
 * that need none. Borrows 'arg'.
 */
struct arm_client *arm_client_new(const char *base, arm_token_fn token,
    void *arg);
void               arm_client_free(struct arm_client *);

/* Tuning, mostly for tests; milliseconds. Defaults in arm.c. */
struct arm_tuning {
	long     timeout_ms; /* whole request */
	long     connect_timeout_ms;
	int      max_retries; /* per request, after the first try */
	uint64_t backoff_ms; /* first retry or poll wait without Retry-After */
	uint64_t backoff_max_ms;
	uint64_t lro_timeout_ms; /* a long-running operation's deadline */
};
struct arm_tuning *arm_client_tuning(struct arm_client *);

/*
 * Sends 'method' to 'url' (a path below the base, or an absolute URL,
 * itself checked by arm_url_allowed()) with 'body' as JSON (NULL: none)
 * and extra 'headers' ("Name: value", NULL-terminated, may be NULL).
 * GET, HEAD, PUT and DELETE (and POST with ARM_IDEMPOTENT) are retried on
 * 500, 502, 503, 504 and on a dropped connection or timeout; any method
 * on 429, which ARM sends before doing anything. Waits Retry-After when
 * given, else exponential backoff with jitter. After a 401 the token is
 * refreshed once and the call repeated. Returns 0 with any HTTP status
 * in 'res' (callers judge it), -1 when no response came (message via
 * arm_client_error()).
 */
int arm_request(struct arm_client *, const char *method, const char *url,
    json_t *body, const char *const *headers, int flags,
    struct arm_response *res);

/* The last failure of this client as one line; "" if none. */
const char *arm_client_error(const struct arm_client *);

/*
 * Sends a request with a raw body (form-encoded, for the token endpoint)
 * without the client: 'url' must pass arm_url_allowed() unless
 * 'allow_http' (IMDS is plain http at a link-local address by design).
 * A GET is retried twice on 429 and 5xx (IMDS asks for that); nothing is
 * retried without an answer, so an absent IMDS fails within
 * 'timeout_ms'. 0 with the response, -1 with the reason in 'err'.
 */
int arm_http(const char *method, const char *url, const char *const *headers,
    const char *body, int allow_http, long timeout_ms, struct arm_response *res,
    char *err, size_t errlen);

/*
 * Waits for a long-running operation started by 'method' on 'url' whose
 * first answer is 'initial' (200, 201, 202 or 204), following Azure's
 * rules (docs/ARCHITECTURE.md, "ARM client"): Azure-AsyncOperation is
 * polled if present, else Location, else the resource itself (PUT or
 * PATCH answered 200/201, judged by properties.provisioningState).
 * Retry-After is honoured, backoff with jitter when absent; Succeeded,
 * Failed and Canceled end it, in any case. After success, a PUT or PATCH
 * gets a final GET of 'url', a POST one of Location if the operation
 * header was polled; 'final' then holds the resource or result (status
 * 0 if there is none). Returns 0 on success, -1 on failure with the
 * reason, error code and message of the poll body included, via
 * arm_client_error().
 */
int arm_lro_wait(struct arm_client *, const char *method, const char *url,
    const struct arm_response *initial, struct arm_response *final);

#endif
