/* SPDX-License-Identifier: MIT */
/*
 * rig ssh: a shell on the machine, in remote_dir when it exists, with
 * the hub's port forwarded to a free port here (the local URL printed);
 * -L, -R and -D forwards are passed to ssh; after "--" a command runs
 * instead, its words joined as ssh joins them, and rig exits with its
 * status. A session with forwards has its own connection, so they end
 * with it.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "cmd.h"
#include "lib/log.h"
#include "machine.h"
#include "remote.h"
#include "lib/util.h"

#define SSH_MAX_FORWARDS 32

int
cmd_ssh(int argc, char **argv)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ "no-forward", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	struct machine       m;
	struct remote        rm;
	struct buf           script;
	char                *extra[2 * SSH_MAX_FORWARDS + 8];
	char                *rpath = NULL, *q;
	int                  ch, nextra = 0, noforward = 0, ret = 1, port;
	int                  flags = 0;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+L:R:D:", opts, NULL)) != -1) {
		if (machine_flag(&f, ch, optarg))
			continue;
		switch (ch) {
		case 'L':
		case 'R':
		case 'D':
			if (nextra >= 2 * SSH_MAX_FORWARDS) {
				error("too many forwards");
				return 2;
			}
			extra[nextra++] = xasprintf("-%c", ch);
			extra[nextra++] = xstrdup(optarg);
			break;
		case 'N':
			noforward = 1;
			break;
		default:
			return usage("ssh");
		}
	}

	memset(&rm, 0, sizeof(rm));
	buf_init(&script, 1024 * 1024);
	if (machine_open(&m, &f) == -1 || remote_open(&rm, &m) == -1 ||
	    remote_connect(&rm) == -1)
		goto out;
	if (optind < argc) {
		/* ssh's own way: the words joined by spaces. */
		for (int i = optind; i < argc; i++)
			buf_addf(&script, "%s%s", i > optind ? " " : "",
			    argv[i]);
	} else {
		rpath = machine_remote_path(&m);
		if (rpath == NULL)
			goto out;
		q = sh_quote(rpath);
		buf_addf(&script,
		    "cd %s 2>/dev/null; exec \"${SHELL:-/bin/sh}\" "
		    "-l",
		    q);
		free(q);
		if (isatty(STDIN_FILENO))
			flags |= REMOTE_TTY;
		if (!noforward && rm.host != NULL) {
			port = free_loopback_port();
			if (port > 0)
				nextra += remote_hub_forward(&rm, port,
				    extra + nextra);
		}
	}
	if (nextra > 0) {
		flags |= REMOTE_OWN;
		extra[nextra++] = xstrdup("-o");
		extra[nextra++] = xstrdup("ExitOnForwardFailure=no");
	}
	extra[nextra] = NULL;
	ret = remote_run(&rm, buf_str(&script), flags, extra);
	if (ret == -1)
		ret = 1;
out:
	for (int i = 0; i < nextra; i++)
		free(extra[i]);
	buf_release(&script);
	free(rpath);
	remote_close(&rm);
	machine_release(&m);
	return ret;
}
