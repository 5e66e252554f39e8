/* SPDX-License-Identifier: MIT */
/*
 * The "ssh" provider: a server someone already runs, reached at host and
 * port of rig.conf. rig does not own it, so there is nothing to create,
 * power or delete: those succeed doing nothing, and stopping the machine
 * means stopping the hub on it (the commands do that over SSH). Its
 * status is whether its SSH port answers.
 */
#include "machine.h"
#include "provider.h"
#include "remote.h"
#include "lib/util.h"

static int ssh_nothing(struct machine *);
static int ssh_address(struct machine *, char **, int *);
static int ssh_status(struct machine *, enum provider_power *);

static int
ssh_nothing(struct machine *m)
{
	(void)m;
	return 0;
}

static int
ssh_address(struct machine *m, char **host, int *port)
{
	*host = xstrdup(m->host);
	*port = m->port;
	return 0;
}

/* A server that answers on its SSH port runs; one that does not may be
 * off or only out of reach: unknown. A short wait: callers ask after a
 * login already failed. */
static int
ssh_status(struct machine *m, enum provider_power *p)
{
	int ms = m->connect_timeout < 3 ? m->connect_timeout * 1000 : 3000;

	*p = tcp_answers(m->host, m->port, ms) ? PROVIDER_RUNNING
	                                       : PROVIDER_UNKNOWN;
	return 0;
}

const struct provider provider_ssh = {
	.name = "ssh",
	.about = "any server",
	.needs_host = 1,
	.create = ssh_nothing,
	.start = ssh_nothing,
	.stop = ssh_nothing,
	.destroy = ssh_nothing,
	.address = ssh_address,
	.status = ssh_status,
};
