/* SPDX-License-Identifier: MIT */
/*
 * Providers: where a project's machine comes from. "ssh" is any server
 * someone already runs; "local" is this machine. A cloud provider (Azure)
 * fills in the same six operations, and every command above them (up,
 * status, ssh, sync, exec, stop, start, down) stays as it is: they only
 * ask a provider to make, power and find the machine, then talk to it
 * over SSH (remote.c). A provider with settings of its own declares its
 * rig.conf section's table; each machine holds those settings opaquely
 * (machine_provider_conf()), and the hooks below are where a provider
 * adds to the machine commands' work. The list of providers is the
 * wiring file's (src/providers.c), which may name every part. A pool's
 * node (src/pool/) is a struct machine too, made from [machine]'s login
 * and a partition's host, so a partition's provider is the same code as
 * a machine's: start and stop are its power operations, status its
 * power state. No file outside a provider's own tests its name: what
 * differs is a field here (needs_host, owns_machine, summary, ...).
 */
#ifndef PROVIDER_H
#define PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/settings.h"

struct machine;
struct argv;

/*
 * A pool's node as Slurm's power saving sees it (rig pool power, on the
 * head, as root): its Slurm name, where it is (NULL when the provider
 * makes it) and its partition's power command for this operation
 * (power_on or power_off; NULL when the partition sets none).
 */
struct provider_node {
	const char *name;
	const char *host;
	const char *cmd;
	/* A node the provider makes (needs_host 0): its size, Spot, how
	 * long it may stay powered down before it is deleted, and the
	 * head it is made beside (its network, group and image), read
	 * from the pool's power configuration. */
	const char     *size;
	int             spot;
	int64_t         delete_after;
	struct machine *head;
	/* power_up of such a node writes the address the head reaches it
	 * at here (addr_len bytes), for Slurm's NodeAddr. */
	char  *addr;
	size_t addr_len;
	/* And what the head logs in with to set it up: 'login_key' (a
	 * public key line) goes on the node beside the head's own keys;
	 * its host key is made and kept in 'dir' (root's, on the head) and
	 * pinned in 'dir'/known_hosts at its address before the first
	 * ssh, so that only the node made for it gets the pool's secrets. */
	const char *login_key;
	const char *dir;
};

/* Called by a provider's hub_keys hook for each [hub] key it adds. */
typedef void provider_key_fn(void *arg, const char *key, const char *value);

enum provider_power {
	PROVIDER_UNKNOWN, /* cannot tell (unreachable) */
	PROVIDER_RUNNING,
	PROVIDER_STOPPED, /* exists, powered off (a deallocated VM) */
	PROVIDER_ABSENT, /* does not exist (yet, or any more) */
};

struct provider {
	const char *name;
	const char *about; /* for rig.conf's comment: "any server" */
	/* rig made the machine and deletes it on down: nothing to undo on
	 * it first, and stopping it needs no login. */
	int owns_machine;
	/* The machine exists already and rig.conf's host says where: a
	 * machine (or a pool's node) without one cannot be used. */
	int needs_host;
	/* Makes the machine exist; 0 if it does already. */
	int (*create)(struct machine *);
	/* Powers it on and waits until SSH could answer; 0 if running. */
	int (*start)(struct machine *);
	/* Powers it off keeping its disk (a cloud's deallocate). */
	int (*stop)(struct machine *);
	/* Deletes the machine and its disk. */
	int (*destroy)(struct machine *);
	/* Where SSH reaches it: *host (caller frees) and *port. *host NULL
	 * means this machine itself: commands run here, without SSH. */
	int (*address)(struct machine *, char **host, int *port);
	/* Its power state as the provider knows it. */
	int (*status)(struct machine *, enum provider_power *);
	/* More for rig status (power details, prices, and "power" as
	 * provider_power_name() says it, so status need not ask again);
	 * may be NULL. */
	int (*describe)(struct machine *, json_t *out);

	/* Its own rig.conf section ("[section]", keys in 'settings'), or
	 * NULL. conf_new() makes the struct they are set in, with the
	 * defaults; conf_free() frees it. */
	const char           *section;
	const struct setting *settings;
	void *(*conf_new)(void);
	void (*conf_free)(void *);
	/* Whether the machine's settings suit the provider (after flags),
	 * -1 with a message; may be NULL. */
	int (*check)(struct machine *);
	/* The login user when rig.conf names none, from the local user's
	 * name; may be NULL (that name). Borrowed or static. */
	const char *(*default_user)(const char *local);
	/* What rig init made, in words ("a VM, SIZE in REGION", "this
	 * machine"); may be NULL. */
	void (*summary)(const struct machine *, char *out, size_t len);
	/* TCP ports user servers must not reach on this machine (its
	 * metadata service, whose identity manages it): rig up sets
	 * server_deny_ports where the machine's kernel can; NULL: none. */
	const char *deny_ports;
	/* More [hub] keys for the machine's hub.conf (rig up), each given
	 * to 'add'; may be NULL. */
	void (*hub_keys)(struct machine *, provider_key_fn *add, void *arg);
	/* Prints more lines at the end of rig up; may be NULL. */
	void (*up_done)(struct machine *);
	/* A pool's node powered up or down for Slurm (provider_node
	 * above): 0 once the provider did it (up: powered, its slurmd
	 * about to start; the caller waits for it to register), else -1
	 * and the reason in 'why' (what Slurm shows as the node's
	 * reason). NULL: its nodes cannot be powered, so partitions of
	 * this provider are always on. */
	int (*power_up)(const struct provider_node *, char *why, size_t len);
	int (*power_down)(const struct provider_node *, char *why, size_t len);
	/* A provider that makes its nodes (needs_host 0) tells what a node
	 * of 'size' has, for slurm.conf (*cpus, *mem_mb; either may be
	 * NULL), or -1 and why if it does not know the size. */
	int (*node_size)(const char *size, long *cpus, long *mem_mb, char *why,
	    size_t len);
	/* A node's price per hour in the head's currency, for rig pool
	 * status when the partition sets no price_hour; -1 if unknown.
	 * May be NULL. */
	double (*node_price)(struct machine *head, const char *size, int spot);
	/* rig up of a pool with a partition whose nodes it makes: lets the
	 * head make them (a cloud identity's role); prints a line. 0, or
	 * -1 printed. May be NULL. */
	int (*nodes_allow)(struct machine *head);
	/* The address a pool's nodes reach the head at where it is not the
	 * one rig reaches it at (a cloud VM's private address on its
	 * network, beside its public one): 0 and *addr (caller frees), or
	 * -1 printed. May be NULL (the same address). */
	int (*pool_address)(struct machine *head, char **addr);
};

/* Every provider, NULL-terminated: the wiring file's (src/providers.c). */
extern const struct provider *const providers[];

/* The provider called 'name', or NULL. */
const struct provider *provider_find(const char *name);
/* Names of all providers for messages ("ssh, local, ..."). Static. */
const char *provider_names(void);
/*
 * A power command (power_on = CMD {host}) as argv: split at blanks, each
 * "{host}" and "{node}" in a word replaced by the node's host and name,
 * inside that one argument (never a shell). -1 with 'why' if it is
 * empty, quotes (which would not mean what a shell makes of them) or
 * names another {placeholder}.
 */
int provider_power_argv(const char *cmd, const struct provider_node *,
    struct argv *out, char *why, size_t len);

/* "running", "stopped", ... */
const char *provider_power_name(enum provider_power);

extern const struct provider provider_ssh;
extern const struct provider provider_local;

#endif
