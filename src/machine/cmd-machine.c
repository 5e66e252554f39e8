/* SPDX-License-Identifier: MIT */
/*
 * rig stop, rig start, rig down: the hub service on the machine, and the
 * machine itself where the provider owns it (a cloud VM is deallocated
 * on stop and started on start; an ssh server only has its hub stopped
 * and started). down removes the service and rig from the machine and
 * forgets the machine here (.rig/); the users' files stay unless
 * --purge, which also deletes remote_dir.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "cmd.h"
#include "hubctl.h"
#include "lib/log.h"
#include "machine.h"
#include "provider.h"
#include "remote.h"
#include "service.h"
#include "lib/util.h"

#define CALL_MS 60000

static int open_machine(int, char **, const char *, struct machine *,
    struct remote *, int *, int *);
static int confirm_delete(const struct machine *, int);
static int service_call(struct remote *, const char *, const char *, int);

/* Flags, rig.conf, and how to log in. '*purge' and '*yes' (if not NULL)
 * take --purge and --yes. A machine its provider owns is not asked for
 * an address here (it may not exist). */
static int
open_machine(int argc, char **argv, const char *cmd, struct machine *m,
    struct remote *rm, int *purge, int *yes)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ "purge", no_argument, NULL, 'P' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	int                  ch;

	memset(&f, 0, sizeof(f));
	memset(rm, 0, sizeof(*rm));
	machine_init(m);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (machine_flag(&f, ch, optarg))
			continue;
		if (ch == 'P' && purge != NULL)
			*purge = 1;
		else if (ch == 'y' && yes != NULL)
			*yes = 1;
		else
			return usage(cmd);
	}
	if (optind != argc)
		return usage(cmd);
	machine_release(m);
	if (machine_open(m, &f) == -1)
		return 1;
	if (m->provider->owns_machine && strcmp(cmd, "start") != 0)
		return 0;
	if (remote_open(rm, m) == -1)
		return 1;
	return 0;
}

/* rig down of a machine rig made deletes it: asked first unless --yes. */
static int
confirm_delete(const struct machine *m, int yes)
{
	char line[64];

	if (yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return error("rig down deletes machine '%s' and its disk on "
		             "%s: run 'rig down --yes' to go ahead",
		    m->name, m->provider->name);
	printf("Delete machine '%s' and its disk on %s, for good? [y/N] ",
	    m->name, m->provider->name);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL ||
	    (line[0] != 'y' && line[0] != 'Y'))
		return error("not deleted");
	return 0;
}

/* 'rig service SUB' on the machine; -1 (printed) unless it worked. */
static int
service_call(struct remote *rm, const char *sub, const char *args, int ms)
{
	struct proc_result res;
	int                r;

	r = hubctl_call(rm, sub, args, ms, &res);
	if (r == HUBCTL_NOT_INSTALLED)
		error("rig is not installed on machine '%s' (run rig up)",
		    rm->m->name);
	else if (r > 0) {
		hubctl_show_error(&res);
		error("'rig service %s' failed on the machine (status %d)", sub,
		    r);
	}
	proc_result_release(&res);
	return r == 0 ? 0 : -1;
}

int
cmd_stop(int argc, char **argv)
{
	struct machine m;
	struct remote  rm;
	int            r;

	r = open_machine(argc, argv, "stop", &m, &rm, NULL, NULL);
	/* A VM rig made is stopped whole: its hub goes down with it. */
	if (r == 0 && m.provider->owns_machine)
		r = m.provider->stop(&m) == 0 ? 0 : 1;
	else if (r == 0)
		r = remote_connect(&rm) == 0 &&
		        service_call(&rm, "stop", NULL, CALL_MS) == 0 &&
		        m.provider->stop(&m) == 0
		    ? 0
		    : 1;
	if (r == 0)
		printf("machine '%s': %s\n", m.name,
		    m.provider->owns_machine ? "stopped" : "hub stopped");
	remote_close(&rm);
	machine_release(&m);
	return r;
}

int
cmd_start(int argc, char **argv)
{
	struct machine m;
	struct remote  rm;
	int            r;

	r = open_machine(argc, argv, "start", &m, &rm, NULL, NULL);
	if (r == 0)
		r = m.provider->start(&m) == 0 && remote_connect(&rm) == 0 &&
		        service_call(&rm, "start", NULL,
		            SERVICE_WAIT_MS + CALL_MS) == 0
		    ? 0
		    : 1;
	if (r == 0) {
		char *where = remote_hub_where(&rm);

		printf("machine '%s': hub running at %s\n", m.name, where);
		free(where);
	}
	remote_close(&rm);
	machine_release(&m);
	return r;
}

int
cmd_down(int argc, char **argv)
{
	struct machine     m;
	struct remote      rm;
	struct proc_result res;
	char              *rpath = NULL, *q, *script;
	int                r, purge = 0, yes = 0;

	r = open_machine(argc, argv, "down", &m, &rm, &purge, &yes);
	if (r != 0)
		goto out;
	r = 1;
	if (m.provider->owns_machine) {
		/* The users' files go with the disk: nothing to undo first. */
		if (confirm_delete(&m, yes) == -1 ||
		    m.provider->destroy(&m) == -1)
			goto out;
		remove_tree(m.state_dir);
		printf("machine '%s': deleted; forgot it here (%s/ deleted, "
		       "%s kept)\n",
		    m.name, MACHINE_STATE, MACHINE_CONF);
		r = 0;
		goto out;
	}
	if (remote_connect(&rm) == -1)
		goto out;
	/* Without rig there, there is nothing to remove: go on. */
	r = hubctl_call(&rm, "remove",
	    purge ? "--purge --uninstall" : "--uninstall", CALL_MS, &res);
	if (r == HUBCTL_NOT_INSTALLED)
		printf("rig was not installed on '%s'\n", m.name);
	else if (r != 0) {
		if (r > 0) {
			hubctl_show_error(&res);
			error("'rig service remove' failed on the machine "
			      "(status %d)",
			    r);
		}
		proc_result_release(&res);
		r = 1;
		goto out;
	}
	proc_result_release(&res);
	r = 1;
	if (purge) {
		rpath = machine_remote_path(&m);
		if (rpath == NULL)
			goto out;
		/* Never the home or the root, whatever remote_dir says;
		 * nor any home, or a folder holding one, as the machine
		 * resolves it. */
		if (strcmp(rpath, ".") == 0 || strcmp(rpath, "/") == 0 ||
		    strcmp(rpath, "..") == 0 || strstr(rpath, "..") != NULL) {
			error("not deleting remote_dir '%s'", rpath);
			goto out;
		}
		if (remote_dir_guard(&rm, rpath, "down --purge") == -1)
			goto out;
		q = sh_quote(rpath);
		script = xasprintf("rm -rf -- %s", q);
		proc_result_init(&res);
		if (remote_capture(&rm, script, -1, CALL_MS, &res) == -1 ||
		    res.status != 0) {
			hubctl_show_error(&res);
			error("cannot delete '%s' on the machine", rpath);
		} else
			printf("deleted %s on the machine\n", rpath);
		proc_result_release(&res);
		free(script);
		free(q);
	}
	if (m.provider->destroy(&m) == -1)
		goto out;
	/* End the shared connection, then forget the machine here. */
	if (rm.control_path != NULL) {
		struct argv a;

		argv_init(&a);
		argv_add(&a, rm.ssh);
		argv_add(&a, "-F");
		argv_add(&a, rm.ssh_config);
		argv_add(&a, "-O");
		argv_add(&a, "exit");
		argv_add(&a, rm.alias);
		proc_result_init(&res);
		proc_capture(a.v, NULL, -1, 10000, &res);
		proc_result_release(&res);
		argv_release(&a);
	}
	remove_tree(m.state_dir);
	printf("machine '%s': rig removed%s; forgot it here (%s/ deleted, "
	       "%s kept)\n",
	    m.name, purge ? " with the users' files" : ", users' files kept",
	    MACHINE_STATE, MACHINE_CONF);
	r = 0;
out:
	free(rpath);
	remote_close(&rm);
	machine_release(&m);
	return r;
}
