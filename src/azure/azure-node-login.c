/* SPDX-License-Identifier: MIT */
/*
 * A node's login (azure-node-login.h). The node's folder on the head
 * (nd->dir, root's) plays the part .rig/ plays for a machine's VM:
 * azure-hostkey.c makes the key there, writes its customData and pins it
 * in its known_hosts, which is the file the head's ssh to the node reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "azure-hostkey.h"
#include "azure-node-login.h"
#include "lib/util.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "lib/banned.h"

/* A machine that is only the node's folder and name, for
 * azure-hostkey.c's functions. */
static void
key_machine(struct machine *km, const struct provider_node *nd)
{
	machine_init(km);
	km->state_dir = xstrdup(nd->dir);
	/* The key's comment; a node's name is a valid one. */
	(void)machine_set(km, "machine", "name", nd->name);
}

int
azure_node_login(const struct provider_node *nd, const char *user,
    json_t *props, char *why, size_t len)
{
	json_t *os = json_object_get(props, "osProfile");
	json_t *keys = json_object_get(
	    json_object_get(json_object_get(os, "linuxConfiguration"), "ssh"),
	    "publicKeys");
	struct machine km;
	char          *path, *cd;
	int            r = 0;

	if (nd->dir == NULL)
		return 0;
	if (nd->login_key == NULL || !json_is_array(keys)) {
		snprintf(why, len, "no key for the head to log in to the node");
		return -1;
	}
	path = xasprintf("/home/%s/.ssh/authorized_keys", user);
	json_array_append_new(keys,
	    json_pack("{s:s, s:s}", "path", path, "keyData", nd->login_key));
	free(path);
	key_machine(&km, nd);
	cd = azure_host_key_make(&km) == 0 ? azure_host_key_custom_data(&km)
	                                   : NULL;
	if (cd != NULL) {
		json_object_set_new(os, "customData", json_string(cd));
		explicit_bzero(cd, strlen(cd));
		free(cd);
	} else {
		snprintf(why, len, "no host key for the node in %s", nd->dir);
		r = -1;
	}
	machine_release(&km);
	return r;
}

int
azure_node_pin(const struct provider_node *nd, const char *addr, char *why,
    size_t len)
{
	struct machine km;
	char          *pub;
	int            r = 0;

	if (nd->dir == NULL)
		return 0;
	/* A node made by a rig that gave it no key of its own has none
	 * to pin: refused, not taken on trust (accept-new). */
	pub = xasprintf("%s/%s.pub", nd->dir, AZURE_HOST_KEY);
	if (access(pub, F_OK) != 0) {
		snprintf(why, len,
		    "the node's host key is not known (%s): delete its VM so "
		    "that rig makes it again with one",
		    pub);
		r = -1;
	}
	free(pub);
	key_machine(&km, nd);
	if (r == 0 && azure_host_key_pin(&km, addr, 22) == -1) {
		snprintf(why, len, "cannot pin the node's host key in %s",
		    nd->dir);
		r = -1;
	}
	machine_release(&km);
	return r;
}
