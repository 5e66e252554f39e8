/* SPDX-License-Identifier: MIT */
/*
 * How the head logs in to a node it made on Azure (azure-node-login.c):
 * the head's pool key among the VM's SSH keys, and a host key of the
 * node's own that the head made, handed to the VM in cloud-init's
 * customData and pinned before the head's first ssh, as azure-hostkey.c
 * does for the machine's VM. The setup then sends the pool's munge key
 * to that VM and no other.
 */
#ifndef AZURE_NODE_LOGIN_H
#define AZURE_NODE_LOGIN_H

#include <jansson.h>
#include <stddef.h>

struct provider_node;

/*
 * To the node VM's 'props' (a request's properties, whose
 * osProfile.linuxConfiguration.ssh.publicKeys already has the head's
 * keys): nd->login_key, and the customData of a host key made in
 * nd->dir. 0, or -1 and why. Nothing is added without nd->dir (a node
 * powered by a rig that sets nothing up).
 */
int azure_node_login(const struct provider_node *, const char *user,
    json_t *props, char *why, size_t len);

/* Pins the node's host key (in nd->dir) for 'addr' in nd->dir's
 * known_hosts. 0 (also without nd->dir), or -1 and why. */
int azure_node_pin(const struct provider_node *, const char *addr, char *why,
    size_t len);

#endif
