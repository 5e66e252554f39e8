/* SPDX-License-Identifier: MIT */
/*
 * The table of providers (provider.h); each lives in provider-NAME.c.
 */
#include <string.h>

#include "provider.h"
#include "lib/util.h"

static const struct provider *const providers[] = {
	&provider_ssh,
	&provider_local,
	&provider_azure,
};

const struct provider *
provider_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < nitems(providers); i++)
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i];
	return NULL;
}

const char *
provider_names(void)
{
	return "ssh, local, azure";
}

const char *
provider_power_name(enum provider_power p)
{
	switch (p) {
	case PROVIDER_RUNNING:
		return "running";
	case PROVIDER_STOPPED:
		return "stopped";
	case PROVIDER_ABSENT:
		return "absent";
	case PROVIDER_UNKNOWN:
		break;
	}
	return "unknown";
}
