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

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define FIREWALL_TABLE "rig" /* family inet */
#define FIREWALL_NFT "/usr/sbin/nft" /* RIG_NFT overrides */
#define FIREWALL_FILE "firewall.json" /* in the state dir, for rig status */
#define FIREWALL_MAX_RULESET (8 * 1024 * 1024) /* bytes of nft input */

struct hub;

/* A TCP port a rig account listens on, and the account's uid. */
struct firewall_listener {
	uint32_t uid;
	uint16_t port;
};

/* What the table says. Arrays are owned; firewall_rules_normalize() sorts
 * them and drops duplicates, so two sets compare with memcmp. */
struct firewall_rules {
	uint32_t                 *uids; /* rig accounts */
	size_t                    nuids;
	uint16_t                 *internal; /* local ports of back ends */
	size_t                    ninternal;
	struct firewall_listener *listeners;
	size_t                    nlisteners;
};

void firewall_rules_init(struct firewall_rules *); /* allocates nothing */
void firewall_rules_release(struct firewall_rules *);
void firewall_rules_add_uid(struct firewall_rules *, uint32_t);
void firewall_rules_add_internal(struct firewall_rules *, uint16_t);
void firewall_rules_add_listener(struct firewall_rules *, uint32_t, uint16_t);
void firewall_rules_normalize(struct firewall_rules *);
/* 1 if both say the same (normalized first), else 0. */
int firewall_rules_equal(const struct firewall_rules *,
    const struct firewall_rules *);

/*
 * Appends to 'out' the nft script that replaces table inet rig with one
 * holding 'r' (normalized first) in a single transaction: loading it
 * twice is the same as once. -1 if 'out' would pass its maximum.
 */
int firewall_ruleset(const struct firewall_rules *r, struct buf *out);
/* The nft script that deletes the table, also when there is none. */
const char *firewall_teardown(void);

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
/* When rig hub exits: deletes the table and the status file. Safe to
 * call when the firewall never started. */
void firewall_stop(void);
/* 1 while the table is loaded by this hub. */
int firewall_active(void);

#endif
