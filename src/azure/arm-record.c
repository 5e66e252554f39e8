/* SPDX-License-Identifier: MIT */
/*
 * Recording rig's Azure traffic, scrubbed (arm-record.h).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "arm-record.h"
#include "arm.h"
#include "lib/util.h"
#include "lib/banned.h"

#define ZERO_ID "00000000-0000-0000-0000-000000000000"

static int
guid_at(const char *p)
{
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (p[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)p[i]))
			return 0;
	}
	return 1;
}

/* Every GUID in 'text' made zeros, in place. */
static void
zero_guids(char *text)
{
	size_t n = strlen(text);

	for (size_t i = 0; i + 36 <= n; i++)
		if (guid_at(text + i)) {
			memcpy(text + i, ZERO_ID, 36);
			i += 35;
		}
}

void
arm_record_scrub_ids(char *text)
{
	static const char key[] = "/subscriptions/";
	char             *p = text;

	while ((p = strcasestr(p, key)) != NULL) {
		p += sizeof(key) - 1;
		if (strlen(p) >= 36 && guid_at(p))
			memcpy(p, ZERO_ID, 36);
	}
}

/* Secret or identifying JSON values replaced, recursively. */
static void
scrub_json(json_t *j)
{
	static const char *const secret[] = { "access_token", "refresh_token",
		"id_token", "accessToken", "client_secret", "adminPassword",
		"customData", "keyData" };
	static const char *const ids[] = { "subscriptionId", "tenantId",
		"principalId", "clientId", "client_id", "appId", "objectId" };
	const char              *k;
	json_t                  *v;
	size_t                   i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			scrub_json(v);
		return;
	}
	if (!json_is_object(j))
		return;
	json_object_foreach(j, k, v) {
		int done = 0;

		for (i = 0; i < nitems(secret) && !done; i++)
			if (strcmp(k, secret[i]) == 0) {
				json_object_set_new(j, k,
				    json_string("REDACTED"));
				done = 1;
			}
		for (i = 0; i < nitems(ids) && !done; i++)
			if (strcmp(k, ids[i]) == 0 && json_is_string(v)) {
				json_object_set_new(j, k, json_string(ZERO_ID));
				done = 1;
			}
		if (!done && json_is_string(v) &&
		    strcmp(k, "error_description") == 0) {
			/* AAD names the tenant and client in its errors. */
			char *d = xstrdup(json_string_value(v));

			zero_guids(d);
			json_object_set_new(j, k, json_string(d));
			free(d);
			done = 1;
		}
		if (!done)
			scrub_json(v);
	}
}

/* A body as it goes into the recording: scrubbed JSON, or a note. */
static json_t *
body_value(const char *body)
{
	json_t *j;
	char   *s;

	if (body == NULL || *body == '\0')
		return json_string("");
	j = json_loads(body, JSON_DECODE_ANY, NULL);
	if (j == NULL)
		return json_string("(not JSON: left out)");
	scrub_json(j);
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (s == NULL)
		return json_string("");
	arm_record_scrub_ids(s);
	j = json_loads(s, JSON_DECODE_ANY, NULL);
	free(s);
	return j != NULL ? j : json_string("");
}

void
arm_record(const char *method, const char *url,
    const struct curl_slist *headers, const char *body,
    const struct arm_response *res)
{
	const char *path = getenv("RIG_AZURE_RECORD");
	json_t     *rh, *sh, *line;
	char       *u, *text, code[16];
	FILE       *f;
	int         fd;

	if (path == NULL || *path == '\0')
		return;
	rh = json_object();
	for (; headers != NULL; headers = headers->next) {
		const char *h = headers->data, *colon = strchr(h, ':');
		char       *name;

		if (colon == NULL || colon[1] == '\0')
			continue;
		name = xstrndup(h, (size_t)(colon - h));
		if (strcasecmp(name, "Authorization") != 0)
			json_object_set_new(rh, name,
			    json_string(
			        colon[1] == ' ' ? colon + 2 : colon + 1));
		free(name);
	}
	sh = json_object();
	if (res->async_op != NULL)
		json_object_set_new(sh, "Azure-AsyncOperation",
		    json_string(res->async_op));
	if (res->location != NULL)
		json_object_set_new(sh, "Location", json_string(res->location));
	if (res->retry_after >= 0)
		json_object_set_new(sh, "Retry-After",
		    json_integer(res->retry_after));
	u = xstrdup(url);
	arm_record_scrub_ids(u);
	/* A login URL holds the tenant: {login}/TENANT/oauth2/... */
	if (strstr(u, "/oauth2/") != NULL)
		zero_guids(u);
	snprintf(code, sizeof(code), "%ld", res->status);
	line = json_pack("{s:{s:s, s:s, s:o, s:o}, s:{s:s, s:o, s:o}}",
	    "liveRequest", "method", method, "url", u, "headers", rh, "body",
	    body != NULL && strchr(body, '=') != NULL && body[0] != '{'
	        ? json_string("(form body left out: it holds secrets)")
	        : body_value(body),
	    "liveResponse", "statusCode", code, "headers", sh, "body",
	    body_value(res->body));
	free(u);
	if (line == NULL)
		return;
	text = json_dumps(line, JSON_COMPACT);
	arm_record_scrub_ids(text);
	/* 0600 whatever the umask: the recording holds the user's
	 * resources, addresses and tenant, if no secrets. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	f = fd != -1 ? fdopen(fd, "a") : NULL;
	if (f != NULL) {
		fprintf(f, "%s\n", text);
		fclose(f);
	} else if (fd != -1)
		close(fd);
	free(text);
	json_decref(line);
}
