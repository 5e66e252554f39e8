/* SPDX-License-Identifier: MIT */
/*
 * rig sandbox --deny-connect PORTS -- CMD [ARGS...]: applies the limits
 * of sandbox.h to itself, then runs CMD in its place. The hub starts user
 * servers through it when hub.conf says server_deny_ports; if the limits
 * cannot be applied, CMD is not run (the server's start fails, saying
 * why).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/log.h"
#include "sandbox.h"
#include "lib/banned.h"

int
cmd_sandbox(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "deny-connect", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int  ports[SANDBOX_MAX_PORTS], n = 0, ch;
	char why[256];

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch != 'd')
			return usage("sandbox");
		n = sandbox_parse_ports(optarg, ports);
		if (n < 0)
			return error("--deny-connect: '%s' is not a list of "
			             "ports",
			           optarg),
			       2;
	}
	if (optind >= argc)
		return usage("sandbox");
	if (sandbox_deny_connect(ports, (size_t)n, why, sizeof(why)) == -1) {
		error("not starting %s: %s", argv[optind], why);
		return 1;
	}
	execv(argv[optind], argv + optind);
	error("cannot run %s: %s", argv[optind], strerror(errno));
	return 127;
}
