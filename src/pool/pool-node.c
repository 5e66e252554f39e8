/* SPDX-License-Identifier: MIT */
/*
 * A pool's node as a machine: a struct machine made from the head's
 * [machine] login (user, identity, port, ssh program) and a provider and
 * host, with its own ssh_config and known hosts in .rig/nodes/HOST/, so
 * it is reached through its provider and remote.c like the head; and
 * scripts run as root there (directly, or through 'sudo -n').
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/settings.h"
#include "lib/util.h"
#include "machine/hubctl.h"
#include "machine/machine.h"
#include "machine/remote.h"
#include "pool-node.h"
#include "lib/banned.h"

#define PROBE_MS (5 * 60 * 1000)

/* A script as root on a machine; output in *res (released by caller). */
int
pool_root_run(struct remote *rm, int sudo, const char *script, int in_fd,
    int timeout_ms, struct proc_result *res)
{
	char *q, *full;
	int   r;

	proc_result_init(res);
	if (!sudo)
		return remote_capture(rm, script, in_fd, timeout_ms, res);
	q = sh_quote(script);
	full = xasprintf("sudo -n sh -c %s", q);
	r = remote_capture(rm, full, in_fd, timeout_ms, res);
	free(full);
	free(q);
	return r;
}

void
pool_show_failure(const char *what, const struct proc_result *res)
{
	hubctl_show_error(res);
	error("%s failed (status %d)", what, res->status);
}

/* Whether the login is root or may become it; -1 if neither. */
int
pool_probe_root(struct remote *rm, int *sudo, const char *what)
{
	struct proc_result res;
	int                r;

	proc_result_init(&res);
	r = remote_capture(rm,
	    "if [ \"$(id -u)\" = 0 ]; then echo root=yes; "
	    "elif sudo -n true >/dev/null 2>&1; then echo root=sudo; fi",
	    -1, PROBE_MS, &res);
	if (r == -1) {
		proc_result_release(&res);
		return -1;
	}
	*sudo = strstr(buf_str(&res.out), "root=sudo") != NULL;
	r = *sudo || strstr(buf_str(&res.out), "root=yes") != NULL ? 0 : -1;
	proc_result_release(&res);
	if (r == -1)
		return error("%s: a pool needs root there (Slurm and munge run "
		             "as root): log in as root, or as a user with "
		             "password-less sudo",
		    what);
	return 0;
}

/* The node's machine: the head's login, the partition's provider and
 * host, its own files in .rig/nodes/HOST/. */
int
pool_node_machine(struct machine *nm, const struct machine *head,
    const char *provider, const char *host)
{
	char  port[16], timeout[16], *nodes_dir, *name;
	char *safe = xstrdup(host);

	machine_init(nm);
	for (char *p = safe; *p != '\0'; p++)
		if (*p == ':')
			*p = '_';
	/* rig pool power's head has no project (NULL). */
	nm->dir = head->dir != NULL ? xstrdup(head->dir) : NULL;
	nm->conf_path =
	    head->conf_path != NULL ? xstrdup(head->conf_path) : NULL;
	nodes_dir = xasprintf("%s/nodes", head->state_dir);
	nm->state_dir = xasprintf("%s/%s", nodes_dir, safe);
	if ((mkdir(head->state_dir, 0700) == -1 && errno != EEXIST) ||
	    (mkdir(nodes_dir, 0700) == -1 && errno != EEXIST) ||
	    (mkdir(nm->state_dir, 0700) == -1 && errno != EEXIST)) {
		error("cannot create '%s': %s", nm->state_dir, strerror(errno));
		free(nodes_dir);
		free(safe);
		return -1;
	}
	free(nodes_dir);
	snprintf(port, sizeof(port), "%d", head->port);
	snprintf(timeout, sizeof(timeout), "%d", head->connect_timeout);
	name = xasprintf("%s-%s", head->name, safe);
	free(safe);
	if (!machine_name_valid(name)) {
		free(name);
		name = xasprintf("node-%s", host);
	}
	settings_set_str(&nm->ssh, head->ssh);
	settings_set_str(&nm->rsync, head->rsync);
	if (machine_set(nm, "machine", "name", name) == -1 ||
	    machine_set(nm, "machine", "provider", provider) == -1 ||
	    machine_set(nm, "machine", "host", host) == -1 ||
	    machine_set(nm, "machine", "port", port) == -1 ||
	    machine_set(nm, "machine", "connect_timeout", timeout) == -1 ||
	    (head->user != NULL &&
	        machine_set(nm, "machine", "user", head->user) == -1) ||
	    (head->identity != NULL &&
	        machine_set(nm, "machine", "identity", head->identity) == -1)) {
		free(name);
		return -1;
	}
	free(name);
	return machine_check(nm);
}
