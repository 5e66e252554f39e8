/* SPDX-License-Identifier: MIT */
/*
 * rig service: the hub as a service, on the machine it runs on. rig up,
 * start, stop, status and down run these over SSH (service.c):
 *
 *   rig service setup --port N [--loopback] [--set 'KEY = VALUE']...
 *   rig service start | stop | status | supervise
 *   rig service remove [--purge] [--uninstall]
 *
 * all with [--dir DIR] (default ~/.local/share/rig). Results go to
 * standard output as KEY=VALUE lines (status: one JSON object) for the
 * rig that asked to read.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "lib/log.h"
#include "service.h"
#include "lib/util.h"

#define SERVICE_MAX_SET 256 /* [hub] keys and [profile] lines */

int
cmd_service(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "loopback", no_argument, NULL, 'l' },
		{ "set", required_argument, NULL, 's' },
		{ "purge", no_argument, NULL, 'P' },
		{ "uninstall", no_argument, NULL, 'U' },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct service s;
	char          *set[SERVICE_MAX_SET + 1];
	const char    *dir = NULL, *sub;
	long long      port = 0, wait = SERVICE_WAIT_MS / 1000;
	int            ch, nset = 0, purge = 0, uninstall = 0, loopback = 0;
	int            r = -1;
	json_t        *st;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'p':
			if (parse_int(optarg, 1, 65535, &port) == -1)
				return usage("service");
			break;
		case 's':
			if (nset == SERVICE_MAX_SET ||
			    strchr(optarg, '\n') != NULL)
				return usage("service");
			set[nset++] = optarg;
			break;
		case 'l':
			loopback = 1;
			break;
		case 'P':
			purge = 1;
			break;
		case 'U':
			uninstall = 1;
			break;
		case 'w':
			if (parse_int(optarg, 1, 3600, &wait) == -1)
				return usage("service");
			break;
		default:
			return usage("service");
		}
	}
	set[nset] = NULL;
	if (optind + 1 != argc)
		return usage("service");
	sub = argv[optind];
	if (service_init(&s, dir) == -1)
		return 1;
	if (strcmp(sub, "setup") == 0 && port > 0)
		r = service_setup(&s, loopback, (int)port, set);
	else if (strcmp(sub, "start") == 0)
		r = service_start(&s, (int)wait * 1000);
	else if (strcmp(sub, "stop") == 0)
		r = service_stop(&s);
	else if (strcmp(sub, "status") == 0) {
		st = service_status(&s);
		r = json_dumpf(st, stdout, JSON_COMPACT) == 0 ? 0 : -1;
		putchar('\n');
		json_decref(st);
	} else if (strcmp(sub, "pool") == 0) {
		st = service_pool(&s);
		r = json_dumpf(st, stdout, JSON_COMPACT) == 0 ? 0 : -1;
		putchar('\n');
		json_decref(st);
	} else if (strcmp(sub, "remove") == 0) {
		r = service_remove(&s, purge);
		/* Last, rig itself: this process goes on from memory. */
		if (r == 0 && uninstall) {
			if (unlink(s.bin) == 0)
				printf("uninstalled=%s\n", s.bin);
			else
				r = error("cannot remove '%s': %m", s.bin);
		}
	} else if (strcmp(sub, "supervise") == 0)
		r = service_supervise(&s) == 0 ? 0 : -1;
	else {
		service_release(&s);
		return usage("service");
	}
	service_release(&s);
	fflush(stdout);
	return r == 0 ? 0 : 1;
}
