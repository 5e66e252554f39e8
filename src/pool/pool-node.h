/* SPDX-License-Identifier: MIT */
/*
 * A pool's node as a machine (pool-node.c): what rig up uses to set a
 * node up, and what powering nodes up and down will use to reach them.
 */
#ifndef POOL_NODE_H
#define POOL_NODE_H

struct machine;
struct remote;
struct proc_result;

/*
 * Makes 'nm' the node at 'host' with provider 'provider', logged into as
 * the head's [machine] says. -1 with a message (then machine_release()
 * 'nm' all the same).
 */
int pool_node_machine(struct machine *nm, const struct machine *head,
    const char *provider, const char *host);

/* Whether the login is root (*sudo 0) or may become it with 'sudo -n'
 * (*sudo 1); -1 with a message naming 'what' if neither. */
int pool_probe_root(struct remote *, int *sudo, const char *what);

/* Runs 'script' as root (through sudo -n if 'sudo'), standard input
 * from 'in_fd' (-1: none); output in *res, which the caller releases.
 * -1 if ssh itself failed (printed). */
int pool_root_run(struct remote *, int sudo, const char *script, int in_fd,
    int timeout_ms, struct proc_result *res);

/* Prints a failed script's error output and "WHAT failed (status N)". */
void pool_show_failure(const char *what, const struct proc_result *res);

#endif
