/* SPDX-License-Identifier: MIT */
/*
 * rig hub: reads settings (defaults, config file, flags) and where the
 * state directory is, then runs the hub (daemon.c) until SIGTERM or SIGINT.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"
#include "config.h"
#include "daemon.h"
#include "lib/log.h"
#include "state.h"
#include "lib/banned.h"

int
cmd_hub(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'f' },
		{ "no-tls", no_argument, NULL, 'n' },
		{ "renew-cert", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	char         *config_path = NULL, *state = NULL;
	int           ch, ret;

	config_init(&cfg);
	/* The config file first, so flags win. */
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+v", opts, NULL)) != -1)
		if (ch == 'f')
			config_path = optarg;
		else if (ch == '?')
			return usage("hub");
	if (optind != argc)
		return usage("hub");
	if (config_path != NULL && config_load(&cfg, config_path) == -1) {
		config_release(&cfg);
		return 1;
	}
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			config_set(&cfg, "state_dir", optarg);
			break;
		case 'l':
			config_set(&cfg, "listen", optarg);
			break;
		case 'c':
			config_set(&cfg, "cert", optarg);
			break;
		case 'k':
			config_set(&cfg, "key", optarg);
			break;
		case 'n':
			cfg.tls = 0;
			break;
		case 'r':
			cfg.renew_cert = 1;
			break;
		case 'v':
			log_verbose = 1;
			break;
		}
	}
	if (config_check_spawner(&cfg) == -1) {
		config_release(&cfg);
		return 1;
	}
	state = state_dir_resolve(cfg.state_dir);
	if (state == NULL) {
		config_release(&cfg);
		return 1;
	}
	free(cfg.state_dir);
	cfg.state_dir = state;
	ret = daemon_run(&cfg);
	config_release(&cfg);
	return ret;
}
