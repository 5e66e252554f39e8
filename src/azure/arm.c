/* SPDX-License-Identifier: MIT */
/*
 * The ARM REST client: requests over libcurl with a bearer token, retries
 * with backoff, ARM's error bodies, and the generic long-running-operation
 * poller. It is blocking (curl_easy) because only CLI commands and the
 * hub's rare self-stop use it, never the proxy's loop. The api-versions
 * rig speaks are pinned in the one table below and move together when a
 * newer spec is brought in as test data (tests/azure/SOURCES.md).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arm-record.h"
#include "arm.h"
#include "curl-api.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

/*
 * The one table of api-versions. Compute is the version whose spec is in
 * tests/azure/ (and which ARM still serves); network and resources are
 * the versions of the recorded traffic; DevTestLab's schedules have one.
 */
static const struct {
	const char *ns;
	const char *version;
} api_versions[] = {
	{ "Microsoft.Compute", "2021-03-01" },
	{ "Microsoft.Network", "2020-06-01" },
	{ "Microsoft.Resources", "2020-06-01" },
	{ "Microsoft.DevTestLab", "2018-09-15" },
	/* role definitions and assignments: the first stable version with
	 * both (az's recording used 2020-04-01-preview; same shapes) */
	{ "Microsoft.Authorization", "2022-04-01" },
};

#define ARM_TIMEOUT_MS 60000
#define ARM_CONNECT_TIMEOUT_MS 10000
#define ARM_MAX_RETRIES 4
#define ARM_BACKOFF_MS 1000
#define ARM_BACKOFF_MAX_MS 30000
#define ARM_LRO_TIMEOUT_MS (60ull * 60 * 1000)
#define ARM_LRO_MAX_POLLS 100000

struct arm_client {
	CURL             *curl; /* one handle: keeps connections and cookies */
	char             *base; /* no trailing slash */
	arm_token_fn      token;
	void             *token_arg;
	struct arm_tuning tune;
	char              err[1024];
};

static void     sleep_ms(uint64_t);
static uint64_t backoff_ms(const struct arm_tuning *, int attempt);
static int      perform(CURL *, const char *method, const char *url,
         struct curl_slist *, const char *body, long timeout_ms,
         long connect_timeout_ms, struct arm_response *, char *err, size_t);
static void     slist_free_secret(struct curl_slist *);
static void response_move(struct arm_response *dst, struct arm_response *src);

const char *
arm_api_version(const char *ns)
{
	for (size_t i = 0; i < nitems(api_versions); i++)
		if (strcasecmp(api_versions[i].ns, ns) == 0)
			return api_versions[i].version;
	return NULL;
}

char *
arm_versioned(const char *path)
{
	const char *p, *last = NULL, *v;
	char        ns[128];
	size_t      n;

	for (p = path; (p = strcasestr(p, "/providers/")) != NULL; p++)
		last = p + strlen("/providers/");
	if (last == NULL)
		v = arm_api_version("Microsoft.Resources");
	else {
		n = strcspn(last, "/?");
		if (n == 0 || n >= sizeof(ns))
			return NULL;
		memcpy(ns, last, n);
		ns[n] = '\0';
		v = arm_api_version(ns);
	}
	if (v == NULL)
		return NULL;
	return xasprintf("%s%capi-version=%s", path,
	    strchr(path, '?') != NULL ? '&' : '?', v);
}

/* Length of "scheme://authority" of 'url', 0 if it has none. */
int
arm_url_origin(const char *url, const char **end)
{
	const char *p, *e;

	p = strstr(url, "://");
	if (p == NULL)
		return 0;
	p += 3;
	e = p + strcspn(p, "/?#");
	if (e == p)
		return 0;
	*end = e;
	return (int)(e - url);
}

int
arm_url_host(const char *url, char *host, size_t hostlen)
{
	const char *auth, *end, *rb, *colon;
	size_t      n;

	if (arm_url_origin(url, &end) == 0)
		return -1;
	auth = strstr(url, "://") + 3;
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return -1;
	/* Host without port; [v6] in brackets. */
	if (*auth == '[') {
		rb = memchr(auth, ']', (size_t)(end - auth));
		if (rb == NULL || (rb + 1 != end && rb[1] != ':'))
			return -1;
		n = (size_t)(rb - auth - 1);
		auth++;
	} else {
		colon = memchr(auth, ':', (size_t)(end - auth));
		n = (size_t)((colon != NULL ? colon : end) - auth);
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, auth, n);
	host[n] = '\0';
	return 0;
}

int
arm_url_allowed(const char *url, char *why, size_t whylen)
{
	const char *end;
	char        host[256];

	if (arm_url_origin(url, &end) == 0) {
		snprintf(why, whylen, "'%s' is not an absolute URL", url);
		return -1;
	}
	if (arm_url_host(url, host, sizeof(host)) == -1) {
		snprintf(why, whylen,
		    "'%.200s': no host, or a user name (not allowed)", url);
		return -1;
	}
	if (strncasecmp(url, "https://", 8) == 0)
		return 0;
	if (strncasecmp(url, "http://", 7) != 0) {
		snprintf(why, whylen, "'%s' is neither https nor http", url);
		return -1;
	}
	if (host_is_loopback(host))
		return 0;
	snprintf(why, whylen,
	    "'%.200s' must be https (plain http only on a loopback address)",
	    url);
	return -1;
}

void
arm_error_message(long status, const char *body, char *out, size_t outlen)
{
	json_t     *j = NULL, *e;
	const char *code = NULL, *msg = NULL;

	if (body != NULL && *body != '\0')
		j = json_loads(body, 0, NULL);
	e = json_object_get(j, "error");
	if (json_is_object(e)) {
		code = json_string_value(json_object_get(e, "code"));
		msg = json_string_value(json_object_get(e, "message"));
	}
	if (code != NULL && msg != NULL)
		snprintf(out, outlen, "%s: %s", code, msg);
	else if (code != NULL || msg != NULL)
		snprintf(out, outlen, "%s (HTTP %ld)", code ? code : msg,
		    status);
	else
		snprintf(out, outlen, "HTTP %ld", status);
	json_decref(j);
}

void
arm_response_init(struct arm_response *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

void
arm_response_release(struct arm_response *r)
{
	free(r->body);
	free(r->async_op);
	free(r->location);
	arm_response_init(r);
}

json_t *
arm_response_json(const struct arm_response *r)
{
	if (r->body == NULL || r->len == 0)
		return NULL;
	return json_loadb(r->body, r->len, 0, NULL);
}

static void
response_move(struct arm_response *dst, struct arm_response *src)
{
	arm_response_release(dst);
	*dst = *src;
	arm_response_init(src);
}

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct arm_response *r = arg;
	size_t               n = size * nmemb;

	if (n > ARM_MAX_BODY - r->len)
		return 0; /* curl fails with CURLE_WRITE_ERROR */
	r->body = xrealloc(r->body, r->len + n + 1);
	memcpy(r->body + r->len, ptr, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/* Keeps the three headers the poller needs; the last of each wins. */
static size_t
header_cb(char *ptr, size_t size, size_t nitems_, void *arg)
{
	const struct curl_api *lc = curl_api();
	struct arm_response   *r = arg;
	size_t                 n = size * nitems_, klen;
	const char            *colon, *v, *e;
	char                 **slot = NULL;
	long long              secs;
	char                   tmp[32];

	colon = memchr(ptr, ':', n);
	if (colon == NULL)
		return n;
	klen = (size_t)(colon - ptr);
	v = colon + 1;
	e = ptr + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && isspace((unsigned char)e[-1]))
		e--;
	if ((size_t)(e - v) > ARM_MAX_HEADER)
		return n;
	if (klen == 20 && strncasecmp(ptr, "Azure-AsyncOperation", klen) == 0)
		slot = &r->async_op;
	else if (klen == 8 && strncasecmp(ptr, "Location", klen) == 0)
		slot = &r->location;
	else if (klen == 11 && strncasecmp(ptr, "Retry-After", klen) == 0) {
		/* Seconds, or an HTTP-date (RFC 9110); else backoff. */
		r->retry_after = -1;
		if ((size_t)(e - v) < sizeof(tmp)) {
			time_t when;

			memcpy(tmp, v, (size_t)(e - v));
			tmp[e - v] = '\0';
			if (parse_int(tmp, 0, 1LL << 31, &secs) == -1 &&
			    (when = lc->getdate(tmp, NULL)) != -1)
				secs =
				    when > time(NULL) ? when - time(NULL) : 0;
			else if (parse_int(tmp, 0, 1LL << 31, &secs) == -1)
				secs = -1;
			if (secs >= 0)
				r->retry_after = secs > ARM_RETRY_AFTER_MAX
				    ? ARM_RETRY_AFTER_MAX
				    : secs;
		}
		return n;
	}
	if (slot != NULL) {
		free(*slot);
		*slot = (e > v) ? xstrndup(v, (size_t)(e - v)) : NULL;
	}
	return n;
}

/* A new handle with what every request shares; NULL if curl fails. */
static CURL *
handle_new(void)
{
	const struct curl_api *lc = curl_api();
	CURL                  *h;

	if (lc == NULL) {
		log_warnx("%s", curl_api_error());
		return NULL;
	}
	h = lc->easy_init();
	if (h == NULL)
		return NULL;
	lc->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/* The cookie engine: the LRO conformance server keeps scenario state
	 * in a cookie; ARM itself sets none that matter. */
	lc->easy_setopt(h, CURLOPT_COOKIEFILE, "");
	lc->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	lc->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	lc->easy_setopt(h, CURLOPT_USERAGENT, "rig");
	lc->easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	lc->easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	return h;
}

/* One try. Returns the curl code; the status and body in 'res'. */
static int
perform(CURL *h, const char *method, const char *url, struct curl_slist *hdrs,
    const char *body, long timeout_ms, long connect_timeout_ms,
    struct arm_response *res, char *err, size_t errlen)
{
	const struct curl_api *lc = curl_api();
	CURLcode               rc;

	arm_response_release(res);
	lc->easy_setopt(h, CURLOPT_URL, url);
	lc->easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	lc->easy_setopt(h, CURLOPT_WRITEDATA, res);
	lc->easy_setopt(h, CURLOPT_HEADERDATA, res);
	lc->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	lc->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
	lc->easy_setopt(h, CURLOPT_NOBODY,
	    strcmp(method, "HEAD") == 0 ? 1L : 0L);
	if (strcmp(method, "HEAD") == 0 || strcmp(method, "GET") == 0) {
		lc->easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
		lc->easy_setopt(h, CURLOPT_HTTPGET, 1L);
		if (strcmp(method, "HEAD") == 0)
			lc->easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		lc->easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		lc->easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
		lc->easy_setopt(h, CURLOPT_POSTFIELDSIZE,
		    (long)(body ? strlen(body) : 0));
	}
	rc = lc->easy_perform(h);
	lc->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	if (res->body == NULL) {
		res->body = xstrdup("");
		res->len = 0;
	}
	if (rc != CURLE_OK) {
		res->status = 0;
		snprintf(err, errlen, "%s %.300s: %s", method, url,
		    lc->easy_strerror(rc));
	}
	arm_record(method, url, hdrs, body, res);
	return rc;
}

static void
sleep_ms(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Exponential backoff with "equal jitter": half the doubled delay plus a
 * random part of the other half, so clients throttled together do not
 * come back together.
 */
static uint64_t
backoff_ms(const struct arm_tuning *t, int attempt)
{
	uint64_t d = t->backoff_ms;
	uint32_t r;

	for (int i = 0; i < attempt && d < t->backoff_max_ms; i++)
		d *= 2;
	if (d > t->backoff_max_ms)
		d = t->backoff_max_ms;
	if (d < 2)
		return d;
	random_bytes(&r, sizeof(r));
	return d / 2 + r % (d / 2 + 1);
}

/* Frees a header list whose entries may hold the bearer token. */
static void
slist_free_secret(struct curl_slist *l)
{
	const struct curl_api *lc = curl_api();

	for (struct curl_slist *p = l; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	lc->slist_free_all(l);
}

struct arm_client *
arm_client_new(const char *base, arm_token_fn token, void *arg)
{
	struct arm_client *c;
	char               why[512];
	size_t             n;

	if (arm_url_allowed(base, why, sizeof(why)) == -1) {
		error("ARM endpoint: %s", why);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->curl = handle_new();
	if (c->curl == NULL) {
		free(c);
		error("cannot start libcurl");
		return NULL;
	}
	c->base = xstrdup(base);
	n = strlen(c->base);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	c->token = token;
	c->token_arg = arg;
	c->tune.timeout_ms = ARM_TIMEOUT_MS;
	c->tune.connect_timeout_ms = ARM_CONNECT_TIMEOUT_MS;
	c->tune.max_retries = ARM_MAX_RETRIES;
	c->tune.backoff_ms = ARM_BACKOFF_MS;
	c->tune.backoff_max_ms = ARM_BACKOFF_MAX_MS;
	c->tune.lro_timeout_ms = ARM_LRO_TIMEOUT_MS;
	return c;
}

void
arm_client_free(struct arm_client *c)
{
	const struct curl_api *lc = curl_api();

	if (c == NULL)
		return;
	lc->easy_cleanup(c->curl);
	free(c->base);
	free(c);
}

struct arm_tuning *
arm_client_tuning(struct arm_client *c)
{
	return &c->tune;
}

const char *
arm_client_error(const struct arm_client *c)
{
	return c->err;
}

static int
method_idempotent(const char *method, int flags)
{
	if ((flags & ARM_IDEMPOTENT) != 0)
		return 1;
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "DELETE") == 0;
}

static int
status_retryable(long s)
{
	return s == 500 || s == 502 || s == 503 || s == 504;
}

int
arm_request(struct arm_client *c, const char *method, const char *url,
    json_t *body, const char *const *headers, int flags,
    struct arm_response *res)
{
	const struct curl_api *lc = curl_api();
	struct curl_slist     *hdrs = NULL;
	char                  *full = NULL, *text = NULL, *auth = NULL;
	const char            *tok, *oend;
	int                    idem, refreshed = 0, ret = -1, ol;
	CURLcode               rc;

	c->err[0] = '\0';
	if (strncmp(url, "http://", 7) == 0 ||
	    strncmp(url, "https://", 8) == 0) {
		/* The token goes only to the base's own origin. */
		ol = arm_url_origin(url, &oend);
		if (ol == 0 || (size_t)ol != strlen(c->base) ||
		    strncasecmp(url, c->base, (size_t)ol) != 0) {
			snprintf(c->err, sizeof(c->err),
			    "refusing URL '%.300s': not on %s", url, c->base);
			return -1;
		}
		full = xstrdup(url);
	} else
		full =
		    xasprintf("%s%s%s", c->base, *url == '/' ? "" : "/", url);
	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT);
	idem = method_idempotent(method, flags);

	for (int attempt = 0;; attempt++) {
		uint64_t wait;

		slist_free_secret(hdrs);
		/* No "Expect: 100-continue" round trip for large bodies; no
		 * form Content-Type curl would give a body-less POST. */
		hdrs = lc->slist_append(NULL, "Accept: application/json");
		hdrs = lc->slist_append(hdrs, "Expect:");
		hdrs = lc->slist_append(hdrs,
		    text != NULL ? "Content-Type: application/json"
		                 : "Content-Type:");
		for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
			hdrs = lc->slist_append(hdrs, headers[i]);
		if ((flags & ARM_NO_AUTH) == 0 && c->token != NULL) {
			tok = c->token(c->token_arg, refreshed == 1);
			if (tok == NULL) {
				snprintf(c->err, sizeof(c->err),
				    "no Azure access token");
				goto out;
			}
			auth = xasprintf("Authorization: Bearer %s", tok);
			hdrs = lc->slist_append(hdrs, auth);
			free_secret(auth);
			auth = NULL;
		}
		if (refreshed == 1)
			refreshed = 2;
		rc = perform(c->curl, method, full, hdrs, text,
		    c->tune.timeout_ms, c->tune.connect_timeout_ms, res, c->err,
		    sizeof(c->err));
		if (rc != CURLE_OK) {
			if (!idem || attempt >= c->tune.max_retries)
				goto out;
			wait = backoff_ms(&c->tune, attempt);
			log_debug("%s: %s, retry in %llu ms", __func__, c->err,
			    (unsigned long long)wait);
			sleep_ms(wait);
			continue;
		}
		if (res->status == 401 && refreshed == 0 && c->token != NULL &&
		    (flags & ARM_NO_AUTH) == 0) {
			refreshed = 1;
			attempt--;
			continue;
		}
		if ((res->status == 429 ||
		        (idem && status_retryable(res->status))) &&
		    attempt < c->tune.max_retries) {
			wait = res->retry_after >= 0
			    ? (uint64_t)res->retry_after * 1000
			    : backoff_ms(&c->tune, attempt);
			log_debug("%s: %s %s: HTTP %ld, retry in %llu ms",
			    __func__, method, full, res->status,
			    (unsigned long long)wait);
			sleep_ms(wait);
			continue;
		}
		c->err[0] = '\0'; /* an earlier try's failure is history */
		ret = 0;
		break;
	}
out:
	slist_free_secret(hdrs);
	free(text);
	free(full);
	return ret;
}

int
arm_http(const char *method, const char *url, const char *const *headers,
    const char *body, int allow_http, long timeout_ms, struct arm_response *res,
    char *err, size_t errlen)
{
	const struct curl_api *lc = curl_api();
	struct curl_slist     *hdrs = NULL;
	struct arm_tuning      t = { 0 };
	CURL                  *h;
	int                    ret = -1, get;

	if (!allow_http && arm_url_allowed(url, err, errlen) == -1)
		return -1;
	h = handle_new();
	if (h == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		hdrs = lc->slist_append(hdrs, headers[i]);
	t.backoff_ms = 500;
	t.backoff_max_ms = 4000;
	get = strcmp(method, "GET") == 0;
	for (int attempt = 0;; attempt++) {
		if (perform(h, method, url, hdrs, body, timeout_ms,
		        timeout_ms < ARM_CONNECT_TIMEOUT_MS
		            ? timeout_ms
		            : ARM_CONNECT_TIMEOUT_MS,
		        res, err, errlen) != CURLE_OK) {
			/* Not retried: no IMDS off Azure must fail fast. */
			goto out;
		} else if (get && attempt < 2 &&
		    (res->status == 429 || status_retryable(res->status))) {
			;
		} else {
			ret = 0;
			break;
		}
		sleep_ms(res->retry_after >= 0
		        ? (uint64_t)res->retry_after * 1000
		        : backoff_ms(&t, attempt));
	}
out:
	slist_free_secret(hdrs);
	lc->easy_cleanup(h);
	return ret;
}

/* The LRO poller. */

enum lro_mode { LRO_ASYNC, LRO_LOCATION, LRO_RESOURCE };

/* A provisioningState or status: 1 succeeded, -1 failed or canceled,
 * 0 still running. */
static int
lro_state(const char *s)
{
	if (strcasecmp(s, "Succeeded") == 0)
		return 1;
	if (strcasecmp(s, "Failed") == 0 || strcasecmp(s, "Canceled") == 0)
		return -1;
	return 0;
}

/* properties.provisioningState of a resource body; NULL if none. */
static const char *
prov_state(json_t *j)
{
	return json_string_value(json_object_get(
	    json_object_get(j, "properties"), "provisioningState"));
}

static int
lro_fail(struct arm_client *c, const char *what, const char *state,
    const struct arm_response *r)
{
	char msg[600];

	arm_error_message(r->status, r->body, msg, sizeof(msg));
	if (state != NULL)
		snprintf(c->err, sizeof(c->err),
		    "long-running operation %s: %s", state, msg);
	else
		snprintf(c->err, sizeof(c->err), "%s: %s", what, msg);
	return -1;
}

int
arm_lro_wait(struct arm_client *c, const char *method, const char *url,
    const struct arm_response *initial, struct arm_response *final)
{
	struct arm_response r;
	enum lro_mode       mode;
	const char         *poll, *s;
	char               *moved = NULL; /* a poll URL the server moved */
	json_t             *j;
	int64_t             retry;
	uint64_t            deadline;
	int                 put, done = 0, ret = -1, st;

	arm_response_init(&r);
	arm_response_release(final);
	c->err[0] = '\0';
	put = strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
	if (initial->status != 200 && initial->status != 201 &&
	    initial->status != 202 && initial->status != 204)
		return lro_fail(c, method, NULL, initial);
	if (initial->async_op != NULL) {
		mode = LRO_ASYNC;
		poll = initial->async_op;
	} else if (initial->location != NULL) {
		mode = LRO_LOCATION;
		poll = initial->location;
	} else if (initial->status == 202) {
		snprintf(c->err, sizeof(c->err),
		    "%s %s: 202 without Azure-AsyncOperation or Location",
		    method, url);
		return -1;
	} else if (put && initial->status != 204) {
		/* Synchronous or provisioningState polling on the resource. */
		j = arm_response_json(initial);
		if (!json_is_object(j)) {
			json_decref(j);
			snprintf(c->err, sizeof(c->err),
			    "%s %s: HTTP %ld without a resource in the body",
			    method, url, initial->status);
			return -1;
		}
		s = prov_state(j);
		st = s == NULL ? 1 : lro_state(s);
		if (st == -1)
			lro_fail(c, method, s, initial); /* 's' is j's */
		json_decref(j);
		if (st == -1)
			return -1;
		mode = LRO_RESOURCE;
		poll = url;
		if (st == 1) {
			final->status = initial->status;
			final->body =
			    xstrdup(initial->body ? initial->body : "");
			final->len = strlen(final->body);
			return 0;
		}
	} else {
		/* 200 or 204 with nothing to poll: done, the body is the
		 * result. */
		final->status = initial->status;
		final->body = xstrdup(initial->body ? initial->body : "");
		final->len = strlen(final->body);
		return 0;
	}

	if (mode != LRO_RESOURCE && strncasecmp(poll, "https://", 8) != 0 &&
	    strncasecmp(poll, "http://", 7) != 0) {
		snprintf(c->err, sizeof(c->err),
		    "%s %s: poll URL '%.200s' is not absolute", method, url,
		    poll);
		return -1;
	}
	retry = initial->retry_after;
	deadline = now_ms() + c->tune.lro_timeout_ms;
	for (int n = 0; n < ARM_LRO_MAX_POLLS && !done; n++) {
		uint64_t wait = retry >= 0
		    ? (uint64_t)retry * 1000
		    : backoff_ms(&c->tune, n < 5 ? n : 5);

		if (now_ms() + wait > deadline) {
			snprintf(c->err, sizeof(c->err),
			    "%s %s: still running after %llu s", method, url,
			    (unsigned long long)(c->tune.lro_timeout_ms /
			        1000));
			goto out;
		}
		sleep_ms(wait);
		if (arm_request(c, "GET", poll, NULL, NULL, 0, &r) == -1)
			goto out;
		if (r.status >= 400 || r.status < 200) {
			lro_fail(c, "polling the operation", NULL, &r);
			goto out;
		}
		retry = r.retry_after;
		/* The server may move the poll: a 202 with a new header. */
		if (r.status == 202 && mode != LRO_RESOURCE &&
		    (mode == LRO_ASYNC ? r.async_op : r.location) != NULL &&
		    strncasecmp(mode == LRO_ASYNC ? r.async_op : r.location,
		        "http", 4) == 0) {
			free(moved);
			moved = xstrdup(
			    mode == LRO_ASYNC ? r.async_op : r.location);
			poll = moved;
		}
		switch (mode) {
		case LRO_ASYNC:
			j = arm_response_json(&r);
			s = json_string_value(json_object_get(j, "status"));
			if (s == NULL) {
				json_decref(j);
				snprintf(c->err, sizeof(c->err),
				    "polling the operation: no status in the "
				    "answer (HTTP %ld%s)",
				    r.status, j == NULL ? ", not JSON" : "");
				goto out;
			}
			st = lro_state(s);
			if (st == -1) {
				lro_fail(c, NULL, s, &r);
				json_decref(j);
				goto out;
			}
			json_decref(j);
			done = st == 1;
			break;
		case LRO_LOCATION:
			done = r.status != 202;
			if (done)
				response_move(final, &r);
			break;
		case LRO_RESOURCE:
			j = arm_response_json(&r);
			if (!json_is_object(j)) {
				json_decref(j);
				snprintf(c->err, sizeof(c->err),
				    "polling the resource: HTTP %ld without a "
				    "resource in the body",
				    r.status);
				goto out;
			}
			s = prov_state(j);
			st = s == NULL ? 1 : lro_state(s);
			if (st == -1) {
				lro_fail(c, NULL, s, &r);
				json_decref(j);
				goto out;
			}
			json_decref(j);
			done = st == 1;
			if (done)
				response_move(final, &r);
			break;
		}
	}
	if (!done) {
		snprintf(c->err, sizeof(c->err), "%s %s: too many polls",
		    method, url);
		goto out;
	}

	/*
	 * The result: after Azure-AsyncOperation, a PUT's or PATCH's
	 * resource is fetched, and a POST's result at its Location; after
	 * Location polling the last answer is the result.
	 */
	if (put && mode == LRO_ASYNC) {
		if (arm_request(c, "GET", url, NULL, NULL, 0, final) == -1)
			goto out;
		if (final->status != 200 && final->status != 201) {
			lro_fail(c, "reading the result", NULL, final);
			goto out;
		}
	} else if (strcmp(method, "POST") == 0 && mode == LRO_ASYNC &&
	    initial->location != NULL) {
		if (arm_request(c, "GET", initial->location, NULL, NULL, 0,
		        final) == -1)
			goto out;
		if (final->status >= 400) {
			lro_fail(c, "reading the result", NULL, final);
			goto out;
		}
	}
	ret = 0;
out:
	arm_response_release(&r);
	free(moved);
	return ret;
}
