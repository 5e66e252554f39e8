/* SPDX-License-Identifier: MIT */
/*
 * Tests of sshconfig.c: the ssh_config text (quoting, '%' doubled, rig's
 * own options), the Include line at the top of ~/.ssh/config, replacing
 * one entry of the rig-managed file.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "machine/sshconfig.h"
#include "lib/util.h"

TEST(sshconfig_block_quotes)
{
	struct sshconfig_host h;
	char                 *b;

	memset(&h, 0, sizeof(h));
	h.alias = "rig-x";
	h.hostname = "10.0.0.1";
	h.port = 2200;
	h.user = "al";
	h.identity = "/k/my key%1";
	h.known_hosts = "/p/.rig/known_hosts";
	h.control_path = "/tmp/rig-0/abc";
	h.connect_timeout = 7;
	h.rig_only = 1;
	b = sshconfig_block(&h);
	ASSERT_NOT_NULL(b);
	ASSERT(strstr(b, "Host rig-x\n") == b);
	ASSERT(strstr(b, "\tIdentityFile \"/k/my key%%1\"\n") != NULL);
	ASSERT(strstr(b, "\tPort 2200\n") != NULL);
	ASSERT(strstr(b, "\tConnectTimeout 7\n") != NULL);
	ASSERT(strstr(b, "\tControlPath /tmp/rig-0/abc\n") != NULL);
	ASSERT(strstr(b, "StrictHostKeyChecking accept-new") != NULL);
	free(b);
	h.rig_only = 0;
	b = sshconfig_block(&h);
	ASSERT(strstr(b, "Control") == NULL);
	ASSERT(strstr(b, "StrictHostKeyChecking") == NULL);
	free(b);
	h.hostname = "bad\"host";
	ASSERT_NULL(sshconfig_block(&h));
}

TEST(sshconfig_include_and_replace)
{
	char *t, *t2;

	t = sshconfig_with_include(NULL, "Include ~/.ssh/config-rig");
	ASSERT(strstr(t, "\nInclude ~/.ssh/config-rig\n") != NULL);
	ASSERT_NULL(sshconfig_with_include(t, "Include ~/.ssh/config-rig"));
	free(t);
	/* After a Host line it belongs to that Host: added at the top. */
	t = sshconfig_with_include("Host a\n  Include ~/.ssh/config-rig\n",
	    "Include ~/.ssh/config-rig");
	ASSERT_NOT_NULL(t);
	ASSERT(strncmp(t, "# Added by rig", 14) == 0);
	free(t);
	ASSERT_NULL(sshconfig_with_include("# hi\n  Include ~/.ssh/config-rig  "
	                                   "\nHost x\n",
	    "Include ~/.ssh/config-rig"));

	t = sshconfig_replace(NULL, "m1", "/p1", "Host m1\n\tPort 1\n");
	t2 = sshconfig_replace(t, "m2", "/p2", "Host m2\n\tPort 2\n");
	free(t);
	t = sshconfig_replace(t2, "m1", "/p1", "Host m1\n\tPort 3\n");
	free(t2);
	ASSERT(strstr(t, "Port 1") == NULL);
	ASSERT(strstr(t, "Port 3") != NULL);
	ASSERT(strstr(t, "Port 2") != NULL);
	ASSERT(strstr(t, "# rig: m1 (/p1)\nHost m1\n\tPort 3\n# rig: end\n") !=
	    NULL);
	/* "m1" does not take "m10"'s entry. */
	t2 = sshconfig_replace(t, "m10", "/p", "Host m10\n");
	free(t);
	t = sshconfig_replace(t2, "m1", "/p1", "Host m1\n\tPort 4\n");
	ASSERT(strstr(t, "Host m10\n") != NULL);
	free(t2);
	free(t);
}
