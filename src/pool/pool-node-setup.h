/* SPDX-License-Identifier: MIT */
/*
 * What makes a machine a pool's node (pool-node-setup.c): the one script
 * rig up runs on an ssh node and that a node a provider powers up is to
 * get too, so both join the same way.
 */
#ifndef POOL_NODE_SETUP_H
#define POOL_NODE_SETUP_H

struct buf;
struct remote;
struct proc_result;

/* What a node gets from the head. */
struct node_files {
	const char *accts; /* "H:NAME:UID:GID:HOME:SHELL:GROUP" lines */
	const char *conf; /* slurm.conf */
	const char *fstab; /* the shared_dir mount line */
	const char *prolog; /* Slurm's prolog */
	const char *nft; /* the firewall of servers' ports */
	const char *ports; /* SLURMJOB_NODE_PORTS */
	const char *shared_dir; /* mounted where the kernel can */
};

/*
 * The head's accounts as pool_sh_head_accounts prints them ("acct=..."
 * lines in 'out') appended to 'accts' as node_files' "H:..." lines; one
 * with characters rig does not pass on is left out with a warning.
 */
void pool_accounts_add(struct buf *accts, const char *out);

/* Appends "put PATH 644" of 'text' as a quoted here-document. */
void pool_add_put(struct buf *, const char *path, const char *text);

/*
 * Runs the node's set-up as root (through sudo -n if 'sudo'): the munge
 * key 'key' (base64) on standard input, never in a command line; then
 * accounts, files, mount, munged and slurmd. Output in *res (released by
 * the caller; "key=copied", "added=NAME", "clash=NAME", "act=restart",
 * "nfs=mounted" lines). -1 (printed) if it did not run or failed.
 */
int pool_node_setup(struct remote *, int sudo, const struct node_files *,
    const char *key, struct proc_result *res);

#endif
