/* SPDX-License-Identifier: MIT */
/*
 * rig sync up|down: the project folder to or from the machine's
 * remote_dir (sync.c does the work).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/log.h"
#include "machine.h"
#include "remote.h"
#include "sync.h"
#include "lib/util.h"

int
cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ "dry-run", no_argument, NULL, 'n' },
		{ "delete", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	struct machine       m;
	struct remote        rm;
	struct sync_opts     o;
	int                  ch, ret = 1;

	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	o.out = stdout;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "n", opts, NULL)) != -1) {
		if (machine_flag(&f, ch, optarg))
			continue;
		if (ch == 'n')
			o.dry_run = 1;
		else if (ch == 'd')
			o.delete = 1;
		else
			return usage("sync");
	}
	if (optind + 1 != argc)
		return usage("sync");
	if (strcmp(argv[optind], "down") == 0)
		o.down = 1;
	else if (strcmp(argv[optind], "up") != 0)
		return usage("sync");

	memset(&rm, 0, sizeof(rm));
	if (machine_open(&m, &f) == -1 || remote_open(&rm, &m) == -1 ||
	    remote_connect(&rm) == -1)
		goto out;
	if (sync_run(&rm, &o, NULL) == 0)
		ret = 0;
out:
	remote_close(&rm);
	machine_release(&m);
	return ret;
}
