/* SPDX-License-Identifier: MIT */
/*
 * The hub as a systemd unit, where systemd is PID 1 and rig is root
 * (service_init() decides): the unit file rig-hub.service, with
 * Restart=always, and KillMode=process so that the users' servers
 * outlive a hub restart, as the hub expects; systemctl enables it at
 * boot, starts, stops and removes it, and names the hub's pid.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "service-internal.h"
#include "service.h"
#include "lib/util.h"

#define UNIT_PATH "/etc/systemd/system/" SERVICE_UNIT

static char *unit_text(const struct service *);

static char *
unit_text(const struct service *s)
{
	return xasprintf(
	    "# Written by rig up.\n"
	    "[Unit]\nDescription=rig hub (JupyterHub-like)\n"
	    "After=network-online.target\nWants=network-online.target\n\n"
	    "[Service]\n"
	    "ExecStart=\"%s\" hub --config \"%s\" --state-dir \"%s\"\n"
	    "Restart=always\nRestartSec=2\n"
	    "# User servers outlive a hub restart, as the hub expects.\n"
	    "KillMode=process\n"
	    "# Connections and their back ends: the hub caps them.\n"
	    "LimitNOFILE=1048576\n"
	    "StandardOutput=append:%s\nStandardError=append:%s\n\n"
	    "[Install]\nWantedBy=multi-user.target\n",
	    s->bin, s->conf, s->state, s->log, s->log);
}

int
systemd_install(const struct service *s)
{
	struct proc_result res;
	char              *old, *unit;
	int                r = 0;

	unit = unit_text(s);
	old = read_file(UNIT_PATH, 1024 * 1024, NULL);
	if (old == NULL || strcmp(old, unit) != 0) {
		if (write_file_atomic(UNIT_PATH, unit, strlen(unit), 0644) ==
		    -1)
			r = error("cannot write '%s': %s", UNIT_PATH,
			    strerror(errno));
		else {
			if (service_run(&res, "systemctl", "daemon-reload",
			        (char *)NULL) == -1)
				r = error("systemctl daemon-reload failed");
			proc_result_release(&res);
		}
	}
	free(old);
	free(unit);
	if (r == 0) {
		if (service_run(&res, "systemctl", "enable", "--quiet",
		        SERVICE_UNIT, (char *)NULL) == -1)
			r = error("systemctl enable failed: %s",
			    buf_str(&res.err));
		proc_result_release(&res);
	}
	return r;
}

int
systemd_run(const char *verb)
{
	struct proc_result res;
	int                r;

	r = service_run(&res, "systemctl", verb, SERVICE_UNIT, (char *)NULL);
	if (r == -1)
		error("systemctl %s %s: %s", verb, SERVICE_UNIT,
		    buf_str(&res.err));
	proc_result_release(&res);
	return r;
}

int
systemd_main_pid(void)
{
	struct proc_result res;
	long long          n;
	char              *p;
	int                pid = 0;

	if (service_run(&res, "systemctl", "show", "-p", "MainPID", "--value",
	        SERVICE_UNIT, (char *)NULL) == 0) {
		p = res.out.data;
		if (p != NULL) {
			p[strcspn(p, "\n")] = '\0';
			if (parse_int(p, 1, INT_MAX, &n) == 0)
				pid = (int)n;
		}
	}
	proc_result_release(&res);
	return pid;
}

void
systemd_remove(void)
{
	struct proc_result res;

	service_run(&res, "systemctl", "disable", "--quiet", SERVICE_UNIT,
	    (char *)NULL);
	proc_result_release(&res);
	unlink(UNIT_PATH);
	service_run(&res, "systemctl", "daemon-reload", (char *)NULL);
	proc_result_release(&res);
}
