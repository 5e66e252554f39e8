/* SPDX-License-Identifier: MIT */
/*
 * The "azure" provider: the machine is a VM rig makes in the project's
 * own resource group (azure-vm.c). Stopping deallocates it (a powered-off
 * VM is still billed), starting starts it and waits for SSH, and the
 * address is the static public IP noted at rig up, so no call to Azure is
 * needed to reach a running VM. Deleting removes the group if rig made
 * it, else only what rig made in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "azure-conf.h"
#include "azure-hostkey.h"
#include "azure-nodes.h"
#include "azure-prices.h"
#include "azure-vm.h"
#include "azure.h"
#include "provider-azure.h"
#include "lib/log.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "machine/remote.h"
#include "lib/util.h"
#include "lib/banned.h"

#define SSH_WAIT_MS (5 * 60 * 1000) /* for sshd after a start */

static int         az_create(struct machine *);
static int         az_start(struct machine *);
static int         az_stop(struct machine *);
static int         az_destroy(struct machine *);
static int         az_address(struct machine *, char **, int *);
static int         az_status(struct machine *, enum provider_power *);
static int         az_describe(struct machine *, json_t *);
static void       *az_conf_new(void);
static void        az_conf_free(void *);
static int         az_check(struct machine *);
static const char *az_default_user(const char *);
static void        az_summary(const struct machine *, char *, size_t);
static void        az_hub_keys(struct machine *, provider_key_fn *, void *);
static void        az_up_done(struct machine *);

static int
az_create(struct machine *m)
{
	struct azure az;
	int          r = -1;

	if (azure_open(&az, m) == 0)
		r = azure_vm_create(&az);
	if (r == 0)
		azure_prices_note(&az);
	azure_close(&az);
	return r;
}

/* The instance view's power state, e.g. "running"; NULL printed (*absent
 * set if the VM does not exist). Caller frees. */
static char *
power_state(struct azure *az, int *absent)
{
	json_t     *iv;
	char       *path = xasprintf("%s/instanceView", az->vm_path);
	const char *p;
	char       *out = NULL;
	int         r;

	*absent = 0;
	r = azure_get(az, "the VM's state", path, &iv);
	free(path);
	if (r == 0) {
		*absent = 1;
		return NULL;
	}
	if (r == -1)
		return NULL;
	p = azure_power_state(iv);
	out = xstrdup(p != NULL ? p : "unknown");
	/* The local log learns of stops and starts made elsewhere (its own
	 * idle stop, the daily schedule, the portal), dated by Azure. */
	azure_power_reconcile(az->m,
	    strcmp(out, "running") == 0 || strcmp(out, "starting") == 0,
	    azure_state_time(iv));
	json_decref(iv);
	return out;
}

static int
wait_ssh(struct machine *m)
{
	char    *host = machine_state_get(m, "azure.ip");
	uint64_t t0 = now_ms();
	int      ok = 0;

	if (host == NULL)
		return error("no address noted for machine '%s' (run rig up)",
		    m->name);
	printf("azure: waiting for SSH on %s ... ", host);
	fflush(stdout);
	while (!(ok = tcp_answers(host, m->port, 2000)) &&
	    now_ms() - t0 < SSH_WAIT_MS)
		usleep(500 * 1000);
	printf("%s (%.1f s)\n", ok ? "answers" : "no answer",
	    (double)(now_ms() - t0) / 1000.0);
	fflush(stdout);
	free(host);
	return ok
	    ? 0
	    : error("the VM runs but SSH does not answer on port %d", m->port);
}

/* A power change of the VM: to 'want' by POSTing 'action' (its name in
 * messages 'doing', in the local log 'event'), unless it is there
 * already. 0 when it is there, -1 printed. */
struct power_change {
	const char *want, *action, *doing, *event, *already, *done;
};

static const struct power_change to_running = { "running", "start", "starting",
	"start", "running already", "running" };
/* Deallocate, never power off: Azure bills a stopped VM. */
static const struct power_change to_deallocated = { "deallocated", "deallocate",
	"deallocating", "stop", "deallocated already (not billed)",
	"deallocated; compute is no longer billed, the disk is" };

static int
power_to(struct machine *m, const struct power_change *c)
{
	struct azure az;
	char        *power = NULL, *path, what[64];
	uint64_t     t0 = now_ms();
	int          absent, r = -1;

	if (azure_open(&az, m) == -1)
		goto out;
	power = power_state(&az, &absent);
	if (absent)
		error("machine '%s' has no VM on Azure (run rig up)", m->name);
	if (power == NULL)
		goto out;
	if (strcmp(power, c->want) == 0) {
		printf("azure: VM %s is %s\n", az.name, c->already);
		r = 0;
		goto out;
	}
	printf("azure: %s VM %s (was %s) ... ", c->doing, az.name, power);
	fflush(stdout);
	path = xasprintf("%s/%s", az.vm_path, c->action);
	snprintf(what, sizeof(what), "%s the VM", c->doing);
	r = azure_action(&az, what, path);
	free(path);
	if (r == 0) {
		azure_power_log(m, c->event, now_sec());
		printf("%s (%.1f s)\n", c->done,
		    (double)(now_ms() - t0) / 1000.0);
	}
out:
	fflush(stdout);
	free(power);
	azure_close(&az);
	return r;
}

static int
az_start(struct machine *m)
{
	return power_to(m, &to_running) == 0 ? wait_ssh(m) : -1;
}

static int
az_stop(struct machine *m)
{
	return power_to(m, &to_deallocated);
}

/* The self-stop role: its assignment, then the definition, which lives
 * in the tenant and would outlast the group. */
static int
delete_role(struct azure *az)
{
	json_t     *vm;
	const char *principal;
	char        guid[37], *path;
	int         r;

	r = azure_get(az, "the VM", az->vm_path, &vm);
	if (r == -1)
		return -1;
	principal = json_string_value(
	    json_object_get(json_object_get(vm, "identity"), "principalId"));
	if (principal != NULL) {
		path = azure_role_assignment(az, principal);
		r = azure_delete(az, "the VM's role assignment", path);
		free(path);
	}
	json_decref(vm);
	if (r == -1)
		return -1;
	azure_role_definition(az, guid);
	path = xasprintf("%s/providers/Microsoft.Authorization/"
	                 "roleDefinitions/%s",
	    az->rg_path, guid);
	r = azure_delete(az, "the self-stop role", path);
	free(path);
	return r;
}

/* The resources rig made in a group it did not make, last made first. */
static int
delete_made(struct azure *az)
{
	/* What, the type path before the name, and after it. */
	static const char *const what[][3] = {
		{ "the daily stop",
		    "Microsoft.DevTestLab/schedules/shutdown-computevm-", "" },
		{ "the VM", "Microsoft.Compute/virtualMachines/", "" },
		{ "the network interface",
		    "Microsoft.Network/networkInterfaces/", "-nic" },
		{ "the public IP", "Microsoft.Network/publicIPAddresses/",
		    "-ip" },
		{ "the virtual network", "Microsoft.Network/virtualNetworks/",
		    "-vnet" },
		{ "the network security group",
		    "Microsoft.Network/networkSecurityGroups/", "-nsg" },
	};

	for (size_t i = 0; i < nitems(what); i++) {
		char *path;
		int   r;

		path = azure_named_path(az, what[i][1], what[i][2]);
		printf("azure: deleting %s ... ", what[i][0]);
		fflush(stdout);
		r = azure_delete(az, what[i][0], path);
		free(path);
		if (r == -1)
			return -1;
		printf("done\n");
	}
	return 0;
}

static int
az_destroy(struct machine *m)
{
	struct azure az;
	char        *made = NULL;
	json_t      *g = NULL;
	const char  *by;
	uint64_t     t0 = now_ms();
	int          r = -1, exists;

	if (azure_open(&az, m) == -1)
		goto out;
	exists = azure_get(&az, "the resource group", az.rg_path, &g);
	if (exists == -1)
		goto out;
	if (exists == 0) {
		printf("azure: resource group %s does not exist (nothing to "
		       "delete)\n",
		    az.rg);
		r = 0;
		goto out;
	}
	by = json_string_value(
	    json_object_get(json_object_get(g, "tags"), "created-by"));
	/* Only what this copy of the project made (or adopted) is its to
	 * delete: not a clone's, not someone else's. */
	{
		char       *ours = machine_state_get(m, "azure.project");
		char       *did = machine_state_get(m, "azure.made");
		const char *theirs = json_string_value(
		    json_object_get(json_object_get(g, "tags"), "rig-project"));
		int mine = did != NULL &&
		    (theirs == NULL ||
		        (ours != NULL && strcmp(ours, theirs) == 0));

		free(ours);
		free(did);
		if (!mine) {
			error(
			    "machine '%s' in group %s was not made from this "
			    "folder (another copy of the project, or .rig/ "
			    "lost): nothing deleted; 'rig up --adopt' first if "
			    "it is yours",
			    m->name, az.rg);
			goto out;
		}
	}
	made = machine_state_get(m, "azure.group_created");
	if (delete_role(&az) == -1)
		goto out;
	/* Only a group rig made (noted here, and tagged) goes whole. */
	if (made != NULL && strcmp(made, "yes") == 0 && by != NULL &&
	    strcmp(by, "rig") == 0) {
		printf("azure: deleting resource group %s and everything in it "
		       "... ",
		    az.rg);
		fflush(stdout);
		r = azure_delete(&az, "deleting the resource group",
		    az.rg_path);
		if (r == 0)
			printf("deleted (%.1f s)\n",
			    (double)(now_ms() - t0) / 1000.0);
	} else {
		printf("azure: resource group %s was not made by rig: deleting "
		       "only what rig made in it\n",
		    az.rg);
		r = delete_made(&az);
	}
	if (r == 0)
		azure_power_log(m, "stop", now_sec());
out:
	fflush(stdout);
	free(made);
	json_decref(g);
	azure_close(&az);
	return r;
}

/* From .rig/state: no call to Azure for a VM that runs. */
static int
az_address(struct machine *m, char **host, int *port)
{
	*host = machine_state_get(m, "azure.ip");
	if (*host == NULL)
		return error("machine '%s' has no VM on Azure yet (run rig up)",
		    m->name);
	*port = m->port;
	/* Before any ssh: the key rig gave the VM is the only one taken. */
	if (azure_host_key_pin(m, *host, *port) == -1) {
		free(*host);
		*host = NULL;
		return -1;
	}
	return 0;
}

/* Azure's power state as the provider interface has it. */
static enum provider_power
coarse_power(const char *power, int absent)
{
	if (absent)
		return PROVIDER_ABSENT;
	if (power == NULL)
		return PROVIDER_UNKNOWN;
	if (strcmp(power, "running") == 0 || strcmp(power, "starting") == 0)
		return PROVIDER_RUNNING;
	return PROVIDER_STOPPED;
}

static int
az_status(struct machine *m, enum provider_power *p)
{
	struct azure az;
	char        *power = NULL;
	int          absent = 0, r = -1;

	*p = PROVIDER_UNKNOWN;
	if (azure_open(&az, m) == -1)
		goto out;
	power = power_state(&az, &absent);
	if (power == NULL && !absent)
		goto out;
	*p = coarse_power(power, absent);
	r = 0;
out:
	free(power);
	azure_close(&az);
	return r;
}

/* What rig status adds for a VM: power state (and whether it is billed),
 * address and DNS name, prices, hours run and the month's estimate. */
static int
az_describe(struct machine *m, json_t *out)
{
	struct azure az;
	char        *power = NULL, *made, *fqdn;
	int          absent = 0, r = -1;

	if (azure_open(&az, m) == -1)
		goto out;
	made = machine_state_get(m, "azure.made");
	if (made != NULL && strcmp(made, "partly") == 0)
		json_object_set_new(out, "incomplete",
		    json_string("a rig up did not finish: some resources "
		                "exist, others not (run rig up again, or rig "
		                "down)"));
	free(made);
	fqdn = machine_state_get(m, "azure.fqdn");
	if (fqdn != NULL)
		json_object_set_new(out, "fqdn", json_string(fqdn));
	free(fqdn);
	json_object_set_new(out, "resource_group", json_string(az.rg));
	/* Laptops move: say so when this one is not let in any more. */
	{
		char *allowed = machine_state_get(m, "azure.allow_from");
		char *me = allowed != NULL
		    ? azure_my_address(azure_conf_of(m), 1)
		    : NULL;

		if (allowed != NULL)
			json_object_set_new(out, "allow_from",
			    json_string(allowed));
		if (me != NULL) {
			json_object_set_new(out, "my_address", json_string(me));
			json_object_set_new(out, "allowed",
			    json_boolean(azure_cidr_contains(allowed, me)));
		}
		free(me);
		free(allowed);
	}
	json_object_set_new(out, "location",
	    json_string(azure_conf_of(m)->location));
	json_object_set_new(out, "size", json_string(azure_conf_of(m)->size));
	power = power_state(&az, &absent);
	if (power != NULL || absent)
		json_object_set_new(out, "power",
		    json_string(
		        provider_power_name(coarse_power(power, absent))));
	if (absent)
		json_object_set_new(out, "vm", json_string("absent"));
	else if (power == NULL)
		goto out;
	else {
		json_object_set_new(out, "vm", json_string(power));
		/* Azure bills all but deallocat(ing|ed). */
		json_object_set_new(out, "billed",
		    json_boolean(strncmp(power, "deallocat", 9) != 0));
	}
	azure_prices_describe(&az, out);
	r = 0;
out:
	free(power);
	azure_close(&az);
	return r;
}

static void *
az_conf_new(void)
{
	struct azure_conf *a = xmalloc(sizeof(*a));

	azure_conf_init(a);
	return a;
}

static void
az_conf_free(void *a)
{
	if (a == NULL)
		return;
	azure_conf_release(a);
	free(a);
}

/* Azure refuses some admin names a VM could have. */
static int
az_check(struct machine *m)
{
	if (!azure_admin_name_ok(machine_user(m)))
		return error("user '%s' cannot be a VM's admin on Azure "
		             "(reserved or not a Linux name): set user = ... "
		             "in [machine]",
		    machine_user(m));
	return 0;
}

static const char *
az_default_user(const char *local)
{
	return azure_admin_name_ok(local) ? local : AZURE_ADMIN_FALLBACK;
}

static void
az_summary(const struct machine *m, char *out, size_t len)
{
	const struct azure_conf *c = azure_conf_of(m);

	snprintf(out, len, "an Azure VM, %s in %s", c->size, c->location);
}

/*
 * A VM rig made: its certificate names the VM's DNS name and public
 * address (which the VM's own interfaces do not show), and it stops
 * itself when idle or over budget, reaching Azure from inside: the hub's
 * auto-stop runs 'rig self-stop' with these endpoints (autostop.h). The
 * budget comes with the prices rig looked up (azure-prices.h).
 */
static void
az_hub_keys(struct machine *m, provider_key_fn *add, void *arg)
{
	static const char *const price_keys[][2] = {
		{ "azure.cost_hour", "autostop_cost_hour" },
		{ "azure.cost_month_fixed", "autostop_cost_month_fixed" },
		{ "azure.currency", "autostop_currency" },
	};
	const struct azure_conf *c = azure_conf_of(m);
	char                    *ip, *fqdn, *names, *v;
	char                     num[64];

	ip = machine_state_get(m, "azure.ip");
	fqdn = machine_state_get(m, "azure.fqdn");
	names =
	    xasprintf("%s %s", fqdn != NULL ? fqdn : "", ip != NULL ? ip : "");
	add(arg, "tls_names", names);
	free(names);
	free(fqdn);
	free(ip);
	if (c->idle_stop > 0 || c->budget_month > 0) {
		if (c->idle_stop > 0) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)c->idle_stop);
			add(arg, "autostop_after", num);
		}
		add(arg, "autostop_provider", "azure");
		add(arg, "autostop_arm_endpoint", c->arm_endpoint);
		add(arg, "autostop_imds_endpoint", c->imds_endpoint);
	}
	if (c->budget_month <= 0)
		return;
	for (size_t i = 0; i < nitems(price_keys); i++) {
		v = machine_state_get(m, price_keys[i][0]);
		if (v == NULL)
			return; /* no prices: warned when they were asked */
		add(arg, price_keys[i][1], v);
		free(v);
	}
	snprintf(num, sizeof(num), "%.2f", c->budget_month);
	add(arg, "autostop_budget_month", num);
}

/* The DNS name stays the same across a deallocate; the public IP too,
 * but a name is what people keep. */
static void
az_up_done(struct machine *m)
{
	char *fqdn = machine_state_get(m, "azure.fqdn");

	if (fqdn != NULL)
		printf("dns name:     https://%s:%d/ (the same after a "
		       "restart)\n",
		    fqdn, m->hub_port);
	free(fqdn);
}

const struct provider provider_azure = {
	.name = "azure",
	.about = "a VM rig makes on Azure",
	.owns_machine = 1,
	.create = az_create,
	.start = az_start,
	.stop = az_stop,
	.destroy = az_destroy,
	.address = az_address,
	.status = az_status,
	.describe = az_describe,
	.section = "azure",
	.settings = azure_settings,
	.conf_new = az_conf_new,
	.conf_free = az_conf_free,
	.check = az_check,
	.default_user = az_default_user,
	.summary = az_summary,
	/* IMDS (169.254.169.254) and the WireServer (168.63.129.16) answer
	 * on 80 and 32526; Landlock knows ports, not addresses. */
	.deny_ports = "80 32526",
	.hub_keys = az_hub_keys,
	.up_done = az_up_done,
	/* A pool's nodes: VMs made beside the head (azure-nodes.c). */
	.power_up = azure_node_up,
	.power_down = azure_node_down,
	.node_size = azure_node_size,
	.node_price = azure_node_price,
	.nodes_allow = azure_nodes_allow,
	.pool_address = azure_pool_address,
};
