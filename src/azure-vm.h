/* SPDX-License-Identifier: MIT */
/*
 * Makes (or finds, or repairs) the project's VM and everything it stands
 * on, step by step with elapsed times; see azure-vm.c for the resources.
 */
#ifndef AZURE_VM_H
#define AZURE_VM_H

struct azure;

/* 0 when the VM and its resources exist as rig.conf says; -1 printed,
 * and .rig/state keeps "azure.made = partly" for rig status. */
int azure_vm_create(struct azure *);

#endif
