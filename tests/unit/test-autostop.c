/* SPDX-License-Identifier: MIT */
/*
 * Tests of autostop.c's pure parts: judging one sample of the machine
 * (SSH, CPU, GPU) with the reason in words, and the autostop_* keys of
 * [hub], on their own and through config_set() and a hub.conf file. The
 * timer and the self-stop run in the e2e tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/autostop-pool.h"
#include "hub/autostop.h"
#include "hub/config.h"
#include "lib/settings.h"
#include "unit.h"
#include "lib/util.h"

/* Sets autostop_KEY through the table as hub.conf would; -1 if refused
 * or unknown. */
static int
autostop_conf_set(struct autostop_conf *c, const char *key, const char *v)
{
	char full[64];
	int  r;

	snprintf(full, sizeof(full), "autostop_%s", key);
	r = settings_set(autostop_settings, c, "hub", full, v);
	return r == 1 ? -1 : r;
}

static void
check_why(const char *why, const char *part, int present)
{
	if ((strstr(why, part) != NULL) != present)
		FAIL("why \"%s\" %s \"%s\"", why,
		    present ? "lacks" : "should not have", part);
}

TEST(autostop_judge_ssh)
{
	char why[256];

	/* Someone running something over SSH keeps the machine, whatever
	 * the load says. */
	ASSERT_EQ(autostop_judge(1, 0.0, -1, 0.10, why, sizeof(why)), 1);
	check_why(why, "SSH", 1);
	check_why(why, "1 process run", 1);
	ASSERT_EQ(autostop_judge(3, 0.0, 0, 0.10, why, sizeof(why)), 1);
	check_why(why, "3 processes", 1);
	/* SSH is named first when everything is busy. */
	ASSERT_EQ(autostop_judge(2, 0.99, 100, 0.10, why, sizeof(why)), 1);
	check_why(why, "SSH", 1);
	check_why(why, "CPU", 0);
}

TEST(autostop_judge_cpu)
{
	char why[256];

	/* The threshold itself is busy. */
	ASSERT_EQ(autostop_judge(0, 0.10, -1, 0.10, why, sizeof(why)), 1);
	check_why(why, "CPU at 10 %", 1);
	check_why(why, "busy from 10 %", 1);
	ASSERT_EQ(autostop_judge(0, 0.75, -1, 0.50, why, sizeof(why)), 1);
	check_why(why, "CPU at 75 %", 1);
	check_why(why, "SSH", 0);
	/* Just under is idle, and the words say so. */
	ASSERT_EQ(autostop_judge(0, 0.09, -1, 0.10, why, sizeof(why)), 0);
	check_why(why, "no SSH sessions", 1);
	check_why(why, "CPU at 9 %", 1);
	/* CPU outranks the GPU in the words. */
	ASSERT_EQ(autostop_judge(0, 0.5, 90, 0.10, why, sizeof(why)), 1);
	check_why(why, "CPU", 1);
	check_why(why, "GPU", 0);
}

TEST(autostop_judge_gpu)
{
	char why[256];

	/* A GPU job can leave the CPU nearly idle. */
	ASSERT_EQ(
	    autostop_judge(0, 0.01, AUTOSTOP_GPU_BUSY, 0.10, why, sizeof(why)),
	    1);
	check_why(why, "GPU at 10 %", 1);
	ASSERT_EQ(autostop_judge(0, 0.01, 100, 0.10, why, sizeof(why)), 1);
	check_why(why, "GPU at 100 %", 1);
	ASSERT_EQ(autostop_judge(0, 0.01, AUTOSTOP_GPU_BUSY - 1, 0.10, why,
	              sizeof(why)),
	    0);
	check_why(why, "GPU idle", 1);
	ASSERT_EQ(autostop_judge(0, 0.01, 0, 0.10, why, sizeof(why)), 0);
	check_why(why, "GPU idle", 1);
	/* -1: no GPU, so none is mentioned. */
	ASSERT_EQ(autostop_judge(0, 0.01, -1, 0.10, why, sizeof(why)), 0);
	check_why(why, "GPU", 0);
	check_why(why, "no SSH sessions, CPU at 1 %", 1);
}

TEST(autostop_judge_small_buffer)
{
	char why[12];

	/* The reason is cut to fit, never written past. */
	memset(why, 'x', sizeof(why));
	ASSERT_EQ(autostop_judge(5, 0.0, -1, 0.10, why, 8), 1);
	ASSERT_EQ(strlen(why), 7);
	ASSERT_EQ(why[8], 'x');
	ASSERT_EQ(autostop_judge(0, 0.0, 0, 0.10, why, 1), 0);
	ASSERT_STR_EQ(why, "");
}

TEST(autostop_conf_defaults)
{
	struct autostop_conf c;

	autostop_conf_init(&c);
	/* Off unless rig up asks for it. */
	ASSERT_EQ(c.after, 0);
	ASSERT_EQ(c.warn, AUTOSTOP_WARN_DEFAULT);
	ASSERT(c.cpu_busy == AUTOSTOP_CPU_BUSY_DEFAULT);
	ASSERT_NULL(c.provider);
	ASSERT_NULL(c.arm_endpoint);
	ASSERT_NULL(c.imds_endpoint);
	autostop_conf_release(&c);
}

TEST(autostop_conf_seconds)
{
	struct autostop_conf c;

	autostop_conf_init(&c);
	ASSERT_EQ(autostop_conf_set(&c, "after", "3600"), 0);
	ASSERT_EQ(c.after, 3600);
	ASSERT_EQ(autostop_conf_set(&c, "after", "0"), 0);
	ASSERT_EQ(c.after, 0);
	/* The same year's bound as [azure] idle_stop, so what rig up
	 * writes is always taken. */
	ASSERT_EQ(autostop_conf_set(&c, "after", "31622400"), 0);
	ASSERT_EQ(c.after, 31622400);
	ASSERT_EQ(autostop_conf_set(&c, "warn", "60"), 0);
	ASSERT_EQ(c.warn, 60);
	ASSERT_EQ(autostop_conf_set(&c, "warn", "0"), 0);
	ASSERT_EQ(c.warn, 0);

	/* Refused values leave the setting as it was. */
	ASSERT_EQ(autostop_conf_set(&c, "after", "31622401"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "after", "-1"), -1);
	/* Plain seconds: rig up has already turned "1h" into 3600. */
	ASSERT_EQ(autostop_conf_set(&c, "after", "1h"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "after", ""), -1);
	ASSERT_EQ(autostop_conf_set(&c, "after", "1.5"), -1);
	ASSERT_EQ(c.after, 31622400);
	ASSERT_EQ(autostop_conf_set(&c, "warn", "x"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "warn", "99999999999999999999"), -1);
	ASSERT_EQ(c.warn, 0);
	autostop_conf_release(&c);
}

TEST(autostop_conf_cpu_busy)
{
	struct autostop_conf c;

	autostop_conf_init(&c);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "0.25"), 0);
	ASSERT(c.cpu_busy == 0.25);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "1"), 0);
	ASSERT(c.cpu_busy == 1.0);
	/* 0 would count every sample as busy: never stopping. */
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "0"), -1);
	ASSERT(c.cpu_busy == 1.0);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", ""), -1);
	/* A share of all cores, not a percentage. */
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "10"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "1.01"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "-0.1"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "0.1x"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "10%"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "nan"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "cpu_busy", "abc"), -1);
	autostop_conf_release(&c);
}

TEST(autostop_conf_provider_and_endpoints)
{
	struct autostop_conf c;

	autostop_conf_init(&c);
	ASSERT_EQ(autostop_conf_set(&c, "provider", "azure"), 0);
	ASSERT_STR_EQ(c.provider, "azure");
	/* A provider's name: which one can stop itself is for 'rig
	 * self-stop' to say (test-azure.c), not the hub. */
	ASSERT_EQ(autostop_conf_set(&c, "provider", "Azure"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "provider", "a b"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "provider", ""), -1);
	ASSERT_STR_EQ(c.provider, "azure");

	/* Endpoints are http(s) URLs, passed on to 'rig self-stop', which
	 * holds the ARM one to the https rule before any use. */
	ASSERT_EQ(autostop_conf_set(&c, "arm_endpoint",
	              "https://management.azure.com"),
	    0);
	ASSERT_STR_EQ(c.arm_endpoint, "https://management.azure.com");
	ASSERT_EQ(
	    autostop_conf_set(&c, "arm_endpoint", "http://127.0.0.1:8443"), 0);
	ASSERT_STR_EQ(c.arm_endpoint, "http://127.0.0.1:8443");
	ASSERT_EQ(autostop_conf_set(&c, "arm_endpoint", "http://localhost:1"),
	    0);
	ASSERT_EQ(autostop_conf_set(&c, "arm_endpoint", "http:///x"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "arm_endpoint", "ftp://x.example"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "arm_endpoint", "management.azure.com"),
	    -1);
	ASSERT_EQ(autostop_conf_set(&c, "arm_endpoint", ""), -1);
	ASSERT_STR_EQ(c.arm_endpoint, "http://localhost:1");

	/* IMDS is plain http at a link-local address. */
	ASSERT_EQ(
	    autostop_conf_set(&c, "imds_endpoint", "http://169.254.169.254"),
	    0);
	ASSERT_STR_EQ(c.imds_endpoint, "http://169.254.169.254");
	ASSERT_EQ(autostop_conf_set(&c, "imds_endpoint", "http://127.0.0.1:9"),
	    0);
	ASSERT_STR_EQ(c.imds_endpoint, "http://127.0.0.1:9");
	ASSERT_EQ(autostop_conf_set(&c, "imds_endpoint", "169.254.169.254"),
	    -1);
	ASSERT_EQ(autostop_conf_set(&c, "imds_endpoint", ""), -1);
	ASSERT_STR_EQ(c.imds_endpoint, "http://127.0.0.1:9");

	/* Unknown keys are errors, not ignored. */
	ASSERT_EQ(autostop_conf_set(&c, "nope", "1"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "After", "1"), -1);
	ASSERT_EQ(autostop_conf_set(&c, "", "1"), -1);
	autostop_conf_release(&c);
}

TEST(autostop_through_config_set)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(c.autostop.after, 0);
	ASSERT_EQ(config_set(&c, "autostop_after", "60"), 0);
	ASSERT_EQ(c.autostop.after, 60);
	ASSERT_EQ(config_set(&c, "autostop_warn", "30"), 0);
	ASSERT_EQ(c.autostop.warn, 30);
	ASSERT_EQ(config_set(&c, "autostop_cpu_busy", "0.5"), 0);
	ASSERT(c.autostop.cpu_busy == 0.5);
	ASSERT_EQ(config_set(&c, "autostop_provider", "azure"), 0);
	ASSERT_STR_EQ(c.autostop.provider, "azure");
	ASSERT_EQ(config_set(&c, "autostop_arm_endpoint", "http://[::1]:8"), 0);
	ASSERT_STR_EQ(c.autostop.arm_endpoint, "http://[::1]:8");
	ASSERT_EQ(
	    config_set(&c, "autostop_imds_endpoint", "http://169.254.169.254"),
	    0);
	ASSERT_STR_EQ(c.autostop.imds_endpoint, "http://169.254.169.254");
	/* Checks pass through too. */
	ASSERT_EQ(config_set(&c, "autostop_after", "soon"), -1);
	ASSERT_EQ(c.autostop.after, 60);
	ASSERT_EQ(config_set(&c, "autostop_provider", "g c p"), -1);
	ASSERT_EQ(config_set(&c, "autostop_nope", "1"), -1);
	ASSERT_EQ(config_set(&c, "autostop_", "1"), -1);
	/* Only the autostop_ prefix is passed: the bare names are not
	 * [hub] keys. */
	ASSERT_EQ(config_set(&c, "after", "60"), -1);
	ASSERT_EQ(config_set(&c, "autostopafter", "60"), -1);
	config_release(&c);
}

TEST(autostop_through_config_load)
{
	struct config c;
	char         *path = xasprintf("%s/hub.conf", unit_tmpdir());
	FILE         *f = fopen(path, "w");

	/* What rig up writes into the machine's hub.conf. */
	ASSERT_NOT_NULL(f);
	fputs("[hub]\nautostop_after = 3600\nautostop_provider = azure\n"
	      "autostop_arm_endpoint = https://management.azure.com\n"
	      "autostop_imds_endpoint = http://169.254.169.254 ; IMDS\n",
	    f);
	fclose(f);
	config_init(&c);
	ASSERT_EQ(config_load(&c, path), 0);
	ASSERT_EQ(c.autostop.after, 3600);
	ASSERT_EQ(c.autostop.warn, AUTOSTOP_WARN_DEFAULT);
	ASSERT_STR_EQ(c.autostop.provider, "azure");
	ASSERT_STR_EQ(c.autostop.arm_endpoint, "https://management.azure.com");
	ASSERT_STR_EQ(c.autostop.imds_endpoint, "http://169.254.169.254");
	config_release(&c);

	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs("[hub]\nautostop_cpu_busy = 2\n", f);
	fclose(f);
	config_init(&c);
	ASSERT_EQ(config_load(&c, path), -1);
	config_release(&c);
	free(path);
}

/* A pool's head: Slurm's running jobs and powered-up CLOUD nodes are use;
 * nodes that are always on, or powered down, are not. */
TEST(autostop_pool)
{
	char why[256] = "before";

	ASSERT_EQ(autostop_pool_count_busy(""), 0);
	ASSERT_EQ(autostop_pool_count_busy(
	              "NodeName=a CPUAlloc=0 CPUTot=4 State=IDLE\n"
	              "NodeName=b CPUAlloc=2 CPUTot=4 State=MIXED\n"
	              "NodeName=c CPUAlloc=4 State=ALLOCATED+CLOUD\n"
	              "NodeName=d Reason=CPUAlloc=9 State=IDLE\n"
	              "NodeName=e CPUAlloc=10 State=ALLOCATED\n"),
	    3);
	ASSERT_EQ(autostop_pool_count_nodes(
	              "NodeName=a Arch=x State=IDLE ThreadsPerCore=1\n"
	              "NodeName=b State=IDLE+CLOUD+POWERED_DOWN x=1\n"
	              "NodeName=c State=ALLOCATED+CLOUD x=1\n"
	              "NodeName=d State=IDLE+CLOUD+POWERING_UP x=1\n"
	              "NodeName=e State=IDLE+CLOUD+POWERING_DOWN x=1\n"
	              "NodeName=f State=DOWN+CLOUD+POWERED_DOWN x=1\n"
	              "NodeName=g Reason=x State=IDLE+CLOUDY\n"),
	    3);
	ASSERT_EQ(autostop_pool_judge(0, 0, why, sizeof(why)), 0);
	ASSERT_STR_EQ(why, "before");
	ASSERT_EQ(autostop_pool_judge(2, 0, why, sizeof(why)), 1);
	ASSERT_STR_EQ(why,
	    "busy: Slurm jobs on 2 nodes, 0 pool nodes powered up");
	ASSERT_EQ(autostop_pool_judge(0, 1, why, sizeof(why)), 1);
	ASSERT_STR_EQ(why,
	    "busy: Slurm jobs on 0 nodes, 1 pool node powered up");
	ASSERT_EQ(autostop_pool_judge(-1, -1, why, sizeof(why)), 1);
	check_why(why, "Slurm does not answer", 1);
}
