/* SPDX-License-Identifier: MIT */
/*
 * rig status: is the machine reachable, does its hub run (version,
 * uptime, who has a server running), and how is the machine (cores,
 * memory, disk, load). Exit status: 0 the hub runs, 3 the machine
 * answers but the hub does not run (or is not installed), 1 the machine
 * cannot be reached. --json prints one object for scripts.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "hubctl.h"
#include "lib/log.h"
#include "machine.h"
#include "provider.h"
#include "remote.h"
#include "sync.h"
#include "lib/util.h"

#define STATUS_UP 0
#define STATUS_UNREACHABLE 1
#define STATUS_HUB_DOWN 3

static void print_human(const struct machine *, const struct remote *,
    json_t *);
static void print_cloud(const struct machine *, json_t *);

static long long
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static void
print_human(const struct machine *m, const struct remote *rm, json_t *st)
{
	json_t *hub = json_object_get(st, "hub"),
	       *mach = json_object_get(st, "machine"), *v;
	char   a[32], b[32], up[32];
	size_t i;
	char  *where;

	if (json_is_true(json_object_get(hub, "running"))) {
		hubctl_duration(num(hub, "uptime"), up, sizeof(up));
		printf("hub:      running (pid %lld, up %s), rig %s\n",
		    num(hub, "pid"), up,
		    json_string_value(json_object_get(st, "version")));
		where = remote_hub_where(rm);
		printf("url:      %s\n", where);
		free(where);
	} else if (json_is_true(json_object_get(st, "installed")))
		printf("hub:      not running (rig start starts it), rig %s\n",
		    json_string_value(json_object_get(st, "version")));
	else
		printf("hub:      not set up (run rig up)\n");
	v = json_object_get(hub, "fingerprint");
	if (json_is_string(v))
		printf("cert:     SHA-256 %s\n", json_string_value(v));
	v = json_object_get(hub, "firewall");
	if (json_is_true(json_object_get(v, "active")))
		printf("firewall: active for %lld rig accounts (nftables)\n",
		    num(v, "accounts"));
	else if (json_is_object(v))
		printf("firewall: off (user_firewall = no)\n");
	v = json_object_get(hub, "autostop");
	if (json_is_object(v) && num(v, "stop_in") >= 0) {
		char idle[32], in[32];

		hubctl_duration(num(v, "idle"), idle, sizeof(idle));
		hubctl_duration(num(v, "stop_in") > 0 ? num(v, "stop_in") : 0,
		    in, sizeof(in));
		printf("idle:     %s; %s in %s (%s)\n", idle,
		    json_is_true(json_object_get(v, "warning"))
		        ? "stops (warned on its pages)"
		        : "stops if still idle",
		    in, json_string_value(json_object_get(v, "why")));
	}
	v = json_object_get(hub, "servers");
	printf("servers:  ");
	if (json_array_size(v) == 0)
		printf("none running");
	for (i = 0; i < json_array_size(v); i++)
		printf("%s%s", i > 0 ? ", " : "",
		    json_string_value(json_array_get(v, i)));
	if (num(hub, "users") >= 0)
		printf(" (%lld users)", num(hub, "users"));
	printf("\n");
	v = json_object_get(mach, "load");
	printf("machine:  %s, %lld cores, load %.2f %.2f %.2f\n",
	    json_is_string(json_object_get(mach, "os"))
	        ? json_string_value(json_object_get(mach, "os"))
	        : "?",
	    num(mach, "cores"), json_real_value(json_array_get(v, 0)),
	    json_real_value(json_array_get(v, 1)),
	    json_real_value(json_array_get(v, 2)));
	sync_human_bytes(num(mach, "memory_available"), a, sizeof(a));
	sync_human_bytes(num(mach, "memory_total"), b, sizeof(b));
	printf("memory:   %s free of %s\n", a, b);
	sync_human_bytes(num(mach, "disk_free"), a, sizeof(a));
	sync_human_bytes(num(mach, "disk_total"), b, sizeof(b));
	printf("disk:     %s free of %s\n", a, b);
	hubctl_duration(num(mach, "uptime"), up, sizeof(up));
	printf("uptime:   %s\n", up);
	(void)m;
}

/* What a cloud provider told (provider-azure.c's describe). */
static void
print_cloud(const struct machine *m, json_t *d)
{
	json_t     *p = json_object_get(d, "price"), *v;
	const char *vm = json_string_value(json_object_get(d, "vm"));
	const char *cur = json_string_value(json_object_get(p, "currency"));

	char label[32];

	snprintf(label, sizeof(label), "%s:", m->provider->name);
	printf("%-9s VM %s%s, %s in %s, group %s\n", label,
	    vm != NULL ? vm : "?",
	    json_is_true(json_object_get(d, "billed"))        ? " (billed)"
	        : json_is_false(json_object_get(d, "billed")) ? " (not billed)"
	                                                      : "",
	    json_string_value(json_object_get(d, "size")),
	    json_string_value(json_object_get(d, "location")),
	    json_string_value(json_object_get(d, "resource_group")));
	if (vm != NULL && strcmp(vm, "stopped") == 0)
		printf("          powered off but still allocated, and billed: "
		       "'rig stop' deallocates it\n");
	v = json_object_get(d, "incomplete");
	if (json_is_string(v))
		printf("          %s\n", json_string_value(v));
	v = json_object_get(d, "fqdn");
	if (json_is_string(v))
		printf("dns:      %s\n", json_string_value(v));
	if (json_is_false(json_object_get(d, "allowed")))
		printf("access:   your address %s is not in allow_from (%s): "
		       "'rig allow' lets it in\n",
		    json_string_value(json_object_get(d, "my_address")),
		    json_string_value(json_object_get(d, "allow_from")));
	if (cur != NULL)
		printf("price:    %.4f %s/hour for the VM",
		    json_number_value(json_object_get(p, "vm_hour")), cur);
	if (json_is_number(json_object_get(p, "disk_month")))
		printf("%s%.2f %s/month for the disk (%s, paid also when "
		       "deallocated)",
		    cur != NULL ? "; " : "price:    ",
		    json_number_value(json_object_get(p, "disk_month")),
		    cur != NULL ? cur : "",
		    json_string_value(json_object_get(p, "disk_tier")));
	if (cur != NULL || json_is_number(json_object_get(p, "disk_month")))
		printf("\n");
	printf("month:    %.1f hours run",
	    json_number_value(json_object_get(p, "hours_this_month")));
	if (json_is_number(json_object_get(p, "estimate_month")))
		printf(", about %.2f %s so far",
		    json_number_value(json_object_get(p, "estimate_month")),
		    cur);
	if (json_is_number(json_object_get(p, "budget_used")))
		printf(" (%.0f %% of budget_month)",
		    100 * json_number_value(json_object_get(p, "budget_used")));
	printf(" (%s)\n", json_string_value(json_object_get(p, "note")));
	v = json_object_get(p, "price_error");
	if (json_is_string(v))
		printf("          no price: %s\n", json_string_value(v));
}

int
cmd_status(int argc, char **argv)
{
	struct machine_flags f;
	struct machine       m;
	struct remote        rm;
	enum provider_power  power = PROVIDER_UNKNOWN;
	json_t              *out = NULL, *st = NULL, *cloud = NULL;
	const char          *vm = NULL;
	int                  json, ret = STATUS_UNREACHABLE;
	int                  installed = 0, reachable = 0;

	if (machine_flags_json(argc, argv, &f, &json) == -1)
		return usage("status");
	memset(&rm, 0, sizeof(rm));
	if (machine_open(&m, &f) == -1)
		goto out;
	out = json_object();
	json_object_set_new(out, "name", json_string(m.name));
	json_object_set_new(out, "provider", json_string(m.provider->name));
	if (m.provider->describe != NULL) {
		cloud = json_object();
		if (m.provider->describe(&m, cloud) == 0) {
			json_object_set(out, m.provider->name, cloud);
			if (!json)
				print_cloud(&m, cloud);
		}
		vm = json_string_value(json_object_get(cloud, "vm"));
	}
	if (remote_open(&rm, &m) == -1) {
		if (!m.provider->owns_machine)
			goto out;
		json_object_set_new(out, "reachable", json_false());
		goto print;
	}
	if (rm.host != NULL) {
		json_object_set_new(out, "host", json_string(rm.host));
		json_object_set_new(out, "port", json_integer(rm.port));
	}
	if (!json)
		printf("machine:  %s (%s%s%s, provider %s): ", m.name,
		    rm.host != NULL ? machine_user(&m) : "this machine",
		    rm.host != NULL ? "@" : "", rm.host != NULL ? rm.host : "",
		    m.provider->name);
	fflush(stdout);
	/* A VM Azure says is not running cannot answer: no wait for SSH. */
	reachable = (vm == NULL || strcmp(vm, "running") == 0) &&
	    remote_connect(&rm) == 0;
	json_object_set_new(out, "reachable", json_boolean(reachable));
	if (!reachable) {
		/* Off, or only out of reach? The provider may know (or has
		 * said so in its description already). */
		if (json_is_string(json_object_get(cloud, "power")))
			json_object_set(out, "power",
			    json_object_get(cloud, "power"));
		else if (m.provider->status(&m, &power) == 0)
			json_object_set_new(out, "power",
			    json_string(provider_power_name(power)));
		if (!json)
			printf("unreachable (power: %s)\n",
			    json_is_string(json_object_get(out, "power"))
			        ? json_string_value(
			              json_object_get(out, "power"))
			        : provider_power_name(PROVIDER_UNKNOWN));
		goto print;
	}
	json_object_set_new(out, "power", json_string("running"));
	if (!json)
		printf("reachable\n");
	st = hubctl_status(&rm, &installed);
	json_object_set_new(out, "installed", json_boolean(installed));
	ret = STATUS_HUB_DOWN;
	if (st != NULL) {
		json_object_update(out, st);
		json_object_set(out, "installed",
		    json_object_get(st, "installed"));
		if (json_is_true(
		        json_object_get(json_object_get(st, "hub"), "running")))
			ret = STATUS_UP;
		if (!json)
			print_human(&m, &rm, st);
	} else if (!json && !installed)
		printf("hub:      rig is not installed there (run rig up)\n");
print:
	json_object_set_new(out, "up", json_boolean(ret == STATUS_UP));
	if (json) {
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	fflush(stdout);
out:
	json_decref(st);
	json_decref(cloud);
	json_decref(out);
	remote_close(&rm);
	machine_release(&m);
	return ret;
}
