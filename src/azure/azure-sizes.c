/* SPDX-License-Identifier: MIT */
/*
 * What an Azure VM size has (azure-nodes.h): the CPUs and memory Slurm
 * is told of for a pool's nodes before any of them exists (a State=CLOUD
 * node's line is written at rig up). From Microsoft's size pages; a size
 * not listed is refused by name, with examples.
 */
#include <stdio.h>
#include <string.h>

#include "azure-nodes.h"
#include "lib/util.h"
#include "lib/banned.h"

/* What a size has, from Microsoft's size pages (vCPUs, GiB). */
static const struct {
	const char *size;
	long        cpus, mem_gib;
} sizes[] = {
	{ "Standard_B2s", 2, 4 },
	{ "Standard_B4ms", 4, 16 },
	{ "Standard_D2s_v3", 2, 8 },
	{ "Standard_D4s_v3", 4, 16 },
	{ "Standard_D2s_v5", 2, 8 },
	{ "Standard_D4s_v5", 4, 16 },
	{ "Standard_D8s_v5", 8, 32 },
	{ "Standard_D16s_v5", 16, 64 },
	{ "Standard_D32s_v5", 32, 128 },
	{ "Standard_E4s_v5", 4, 32 },
	{ "Standard_E8s_v5", 8, 64 },
	{ "Standard_F4s_v2", 4, 8 },
	{ "Standard_F8s_v2", 8, 16 },
	{ "Standard_NC4as_T4_v3", 4, 28 },
	{ "Standard_NC8as_T4_v3", 8, 56 },
	{ "Standard_NC16as_T4_v3", 16, 110 },
	{ "Standard_NC24ads_A100_v4", 24, 220 },
};

int
azure_node_size(const char *size, long *cpus, long *mem_mb, char *why,
    size_t len)
{
	for (size_t i = 0; i < nitems(sizes); i++)
		if (strcmp(sizes[i].size, size) == 0) {
			if (cpus != NULL)
				*cpus = sizes[i].cpus;
			if (mem_mb != NULL)
				*mem_mb = sizes[i].mem_gib * 1024;
			return 0;
		}
	snprintf(why, len,
	    "size '%s' is not one rig knows the CPUs and memory of (e.g. "
	    "Standard_D4s_v5, Standard_NC4as_T4_v3)",
	    size);
	return -1;
}
