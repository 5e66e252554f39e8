/* SPDX-License-Identifier: MIT */
/*
 * A pool's nodes made on Azure beside the head (azure-nodes.c): the
 * provider's power_up, power_down, node_size and node_price hooks
 * (provider.h) for partitions with provider = azure.
 */
#ifndef AZURE_NODES_H
#define AZURE_NODES_H

#include <stddef.h>

struct machine;
struct provider_node;

/* What a VM of 'size' has; -1 and why if rig does not know it. */
int azure_node_size(const char *size, long *cpus, long *mem_mb, char *why,
    size_t len);

/* Makes the node's VM on first use, or starts it; its private address
 * in nd->addr. -1 and why (the ARM error) otherwise. Nodes deallocated
 * longer than their partition allows are deleted first. */
int azure_node_up(const struct provider_node *, char *why, size_t len);

/* Deallocates the node's VM and notes when. -1 and why. */
int azure_node_down(const struct provider_node *, char *why, size_t len);

/* Gives the head VM's managed identity Virtual Machine Contributor on
 * its resource group, so that rig pool power there may make, start and
 * deallocate its nodes' VMs and NICs (azure-node-role.c). 0, or -1
 * printed. */
int azure_nodes_allow(struct machine *head);

/* The head VM's private address (its primary NIC's), where its nodes
 * reach it. 0 and *addr (caller frees), or -1 printed. */
int azure_pool_address(struct machine *head, char **addr);

/* A node's Linux price per hour (Spot if 'spot') in the head's region;
 * -1 if it cannot be had. */
double azure_node_price(struct machine *head, const char *size, int spot);

#endif
