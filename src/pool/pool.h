/* SPDX-License-Identifier: MIT */
/*
 * A team's pool: rig.conf's [pool] and its [partition NAME] sections.
 * The head is the project's [machine]; each partition is a kind of node
 * with its provider and, for machines that exist already, their hosts.
 * Slurm (Debian's slurm-wlm and munge) schedules; rig sets it up (rig up,
 * pool-up.c) and writes its configuration (slurmconf.c).
 */
#ifndef POOL_H
#define POOL_H

#include <stdint.h>

#include "lib/settings.h"

struct machine;
struct provider;

#define POOL_PARTITION_NAME_MAX 32
#define POOL_HOSTS_MAX 256 /* nodes in all partitions */

struct partition {
	char                  *name;
	char                  *provider_name;
	const struct provider *provider;
	char                  *hosts; /* words: addresses or names */
	/* Commands run on the head to power a node (Slurm's power
	 * saving): "{host}" is the node's address, one argument. */
	char  *power_on, *power_off;
	double price_hour; /* a node's, for the spend; 0 none */
	/* A provider that makes its nodes (a cloud's VMs, made when Slurm
	 * first powers one up): they are NAME-1..NAME-max_nodes, of 'size'
	 * (the provider's word), Spot if 'spot'; one powered down longer
	 * than node_delete_after seconds is deleted. */
	char             *size;
	int               max_nodes, min_nodes, spot;
	int64_t           node_delete_after;
	struct partition *next; /* in rig.conf's order */
};

struct pool {
	int   present; /* rig.conf has [pool] */
	char *engine;
	char *shared_dir; /* exported by the head, absolute */
	/* Slurm's power saving for nodes that can be powered: idle this
	 * long, they are powered down (SuspendTime); powering one up may
	 * take resume_timeout, down suspend_timeout. */
	int64_t node_idle_stop, resume_timeout, suspend_timeout;
	/* The ports users' servers listen on at the nodes, "LO-HI": only the
	 * head may connect to them there (slurmconf_nft_text()). */
	char             *server_ports;
	struct partition *parts; /* the first is the default */
};

/* [pool]'s keys, and a partition's (section "partition"). */
extern const struct setting pool_settings[];
extern const struct setting partition_settings[];

/* server_ports as numbers; -1 if it is not "LO-HI" with 1024 <= LO <=
 * HI <= 32767 (below the kernel's own ephemeral ports). */
int pool_server_ports(const char *, int *lo, int *hi);

void pool_init(struct pool *);
void pool_release(struct pool *);

/*
 * Reads [pool] and every [partition NAME] of the machine's rig.conf.
 * Without [pool] there is no pool (present 0) and any partition is an
 * error. -1 with a message (unknown keys name the nearest known one).
 */
int pool_load(struct pool *, const struct machine *);

/* Sets one key of "pool" or "partition NAME" from text; -1 with a
 * message. */
int pool_set(struct pool *, const char *section, const char *key,
    const char *value);

/* Checks what a whole pool needs: at least one partition, each with
 * hosts, no host twice. -1 with a message. */
int pool_check(const struct pool *, const struct machine *head);

/* Whether the partition's nodes are powered down when idle and up when
 * Slurm needs them (Slurm's State=CLOUD). */
int partition_powered(const struct partition *);

/* Whether the partition's provider makes its nodes (no hosts: they
 * are NAME-1..NAME-max_nodes). */
int partition_makes_nodes(const struct partition *);

/* Whether any partition's nodes are. */
int pool_powered(const struct pool *);

/* Whether 'name' may name a partition: lower case letters, digits, '_'
 * and '-', starting with a letter, at most POOL_PARTITION_NAME_MAX. */
int pool_partition_name_ok(const char *name);

#endif
