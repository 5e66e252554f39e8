/* SPDX-License-Identifier: MIT */
/*
 * rig up for a pool (after the head's own steps, up.h): each node's
 * packages and what it has (slurmd -C), slurm.conf and cgroup.conf from
 * the partitions, the head's munge key copied to every node, the head's
 * accounts made on the nodes with the same uids, the shared folder's
 * export and mounts, then munged and slurmctld on the head, munged and
 * slurmd on the nodes. Each step looks first: run again, it changes only
 * what differs (a node added joins; one removed from rig.conf is drained,
 * and dropped once it runs no job).
 */
#ifndef POOL_UP_H
#define POOL_UP_H

struct remote;
struct pool;

/* Packages the head and the nodes get (Debian 12 names). */
#define POOL_HEAD_PACKAGES "slurmctld slurm-client munge nfs-kernel-server sudo"
/* The nodes run users' servers as jobs (the hub's spawner slurm):
 * Debian's notebook, the default server_cmd there, and nft for the
 * firewall of their ports. */
#define POOL_NODE_PACKAGES                                                     \
	"slurmd slurm-client munge nfs-common jupyter-notebook nftables"

/* Sets the pool up on the head reached by 'head' (its machine's rig up
 * done) and on its nodes. 0, or -1 with a message. */
int pool_up(struct remote *head, const struct pool *);

#endif
