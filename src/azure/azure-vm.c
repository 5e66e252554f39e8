/* SPDX-License-Identifier: MIT */
/*
 * Making the project's VM on Azure (azure-vm.h): the resource group, a
 * network security group open only to allow_from, a virtual network and
 * subnet, a Standard static public IP with a DNS label (the address and
 * URL survive a deallocate), the NIC, the VM (image, size, disk, an SSH
 * key, password login off, a system-assigned identity), a role letting
 * that identity manage only its own VM (so the hub can deallocate it when
 * idle), and Azure's daily stop schedule as a backstop. Every step GETs
 * first and PUTs only what is missing or different, under names derived
 * from the machine's, so a second run changes nothing and an interrupted
 * one resumes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arm.h"
#include "azure-conf.h"
#include "azure-hostkey.h"
#include "azure-vm.h"
#include "azure.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "machine/machine.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "lib/banned.h"

#define STEPS 8
#define RULE_PRIORITY 1000
#define MYIP_TIMEOUT_MS 10000

struct mk {
	struct azure *az;
	uint64_t      t0, step_t0;
	int           step, steps; /* steps 0: not numbered */
	char         *nsg_id, *subnet_id, *ip_id, *nic_id;
	json_t       *vm;
};

static void    step_begin(struct mk *, const char *);
static void    step_end(struct mk *, const char *);
static json_t *tags(const struct azure *);
static json_t *desired_rules(struct mk *, const char *);
static int     rules_match(json_t *, json_t *);
static char   *allow_from(struct mk *);
static int     mk_nsg(struct mk *);
static char   *public_key(struct machine *);

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
step_begin(struct mk *k, const char *what)
{
	k->step++;
	k->step_t0 = now_ms();
	if (k->steps > 0)
		printf("azure [%d/%d] %s: ", k->step, k->steps, what);
	else
		printf("azure: %s: ", what);
	fflush(stdout);
}

static void
step_end(struct mk *k, const char *result)
{
	printf("%s (%.1f s)\n", result,
	    (double)(now_ms() - k->step_t0) / 1000.0);
	fflush(stdout);
}

/* This copy of the project's own mark, made once and kept in .rig/: a
 * group whose mark differs was made by another copy (someone else's
 * clone, another folder) and is not this one's to change or delete. */
static char *
project_mark(struct machine *m)
{
	char *mark = machine_state_get(m, "azure.project");

	if (mark == NULL) {
		mark = random_hex(8);
		machine_state_set(m, "azure.project", mark);
	}
	return mark;
}

static json_t *
tags(const struct azure *az)
{
	char   *mark = project_mark(az->m);
	json_t *t = json_pack("{s:s, s:s, s:s}", "rig-machine", az->m->name,
	    "rig-project", mark, "created-by", "rig");

	free(mark);
	return t;
}

/* allow_from, with "auto" made the caller's public address. */
static char *
allow_from(struct mk *k)
{
	struct azure_conf *c = azure_conf_of(k->az->m);
	char              *ip, *cidr;

	if (strcmp(c->allow_from, "auto") != 0)
		return xstrdup(c->allow_from);
	ip = azure_my_address(c, 0);
	if (ip == NULL)
		return NULL;
	cidr = xasprintf("%s/%d", ip, strchr(ip, ':') != NULL ? 128 : 32);
	free(ip);
	return cidr;
}

char *
azure_my_address(const struct azure_conf *c, int quiet)
{
	struct arm_response res;
	char                err[512], *ip;
	size_t              n;

	arm_response_init(&res);
	if (arm_http("GET", c->myip_endpoint, NULL, NULL, 0, MYIP_TIMEOUT_MS,
	        &res, err, sizeof(err)) == -1 ||
	    res.status != 200) {
		if (res.status != 0)
			snprintf(err, sizeof(err), "HTTP %ld", res.status);
		arm_response_release(&res);
		if (quiet)
			return NULL;
		error("allow_from = auto: cannot learn this machine's public "
		      "address from %s (%s): set allow_from = ADDRESS/32 in "
		      "[azure]",
		    c->myip_endpoint, err);
		return NULL;
	}
	n = strcspn(res.body, " \r\n");
	ip = xstrndup(res.body, n);
	arm_response_release(&res);
	if (azure_cidr_valid(ip) == -1 || strchr(ip, '/') != NULL) {
		if (quiet) {
			free(ip);
			return NULL;
		}
		error("allow_from = auto: %s answered '%.60s', not an address",
		    c->myip_endpoint, ip);
		free(ip);
		return NULL;
	}
	return ip;
}

/* The NSG rules: SSH, and the hub's port unless [machine] hub_access =
 * tunnel,
 * each only from the allowed addresses. */
static json_t *
desired_rules(struct mk *k, const char *from)
{
	json_t *rules = json_array(), *src = json_array();
	char   *copy = xstrdup(from), *tok, *save = NULL, port[16];

	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save))
		json_array_append_new(src, json_string(tok));
	free(copy);
	json_array_append_new(rules,
	    json_pack("{s:s, s:{s:s, s:s, s:s, s:O, s:s, s:s, s:i, s:s}}",
	        "name", "rig-ssh", "properties", "protocol", "Tcp",
	        "sourcePortRange", "*", "destinationPortRange", "22",
	        "sourceAddressPrefixes", src, "destinationAddressPrefix", "*",
	        "access", "Allow", "priority", RULE_PRIORITY, "direction",
	        "Inbound"));
	if (!k->az->m->hub_tunnel) {
		snprintf(port, sizeof(port), "%d", k->az->m->hub_port);
		json_array_append_new(rules,
		    json_pack("{s:s, s:{s:s, s:s, s:s, s:O, s:s, s:s, s:i, "
		              "s:s}}",
		        "name", "rig-hub", "properties", "protocol", "Tcp",
		        "sourcePortRange", "*", "destinationPortRange", port,
		        "sourceAddressPrefixes", src,
		        "destinationAddressPrefix", "*", "access", "Allow",
		        "priority", RULE_PRIORITY + 10, "direction",
		        "Inbound"));
	}
	json_decref(src);
	return rules;
}

/* A rule's sources as one sorted, comma-joined string. */
static char *
rule_sources(json_t *props)
{
	json_t     *list = json_object_get(props, "sourceAddressPrefixes");
	json_t     *one = json_object_get(props, "sourceAddressPrefix");
	const char *v[128];
	size_t      n = 0, i;
	json_t     *e;
	struct buf  b;

	json_array_foreach(list, i, e) {
		if (json_is_string(e) && n < 128)
			v[n++] = json_string_value(e);
	}
	if (json_is_string(one) && n < 128 &&
	    strcmp(json_string_value(one), "") != 0)
		v[n++] = json_string_value(one);
	qsort(v, n, sizeof(v[0]), cmp_str);
	buf_init(&b, 64 * 1024);
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? "," : "", v[i]);
	return buf_detach(&b, NULL);
}

/* Whether the NSG 'have' holds exactly the rig rules 'want' (other rules,
 * added by hand, are left alone and do not count). */
static int
rules_match(json_t *have, json_t *want)
{
	json_t *hrules = json_object_get(json_object_get(have, "properties"),
	    "securityRules");
	json_t *w, *h;
	size_t  i, j, rig_rules = 0;
	int     ok = 1;

	json_array_foreach(hrules, j, h) {
		const char *n = json_string_value(json_object_get(h, "name"));

		if (n != NULL && strncmp(n, "rig-", 4) == 0)
			rig_rules++;
	}
	if (rig_rules != json_array_size(want))
		return 0;
	json_array_foreach(want, i, w) {
		const char *name =
		    json_string_value(json_object_get(w, "name"));
		json_t *wp = json_object_get(w, "properties"), *hp = NULL;

		json_array_foreach(hrules, j, h) {
			const char *hn =
			    json_string_value(json_object_get(h, "name"));

			if (hn != NULL && strcmp(name, hn) == 0)
				hp = json_object_get(h, "properties");
		}
		if (hp == NULL)
			return 0;
		{
			char *a = rule_sources(wp), *b = rule_sources(hp);

			ok = strcmp(a, b) == 0 &&
			    json_equal(
			        json_object_get(wp, "destinationPortRange"),
			        json_object_get(hp, "destinationPortRange"));
			free(a);
			free(b);
		}
		if (!ok)
			return 0;
	}
	return 1;
}

/* The public half of the machine's key; rig makes .rig/id_ed25519 when
 * no identity is set. Caller frees; NULL printed. */
static char *
public_key(struct machine *m)
{
	char              *id = machine_identity_path(m), *pub, *text;
	struct proc_result res;

	if (id == NULL) {
		id = machine_state_path(m, MACHINE_KEY);
		{
			char *comment = xasprintf("rig-%s", m->name);
			char *argv[] = { (char *)"ssh-keygen", (char *)"-q",
				(char *)"-t", (char *)"ed25519", (char *)"-N",
				(char *)"", (char *)"-C", comment, (char *)"-f",
				id, NULL };

			proc_result_init(&res);
			if (proc_capture(argv, NULL, -1, 30000, &res) == -1 ||
			    res.status != 0) {
				error("ssh-keygen failed: %s",
				    res.err.data ? res.err.data : "");
				proc_result_release(&res);
				free(comment);
				free(id);
				return NULL;
			}
			proc_result_release(&res);
			free(comment);
		}
		printf("(made an SSH key for this machine: %s) ", id);
	}
	pub = xasprintf("%s.pub", id);
	text = read_file(pub, 64 * 1024, NULL);
	if (text == NULL)
		error("cannot read the public key '%s' (the VM needs it): %s",
		    pub, strerror(errno));
	else
		text[strcspn(text, "\r\n")] = '\0';
	free(pub);
	free(id);
	return text;
}

static int
mk_group(struct mk *k)
{
	struct azure *az = k->az;
	json_t       *g;
	const char   *by;
	int           r;

	step_begin(k, "resource group");
	r = azure_get(az, "the resource group", az->rg_path, &g);
	if (r == -1)
		return -1;
	if (r == 1) {
		char       *mark;
		const char *theirs;
		int         ours;

		by = json_string_value(
		    json_object_get(json_object_get(g, "tags"), "created-by"));
		theirs = json_string_value(
		    json_object_get(json_object_get(g, "tags"), "rig-project"));
		ours = by != NULL && strcmp(by, "rig") == 0;
		if (ours && theirs != NULL) {
			mark = project_mark(az->m);
			if (strcmp(mark, theirs) != 0 && !az->m->adopt) {
				free(mark);
				r = error(
				    "resource group %s was made by another "
				    "copy of this project (someone else's, "
				    "or another folder's): set another name "
				    "or resource_group in rig.conf; if it is "
				    "this machine and .rig/ was lost, 'rig up "
				    "--adopt'",
				    az->rg);
				json_decref(g);
				return r;
			}
			if (strcmp(mark, theirs) != 0) {
				machine_state_set(az->m, "azure.project",
				    theirs);
				machine_state_set(az->m, "azure.group_created",
				    "yes");
			}
			free(mark);
		}
		json_decref(g);
		if (ours) {
			step_end(k, "exists");
			return 0;
		}
		mark = machine_state_get(az->m, "azure.group_created");
		if (mark == NULL)
			machine_state_set(az->m, "azure.group_created", "no");
		free(mark);
		step_end(k,
		    "exists, not made by rig (rig down will not "
		    "delete it)");
		return 0;
	}
	/* Noted before the PUT: a group made but not noted would be one
	 * rig down refuses to delete. The tag says it too. */
	machine_state_set(az->m, "azure.group_created", "yes");
	if (azure_put(az, "creating the resource group", az->rg_path,
	        json_pack("{s:s, s:o}", "location",
	            azure_conf_of(az->m)->location, "tags", tags(az)),
	        NULL) == -1)
		return -1;
	step_end(k, "created");
	return 0;
}

static int ensure_found(struct mk *, const char *, const char *, json_t *,
    int (*)(json_t *, void *), void *, json_t **, json_t *);

/* GETs 'path'; if missing (or 'same' says it differs), PUTs 'body'. The
 * resource as it is after goes to *out (may be NULL). */
static int
ensure(struct mk *k, const char *what, const char *path, json_t *body,
    int (*same)(json_t *have, void *), void *arg, json_t **out)
{
	json_t *have;
	int     r;

	r = azure_get(k->az, what, path, &have);
	if (r == -1) {
		if (out != NULL)
			*out = NULL;
		json_decref(body);
		return -1;
	}
	return ensure_found(k, what, path, body, same, arg, out, have);
}

/* ensure() once the GET is done: 'have' (stolen) is the resource, NULL
 * if it does not exist. */
static int
ensure_found(struct mk *k, const char *what, const char *path, json_t *body,
    int (*same)(json_t *have, void *), void *arg, json_t **out, json_t *have)
{
	char w[200];
	int  r = have != NULL;

	if (out != NULL)
		*out = NULL;
	if (r == 1 && (same == NULL || same(have, arg))) {
		json_decref(body);
		step_end(k, "exists");
		if (out != NULL)
			*out = have;
		else
			json_decref(have);
		return 0;
	}
	snprintf(w, sizeof(w), "%s %s", r == 1 ? "updating" : "creating", what);
	json_decref(have);
	if (azure_put(k->az, w, path, body, out) == -1)
		return -1;
	step_end(k, r == 1 ? "updated" : "created");
	return 0;
}

static int
nsg_same(json_t *have, void *want)
{
	return rules_match(have, want);
}

/* Rules someone added by hand (not named rig-*) go into rig's PUT as they
 * are, so an update of rig's rules keeps them. Only writable fields. */
static void
keep_other_rules(json_t *have, json_t *rules)
{
	static const char *const writable[] = { "description", "protocol",
		"sourcePortRange", "sourcePortRanges", "destinationPortRange",
		"destinationPortRanges", "sourceAddressPrefix",
		"sourceAddressPrefixes", "destinationAddressPrefix",
		"destinationAddressPrefixes", "sourceApplicationSecurityGroups",
		"destinationApplicationSecurityGroups", "access", "priority",
		"direction" };
	json_t *list = json_object_get(json_object_get(have, "properties"),
	    "securityRules");
	json_t *r;
	size_t  i;

	json_array_foreach(list, i, r) {
		const char *name =
		    json_string_value(json_object_get(r, "name"));
		json_t *p = json_object_get(r, "properties"), *np, *v;

		if (name == NULL || strncmp(name, "rig-", 4) == 0 ||
		    !json_is_object(p))
			continue;
		np = json_object();
		for (size_t k = 0; k < nitems(writable); k++) {
			v = json_object_get(p, writable[k]);
			/* Empty lists are how ARM shows "not used". */
			if (v != NULL &&
			    !(json_is_array(v) && json_array_size(v) == 0))
				json_object_set(np, writable[k], v);
		}
		json_array_append_new(rules,
		    json_pack("{s:s, s:o}", "name", name, "properties", np));
	}
}

static int
mk_nsg(struct mk *k)
{
	struct azure *az = k->az;
	char         *from, *path;
	json_t       *rules, *body;
	int           r;

	step_begin(k, "network security group");
	from = allow_from(k);
	if (from == NULL)
		return -1;
	rules = desired_rules(k, from);
	path = azure_named_path(az, "Microsoft.Network/networkSecurityGroups/",
	    "-nsg");
	{
		json_t *have = NULL;
		int     got =
		    azure_get(az, "the network security group", path, &have);

		if (got == -1) {
			json_decref(rules);
			free(path);
			free(from);
			return -1;
		}
		if (got == 1) {
			/* Compared with rig's rules only; sent with all. */
			json_t *all = json_deep_copy(rules);

			keep_other_rules(have, all);
			body = json_pack("{s:s, s:o, s:{s:o}}", "location",
			    azure_conf_of(az->m)->location, "tags", tags(az),
			    "properties", "securityRules", all);
		} else
			body = json_pack("{s:s, s:o, s:{s:O}}", "location",
			    azure_conf_of(az->m)->location, "tags", tags(az),
			    "properties", "securityRules", rules);
		/* One read: the rules it holds are compared, and kept. */
		r = ensure_found(k, "the network security group", path, body,
		    nsg_same, rules, NULL, have);
	}
	json_decref(rules);
	if (r == 0)
		k->nsg_id = path;
	else
		free(path);
	if (r == 0)
		machine_state_set(az->m, "azure.allow_from", from);
	free(from);
	return r;
}

static int
mk_vnet(struct mk *k)
{
	struct azure *az = k->az;
	char         *path;
	json_t       *body;
	int           r;

	step_begin(k, "virtual network");
	path =
	    azure_named_path(az, "Microsoft.Network/virtualNetworks/", "-vnet");
	body =
	    json_pack("{s:s, s:o, s:{s:{s:[s]}, s:[{s:s, s:{s:s, s:{s:s}}}]}}",
	        "location", azure_conf_of(az->m)->location, "tags", tags(az),
	        "properties", "addressSpace", "addressPrefixes", "10.0.0.0/16",
	        "subnets", "name", "default", "properties", "addressPrefix",
	        "10.0.0.0/24", "networkSecurityGroup", "id", k->nsg_id);
	r = ensure(k, "the virtual network", path, body, NULL, NULL, NULL);
	if (r == 0)
		k->subnet_id = xasprintf("%s/subnets/default", path);
	free(path);
	return r;
}

static int
mk_ip(struct mk *k)
{
	struct azure *az = k->az;
	char         *path, *seed, label[64], guid[37];
	json_t       *body, *ip = NULL, *props;
	const char   *addr, *fqdn;
	int           r;

	step_begin(k, "public IP");
	path =
	    azure_named_path(az, "Microsoft.Network/publicIPAddresses/", "-ip");
	/* DNS labels are unique per region: the name and a hash of where
	 * it lives. */
	seed = xasprintf("%s/%s", az->sub, az->rg);
	azure_guid(seed, guid);
	free(seed);
	/* A label starts with a letter. */
	snprintf(label, sizeof(label), "%s%.50s-%.6s",
	    az->name[0] >= 'a' && az->name[0] <= 'z' ? "" : "rig-", az->name,
	    guid);
	body = json_pack("{s:s, s:o, s:{s:s}, s:{s:s, s:s, s:{s:s}}}",
	    "location", azure_conf_of(az->m)->location, "tags", tags(az), "sku",
	    "name", "Standard", "properties", "publicIPAllocationMethod",
	    "Static", "publicIPAddressVersion", "IPv4", "dnsSettings",
	    "domainNameLabel", label);
	r = ensure(k, "the public IP", path, body, NULL, NULL, &ip);
	if (r == 0) {
		k->ip_id = xstrdup(path);
		props = json_object_get(ip, "properties");
		addr = json_string_value(json_object_get(props, "ipAddress"));
		fqdn = json_string_value(json_object_get(
		    json_object_get(props, "dnsSettings"), "fqdn"));
		if (addr != NULL)
			machine_state_set(az->m, "azure.ip", addr);
		if (fqdn != NULL)
			machine_state_set(az->m, "azure.fqdn", fqdn);
	}
	json_decref(ip);
	free(path);
	return r;
}

static int
mk_nic(struct mk *k)
{
	struct azure *az = k->az;
	char         *path;
	json_t       *body;
	int           r;

	step_begin(k, "network interface");
	path = azure_named_path(az, "Microsoft.Network/networkInterfaces/",
	    "-nic");
	body = json_pack("{s:s, s:o, s:{s:[{s:s, s:{s:{s:s}, s:s, s:{s:s}}}], "
	                 "s:{s:s}}}",
	    "location", azure_conf_of(az->m)->location, "tags", tags(az),
	    "properties", "ipConfigurations", "name", "ipconfig1", "properties",
	    "subnet", "id", k->subnet_id, "privateIPAllocationMethod",
	    "Dynamic", "publicIPAddress", "id", k->ip_id,
	    "networkSecurityGroup", "id", k->nsg_id);
	r = ensure(k, "the network interface", path, body, NULL, NULL, NULL);
	if (r == 0)
		k->nic_id = xstrdup(path);
	free(path);
	return r;
}

static json_t *
vm_body(struct mk *k, const char *key)
{
	struct azure      *az = k->az;
	struct azure_conf *c = azure_conf_of(az->m);
	const char        *user = machine_user(az->m);
	char   *keypath = xasprintf("/home/%s/.ssh/authorized_keys", user);
	char   *cd;
	json_t *props, *body;

	props = json_pack(
	    "{s:{s:s}, s:{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:i, s:{s:s}, "
	    "s:s}}, s:{s:s, s:s, s:{s:b, s:{s:[{s:s, s:s}]}}}, "
	    "s:{s:[{s:s, s:{s:b, s:s}}]}}",
	    "hardwareProfile", "vmSize", c->size, "storageProfile",
	    "imageReference", "publisher", c->publisher, "offer", c->offer,
	    "sku", c->sku, "version", c->version, "osDisk", "createOption",
	    "FromImage", "caching", "ReadWrite", "diskSizeGB", c->os_disk_gb,
	    "managedDisk", "storageAccountType", c->os_disk_type,
	    "deleteOption", "Delete", "osProfile", "computerName", az->name,
	    "adminUsername", user, "linuxConfiguration",
	    "disablePasswordAuthentication", 1, "ssh", "publicKeys", "path",
	    keypath, "keyData", key, "networkProfile", "networkInterfaces",
	    "id", k->nic_id, "properties", "primary", 1, "deleteOption",
	    "Delete");
	free(keypath);
	/* The host key rig pinned (azure-hostkey.c), for a VM rig made
	 * with one; the same on every PUT, as Azure wants it. */
	cd = azure_host_key_custom_data(az->m);
	if (cd != NULL) {
		json_object_set_new(json_object_get(props, "osProfile"),
		    "customData", json_string(cd));
		explicit_bzero(cd, strlen(cd));
		free(cd);
	}
	if (c->spot)
		azure_vm_spot(props);
	body = json_pack("{s:s, s:o, s:{s:s}, s:o}", "location", c->location,
	    "tags", tags(az), "identity", "type", "SystemAssigned",
	    "properties", props);
	return body;
}

static json_t *vm_body(struct mk *, const char *);

/* Whether rig.conf still describes the VM 'have'. A new size is applied
 * to a deallocated VM (Azure resizes only those without a restart);
 * other changes need a new VM, which rig does not make on its own. */
static int
vm_as_configured(struct mk *k, json_t *have)
{
	struct azure_conf *c = azure_conf_of(k->az->m);
	json_t            *props = json_object_get(have, "properties"), *body;
	json_t            *hw = json_object_get(props, "hardwareProfile");
	json_t            *disk =
	    json_object_get(json_object_get(props, "storageProfile"), "osDisk");
	const char *size = json_string_value(json_object_get(hw, "vmSize"));
	const char *power =
	    azure_power_state(json_object_get(props, "instanceView"));
	json_int_t gb = json_integer_value(json_object_get(disk, "diskSizeGB"));
	char      *key;
	int        r;

	k->vm = have;
	if (gb != 0 && gb != c->os_disk_gb)
		fprintf(stderr,
		    "rig: warning: the VM's disk is %lld GB, rig.conf says %d: "
		    "only a new VM (rig down, rig up) takes that\n",
		    (long long)gb, c->os_disk_gb);
	if (size == NULL || strcasecmp(size, c->size) == 0) {
		step_end(k, "exists");
		return 0;
	}
	if (power == NULL || strcmp(power, "deallocated") != 0)
		return error("azure: the VM is %s but rig.conf says %s: Azure "
		             "resizes a deallocated VM, so 'rig stop', then "
		             "'rig up' (or put the size back)",
		    size, c->size);
	printf("resizing %s to %s ... ", size, c->size);
	fflush(stdout);
	/* The body rig made it with (same key, disk, identity), new size. */
	key = public_key(k->az->m);
	if (key == NULL)
		return -1;
	body = vm_body(k, key);
	free(key);
	k->vm = NULL;
	r = azure_put(k->az, "resizing the VM", k->az->vm_path, body, &k->vm);
	json_decref(have);
	if (r == 0)
		step_end(k, "resized");
	return r;
}

static int
mk_vm(struct mk *k)
{
	struct azure *az = k->az;
	json_t       *have;
	char         *key, *path;
	int           r;

	step_begin(k, "virtual machine");
	path = xasprintf("%s?$expand=instanceView", az->vm_path);
	r = azure_get(az, "the VM", path, &have);
	free(path);
	if (r == -1)
		return -1;
	if (r == 1) {
		const char *ps = json_string_value(json_object_get(
		    json_object_get(have, "properties"), "provisioningState"));
		int failed = ps != NULL && strcasecmp(ps, "Failed") == 0;

		if (!failed)
			return vm_as_configured(k, have);
		/* A create that failed on Azure's side: the same PUT asks
		 * Azure to provision it again. */
		json_decref(have);
		printf("exists but Failed, trying again: ");
	}
	printf("creating %s, %s (minutes on Azure) ... ",
	    azure_conf_of(az->m)->size, azure_conf_of(az->m)->image);
	fflush(stdout);
	key = public_key(az->m);
	if (key == NULL || azure_host_key_make(az->m) == -1) {
		free(key);
		return -1;
	}
	r = azure_put(az, "creating the VM", az->vm_path, vm_body(k, key),
	    &k->vm);
	free(key);
	if (r == -1)
		return -1;
	azure_power_log(az->m, "start", now_sec());
	step_end(k, "created");
	return 0;
}

/* A role of rig's own that may read this VM and deallocate it, nothing
 * else (no run-command, no extensions, no delete), assignable only here. */
static int
mk_role_definition(struct mk *k, char **role_id)
{
	struct azure *az = k->az;
	json_t       *have;
	char          guid[37], *path, *name;
	int           r;

	azure_role_definition(az, guid);
	path = xasprintf("%s/providers/Microsoft.Authorization/"
	                 "roleDefinitions/%s",
	    az->rg_path, guid);
	r = azure_get(az, "the self-stop role", path, &have);
	json_decref(have);
	if (r == 0) {
		/* Role names are unique in the tenant: the GUID says where. */
		name = xasprintf("rig self-stop %s (%.8s)", az->name, guid);
		r = azure_put(az, "making the self-stop role", path,
		    json_pack("{s:{s:s, s:s, s:s, s:[{s:[s, s], s:[]}], "
		              "s:[s]}}",
		        "properties", "roleName", name, "description",
		        "Lets a VM made by rig read and deallocate itself "
		        "(its idle stop).",
		        "type", "CustomRole", "permissions", "actions",
		        "Microsoft.Compute/virtualMachines/read",
		        "Microsoft.Compute/virtualMachines/deallocate/action",
		        "notActions", "assignableScopes", az->vm_path),
		    NULL);
		free(name);
	}
	free(path);
	if (r == -1)
		return -1;
	*role_id = xasprintf("/subscriptions/%s/providers/"
	                     "Microsoft.Authorization/roleDefinitions/%s",
	    az->sub, guid);
	return 0;
}

/* The VM's identity gets that role on the VM alone. */
static int
mk_role(struct mk *k)
{
	struct azure *az = k->az;
	json_t       *have;
	const char   *principal;
	char         *path, *role = NULL;
	int           r;

	step_begin(k, "self-stop permission");
	principal = json_string_value(
	    json_object_get(json_object_get(k->vm, "identity"), "principalId"));
	if (principal == NULL)
		return error("azure: the VM has no managed identity (its "
		             "identity.principalId is missing)");
	if (mk_role_definition(k, &role) == -1)
		return -1;
	path = azure_role_assignment(az, principal);
	r = azure_get(az, "the VM's role assignment", path, &have);
	json_decref(have);
	if (r == 1)
		step_end(k, "exists");
	if (r != 0) {
		free(role);
		free(path);
		return r == 1 ? 0 : -1;
	}
	r = azure_put(az, "letting the VM stop itself", path,
	    json_pack("{s:{s:s, s:s, s:s}}", "properties", "roleDefinitionId",
	        role, "principalId", principal, "principalType",
	        "ServicePrincipal"),
	    NULL);
	free(role);
	free(path);
	if (r == 0)
		step_end(k, "read and deallocate, on the VM only");
	return r;
}

static int
schedule_same(json_t *have, void *want)
{
	json_t *hp = json_object_get(have, "properties");
	json_t *wp = json_object_get(want, "properties");

	return json_equal(json_object_get(hp, "dailyRecurrence"),
	           json_object_get(wp, "dailyRecurrence")) &&
	    json_equal(json_object_get(hp, "timeZoneId"),
	        json_object_get(wp, "timeZoneId")) &&
	    json_equal(json_object_get(hp, "status"),
	        json_object_get(wp, "status"));
}

/* Azure's own daily stop, the backstop if the VM cannot stop itself. */
static int
mk_schedule(struct mk *k)
{
	struct azure      *az = k->az;
	struct azure_conf *c = azure_conf_of(az->m);
	char              *path, hhmm[16];
	json_t            *body;
	int                r;

	step_begin(k, "daily stop schedule");
	path = azure_named_path(az,
	    "Microsoft.DevTestLab/schedules/shutdown-computevm-", "");
	if (c->daily_stop_hhmm < 0) {
		r = azure_delete(az, "removing the daily stop", path);
		free(path);
		if (r == 0)
			step_end(k, "off");
		return r;
	}
	snprintf(hhmm, sizeof(hhmm), "%04d", c->daily_stop_hhmm);
	body = json_pack("{s:s, s:o, s:{s:s, s:s, s:{s:s}, s:s, s:{s:s, s:i}, "
	                 "s:s}}",
	    "location", c->location, "tags", tags(az), "properties", "status",
	    "Enabled", "taskType", "ComputeVmShutdownTask", "dailyRecurrence",
	    "time", hhmm, "timeZoneId", c->daily_stop_tz,
	    "notificationSettings", "status", "Disabled", "timeInMinutes", 30,
	    "targetResourceId", az->vm_path);
	r = ensure(k, "the daily stop", path, body, schedule_same, body, NULL);
	free(path);
	return r;
}

int
azure_vm_create(struct azure *az)
{
	struct mk k;
	int       r = -1;

	memset(&k, 0, sizeof(k));
	k.az = az;
	k.steps = STEPS;
	k.t0 = now_ms();
	printf("azure: subscription %s, group %s in %s\n", az->sub, az->rg,
	    azure_conf_of(az->m)->location);
	fflush(stdout);
	/* Until the end, status says a rig up did not finish here; and
	 * where it is, so later commands look there whatever az says. */
	machine_state_set(az->m, "azure.made", "partly");
	machine_state_set(az->m, "azure.subscription", az->sub);
	machine_state_set(az->m, "azure.resource_group", az->rg);
	if (mk_group(&k) == -1 || mk_nsg(&k) == -1 || mk_vnet(&k) == -1 ||
	    mk_ip(&k) == -1 || mk_nic(&k) == -1 || mk_vm(&k) == -1 ||
	    mk_role(&k) == -1 || mk_schedule(&k) == -1)
		goto out;
	machine_state_set(az->m, "azure.made", "yes");
	printf("azure: ready in %.1f s\n", (double)(now_ms() - k.t0) / 1000.0);
	fflush(stdout);
	r = 0;
out:
	if (r == -1)
		printf("\n");
	free(k.nsg_id);
	free(k.subnet_id);
	free(k.ip_id);
	free(k.nic_id);
	json_decref(k.vm);
	return r;
}

int
azure_vm_allow(struct azure *az)
{
	struct mk k;
	json_t   *g;
	int       r;

	memset(&k, 0, sizeof(k));
	k.az = az;
	k.t0 = now_ms();
	r = azure_get(az, "the resource group", az->rg_path, &g);
	json_decref(g);
	if (r == 0)
		return error("machine '%s' has no resource group on Azure yet "
		             "(run rig up)",
		    az->m->name);
	if (r == -1)
		return -1;
	r = mk_nsg(&k);
	free(k.nsg_id);
	return r;
}

void
azure_vm_spot(json_t *props)
{
	json_object_set_new(props, "priority", json_string("Spot"));
	/* Evicted, it is deallocated (kept), never deleted. */
	json_object_set_new(props, "evictionPolicy", json_string("Deallocate"));
	/* At most the pay-as-you-go price: evicted for capacity only. */
	json_object_set_new(props, "billingProfile",
	    json_pack("{s:f}", "maxPrice", -1.0));
}
