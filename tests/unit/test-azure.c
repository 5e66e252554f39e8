/* SPDX-License-Identifier: MIT */
/*
 * Tests of azure.c that need no Azure: resource names made from machine
 * names, the power state found in an instance view, the advice for ARM
 * error codes, rig self-stop's checks of its arguments, and hours run from the
 * local start/stop log (.rig/azure- power.log), across a month boundary and
 * with the VM still running.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "azure/azure.h"
#include "cmd.h"
#include "machine/machine.h"
#include "unit.h"
#include "lib/util.h"

static void
check_name(const char *in, const char *want)
{
	char *got = azure_resource_name(in);

	ASSERT_STR_EQ(got, want);
	free(got);
}

TEST(azure_resource_names)
{
	check_name("My.Project_1", "my-project-1");
	check_name("proj", "proj");
	check_name("ABC", "abc");
	/* A host name ends with a letter or digit. */
	check_name("proj_", "proj");
	check_name("a.b__", "a-b");
	check_name("x-.", "x");
	/* Inner runs stay: the name is derived, not reformatted. */
	check_name("a..b", "a--b");
	check_name("9lives", "9lives");
}

/* The power state of an instance view given as JSON text. */
static void
check_power(const char *json, const char *want)
{
	json_error_t err;
	json_t      *iv = json_loads(json, 0, &err);
	const char  *got;

	if (iv == NULL)
		FAIL("bad test JSON: %s", err.text);
	got = azure_power_state(iv);
	if (want == NULL) {
		if (got != NULL)
			FAIL("power state of %s is \"%s\", want NULL", json,
			    got);
	} else
		ASSERT_STR_EQ(got, want);
	json_decref(iv);
}

TEST(azure_power_states)
{
	check_power("{\"statuses\":[{\"code\":\"ProvisioningState/succeeded\"},"
	            "{\"code\":\"PowerState/running\"}]}",
	    "running");
	/* Found by prefix, never by position: Azure's order varies. */
	check_power("{\"statuses\":[{\"code\":\"PowerState/deallocated\"},"
	            "{\"code\":\"ProvisioningState/succeeded\"}]}",
	    "deallocated");
	check_power("{\"statuses\":[{\"code\":\"ProvisioningState/updating\"},"
	            "{\"displayStatus\":\"x\"},{\"code\":7},"
	            "{\"code\":\"OSState/generalized\"},"
	            "{\"code\":\"PowerState/deallocating\"}]}",
	    "deallocating");
	check_power("{\"statuses\":[{\"code\":\"powerstate/stopped\"}]}",
	    "stopped");
	/* "XPowerState/..." does not start with the prefix. */
	check_power("{\"statuses\":[{\"code\":\"XPowerState/running\"}]}",
	    NULL);
	check_power(
	    "{\"statuses\":[{\"code\":\"ProvisioningState/creating\"}]}", NULL);
	check_power("{\"statuses\":[]}", NULL);
	check_power("{\"statuses\":{\"code\":\"PowerState/running\"}}", NULL);
	check_power("{}", NULL);
	check_power("[]", NULL);
	ASSERT_NULL(azure_power_state(NULL));
}

TEST(azure_advice_codes)
{
	const char *q = azure_advice("QuotaExceeded");

	ASSERT_NOT_NULL(q);
	ASSERT_NOT_NULL(strstr(q, "quota"));
	/* Codes are matched in any case, as ARM's casing varies. */
	ASSERT(azure_advice("quotaexceeded") == q);
	ASSERT(azure_advice("QUOTAEXCEEDED") == q);
	ASSERT_NOT_NULL(strstr(azure_advice("SkuNotAvailable"), "region"));
	ASSERT_NOT_NULL(
	    strstr(azure_advice("AuthorizationFailed"), "Contributor"));
	ASSERT_NOT_NULL(strstr(azure_advice("MarketplacePurchaseEligibility"
	                                    "Failed"),
	    "terms"));
	ASSERT_NOT_NULL(
	    strstr(azure_advice("ExpiredAuthenticationToken"), "log in"));
	ASSERT_NOT_NULL(strstr(azure_advice("TooManyRequests"), "wait"));
	ASSERT_NOT_NULL(azure_advice("OperationNotAllowed"));
	ASSERT_NOT_NULL(azure_advice("ResourcePurchaseValidationFailed"));
	ASSERT_NOT_NULL(azure_advice("DnsRecordInUse"));
	ASSERT_NOT_NULL(azure_advice("Conflict"));
	ASSERT_NOT_NULL(azure_advice("InvalidAuthenticationToken"));
	ASSERT_NOT_NULL(azure_advice("SubscriptionNotFound"));
	ASSERT_NOT_NULL(azure_advice("InvalidSubscriptionId"));
	/* Whole codes only. */
	ASSERT_NULL(azure_advice("Quota"));
	ASSERT_NULL(azure_advice("QuotaExceededX"));
	ASSERT_NULL(azure_advice("ResourceNotFound"));
	ASSERT_NULL(azure_advice(""));
	ASSERT_NULL(azure_advice(NULL));
}

/* ---- hours run ---- */

/* A machine whose state folder is a fresh .rig/ in the test's tmpdir. */
static void
machine_here(struct machine *m)
{
	machine_init(m);
	m->dir = xstrdup(unit_tmpdir());
	m->state_dir = xasprintf("%s/.rig", unit_tmpdir());
}

static void
write_log(const char *text)
{
	char *path = xasprintf("%s/.rig", unit_tmpdir());
	FILE *f;

	ASSERT_EQ(mkdir_p(path, 0700), 0);
	free(path);
	path = xasprintf("%s/.rig/azure-power.log", unit_tmpdir());
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* 2024-03-01 00:00:00 UTC, a month start after a leap day. */
#define MARCH 1709251200LL

TEST(azure_hours_run_no_log)
{
	struct machine m;
	int            running = 7;

	machine_here(&m);
	/* No log yet: nothing ran, and it is not running. */
	ASSERT_EQ(azure_hours_run(&m, 0, 1000, &running), 0);
	ASSERT_EQ(running, 0);
	/* 'last_running' may be NULL. */
	ASSERT_EQ(azure_hours_run(&m, 0, 1000, NULL), 0);
	machine_release(&m);
}

TEST(azure_hours_run_month)
{
	struct machine m;
	int            running = -1;
	struct tm      tm = { 0 };

	/* The constant is what it says. */
	tm.tm_year = 124;
	tm.tm_mon = 2;
	tm.tm_mday = 1;
	ASSERT_EQ(timegm(&tm), MARCH);

	machine_here(&m);
	/* 10 h in February; 23:00-01:00 across the boundary; 3 h in March;
	 * then running since March 2nd 10:00. */
	write_log("1707386400 start\n" /* 2024-02-08 10:00 */
	          "1707422400 stop\n" /* 2024-02-08 20:00 */
	          "1709247600 start\n" /* 2024-02-29 23:00 */
	          "1709254800 stop\n" /* 2024-03-01 01:00 */
	          "1709276400 start\n" /* 2024-03-01 07:00 */
	          "1709287200 stop\n" /* 2024-03-01 10:00 */
	          "1709373600 start\n"); /* 2024-03-02 10:00 */
	/* Since March: 1 h of the boundary run, 3 h, and the open run up to
	 * 'now' (2024-03-02 12:30) is 2.5 h. */
	ASSERT_EQ(azure_hours_run(&m, MARCH, MARCH + 86400 + 12 * 3600 + 1800,
	              &running),
	    3600 + 3 * 3600 + 9000);
	ASSERT_EQ(running, 1);
	/* Since ever: 10 h + 2 h + 3 h + 2.5 h. */
	ASSERT_EQ(
	    azure_hours_run(&m, 0, MARCH + 86400 + 12 * 3600 + 1800, NULL),
	    10 * 3600 + 2 * 3600 + 3 * 3600 + 9000);
	/* A 'since' after all closed runs counts only the open one. */
	ASSERT_EQ(azure_hours_run(&m, MARCH + 86400 + 11 * 3600,
	              MARCH + 86400 + 12 * 3600, &running),
	    3600);
	ASSERT_EQ(running, 1);
	/* 'now' at or before 'since' adds nothing for the open run. */
	ASSERT_EQ(
	    azure_hours_run(&m, MARCH + 2 * 86400, MARCH + 2 * 86400, &running),
	    0);
	ASSERT_EQ(running, 1);
	machine_release(&m);
}

TEST(azure_hours_run_odd_lines)
{
	struct machine m;
	int            running = -1;

	machine_here(&m);
	/* A stop with no start, a second start, garbage and an unknown
	 * event are ignored; the first start of a run counts. */
	write_log("50 stop\n"
	          "100 start\n"
	          "150 start\n"
	          "garbage\n"
	          "\n"
	          "170 restart\n"
	          "200 stop\n"
	          "250 stop\n"
	          "300 start\n"
	          "400 stop"); /* no final newline */
	ASSERT_EQ(azure_hours_run(&m, 0, 10000, &running), 100 + 100);
	ASSERT_EQ(running, 0);
	/* A run that ended exactly at 'since' is all before it. */
	ASSERT_EQ(azure_hours_run(&m, 200, 10000, NULL), 100);
	/* A run cut by 'since' counts its part after. */
	ASSERT_EQ(azure_hours_run(&m, 350, 10000, NULL), 50);
	machine_release(&m);
}

TEST(azure_power_log_appends)
{
	struct machine m;
	int            running = -1;
	char          *path, *text;

	machine_here(&m);
	/* The first write makes .rig/ itself. */
	azure_power_log(&m, "start", 1000);
	ASSERT_EQ(azure_hours_run(&m, 0, 1600, &running), 600);
	ASSERT_EQ(running, 1);
	azure_power_log(&m, "stop", 1500);
	azure_power_log(&m, "start", 2000);
	azure_power_log(&m, "stop", 2100);
	ASSERT_EQ(azure_hours_run(&m, 0, 99999, &running), 600);
	ASSERT_EQ(running, 0);
	ASSERT_EQ(azure_hours_run(&m, 1400, 99999, NULL), 200);
	path = xasprintf("%s/.rig/azure-power.log", unit_tmpdir());
	text = read_file(path, 4096, NULL);
	ASSERT_STR_EQ(text, "1000 start\n1500 stop\n2000 start\n2100 stop\n");
	free(text);
	free(path);
	machine_release(&m);
}

TEST(azure_hours_run_loaded_machine)
{
	struct machine m;
	char          *path = xasprintf("%s/rig.conf", unit_tmpdir());
	FILE          *f = fopen(path, "w");
	int            running = -1;

	/* The same through a project folder found by machine_load. */
	ASSERT_NOT_NULL(f);
	fputs("[machine]\nname = p\nprovider = azure\n", f);
	fclose(f);
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), 0);
	write_log("100 start\n160 stop\n");
	azure_power_log(&m, "start", 1000);
	ASSERT_EQ(azure_hours_run(&m, 0, 1030, &running), 90);
	ASSERT_EQ(running, 1);
	machine_release(&m);
	free(path);
}

/* A stop the VM made itself is dated by Azure's instance view, not by the
 * next look: otherwise the gap would count as hours run. */
TEST(azure_power_reconcile_dates_by_azure)
{
	struct machine m;
	json_t        *iv;
	int64_t        now = now_sec(), t;
	int            running;

	machine_here(&m);
	write_log("");
	azure_power_log(&m, "start", now - 7200);
	iv = json_pack("{s:[{s:s, s:s}, {s:s}]}", "statuses", "code",
	    "ProvisioningState/succeeded", "time",
	    "2024-03-01T01:00:00.1234567+00:00", "code",
	    "PowerState/deallocated");
	t = azure_state_time(iv);
	ASSERT_EQ(t, MARCH + 3600);
	/* Stopped an hour ago, as Azure says. */
	azure_power_reconcile(&m, 0, now - 3600);
	ASSERT_EQ(azure_hours_run(&m, 0, now, &running), 3600);
	ASSERT_EQ(running, 0);
	/* Agreeing already: nothing more is logged. */
	azure_power_reconcile(&m, 0, now);
	ASSERT_EQ(azure_hours_run(&m, 0, now, NULL), 3600);
	/* Started elsewhere: counted from then. */
	azure_power_reconcile(&m, 1, now - 60);
	ASSERT_EQ(azure_hours_run(&m, 0, now, &running), 3660);
	ASSERT_EQ(running, 1);
	json_decref(iv);
	iv = json_object();
	ASSERT_EQ(azure_state_time(iv), -1);
	json_decref(iv);
	/* A time later than now is taken as now. */
	azure_power_reconcile(&m, 0, now + 86400);
	ASSERT_EQ(azure_hours_run(&m, 0, now, NULL), 3660);
	machine_release(&m);
}

/* rig self-stop checks what the hub passes on from hub.conf before it
 * asks anything: the hub's auto-stop does not know the provider. */
TEST(azure_self_stop_checks_its_arguments)
{
	char *other[] = { (char *)"self-stop", (char *)"--provider",
		(char *)"ssh", NULL };
	char *plain[] = { (char *)"self-stop", (char *)"--arm-endpoint",
		(char *)"http://management.azure.com", NULL };
	char *imds[] = { (char *)"self-stop", (char *)"--imds-endpoint",
		(char *)"169.254.169.254", NULL };

	ASSERT_EQ(cmd_self_stop(3, other), 1);
	ASSERT_EQ(cmd_self_stop(3, plain), 1);
	ASSERT_EQ(cmd_self_stop(3, imds), 1);
}
