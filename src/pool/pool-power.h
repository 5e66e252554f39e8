/* SPDX-License-Identifier: MIT */
/*
 * Slurm's power saving through rig (rig pool power up|down HOSTLIST, on
 * the head, as root): each named node powered by its partition's
 * provider; a node powered up is waited for until its slurmd joins, and
 * one that fails to power up or to join is marked down with the reason,
 * so slurmctld gives its job to another node.
 */
#ifndef POOL_POWER_H
#define POOL_POWER_H

#include <stddef.h>

#include "machine/machine.h"
#include "pool.h"

/* A node of POOL_POWER_CONF's [nodes]. */
struct power_node {
	char                   *name, *host;
	const struct partition *part;
};

struct power_conf {
	struct pool pl; /* power keys and powered partitions */
	/* The head, for providers that make nodes beside it ([head] and
	 * its provider's section); has_head 0 without. */
	struct machine     head;
	int                has_head;
	struct power_node *nodes;
	size_t             n;
};

/* Reads 'path' (as slurmconf_power_conf_text() writes it). -1 with a
 * message. */
int  power_conf_load(struct power_conf *, const char *path);
void power_conf_release(struct power_conf *);

/* The node called 'name', or NULL. */
const struct power_node *power_conf_node(const struct power_conf *,
    const char *name);

/*
 * Powers the nodes of 'hostlist' up (up = 1) or down, as configured in
 * 'path'. Every name is checked first (a node of the file, a plain
 * name): one that is not, and nothing is done. 0 if all went well, -1
 * (printed) otherwise.
 */
int pool_power(int up, const char *hostlist, const char *path);

/* What a node's State (scontrol's "IDLE+CLOUD+POWERING_UP") says of a
 * node powered up: 1 joined, 0 not yet, -1 down (Slurm gave up). */
int power_joined(const char *state);

/* The reason for scontrol: printable ASCII without quotes, at most
 * 'len' - 1 bytes. */
void power_reason(const char *why, char *out, size_t len);

#endif
