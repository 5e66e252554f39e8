/* SPDX-License-Identifier: MIT */
/*
 * rig version: prints "rig VERSION"; rig up checks with it that the copy
 * it installed on a machine runs there.
 */
#include <stdio.h>

#include "cmd.h"
#include "version.h"
#include "lib/banned.h"

int
cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return usage("version");
	printf("rig %s\n", RIG_VERSION);
	return 0;
}
