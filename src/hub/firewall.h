/* SPDX-License-Identifier: MIT */
/*
 * The user firewall (hub.conf: user_firewall = yes): a network policy on
 * every process of every rig account, whoever started it (the hub, sshd,
 * cron). Rules live in nftables table "inet rig", one chain hooked at
 * output matching the socket owner's uid (meta skuid): no connection to
 * the cloud's metadata services, to the local ports of the hub's back ends
 * ([service] URLs), or to a local TCP port another rig account listens
 * on. The hub loads the table at start, keeps its sets in step with the
 * accounts and their listeners once a second, and deletes it when it
 * exits. Unix sockets are not covered: file permissions guard those.
 */
#ifndef FIREWALL_H
#define FIREWALL_H

#include "firewall-rules.h"

#define FIREWALL_FILE "firewall.json" /* in the state dir, for rig status */

struct hub;

/*
 * At hub start, before the first server is spawned or taken over. With
 * user_firewall off: removes a status file an earlier hub left, 0. On:
 * -1 with a message if the hub is not root or nft refuses the rules (the
 * hub must not run unguarded when the config asks for the guard).
 */
int firewall_start(struct hub *);
/* Once a second: brings the sets up to date (accounts made or removed,
 * listeners opened or closed); nft runs only when something changed. */
void firewall_tick(struct hub *);
/* When rig hub stops, while it can still load rules: deletes the table.
 * firewall_stop() then has only the rest to do. */
void firewall_unload(void);
/* When rig hub exits: deletes the table and the status file. Safe to
 * call when the firewall never started. */
void firewall_stop(void);
/* 1 while the table is loaded by this hub. */
int firewall_active(void);

#endif
