/* SPDX-License-Identifier: MIT */
/*
 * A server's Unix account before its start, for every spawner that runs
 * servers as their users' accounts (spawn-local.c, spawn-slurm.c).
 */
#ifndef SPAWN_ACCOUNT_H
#define SPAWN_ACCOUNT_H

struct hub;
struct server;

/*
 * Whether the accounts are rig's own (authenticator = local: made for the
 * hub's users, so everything running as one is the server's) and not the
 * machine's (pam: a person's account, whose ssh logins and jobs are
 * theirs, not the server's). Only rig's own are made, and killed by uid.
 */
int spawn_own_accounts(const struct hub *);

/*
 * As root: the server's account made if it is missing, then then(s), at
 * once when the account exists, after useradd when the hub makes it.
 * Every failure ends the start through server_spawn_failed().
 */
void spawn_account_then(struct server *, void (*then)(struct server *));

#endif
