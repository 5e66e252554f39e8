/* SPDX-License-Identifier: MIT */
/*
 * rig: one binary, many commands (tmux's and git's manner). Each command
 * lives in src/cmd-<name>.c; this file only picks one.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "hub/tls-alloc.h"
#include "lib/util.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "hub", cmd_hub },
	{ "user", cmd_user },
	{ "token", cmd_token },
	{ "init", cmd_init },
	{ "ssh", cmd_ssh },
	{ "ssh-config", cmd_ssh_config },
	{ "tunnel", cmd_tunnel },
	{ "sync", cmd_sync },
	{ "exec", cmd_exec },
	{ "up", cmd_up },
	{ "job", cmd_job },
	{ "pool", cmd_pool },
	{ "status", cmd_status },
	{ "pool", cmd_pool },
	{ "start", cmd_start },
	{ "stop", cmd_stop },
	{ "down", cmd_down },
	{ "allow", cmd_allow },
	{ "service", cmd_service },
	{ "self-stop", cmd_self_stop },
	{ "sandbox", cmd_sandbox },
	{ "slurm-tls-keys", cmd_slurm_tls_keys },
	{ "pam-auth", cmd_pam_auth },
	{ "ldap-auth", cmd_ldap_auth },
	{ "version", cmd_version },
};

int
main(int argc, char **argv)
{
	(void)tls_alloc_install(); /* too late only if something ran first */
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)
		return usage(NULL);
	for (size_t i = 0; i < nitems(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "rig: unknown command '%s'\n", argv[1]);
	return usage(NULL);
}
