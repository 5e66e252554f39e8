/* SPDX-License-Identifier: MIT */
/*
 * rig tunnel: the hub's port on the machine forwarded to a port here
 * (--local-port, else a free one; the local URL printed) until ^C, over
 * a connection of its own (ssh -N). The way to a hub with hub_access =
 * tunnel, which answers on the machine's loopback only; it works with a
 * public hub too. For the local provider the hub is here already.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/log.h"
#include "machine.h"
#include "remote.h"
#include "lib/util.h"

int
cmd_tunnel(int argc, char **argv)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ "local-port", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	struct machine       m;
	struct remote        rm;
	char                *extra[8];
	long long            local = 0;
	int                  ch, n = 0, ret = 1;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (machine_flag(&f, ch, optarg))
			continue;
		if (ch != 'l' || parse_int(optarg, 1, 65535, &local) == -1)
			return usage("tunnel");
	}
	if (optind != argc)
		return usage("tunnel");
	memset(&rm, 0, sizeof(rm));
	if (machine_open(&m, &f) == -1 || remote_open(&rm, &m) == -1)
		goto out;
	if (rm.host == NULL) {
		printf("hub: https://127.0.0.1:%d/ (this machine: nothing to "
		       "forward)\n",
		    m.hub_port);
		ret = 0;
		goto out;
	}
	if (remote_connect(&rm) == -1)
		goto out;
	if (local == 0 && (local = free_loopback_port()) <= 0) {
		error("no free local port");
		goto out;
	}
	n += remote_hub_forward(&rm, (int)local, extra);
	extra[n++] = xstrdup("-N");
	extra[n++] = xstrdup("-o");
	extra[n++] = xstrdup("ExitOnForwardFailure=yes");
	extra[n] = NULL;
	fprintf(stderr, "(forwarding until interrupted)\n");
	ret = remote_run(&rm, NULL, REMOTE_OWN, extra) == 0 ? 0 : 1;
out:
	for (int i = 0; i < n; i++)
		free(extra[i]);
	remote_close(&rm);
	machine_release(&m);
	return ret;
}
