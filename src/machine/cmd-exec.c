/* SPDX-License-Identifier: MIT */
/*
 * rig exec: sync up, then run a command in remote_dir on the machine,
 * its output streamed, and exit with its status. The command's words
 * reach the machine's shell quoted one by one, as they were given (for
 * pipes or '&&', give "sh -c '...'").
 */
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
#include "sync.h"
#include "lib/util.h"

int
cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ "no-sync", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	struct machine       m;
	struct remote        rm;
	struct sync_opts     so;
	struct buf           script;
	char                *rpath = NULL, *q;
	int                  ch, nosync = 0, ret = 1, flags = 0;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (machine_flag(&f, ch, optarg))
			continue;
		if (ch != 'N')
			return usage("exec");
		nosync = 1;
	}
	if (optind == argc)
		return usage("exec");

	memset(&rm, 0, sizeof(rm));
	buf_init(&script, 1024 * 1024);
	if (machine_open(&m, &f) == -1 || remote_open(&rm, &m) == -1 ||
	    remote_connect(&rm) == -1)
		goto out;
	rpath = machine_remote_path(&m);
	if (rpath == NULL)
		goto out;
	if (!nosync) {
		memset(&so, 0, sizeof(so));
		so.out = stderr;
		if (sync_run(&rm, &so, NULL) == -1)
			goto out;
	}
	q = sh_quote(rpath);
	buf_addf(&script, "cd %s && exec", q);
	free(q);
	for (int i = optind; i < argc; i++) {
		q = sh_quote(argv[i]);
		if (buf_addf(&script, " %s", q) == -1) {
			free(q);
			error("command too long");
			goto out;
		}
		free(q);
	}
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		flags |= REMOTE_TTY;
	ret = remote_run(&rm, buf_str(&script), flags, NULL);
	if (ret == -1)
		ret = 1;
out:
	buf_release(&script);
	free(rpath);
	remote_close(&rm);
	machine_release(&m);
	return ret;
}
