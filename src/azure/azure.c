/* SPDX-License-Identifier: MIT */
/*
 * An Azure session (azure.h): login, subscription, resource names, the
 * four ARM verbs as rig uses them (each waiting for its long-running
 * operation), the errors users meet turned into advice, and the local
 * start/stop log that hours-run estimates come from.
 */
#include <openssl/evp.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arm.h"
#include "azure-conf.h"
#include "azure-auth.h"
#include "azure.h"
#include "lib/log.h"
#include "machine/machine.h"
#include "lib/util.h"
#include "lib/banned.h"

#define POWER_LOG "azure-power.log"
#define POWER_LOG_MAX (1024 * 1024)

static int call(struct azure *, const char *, const char *, const char *,
    json_t *, int, json_t **);

char *
azure_resource_name(const char *machine_name)
{
	char  *s = xstrdup(machine_name);
	size_t n;

	for (char *p = s; *p != '\0'; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (*p == '.' || *p == '_')
			*p = '-';
	}
	/* A host name ends with a letter or digit. */
	n = strlen(s);
	while (n > 1 && s[n - 1] == '-')
		s[--n] = '\0';
	return s;
}

int
azure_open(struct azure *az, struct machine *m)
{
	const struct azure_conf *c = azure_conf_of(m);
	const char              *sub;
	char                    *noted_sub, *noted_rg;
	int                      r = 0;

	memset(az, 0, sizeof(*az));
	az->m = m;
	az->auth = azure_auth_new(c->login_endpoint, c->imds_endpoint);
	if (az->auth == NULL)
		return -1;
	az->arm = arm_client_new(c->arm_endpoint, azure_auth_token, az->auth);
	if (az->arm == NULL)
		return -1;
	/* The token first: the az CLI's answer names its subscription. */
	if (azure_auth_token(az->auth, 0) == NULL)
		return -1;
	/* Where rig up made the machine wins over where the az CLI happens
	 * to point now; rig.conf saying otherwise is a mistake to report. */
	noted_sub = machine_state_get(m, "azure.subscription");
	noted_rg = machine_state_get(m, "azure.resource_group");
	if (noted_sub != NULL && c->subscription != NULL &&
	    strcmp(noted_sub, c->subscription) != 0)
		r = error("machine '%s' was made in subscription %s, but "
		          "rig.conf now says %s: put it back, or 'rig down' "
		          "first",
		    m->name, noted_sub, c->subscription);
	if (noted_rg != NULL && c->resource_group != NULL &&
	    strcmp(noted_rg, c->resource_group) != 0)
		r = error("machine '%s' was made in resource group %s, but "
		          "rig.conf now says %s: put it back, or 'rig down' "
		          "first",
		    m->name, noted_rg, c->resource_group);
	sub = c->subscription;
	if (sub == NULL && noted_sub != NULL)
		sub = noted_sub;
	if (sub == NULL)
		sub = getenv("AZURE_SUBSCRIPTION_ID");
	if (sub == NULL || *sub == '\0')
		sub = azure_auth_subscription(az->auth);
	if (r == -1) {
		free(noted_sub);
		free(noted_rg);
		return -1;
	}
	if (sub == NULL || *sub == '\0') {
		free(noted_sub);
		free(noted_rg);
		return error("no Azure subscription: set subscription = ... in "
		             "[azure] of %s, or AZURE_SUBSCRIPTION_ID",
		    m->conf_path != NULL ? m->conf_path : MACHINE_CONF);
	}
	for (const char *p = sub; *p != '\0'; p++)
		if (!isxdigit((unsigned char)*p) && *p != '-') {
			r = error("'%s' is not a subscription id", sub);
			free(noted_sub);
			free(noted_rg);
			return r;
		}
	az->sub = xstrdup(sub);
	az->name = azure_resource_name(m->name);
	az->rg = c->resource_group != NULL ? xstrdup(c->resource_group)
	    : noted_rg != NULL             ? xstrdup(noted_rg)
	                                   : xasprintf("rig-%s", az->name);
	free(noted_sub);
	free(noted_rg);
	az->rg_path =
	    xasprintf("/subscriptions/%s/resourceGroups/%s", az->sub, az->rg);
	az->vm_path = xasprintf("%s/providers/Microsoft.Compute/"
	                        "virtualMachines/%s",
	    az->rg_path, az->name);
	return 0;
}

void
azure_close(struct azure *az)
{
	arm_client_free(az->arm);
	azure_auth_free(az->auth);
	free(az->sub);
	free(az->rg);
	free(az->name);
	free(az->rg_path);
	free(az->vm_path);
	memset(az, 0, sizeof(*az));
}

char *
azure_rpath(const struct azure *az, const char *rest)
{
	return xasprintf("%s/providers/%s", az->rg_path, rest);
}

char *
azure_named_path(const struct azure *az, const char *type, const char *suffix)
{
	return xasprintf("%s/providers/%s%s%s", az->rg_path, type, az->name,
	    suffix);
}

void
azure_guid(const char *seed, char *out)
{
	unsigned char md[32];
	char          hex[65];

	EVP_Digest(seed, strlen(seed), md, NULL, EVP_sha256(), NULL);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5-like */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	hex_encode(md, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
}

void
azure_role_definition(const struct azure *az, char *guid)
{
	char *seed =
	    xasprintf("%s|%s|%s|self-stop-role", az->sub, az->rg, az->name);

	azure_guid(seed, guid);
	free(seed);
}

char *
azure_role_assignment(const struct azure *az, const char *principal)
{
	char  guid[37];
	char *seed = xasprintf("%s|%s|self-stop", az->vm_path, principal);

	azure_guid(seed, guid);
	free(seed);
	return xasprintf("%s/providers/Microsoft.Authorization/"
	                 "roleAssignments/%s",
	    az->vm_path, guid);
}

const char *
azure_advice(const char *code)
{
	static const struct {
		const char *code, *advice;
	} table[] = {
		{ "QuotaExceeded",
		    "the subscription's vCPU quota for this size family and "
		    "region is used up: pick a smaller size, another region, "
		    "or ask for more quota (Azure portal: Quotas)" },
		{ "OperationNotAllowed",
		    "Azure refused the operation, often a quota limit: see the "
		    "message, pick another size or region, or ask for more "
		    "quota" },
		{ "SkuNotAvailable",
		    "this VM size is not offered in this region (or not to "
		    "this subscription): set another size or location in "
		    "[azure]" },
		{ "AuthorizationFailed",
		    "your login lacks a role on this scope: 'Contributor' on "
		    "the subscription or group makes VMs; assigning the VM's "
		    "self-stop role also needs 'User Access Administrator' or "
		    "'Owner'" },
		{ "MarketplacePurchaseEligibilityFailed",
		    "the image's Marketplace terms are not accepted for this "
		    "subscription: accept them once (az vm image terms accept "
		    "--urn IMAGE) or pick another image" },
		{ "ResourcePurchaseValidationFailed",
		    "the image's Marketplace terms are not accepted for this "
		    "subscription: accept them once (az vm image terms accept "
		    "--urn IMAGE) or pick another image" },
		{ "DnsRecordInUse",
		    "the VM's DNS name is taken in this region: set another "
		    "machine name or resource_group" },
		{ "Conflict",
		    "another operation is running on this resource, or the name "
		    "is taken: wait a minute and run the command again" },
		{ "TooManyRequests",
		    "Azure is throttling this subscription: wait a few minutes "
		    "and run the command again" },
		{ "ExpiredAuthenticationToken",
		    "the Azure login expired: log in again (az login, or a new "
		    "client secret)" },
		{ "InvalidAuthenticationToken",
		    "the Azure login is not valid here: log in again" },
		{ "SubscriptionNotFound",
		    "no such subscription for this login: check subscription "
		    "in [azure] or 'az account show'" },
		{ "InvalidSubscriptionId",
		    "no such subscription for this login: check subscription "
		    "in [azure] or 'az account show'" },
	};

	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < nitems(table); i++)
		if (strcasecmp(table[i].code, code) == 0)
			return table[i].advice;
	return NULL;
}

/* The code in an ARM error body, or in a message "CODE: ..." */
static const char *
advice_for(const char *text)
{
	static const char *const codes[] = { "QuotaExceeded",
		"OperationNotAllowed", "SkuNotAvailable", "AuthorizationFailed",
		"MarketplacePurchaseEligibilityFailed",
		"ResourcePurchaseValidationFailed", "DnsRecordInUse",
		"TooManyRequests", "ExpiredAuthenticationToken",
		"InvalidAuthenticationToken", "SubscriptionNotFound",
		"InvalidSubscriptionId", "Conflict" };

	for (size_t i = 0; text != NULL && i < nitems(codes); i++)
		if (strstr(text, codes[i]) != NULL)
			return azure_advice(codes[i]);
	return NULL;
}

int
azure_fail(const char *what, long status, const char *body)
{
	char        msg[1024];
	const char *advice;

	arm_error_message(status, body, msg, sizeof(msg));
	if (status == 429 && strstr(msg, "TooManyRequests") == NULL)
		advice = azure_advice("TooManyRequests");
	else
		advice = advice_for(msg);
	error("azure: %s failed: %s", what, msg);
	if (advice != NULL)
		fprintf(stderr, "  what to do: %s\n", advice);
	return -1;
}

/* One call, waiting for its operation when 'lro'; -1 printed. *out (may be
 * NULL) gets the final body as JSON, NULL if none. */
static int
call(struct azure *az, const char *what, const char *method, const char *path,
    json_t *body, int lro, json_t **out)
{
	struct arm_response res, fin;
	char               *url = arm_versioned(path);
	const char         *err;
	int                 ret = -1;

	if (out != NULL)
		*out = NULL;
	arm_response_init(&res);
	arm_response_init(&fin);
	if (url == NULL) {
		error("azure: %s: no api-version for '%s'", what, path);
		goto out;
	}
	if (arm_request(az->arm, method, url, body, NULL,
	        strcmp(method, "POST") == 0 ? ARM_IDEMPOTENT : 0, &res) == -1) {
		err = arm_client_error(az->arm);
		snprintf(az->err, sizeof(az->err), "%s", err);
		error("azure: %s failed: %s", what, err);
		if (advice_for(err) != NULL)
			fprintf(stderr, "  what to do: %s\n", advice_for(err));
		goto out;
	}
	if (res.status >= 300) {
		arm_error_message(res.status, res.body, az->err,
		    sizeof(az->err));
		azure_fail(what, res.status, res.body);
		goto out;
	}
	if (lro &&
	    (res.status == 201 || res.status == 202 || res.async_op != NULL)) {
		if (arm_lro_wait(az->arm, method, url, &res, &fin) == -1) {
			err = arm_client_error(az->arm);
			snprintf(az->err, sizeof(az->err), "%s", err);
			error("azure: %s failed: %s", what, err);
			if (advice_for(err) != NULL)
				fprintf(stderr, "  what to do: %s\n",
				    advice_for(err));
			goto out;
		}
		if (out != NULL && fin.status != 0)
			*out = arm_response_json(&fin);
	} else if (out != NULL)
		*out = arm_response_json(&res);
	ret = 0;
out:
	arm_response_release(&res);
	arm_response_release(&fin);
	free(url);
	json_decref(body);
	return ret;
}

int
azure_get(struct azure *az, const char *what, const char *path, json_t **out)
{
	struct arm_response res;
	char               *url = arm_versioned(path);
	int                 ret = -1;

	*out = NULL;
	arm_response_init(&res);
	if (url == NULL)
		return error("azure: %s: no api-version for '%s'", what, path);
	if (arm_request(az->arm, "GET", url, NULL, NULL, 0, &res) == -1) {
		error("azure: reading %s failed: %s", what,
		    arm_client_error(az->arm));
		goto out;
	}
	if (res.status == 404)
		ret = 0;
	else if (res.status != 200) {
		char w[256];

		snprintf(w, sizeof(w), "reading %s", what);
		arm_error_message(res.status, res.body, az->err,
		    sizeof(az->err));
		azure_fail(w, res.status, res.body);
	} else if ((*out = arm_response_json(&res)) == NULL)
		error("azure: reading %s: the answer is not JSON", what);
	else
		ret = 1;
out:
	arm_response_release(&res);
	free(url);
	return ret;
}

int
azure_put(struct azure *az, const char *what, const char *path, json_t *body,
    json_t **out)
{
	return call(az, what, "PUT", path, body, 1, out);
}

int
azure_action(struct azure *az, const char *what, const char *path)
{
	return call(az, what, "POST", path, NULL, 1, NULL);
}

int
azure_delete(struct azure *az, const char *what, const char *path)
{
	json_t *cur;
	int     r;

	r = azure_get(az, what, path, &cur);
	json_decref(cur);
	if (r <= 0)
		return r;
	return call(az, what, "DELETE", path, NULL, 1, NULL);
}

const char *
azure_power_state(json_t *iv)
{
	json_t     *st, *s;
	size_t      i;
	const char *code;

	st = json_object_get(iv, "statuses");
	json_array_foreach(st, i, s) {
		code = json_string_value(json_object_get(s, "code"));
		if (code != NULL && strncasecmp(code, "PowerState/", 11) == 0 &&
		    code[11] != '\0')
			return code + 11;
	}
	return NULL;
}

int64_t
azure_state_time(json_t *iv)
{
	json_t *st = json_object_get(iv, "statuses"), *s;
	size_t  i;
	int64_t t, latest = -1;

	json_array_foreach(st, i, s) {
		t = iso_parse(json_string_value(json_object_get(s, "time")));
		if (t > latest)
			latest = t;
	}
	return latest;
}

void
azure_power_reconcile(struct machine *m, int running, int64_t when)
{
	int64_t now = now_sec();
	int     logged;

	if (when <= 0 || when > now)
		when = now;
	azure_hours_run(m, 0, now, &logged);
	if (running && !logged)
		azure_power_log(m, "start", when);
	else if (!running && logged)
		azure_power_log(m, "stop", when);
}

void
azure_power_log(struct machine *m, const char *event, int64_t when)
{
	char *path = machine_state_path(m, POWER_LOG);
	FILE *f = fopen(path, "a");

	if (f == NULL)
		log_warnx("cannot write '%s': %s", path, strerror(errno));
	else {
		fprintf(f, "%lld %s\n", (long long)when, event);
		fclose(f);
	}
	free(path);
}

int64_t
azure_hours_run(struct machine *m, int64_t since, int64_t now,
    int *last_running)
{
	char *path = machine_state_path(m, POWER_LOG);
	char *text = read_file(path, POWER_LOG_MAX, NULL), *line, *save = NULL;
	int64_t total = 0, on = -1;

	for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL;
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		long long t;
		char      ev[16];

		if (sscanf(line, "%lld %15s", &t, ev) != 2)
			continue;
		if (strcmp(ev, "start") == 0 && on < 0)
			on = t;
		else if (strcmp(ev, "stop") == 0 && on >= 0) {
			/* A clock set back never makes time negative. */
			if (t > since && t > on)
				total += t - (on > since ? on : since);
			on = -1;
		}
	}
	if (on >= 0 && now > since && now > on)
		total += now - (on > since ? on : since);
	if (last_running != NULL)
		*last_running = on >= 0;
	free(text);
	free(path);
	return total;
}
