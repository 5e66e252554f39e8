/* SPDX-License-Identifier: MIT */
/*
 * rig ssh-config: makes plain 'ssh rig-NAME' (and editors' remote-SSH)
 * reach the project's machine: a Host entry in ~/.ssh/config-rig,
 * brought in by one Include line at the top of ~/.ssh/config
 * (sshconfig.c). The home is the one ssh uses, from the password
 * database. The prefix keeps a project from taking a real host's name.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/log.h"
#include "machine.h"
#include "remote.h"
#include "sshconfig.h"
#include "lib/util.h"

int
cmd_ssh_config(int argc, char **argv)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	struct machine       m;
	struct remote        rm;
	const char          *home;
	int                  ch, ret = 1;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (!machine_flag(&f, ch, optarg))
			return usage("ssh-config");
	if (optind != argc)
		return usage("ssh-config");
	memset(&rm, 0, sizeof(rm));
	if (machine_open(&m, &f) == -1 || remote_open(&rm, &m) == -1)
		goto out;
	if (rm.host == NULL) {
		error("machine '%s' is this machine (provider local): no SSH "
		      "to set up",
		    m.name);
		goto out;
	}
	home = machine_local_home();
	if (home == NULL) {
		error("cannot find your home folder");
		goto out;
	}
	/* Learn the host key now, so the first 'ssh NAME' does not ask. */
	if (remote_connect(&rm) == -1)
		fprintf(stderr, "rig: writing the entry anyway\n");
	if (sshconfig_install(&m, home, rm.host, rm.port) == 0)
		ret = 0;
out:
	remote_close(&rm);
	machine_release(&m);
	return ret;
}
