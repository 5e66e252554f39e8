/* SPDX-License-Identifier: MIT */
/*
 * The user firewall's rules: what table "inet rig" says (the uids of rig
 * accounts, the local ports of the hub's back ends, the TCP listeners of
 * rig accounts), its nft script, and nft run on it. Below both the hub's
 * side (firewall.h) and the privileged helper that loads it (priv.h).
 */
#ifndef FIREWALL_RULES_H
#define FIREWALL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define FIREWALL_TABLE "rig" /* family inet */
#define FIREWALL_NFT "/usr/sbin/nft" /* RIG_NFT overrides */
#define FIREWALL_MAX_RULESET (8 * 1024 * 1024) /* bytes of nft input */

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
/* 1 if 'uid' is among r's uids (normalized first), else 0. */
int firewall_rules_has_uid(const struct firewall_rules *, uint32_t);
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

/* nft itself, in this process (as root: the helper, or a hub that has
 * not dropped root): the table replaced with 'r', or deleted. 0 if nft
 * exited 0, else -1 (said why). */
int firewall_nft_load(const struct firewall_rules *r);
int firewall_nft_unload(void);

#endif
