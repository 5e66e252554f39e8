/* SPDX-License-Identifier: MIT */
/*
 * Providers: where a project's machine comes from. "ssh" is any server
 * someone already runs; "local" is this machine. A cloud provider (Azure
 * next) fills in the same six operations, and every command above them
 * (up, status, ssh, sync, exec, stop, start, down) stays as it is: they
 * only ask a provider to make, power and find the machine, then talk to
 * it over SSH (remote.c).
 */
#ifndef PROVIDER_H
#define PROVIDER_H

#include <jansson.h>

struct machine;

enum provider_power {
	PROVIDER_UNKNOWN, /* cannot tell (unreachable) */
	PROVIDER_RUNNING,
	PROVIDER_STOPPED, /* exists, powered off (a deallocated VM) */
	PROVIDER_ABSENT, /* does not exist (yet, or any more) */
};

struct provider {
	const char *name;
	/* rig made the machine and deletes it on down: nothing to undo on
	 * it first, and stopping it needs no login. */
	int owns_machine;
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
};

/* The provider called 'name', or NULL. */
const struct provider *provider_find(const char *name);
/* Names of all providers for messages ("ssh, local"). Static. */
const char *provider_names(void);
/* "running", "stopped", ... */
const char *provider_power_name(enum provider_power);

extern const struct provider provider_ssh;
extern const struct provider provider_local;
extern const struct provider provider_azure;

#endif
