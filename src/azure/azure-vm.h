/* SPDX-License-Identifier: MIT */
/*
 * Makes (or finds, or repairs) the project's VM and everything it stands
 * on, step by step with elapsed times; see azure-vm.c for the resources.
 */
#ifndef AZURE_VM_H
#define AZURE_VM_H

#include <jansson.h>

struct azure;
struct azure_conf;

/* 0 when the VM and its resources exist as rig.conf says; -1 printed,
 * and .rig/state keeps "azure.made = partly" for rig status. */
int azure_vm_create(struct azure *);

/* Only the network security group: who may reach SSH and the hub, from
 * the machine's allow_from ("auto": this machine's public address now).
 * -1 printed. */
int azure_vm_allow(struct azure *);

/* This machine's public address, asked of myip_endpoint. Caller frees;
 * NULL, printed unless 'quiet'. */
char *azure_my_address(const struct azure_conf *, int quiet);

/* Makes a VM body's properties a Spot VM's (rig's machine and a pool's
 * nodes alike). */
void azure_vm_spot(json_t *props);

#endif
