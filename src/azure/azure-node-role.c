/* SPDX-License-Identifier: MIT */
/*
 * The head may make its pool's nodes (azure-nodes.h): rig pool power runs
 * on the head VM as its managed identity, which rig up gives Azure's
 * built-in Virtual Machine Contributor on the head's resource group: it
 * may create, start, deallocate and delete VMs there and their network
 * interfaces, and join them to the group's subnets, and nothing outside
 * the group. (The self-stop role, on the VM alone, may not.) Any process
 * on the head that reaches IMDS could use it: the hub's user firewall
 * keeps users' servers from 169.254.169.254.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure-nodes.h"
#include "azure.h"
#include "lib/log.h"
#include "lib/util.h"
#include "machine/machine.h"
#include "lib/banned.h"

/* Virtual Machine Contributor, the same id in every tenant. */
#define VM_CONTRIBUTOR "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"

int
azure_nodes_allow(struct machine *m)
{
	struct azure az;
	json_t      *vm = NULL, *have = NULL;
	const char  *principal;
	char         guid[37], *seed, *path = NULL, *role = NULL;
	int          r = -1, got;

	if (azure_open(&az, m) == -1)
		return -1;
	printf("[pool] azure     the head may make its nodes: ");
	fflush(stdout);
	if (azure_get(&az, "the head's VM", az.vm_path, &vm) != 1)
		goto out;
	principal = json_string_value(
	    json_object_get(json_object_get(vm, "identity"), "principalId"));
	if (principal == NULL) {
		printf("\n");
		error("azure: the head's VM has no managed identity to make "
		      "its nodes with");
		goto out;
	}
	/* Named after the group and the identity: found again by the next
	 * rig up, never made twice. */
	seed = xasprintf("%s|%s|pool-nodes", az.rg_path, principal);
	azure_guid(seed, guid);
	free(seed);
	path = xasprintf("%s/providers/Microsoft.Authorization/"
	                 "roleAssignments/%s",
	    az.rg_path, guid);
	got = azure_get(&az, "the head's role for its nodes", path, &have);
	if (got == 1) {
		printf("Virtual Machine Contributor on %s (exists)\n", az.rg);
		r = 0;
		goto out;
	}
	if (got == -1)
		goto out;
	role =
	    xasprintf("/subscriptions/%s/providers/"
	              "Microsoft.Authorization/roleDefinitions/" VM_CONTRIBUTOR,
	        az.sub);
	r = azure_put(&az, "letting the head make its nodes", path,
	    json_pack("{s:{s:s, s:s, s:s}}", "properties", "roleDefinitionId",
	        role, "principalId", principal, "principalType",
	        "ServicePrincipal"),
	    NULL);
	if (r == 0)
		printf("Virtual Machine Contributor on %s\n", az.rg);
out:
	fflush(stdout);
	free(role);
	free(path);
	json_decref(vm);
	json_decref(have);
	azure_close(&az);
	return r;
}
