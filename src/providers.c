/* SPDX-License-Identifier: MIT */
/*
 * The providers rig knows, in the order messages name them. Like
 * main.c's command table this file wires the parts together and may
 * name every one: the machine workflow finds a provider here by its
 * name and knows it only through provider.h.
 */
#include <stddef.h>

#include "azure/provider-azure.h"
#include "machine/provider.h"
#include "lib/banned.h"

const struct provider *const providers[] = {
	&provider_ssh,
	&provider_local,
	&provider_azure,
	NULL,
};
