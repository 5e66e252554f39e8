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
#include "lib/log.h"
#include "lib/util.h"
#include "machine/machine.h"
#include "machine/provider.h"
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

		/* The first min_nodes of a partition the provider makes
		 * are powered up when first needed and then stay up. */
		if (cloud && nodes[i].made > 0 && nodes[i].old_line == NULL &&
		    nodes[i].made <= nodes[i].part->min_nodes)
			cloud = 0;
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
slurmconf_power_conf_text(const struct pool *pl, const struct machine *head,
    const struct pool_node *nodes, size_t n)
{
	struct buf b;
	int        made = 0;

	buf_init(&b, CONF_MAX);
	buf_addf(&b,
	    "# Written by rig up from rig.conf: what rig pool power knows of "
	    "the pool.\n"
	    "[pool]\nnode_resume_timeout = %lld\nshared_dir = %s\n"
	    "server_ports = %s\n",
	    (long long)pl->resume_timeout, pl->shared_dir, pl->server_ports);
	for (const struct partition *pt = pl->parts; pt != NULL;
	     pt = pt->next) {
		if (!partition_powered(pt))
			continue;
		buf_addf(&b, "\n[partition %s]\nprovider = %s\n", pt->name,
		    pt->provider_name);
		if (partition_makes_nodes(pt))
			buf_addf(&b,
			    "size = %s\nmax_nodes = %d\nmin_nodes = %d\n"
			    "spot = %s\nnode_delete_after = %lld\n",
			    pt->size, pt->max_nodes, pt->min_nodes,
			    pt->spot ? "yes" : "no",
			    (long long)pt->node_delete_after);
		else
			buf_addf(&b, "power_on = %s\npower_off = %s\n",
			    pt->power_on, pt->power_off);
	}
	for (const struct partition *pt = pl->parts; pt != NULL; pt = pt->next)
		made |= partition_makes_nodes(pt);
	/* Nodes made beside the head: its name and its provider's own
	 * settings (where, which account, endpoints), read back into a
	 * machine for the provider. */
	if (made && head->provider->section != NULL) {
		buf_addf(&b, "\n[head]\nname = %s\nprovider = %s\nuser = %s\n",
		    head->name, head->provider_name, machine_user(head));
		buf_addf(&b, "\n[%s]\n", head->provider->section);
		settings_write(&b, head->provider->settings,
		    machine_provider_conf(head, head->provider),
		    head->provider->section);
	}
	buf_adds(&b, "\n[nodes]\n");
	for (size_t i = 0; i < n; i++)
		if (nodes[i].old_line == NULL &&
		    partition_powered(nodes[i].part))
			buf_addf(&b, "%s = %s %s\n", nodes[i].name,
			    nodes[i].part->name, nodes[i].host);
	return buf_detach(&b, NULL);
}

int
slurmconf_made_nodes(const struct pool *pl, struct pool_node *nodes, size_t *n)
{
	char why[256];
	long cpus, mem;

	for (const struct partition *pt = pl->parts; pt != NULL;
	     pt = pt->next) {
		if (!partition_makes_nodes(pt))
			continue;
		if (pt->provider->node_size(pt->size, &cpus, &mem, why,
		        sizeof(why)) == -1)
			return error("[partition %s]: %s", pt->name, why);
		if (*n + (size_t)pt->max_nodes > POOL_HOSTS_MAX)
			return error("more than %d nodes in the pool",
			    POOL_HOSTS_MAX);
		for (int i = 1; i <= pt->max_nodes; i++) {
			struct pool_node *nd = &nodes[(*n)++];

			memset(nd, 0, sizeof(*nd));
			nd->name = xasprintf("%s-%d", pt->name, i);
			nd->host = xstrdup(nd->name);
			nd->part = pt;
			nd->made = i;
			nd->cpus = cpus;
			nd->mem_mb = mem;
			/* Memory as the provider sells it, less what the
			 * kernel keeps: slurmd refuses to register with
			 * less than configured. */
			nd->kept_line = xasprintf("NodeName=%s NodeAddr=%s "
			                          "CPUs=%ld RealMemory=%ld "
			                          "State=CLOUD",
			    nd->name, nd->name, cpus,
			    mem > 2048 ? mem - 1024 : mem * 95 / 100);
		}
	}
	return 0;
}
