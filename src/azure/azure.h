/* SPDX-License-Identifier: MIT */
/*
 * One Azure session for a CLI command: the credential chain, the ARM
 * client, the subscription, and the names of the project's resources,
 * which are all derived from the machine's name so that every step can
 * look first and make only what is missing (azure-vm.c makes them,
 * provider-azure.c powers and finds the VM). Calls that fail print one
 * line saying what failed and, for the errors users meet, what to do.
 */
#ifndef AZURE_H
#define AZURE_H

#include <stdint.h>

#include <jansson.h>

struct machine;
struct arm_client;
struct azure_auth;

struct azure {
	struct machine    *m;
	struct azure_auth *auth;
	struct arm_client *arm;
	char              *sub; /* subscription id */
	char              *rg; /* resource group */
	char              *name; /* base of every resource name */
	char              *rg_path; /* /subscriptions/S/resourceGroups/RG */
	char              *vm_path; /* rg_path + .../virtualMachines/NAME */
	/* What the last call that failed said ("CODE: MESSAGE"), for
	 * callers that pass it on (a node's reason in Slurm). */
	char err[512];
};

/* Logs in and finds the subscription (rig.conf, AZURE_SUBSCRIPTION_ID,
 * or the az CLI's). -1 with a message. */
int  azure_open(struct azure *, struct machine *);
void azure_close(struct azure *);

/* An ARM name made from a machine name: lower case, '-' for '.' and '_'
 * (a VM's host name may have neither). Caller frees. */
char *azure_resource_name(const char *machine_name);

/* A GUID made from 'seed' (SHA-256), so a second run finds what the first
 * made. 'out' holds 37 bytes. */
void azure_guid(const char *seed, char *out);

/* The GUID of the project's self-stop role definition (37 bytes). */
void azure_role_definition(const struct azure *, char *guid);

/* The path of the VM identity's role assignment on the VM. Caller frees. */
char *azure_role_assignment(const struct azure *, const char *principal);

/* rg_path + "/providers/" + 'rest'. Caller frees. */
char *azure_rpath(const struct azure *, const char *rest);

/* The path of one of the project's resources: rg_path + "/providers/" +
 * 'type' (ending in "/" or a prefix) + the name + 'suffix', e.g.
 * ("Microsoft.Network/virtualNetworks/", "-vnet"). Caller frees. */
char *azure_named_path(const struct azure *, const char *type,
    const char *suffix);

/*
 * GET 'path' (api-version added): 1 and *out (the resource) if it exists,
 * 0 if ARM says 404, -1 printed otherwise. 'what' names it in messages.
 */
int azure_get(struct azure *, const char *what, const char *path, json_t **out);

/*
 * PUT 'body' (stolen) to 'path' and waits for the operation; *out (may be
 * NULL) gets the resource as it is after. -1 printed.
 */
int azure_put(struct azure *, const char *what, const char *path, json_t *body,
    json_t **out);

/* POST an action (start, deallocate) and waits for it. -1 printed. */
int azure_action(struct azure *, const char *what, const char *path);

/* DELETE and waits; 0 also if it was gone already. -1 printed. */
int azure_delete(struct azure *, const char *what, const char *path);

/*
 * Prints "azure: WHAT failed: CODE: MESSAGE" for an answer, and on a
 * second line what to do for the errors users meet (quota, size not
 * offered, missing role, marketplace terms, name taken, throttling, an
 * expired login). Returns -1.
 */
int azure_fail(const char *what, long status, const char *body);

/* The advice for an ARM error code, or NULL. Static. */
const char *azure_advice(const char *code);

/* The PowerState/ code of an instance view's statuses[], matched by its
 * prefix and never by position ("running", "deallocated", ...); NULL if
 * none. Borrowed from 'iv'. */
const char *azure_power_state(json_t *instance_view);

/* When the instance view's statuses last changed (their latest "time"),
 * or -1. */
int64_t azure_state_time(json_t *instance_view);

/* Makes the log agree with the power Azure reports: a start or stop made
 * elsewhere is logged at 'when' (or now if unknown or later). */
void azure_power_reconcile(struct machine *, int running, int64_t when);

/* Appends "EPOCH start|stop" to .rig/azure-power.log, for hours run. */
void azure_power_log(struct machine *, const char *event, int64_t when);

/* Seconds the VM ran since 'since', from that log (a running tail
 * counted up to 'now'). */
int64_t azure_hours_run(struct machine *, int64_t since, int64_t now,
    int *last_running);

#endif
