/* SPDX-License-Identifier: MIT */
/*
 * A pool's nodes on Azure (azure-nodes.h): VMs made beside the head when
 * Slurm first powers one up, from the head's own image, in its resource
 * group, on its subnet, with a network interface that has no public IP;
 * deallocated when Slurm powers them down, started again later, deleted
 * (VM, interface, disk) once deallocated longer than the partition says.
 * rig pool power runs this on the head as root: the mark of when a node
 * was deallocated is a file of root's (POOL_POWER_STATE, the head's
 * state_dir there), which is also what a test back-dates.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "azure-conf.h"
#include "azure-node-login.h"
#include "azure-nodes.h"
#include "azure-prices.h"
#include "azure-vm.h"
#include "azure.h"
#include "lib/log.h"
#include "lib/util.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "lib/banned.h"

#define MARK_DIR "azure-nodes" /* in the head's state_dir */
#define MARK_SUFFIX ".deallocated"
#define MARK_MAX 256

/* The node's VM and interface paths in the head's group: named after
 * the head and the node, so two pools' nodes never meet. */
static void
node_paths(struct azure *az, const char *node, char **vm, char **nic,
    char **name)
{
	char *base = xasprintf("%s-%s", az->name, node);

	*name = azure_resource_name(base);
	free(base);
	*vm = xasprintf("%s/providers/Microsoft.Compute/virtualMachines/%s",
	    az->rg_path, *name);
	*nic = xasprintf("%s/providers/Microsoft.Network/networkInterfaces/"
	                 "%s-nic",
	    az->rg_path, *name);
}

static char *
mark_path(struct machine *head, const char *node)
{
	char *rel = xasprintf(MARK_DIR "/%s" MARK_SUFFIX, node);
	char *p = machine_state_path(head, rel);

	free(rel);
	return p;
}

/* "EPOCH DELETE_AFTER": when the node was deallocated, and after how
 * long its partition deletes it. */
static void
mark_deallocated(struct machine *head, const struct provider_node *nd)
{
	char *dir = machine_state_path(head, MARK_DIR);
	char *path = mark_path(head, nd->name);
	char  text[64];

	if (mkdir_p(dir, 0700) == -1)
		log_warnx("%s: %s", dir, strerror(errno));
	snprintf(text, sizeof(text), "%lld %lld\n", (long long)now_sec(),
	    (long long)nd->delete_after);
	if (write_file_atomic(path, text, strlen(text), 0600) == -1)
		log_warnx("node %s: deallocation not noted in %s", nd->name,
		    path);
	free(path);
	free(dir);
}

static void
unmark(struct machine *head, const char *node)
{
	char *path = mark_path(head, node);

	if (unlink(path) == -1 && errno != ENOENT)
		log_warnx("%s: %s", path, strerror(errno));
	free(path);
}

/* The VM, then its interface: the VM's disk goes with it (its
 * deleteOption, set when it was made), the interface too on Azure, and
 * is deleted here in case it outlived it (0 if it did not). */
static int
delete_node(struct azure *az, const char *node)
{
	char *vm, *nic, *name;
	int   r;

	node_paths(az, node, &vm, &nic, &name);
	r = azure_delete(az, "a node's VM", vm);
	if (r == 0)
		r = azure_delete(az, "a node's network interface", nic);
	if (r == 0)
		log_info("node %s: VM %s and its disk deleted (deallocated "
		         "too long)",
		    node, name);
	free(vm);
	free(nic);
	free(name);
	return r;
}

/*
 * The node's lock: held through each power operation on it, so that
 * Slurm powering it up while another rig pool power sweeps never
 * finds it deleted under it. 'try': 0 at once if it is held (-1).
 * The fd, or -1.
 */
static int
node_lock(struct machine *head, const char *node, int try)
{
	char *dir = machine_state_path(head, MARK_DIR);
	char *rel = xasprintf(MARK_DIR "/%s.lock", node);
	char *path = machine_state_path(head, rel);
	int   fd = -1;

	if (mkdir_p(dir, 0700) == 0)
		fd =
		    open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd != -1 && flock(fd, LOCK_EX | (try ? LOCK_NB : 0)) == -1) {
		close(fd);
		fd = -1;
	}
	free(path);
	free(rel);
	free(dir);
	return fd;
}

/*
 * Every node deallocated longer than its partition allows is deleted,
 * except 'keep' (the node being powered up). A failure is logged: the
 * next power operation tries again.
 */
static void
sweep(struct azure *az, struct machine *head, const char *keep)
{
	char          *dir = machine_state_path(head, MARK_DIR), *path, *text;
	DIR           *d = opendir(dir);
	struct dirent *e;
	long long      when, after;
	size_t         n;
	int            lock;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char *node;

		n = strlen(e->d_name);
		if (n <= strlen(MARK_SUFFIX) ||
		    strcmp(e->d_name + n - strlen(MARK_SUFFIX), MARK_SUFFIX) !=
		        0)
			continue;
		node = xstrndup(e->d_name, n - strlen(MARK_SUFFIX));
		/* One being powered now is not idle: left alone. The mark
		 * is read again once locked (it may be gone since). */
		lock = strcmp(node, keep) != 0 ? node_lock(head, node, 1) : -1;
		path = mark_path(head, node);
		text = lock != -1 ? read_file(path, MARK_MAX, NULL) : NULL;
		if (text != NULL &&
		    sscanf(text, "%lld %lld", &when, &after) == 2 &&
		    after > 0 && now_sec() - when > after) {
			if (delete_node(az, node) == 0)
				unmark(head, node);
			else
				log_warnx("node %s: not deleted: %s", node,
				    az->err);
		} else if (lock == -1 && strcmp(node, keep) != 0)
			log_info("node %s: being powered: not deleted now",
			    node);
		if (lock != -1)
			close(lock);
		free(text);
		free(path);
		free(node);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
}

static const char *
jstr(json_t *j, const char *const *keys)
{
	/* An array on the way: its first element (a VM's primary NIC,
	 * a NIC's first ip configuration). */
	for (; *keys != NULL && j != NULL; keys++) {
		if (json_is_array(j))
			j = json_array_get(j, 0);
		j = json_object_get(j, *keys);
	}
	return json_string_value(j);
}

/* The interface on the head's subnet, without a public IP nor a
 * security group of its own: only the head's network reaches it. */
static int
make_nic(struct azure *az, const char *nic, const char *subnet)
{
	json_t *body = json_pack(
	    "{s:s, s:{s:s}, s:{s:[{s:s, s:{s:{s:s}, s:s}}]}}", "location",
	    azure_conf_of(az->m)->location, "tags", "created-by", "rig",
	    "properties", "ipConfigurations", "name", "ipconfig1", "properties",
	    "subnet", "id", subnet, "privateIPAllocationMethod", "Dynamic");

	return azure_put(az, "a node's network interface", nic, body, NULL);
}

/* The node's VM from the head's: its image, login and keys, the size
 * and Spot of the partition, no identity (a node manages nothing). */
static int
make_vm(struct azure *az, const struct provider_node *nd, const char *vm,
    const char *name, const char *nic_id, json_t *head)
{
	json_t *props = json_object_get(head, "properties");
	json_t *image = json_object_get(
	    json_object_get(props, "storageProfile"), "imageReference");
	json_t *os = json_object_get(props, "osProfile");
	json_t *keys = json_object_get(
	    json_object_get(json_object_get(os, "linuxConfiguration"), "ssh"),
	    "publicKeys");
	json_t *img, *body, *p;

	if (!json_is_object(image) || !json_is_array(keys) ||
	    json_string_value(json_object_get(os, "adminUsername")) == NULL) {
		snprintf(az->err, sizeof(az->err),
		    "the head's VM shows no image, login or keys to make a "
		    "node from");
		return -1;
	}
	/* Only what a request takes (a GET adds exactVersion). */
	img = json_pack("{s:O, s:O, s:O, s:O}", "publisher",
	    json_object_get(image, "publisher"), "offer",
	    json_object_get(image, "offer"), "sku",
	    json_object_get(image, "sku"), "version",
	    json_object_get(image, "version"));
	p = json_pack("{s:{s:s}, s:{s:o, s:{s:s, s:s, s:s}}, "
	              "s:{s:s, s:O, s:{s:b, s:{s:o}}}, "
	              "s:{s:[{s:s, s:{s:b, s:s}}]}}",
	    "hardwareProfile", "vmSize", nd->size, "storageProfile",
	    "imageReference", img, "osDisk", "createOption", "FromImage",
	    "caching", "ReadWrite", "deleteOption", "Delete", "osProfile",
	    "computerName", nd->name, "adminUsername",
	    json_object_get(os, "adminUsername"), "linuxConfiguration",
	    "disablePasswordAuthentication", 1, "ssh", "publicKeys",
	    json_deep_copy(keys), "networkProfile", "networkInterfaces", "id",
	    nic_id, "properties", "primary", 1, "deleteOption", "Delete");
	if (img == NULL || p == NULL) {
		json_decref(p);
		snprintf(az->err, sizeof(az->err),
		    "the head's VM shows an image rig cannot read");
		return -1;
	}
	/* The head's own key beside the laptop's, and the node's host key
	 * (azure-node-login.c). */
	if (azure_node_login(nd,
	        json_string_value(json_object_get(os, "adminUsername")), p,
	        az->err, sizeof(az->err)) == -1) {
		json_decref(p);
		return -1;
	}
	if (nd->spot)
		azure_vm_spot(p);
	body = json_pack("{s:O, s:{s:s, s:s}, s:o}", "location",
	    json_object_get(head, "location"), "tags", "created-by", "rig",
	    "rig-node", name, "properties", p);
	return azure_put(az, "a node's VM", vm, body, NULL);
}

/* Makes the node: its interface on the head's subnet, then its VM. */
static int
create_node(struct azure *az, const struct provider_node *nd, const char *vm,
    const char *nic, const char *name)
{
	static const char *const nic_of[] = { "properties", "networkProfile",
		"networkInterfaces", "id", NULL };
	static const char *const subnet_of[] = { "properties",
		"ipConfigurations", "properties", "subnet", "id", NULL };
	json_t                  *head = NULL, *hnic = NULL;
	const char              *hnic_id, *subnet;
	int                      r = -1;

	if (azure_get(az, "the head's VM", az->vm_path, &head) != 1 ||
	    (hnic_id = jstr(head, nic_of)) == NULL) {
		if (az->err[0] == '\0')
			snprintf(az->err, sizeof(az->err),
			    "the head's VM %s is not there", az->name);
		goto out;
	}
	if (azure_get(az, "the head's network interface", hnic_id, &hnic) !=
	        1 ||
	    (subnet = jstr(hnic, subnet_of)) == NULL) {
		if (az->err[0] == '\0')
			snprintf(az->err, sizeof(az->err),
			    "the head's network interface shows no subnet");
		goto out;
	}
	log_info("node %s: making VM %s (%s) on the head's subnet", nd->name,
	    name, nd->size);
	if (make_nic(az, nic, subnet) == 0 &&
	    make_vm(az, nd, vm, name, nic, head) == 0)
		r = 0;
out:
	json_decref(head);
	json_decref(hnic);
	return r;
}

/* The interface's private address, for Slurm's NodeAddr. */
static int
node_address(struct azure *az, const char *nic, char *out, size_t len)
{
	static const char *const ip_of[] = { "properties", "ipConfigurations",
		"properties", "privateIPAddress", NULL };
	json_t                  *j = NULL;
	const char              *ip;
	int                      r = -1;

	if (azure_get(az, "a node's network interface", nic, &j) == 1 &&
	    (ip = jstr(j, ip_of)) != NULL &&
	    strspn(ip, "0123456789.:abcdef") == strlen(ip) &&
	    strlen(ip) < len) {
		snprintf(out, len, "%s", ip);
		r = 0;
	} else if (az->err[0] == '\0')
		snprintf(az->err, sizeof(az->err),
		    "the node's network interface has no private address");
	json_decref(j);
	return r;
}

/* Opens the head's session for a node operation; -1 with 'why'. */
static int
open_head(struct azure *az, const struct provider_node *nd, char *why,
    size_t len)
{
	if (nd->head == NULL) {
		snprintf(why, len,
		    "no head in the pool's power configuration (run rig up)");
		return -1;
	}
	if (azure_open(az, nd->head) == -1) {
		snprintf(why, len, "cannot reach Azure as the head");
		return -1;
	}
	return 0;
}

/* What one power operation on a node holds: the head's session, the
 * node's lock and its VM's and interface's paths. */
struct node_op {
	struct azure az;
	char        *vm, *nic, *name;
	int          lock;
};

/* Opens the head's session and takes the node's lock; -1 with 'why'
 * (node_op_end() then still releases what was taken). */
static int
node_op_begin(struct node_op *op, const struct provider_node *nd, char *why,
    size_t len)
{
	memset(op, 0, sizeof(*op));
	op->lock = -1;
	if (open_head(&op->az, nd, why, len) == -1)
		return -1;
	if ((op->lock = node_lock(nd->head, nd->name, 0)) == -1) {
		snprintf(why, len, "cannot lock the node's notes in %s",
		    nd->head->state_dir);
		return -1;
	}
	node_paths(&op->az, nd->name, &op->vm, &op->nic, &op->name);
	return 0;
}

/* Ends the operation: a failure of Azure's ('failed', after begin)
 * goes into 'why' with ARM's words; r is returned. */
static int
node_op_end(struct node_op *op, int r, int failed, char *why, size_t len)
{
	if (failed)
		snprintf(why, len, "azure: VM %s: %s",
		    op->name != NULL ? op->name : "",
		    op->az.err[0] != '\0' ? op->az.err : "failed");
	free(op->vm);
	free(op->nic);
	free(op->name);
	if (op->lock != -1)
		close(op->lock);
	azure_close(&op->az);
	return r;
}

int
azure_node_up(const struct provider_node *nd, char *why, size_t len)
{
	struct node_op op;
	struct azure  *az = &op.az;
	char          *vm, *nic, *name, *path;
	json_t        *iv = NULL;
	const char    *power;
	int            got;

	if (node_op_begin(&op, nd, why, len) == -1)
		return node_op_end(&op, -1, 0, why, len);
	vm = op.vm;
	nic = op.nic;
	name = op.name;
	sweep(az, nd->head, nd->name);
	path = xasprintf("%s/instanceView", vm);
	got = azure_get(az, "a node's VM", path, &iv);
	free(path);
	if (got == -1)
		goto fail;
	if (got == 0) {
		if (create_node(az, nd, vm, nic, name) == -1)
			goto fail;
	} else {
		power = azure_power_state(iv);
		if (power == NULL ||
		    (strcmp(power, "running") != 0 &&
		        strcmp(power, "starting") != 0)) {
			log_info("node %s: starting VM %s (was %s)", nd->name,
			    name, power != NULL ? power : "unknown");
			path = xasprintf("%s/start", vm);
			got = azure_action(az, "starting a node's VM", path);
			free(path);
			if (got == -1)
				goto fail;
		}
	}
	unmark(nd->head, nd->name);
	if (nd->addr != NULL &&
	    node_address(az, nic, nd->addr, nd->addr_len) == -1)
		goto fail;
	if (nd->addr != NULL &&
	    azure_node_pin(nd, nd->addr, az->err, sizeof(az->err)) == -1)
		goto fail;
	json_decref(iv);
	return node_op_end(&op, 0, 0, why, len);
fail:
	json_decref(iv);
	return node_op_end(&op, -1, 1, why, len);
}

int
azure_node_down(const struct provider_node *nd, char *why, size_t len)
{
	struct node_op op;
	struct azure  *az = &op.az;
	char          *path;
	json_t        *v = NULL;
	int            got;

	if (node_op_begin(&op, nd, why, len) == -1)
		return node_op_end(&op, -1, 0, why, len);
	got = azure_get(az, "a node's VM", op.vm, &v);
	if (got == -1)
		goto fail;
	if (got == 1) {
		/* Deallocate, never power off: Azure bills a stopped VM. */
		path = xasprintf("%s/deallocate", op.vm);
		got = azure_action(az, "deallocating a node's VM", path);
		free(path);
		if (got == -1)
			goto fail;
		log_info("node %s: VM %s deallocated", nd->name, op.name);
		mark_deallocated(nd->head, nd);
	}
	sweep(az, nd->head, nd->name);
	json_decref(v);
	return node_op_end(&op, 0, 0, why, len);
fail:
	json_decref(v);
	return node_op_end(&op, -1, 1, why, len);
}

int
azure_pool_address(struct machine *m, char **addr)
{
	static const char *const nic_of[] = { "properties", "networkProfile",
		"networkInterfaces", "id", NULL };
	struct azure             az;
	json_t                  *vm = NULL;
	const char              *nic;
	char                     ip[64];
	int                      r = -1;

	memset(&az, 0, sizeof(az));
	if (azure_open(&az, m) == -1)
		return -1;
	if (azure_get(&az, "the head's VM", az.vm_path, &vm) == 1 &&
	    (nic = jstr(vm, nic_of)) != NULL &&
	    node_address(&az, nic, ip, sizeof(ip)) == 0) {
		*addr = xstrdup(ip);
		r = 0;
	} else
		error("azure: the head's private address: %s",
		    az.err[0] != '\0' ? az.err
		                      : "its VM shows no network "
		                        "interface");
	json_decref(vm);
	azure_close(&az);
	return r;
}

double
azure_node_price(struct machine *head, const char *size, int spot)
{
	double price;

	if (azure_prices_vm_hour(head, size, spot, &price) == -1)
		return -1;
	return price;
}
