/* SPDX-License-Identifier: MIT */
/*
 * The "local" provider: the machine is this one. Its address is none, so
 * remote.c runs commands here with /bin/sh and rsync copies between two
 * local folders; it is always running, and never created or deleted.
 */
#include <stdio.h>

#include "machine.h"
#include "provider.h"
#include "lib/banned.h"

static int  local_nothing(struct machine *);
static int  local_address(struct machine *, char **, int *);
static int  local_status(struct machine *, enum provider_power *);
static void local_summary(const struct machine *, char *, size_t);

static int
local_nothing(struct machine *m)
{
	(void)m;
	return 0;
}

static int
local_address(struct machine *m, char **host, int *port)
{
	(void)m;
	*host = NULL;
	*port = 0;
	return 0;
}

static int
local_status(struct machine *m, enum provider_power *p)
{
	(void)m;
	*p = PROVIDER_RUNNING;
	return 0;
}

static void
local_summary(const struct machine *m, char *out, size_t len)
{
	(void)m;
	snprintf(out, len, "this machine");
}

const struct provider provider_local = {
	.name = "local",
	.about = "this machine",
	.create = local_nothing,
	.start = local_nothing,
	.stop = local_nothing,
	.destroy = local_nothing,
	.address = local_address,
	.status = local_status,
	.summary = local_summary,
};
