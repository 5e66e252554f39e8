/* SPDX-License-Identifier: MIT */
/*
 * Tests of arm.c that need no server: the api-version table, the rule
 * that credentials go only over https (or plain http to a loopback
 * address), and ARM error bodies turned into one line. The poller runs
 * against Microsoft's conformance server in tests/e2e/t400-arm-lro.sh.
 */
#include <stdint.h>
#include <stdlib.h>

#include "azure/arm.h"
#include "unit.h"

TEST(arm_api_version_table)
{
	ASSERT_STR_EQ(arm_api_version("Microsoft.Compute"), "2021-03-01");
	ASSERT_STR_EQ(arm_api_version("microsoft.compute"), "2021-03-01");
	ASSERT_STR_EQ(arm_api_version("Microsoft.Network"), "2020-06-01");
	ASSERT_STR_EQ(arm_api_version("Microsoft.Resources"), "2020-06-01");
	ASSERT_STR_EQ(arm_api_version("Microsoft.DevTestLab"), "2018-09-15");
	ASSERT_NULL(arm_api_version("Microsoft.Storage"));
	ASSERT_NULL(arm_api_version(""));
}

static void
check_versioned(const char *path, const char *want)
{
	char *got = arm_versioned(path);

	if (want == NULL) {
		if (got != NULL)
			FAIL("arm_versioned(\"%s\") gave \"%s\", want NULL",
			    path, got);
		return;
	}
	ASSERT_STR_EQ(got, want);
	free(got);
}

TEST(arm_versioned_paths)
{
	const char *vm = "/subscriptions/s/resourceGroups/rig-p/providers/"
	                 "Microsoft.Compute/virtualMachines/p";

	check_versioned(vm,
	    "/subscriptions/s/resourceGroups/rig-p/providers/"
	    "Microsoft.Compute/virtualMachines/p"
	    "?api-version=2021-03-01");
	check_versioned("/subscriptions/s/resourcegroups/rig-p",
	    "/subscriptions/s/resourcegroups/rig-p?api-version=2020-06-01");
	check_versioned("/subscriptions/s/resourceGroups/g/providers/"
	                "Microsoft.Network/networkSecurityGroups/n",
	    "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/"
	    "networkSecurityGroups/n?api-version=2020-06-01");
	check_versioned("/subscriptions/s/resourceGroups/g/providers/"
	                "microsoft.devtestlab/schedules/shutdown-computevm-p",
	    "/subscriptions/s/resourceGroups/g/providers/microsoft.devtestlab/"
	    "schedules/shutdown-computevm-p?api-version=2018-09-15");
	check_versioned("/subscriptions/s/resourceGroups/g/providers/"
	                "Microsoft.Compute/virtualMachines/p/instanceView?$x=1",
	    "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/"
	    "virtualMachines/p/instanceView?$x=1&api-version=2021-03-01");
	/* The innermost provider decides: a role assignment on a VM. */
	check_versioned("/subscriptions/s/resourceGroups/g/providers/"
	                "Microsoft.Compute/virtualMachines/p/providers/"
	                "Microsoft.Authorization/roleAssignments/x",
	    "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/"
	    "virtualMachines/p/providers/Microsoft.Authorization/"
	    "roleAssignments/x?api-version=2022-04-01");
	check_versioned("/subscriptions/s/providers/Microsoft.Storage/x", NULL);
	check_versioned("/subscriptions/s/providers//x", NULL);
}

static int
allowed(const char *url)
{
	char why[512];

	return arm_url_allowed(url, why, sizeof(why)) == 0;
}

TEST(arm_https_required)
{
	ASSERT(allowed("https://management.azure.com"));
	ASSERT(allowed("HTTPS://management.azure.com/subscriptions"));
	ASSERT(allowed("http://127.0.0.1:8080"));
	ASSERT(allowed("http://127.1.2.3/x"));
	ASSERT(allowed("http://localhost:99/"));
	ASSERT(allowed("http://[::1]:4000/lro"));
	ASSERT(!allowed("http://management.azure.com"));
	ASSERT(!allowed("http://10.0.0.1:8080"));
	ASSERT(!allowed("http://169.254.169.254"));
	ASSERT(!allowed("http://127.0.0.1.evil.example/"));
	ASSERT(!allowed("http://localhost.evil.example/"));
	ASSERT(!allowed("http://evil@127.0.0.1/"));
	ASSERT(!allowed("https://user:pw@management.azure.com/"));
	ASSERT(!allowed("http://[::2]/"));
	ASSERT(!allowed("ftp://127.0.0.1/"));
	ASSERT(!allowed("management.azure.com"));
	ASSERT(!allowed("http:///path"));
}

TEST(arm_error_body)
{
	char out[256];

	arm_error_message(409,
	    "{\"error\":{\"code\":\"OperationNotAllowed\",\"message\":"
	    "\"Operation could not be completed as it results in exceeding "
	    "approved Total Regional Cores quota.\"}}",
	    out, sizeof(out));
	ASSERT_STR_EQ(out,
	    "OperationNotAllowed: Operation could not be "
	    "completed as it results in exceeding approved "
	    "Total Regional Cores quota.");
	/* A failed operation's poll body has the same "error". */
	arm_error_message(200,
	    "{\"status\":\"Failed\",\"error\":{\"code\":\"SkuNotAvailable\","
	    "\"message\":\"not offered\"}}",
	    out, sizeof(out));
	ASSERT_STR_EQ(out, "SkuNotAvailable: not offered");
	arm_error_message(404, "{\"error\":{\"code\":\"ResourceNotFound\"}}",
	    out, sizeof(out));
	ASSERT_STR_EQ(out, "ResourceNotFound (HTTP 404)");
	arm_error_message(500, "<html>bad gateway</html>", out, sizeof(out));
	ASSERT_STR_EQ(out, "HTTP 500");
	arm_error_message(503, NULL, out, sizeof(out));
	ASSERT_STR_EQ(out, "HTTP 503");
	arm_error_message(400, "{\"error\":\"invalid_client\"}", out,
	    sizeof(out));
	ASSERT_STR_EQ(out, "HTTP 400");
	/* Truncated, still terminated. */
	arm_error_message(409,
	    "{\"error\":{\"code\":\"Conflict\",\"message\":\"0123456789\"}}",
	    out, 8);
	ASSERT_STR_EQ(out, "Conflic");
}

TEST(arm_client_refuses_plain_http)
{
	struct arm_client *c;

	c = arm_client_new("http://management.azure.com", NULL, NULL);
	ASSERT_NULL(c);
	c = arm_client_new("http://127.0.0.1:1/", NULL, NULL);
	ASSERT_NOT_NULL(c);
	arm_client_free(c);
	arm_client_free(NULL);
}

TEST(arm_request_no_server)
{
	struct arm_client  *c;
	struct arm_response r;

	/* Port 1 on loopback: refused at once; GET is retried, then fails
	 * with the URL in the message. Absolute URLs elsewhere are refused
	 * before any connection (the token stays on the base's origin). */
	c = arm_client_new("http://127.0.0.1:1", NULL, NULL);
	ASSERT_NOT_NULL(c);
	arm_client_tuning(c)->backoff_ms = 1;
	arm_client_tuning(c)->max_retries = 2;
	arm_response_init(&r);
	ASSERT_EQ(arm_request(c, "GET", "/subscriptions", NULL, NULL, 0, &r),
	    -1);
	ASSERT(
	    strstr(arm_client_error(c), "127.0.0.1:1/subscriptions") != NULL);
	ASSERT_EQ(
	    arm_request(c, "GET", "https://evil.example/x", NULL, NULL, 0, &r),
	    -1);
	ASSERT(strstr(arm_client_error(c), "refusing") != NULL);
	arm_response_release(&r);
	arm_client_free(c);
}

/* The host a URL names, for the loopback check (host_is_loopback(), whose
 * cases are in test-util.c). */
TEST(arm_url_host_whole)
{
	char host[64];

	ASSERT_EQ(arm_url_host("https://[::1]:8443/x", host, sizeof(host)), 0);
	ASSERT_STR_EQ(host, "::1");
	ASSERT_EQ(arm_url_host("https://127.evil.test:1/", host, sizeof(host)),
	    0);
	ASSERT_STR_EQ(host, "127.evil.test");
	ASSERT_EQ(arm_url_host("https://u@127.0.0.1/", host, sizeof(host)), -1);
	ASSERT_EQ(arm_url_host("https://[::1]x/", host, sizeof(host)), -1);
}
