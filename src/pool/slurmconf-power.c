/* SPDX-License-Identifier: MIT */
/*
 * The power saving part of a pool's Slurm configuration (slurmconf.h):
 * slurmctld runs its Resume/Suspend programs as SlurmUser (slurm) on the
 * head, with fds 0-2 closed; the programs hand the hostlist to rig pool
 * power, as root through one sudoers rule, which reads what it needs of
 * the pool from POOL_POWER_CONF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "pool.h"
#include "slurmconf.h"
#include "lib/banned.h"

#define CONF_MAX (4 * 1024 * 1024)

void
slurmconf_add_power(struct buf *b, const struct pool *pl,
    const struct pool_node *nodes, size_t n)
{
	int first = 1;

	buf_addf(b,
	    "# Power saving: nodes of partitions with power control are "
	    "State=CLOUD,\n# powered down after SuspendTime idle and up "
	    "when a job needs them.\n"
	    /* Else sinfo hides the powered down ones. */
	    "PrivateData=cloud\n"
	    "SuspendTime=%lld\n"
	    "SuspendTimeout=%lld\n"
	    "ResumeTimeout=%lld\n"
	    "ResumeProgram=" SLURMCONF_RESUME_PATH "\n"
	    "SuspendProgram=" SLURMCONF_SUSPEND_PATH "\n"
	    /* A node that did not join in time is powered down again. */
	    "ResumeFailProgram=" SLURMCONF_SUSPEND_PATH "\n",
	    (long long)pl->node_idle_stop, (long long)pl->suspend_timeout,
	    (long long)pl->resume_timeout);
	/* SuspendTime is for every node: those that are always on are
	 * excepted, leaving ones included. */
	for (size_t i = 0; i < n; i++) {
		int cloud = nodes[i].old_line != NULL
		    ? strstr(nodes[i].old_line, "State=CLOUD") != NULL
		    : partition_powered(nodes[i].part);

		if (cloud)
			continue;
		buf_addf(b, "%s%s", first ? "SuspendExcNodes=" : ",",
		    nodes[i].name);
		first = 0;
	}
	if (!first)
		buf_adds(b, "\n");
}

const char *
slurmconf_power_program(int up)
{
	return up ? "#!/bin/sh\n"
	            "# Written by rig up: slurmctld's ResumeProgram, run as "
	            "slurm with a\n"
	            "# hostlist and fds 0-2 closed.\n"
	            "exec </dev/null >>" SLURMCONF_POWER_LOG " 2>&1\n"
	            "exec sudo -n " POOL_POWER_RIG " pool power up \"$1\"\n"
	          : "#!/bin/sh\n"
	            "# Written by rig up: slurmctld's SuspendProgram and "
	            "ResumeFailProgram,\n"
	            "# run as slurm with a hostlist and fds 0-2 closed.\n"
	            "exec </dev/null >>" SLURMCONF_POWER_LOG " 2>&1\n"
	            "exec sudo -n " POOL_POWER_RIG " pool power down \"$1\"\n";
}

const char *
slurmconf_power_sudoers(void)
{
	return "# Written by rig up: slurmctld (as slurm) powers the pool's "
	       "nodes up and\n"
	       "# down through rig, as root (the power commands are root's), "
	       "and nothing else.\n"
	       "slurm ALL=(root) NOPASSWD: " POOL_POWER_RIG
	       " pool power up *, " POOL_POWER_RIG " pool power down *\n";
}

char *
slurmconf_power_conf_text(const struct pool *pl, const struct pool_node *nodes,
    size_t n)
{
	struct buf b;

	buf_init(&b, CONF_MAX);
	buf_addf(&b,
	    "# Written by rig up from rig.conf: what rig pool power knows of "
	    "the pool.\n"
	    "[pool]\nnode_resume_timeout = %lld\n",
	    (long long)pl->resume_timeout);
	for (const struct partition *pt = pl->parts; pt != NULL;
	     pt = pt->next) {
		if (!partition_powered(pt))
			continue;
		buf_addf(&b,
		    "\n[partition %s]\nprovider = %s\npower_on = %s\n"
		    "power_off = %s\n",
		    pt->name, pt->provider_name, pt->power_on, pt->power_off);
	}
	buf_adds(&b, "\n[nodes]\n");
	for (size_t i = 0; i < n; i++)
		if (nodes[i].old_line == NULL &&
		    partition_powered(nodes[i].part))
			buf_addf(&b, "%s = %s %s\n", nodes[i].name,
			    nodes[i].part->name, nodes[i].host);
	return buf_detach(&b, NULL);
}
