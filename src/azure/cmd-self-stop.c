/* SPDX-License-Identifier: MIT */
/*
 * rig self-stop: run on an Azure VM, deallocates that VM (compute stops
 * being billed). It asks the instance metadata service who it is and
 * for a token of the VM's own managed identity, never anyone's login,
 * then posts 'deallocate' to ARM and waits for the operation (on Azure
 * the VM, and this process, usually go down before it ends). The hub's idle
 * stop runs it (autostop.c); it can be run by hand too. --dry-run stops short
 * of the POST.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arm.h"
#include "azure-auth.h"
#include "azure-conf.h"
#include "cmd.h"
#include "lib/log.h"
#include "lib/util.h"

#define IMDS_INSTANCE "/metadata/instance?api-version=2021-02-01"
#define IMDS_TIMEOUT_MS 5000

static int   check_args(const char *, const char *, const char *);
static char *own_id(const char *);

/*
 * What the hub passes on from hub.conf (autostop.c knows neither the
 * provider nor its endpoints, and hub.conf's [hub] keys may come from a
 * project's rig.conf): this provider only, and both endpoints by the one
 * rule of rig.conf's [azure] keys (azure_endpoint_check(): Azure's own
 * hosts or loopback), IMDS also over plain http (a link-local address by
 * design). The VM identity's token goes to the ARM endpoint. -1 printed.
 */
static int
check_args(const char *provider, const char *armurl, const char *imds)
{
	char why[256];

	if (strcmp(provider, "azure") != 0)
		return error("self-stop: provider '%s' cannot stop itself "
		             "(only azure)",
		    provider);
	if (azure_endpoint_check(armurl, 0, why, sizeof(why)) == -1)
		return error("self-stop: --arm-endpoint: %s", why);
	if (azure_endpoint_check(imds, 1, why, sizeof(why)) == -1)
		return error("self-stop: --imds-endpoint: %s", why);
	return 0;
}

/* compute.resourceId from IMDS; caller frees; NULL printed. */
static char *
own_id(const char *imds)
{
	struct arm_response res;
	const char         *hdrs[] = { "Metadata: true", NULL };
	char               *url = xasprintf("%s%s", imds, IMDS_INSTANCE);
	char                err[512], *id = NULL;
	json_t             *j, *v;

	arm_response_init(&res);
	if (arm_http("GET", url, hdrs, NULL, 1, IMDS_TIMEOUT_MS, &res, err,
	        sizeof(err)) == -1)
		error("not on an Azure VM? no instance metadata at %s: %s",
		    imds, err);
	else if (res.status != 200) {
		arm_error_message(res.status, res.body, err, sizeof(err));
		error("instance metadata: %s", err);
	} else {
		j = arm_response_json(&res);
		v = json_object_get(json_object_get(j, "compute"),
		    "resourceId");
		if (json_is_string(v) &&
		    strncmp(json_string_value(v), "/subscriptions/", 15) == 0 &&
		    strstr(json_string_value(v),
		        "/providers/Microsoft.Compute/virtualMachines/") !=
		        NULL)
			id = xstrdup(json_string_value(v));
		else
			error("instance metadata without a VM's resourceId");
		json_decref(j);
	}
	arm_response_release(&res);
	free(url);
	return id;
}

int
cmd_self_stop(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arm-endpoint", required_argument, NULL, 'a' },
		{ "imds-endpoint", required_argument, NULL, 'i' },
		{ "provider", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char         *armurl = AZURE_ARM_DEFAULT;
	const char         *imds = AZURE_IMDS_DEFAULT;
	struct azure_auth  *auth = NULL;
	struct arm_client  *arm = NULL;
	struct arm_response res;
	char               *id = NULL, *path = NULL, *url = NULL, msg[1024];
	const char         *provider = "azure";
	int                 ch, dry = 0, ret = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			armurl = optarg;
		else if (ch == 'i')
			imds = optarg;
		else if (ch == 'n')
			dry = 1;
		else if (ch == 'p')
			provider = optarg;
		else
			return usage("self-stop");
	}
	if (optind != argc)
		return usage("self-stop");
	if (check_args(provider, armurl, imds) == -1)
		return 1;
	arm_response_init(&res);
	auth = azure_auth_new(NULL, imds);
	if (auth == NULL)
		goto out;
	azure_auth_only(auth, AZURE_SOURCE_IMDS);
	arm = arm_client_new(armurl, azure_auth_token, auth);
	if (arm == NULL || (id = own_id(imds)) == NULL)
		goto out;
	path = xasprintf("%s/deallocate", id);
	url = arm_versioned(path);
	if (dry) {
		if (azure_auth_token(auth, 0) == NULL)
			goto out;
		printf("would POST %s%s\n", armurl, url);
		ret = 0;
		goto out;
	}
	if (arm_request(arm, "POST", url, NULL, NULL, ARM_IDEMPOTENT, &res) ==
	    -1) {
		error("deallocating %s: %s", id, arm_client_error(arm));
		goto out;
	}
	if (res.status != 200 && res.status != 202) {
		arm_error_message(res.status, res.body, msg, sizeof(msg));
		error("deallocating %s: %s", id, msg);
		goto out;
	}
	printf("deallocating %s: accepted by Azure (HTTP %ld)\n", id,
	    res.status);
	fflush(stdout);
	{
		struct arm_response fin;

		arm_response_init(&fin);
		ret = arm_lro_wait(arm, "POST", url, &res, &fin) == 0 ? 0 : 1;
		if (ret == 0)
			printf("deallocated %s\n", id);
		else if (strstr(arm_client_error(arm), "AuthorizationFailed") ||
		    strstr(arm_client_error(arm), "HTTP 403")) {
			/* Accepted is what counts: the identity may not be
			 * allowed to read the operation's status. */
			printf("deallocating %s: accepted; its progress cannot "
			       "be followed (%s)\n",
			    id, arm_client_error(arm));
			ret = 0;
		} else
			error("deallocating %s: %s", id, arm_client_error(arm));
		arm_response_release(&fin);
	}
out:
	fflush(stdout);
	arm_response_release(&res);
	free(url);
	free(path);
	free(id);
	arm_client_free(arm);
	azure_auth_free(auth);
	return ret;
}
