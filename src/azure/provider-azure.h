/* SPDX-License-Identifier: MIT */
/*
 * The Azure provider (provider-azure.c): a VM rig makes in the project's
 * own resource group, with its [azure] section (azure-conf.h). Listed in
 * src/providers.c.
 */
#ifndef PROVIDER_AZURE_H
#define PROVIDER_AZURE_H

#include "machine/provider.h"

extern const struct provider provider_azure;

#endif
