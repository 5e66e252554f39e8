/* SPDX-License-Identifier: MIT */
/*
 * Finding providers (provider.h) in the list the wiring file src/
 * providers.c holds; each lives in its part's provider-NAME.c.
 */
#include <stdio.h>
#include <string.h>

#include "provider.h"
#include "lib/util.h"

const struct provider *
provider_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; providers[i] != NULL; i++)
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i];
	return NULL;
}

const char *
provider_names(void)
{
	static char names[256];
	size_t      n = 0;

	if (names[0] != '\0')
		return names;
	for (size_t i = 0; providers[i] != NULL && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
		    i > 0 ? ", " : "", providers[i]->name);
	return names;
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
