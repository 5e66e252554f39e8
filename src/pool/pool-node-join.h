/* SPDX-License-Identifier: MIT */
/*
 * A node a provider made joins the pool (pool-node-join.c): rig pool
 * power, on the head as root, logs in to it over SSH with the head's own
 * key (POOL_SSH_KEY), at the host key the provider pinned, and runs the
 * same set-up rig up runs on an ssh node (pool-node-setup.c), with what
 * the head has: its munge key, slurm.conf, accounts and shared_dir.
 */
#ifndef POOL_NODE_JOIN_H
#define POOL_NODE_JOIN_H

#include <stddef.h>

struct machine;
struct power_conf;

/*
 * Makes POOL_SSH_KEY unless it is there (root's, 0600); its public half
 * ("ssh-ed25519 BASE64", caller frees), or NULL with why.
 */
char *pool_ssh_key(char *why, size_t len);

/*
 * 'nm' as the head reaches node 'name': the head's login, POOL_SSH_KEY,
 * its files (host key, known_hosts) in POOL_POWER_STATE/nodes/NAME,
 * nm->state_dir. -1 with a message (machine_release() 'nm' all the same).
 */
int pool_join_machine(struct machine *nm, const struct power_conf *,
    const char                       *name);

/*
 * Sets node 'name' ('nm') up at 'addr' (its packages, munge key, accounts,
 * files, mount, munged and slurmd), so its slurmd joins. 0, or -1 and why (for
 * the node's down reason; details printed).
 */
int pool_node_join(struct machine *nm, const struct power_conf *,
    const char *name, const char *addr, char *why, size_t len);

#endif
