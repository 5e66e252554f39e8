/* SPDX-License-Identifier: MIT */
/*
 * The "ssh" provider: a server someone already runs, reached at host and
 * port of rig.conf. rig does not own it, so there is nothing to create,
 * power or delete: those succeed doing nothing, and stopping the machine
 * means stopping the hub on it (the commands do that over SSH). Its
 * status is whether its SSH port answers. A pool's nodes of this
 * provider are powered by their partition's power_on and power_off, the
 * admin's commands (IPMI, wake-on-LAN, a cloud's CLI), run here on the
 * head.
 */
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "machine.h"
#include "provider.h"
#include "remote.h"
#include "lib/util.h"

#define POWER_CMD_MS (5 * 60 * 1000)

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

/* The partition's command for the node; its output goes to rig's log
 * (slurmctld's power programs send it to a file). */
static int
ssh_power(const struct provider_node *nd, const char *what, char *why,
    size_t len)
{
	struct argv        av;
	struct proc_result res;
	const char        *err;
	int                r;

	if (nd->cmd == NULL) {
		snprintf(why, len, "its partition has no %s", what);
		return -1;
	}
	if (provider_power_argv(nd->cmd, nd, &av, why, len) == -1)
		return -1;
	proc_result_init(&res);
	r = proc_capture(av.v, "/", -1, POWER_CMD_MS, &res);
	argv_release(&av);
	if (r == -1) {
		snprintf(why, len, "%s could not be run", what);
		proc_result_release(&res);
		return -1;
	}
	if (res.out.len > 0)
		log_info("%s %s said: %s", what, nd->name, buf_str(&res.out));
	if (res.err.len > 0)
		log_info("%s %s said on stderr: %s", what, nd->name,
		    buf_str(&res.err));
	err = buf_str(&res.err);
	if (res.status != 0)
		snprintf(why, len, "%s %s (status %d)%s%.*s", what,
		    res.timed_out ? "timed out" : "failed", res.status,
		    *err != '\0' ? ": " : "", (int)strcspn(err, "\n"), err);
	r = res.status == 0 ? 0 : -1;
	proc_result_release(&res);
	return r;
}

static int
ssh_power_up(const struct provider_node *nd, char *why, size_t len)
{
	return ssh_power(nd, "power_on", why, len);
}

static int
ssh_power_down(const struct provider_node *nd, char *why, size_t len)
{
	return ssh_power(nd, "power_off", why, len);
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
	.power_up = ssh_power_up,
	.power_down = ssh_power_down,
};
