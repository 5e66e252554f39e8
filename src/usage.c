/* SPDX-License-Identifier: MIT */
/*
 * Usage lines, one per command, as in docs/rig.1's SYNOPSIS. Apart from
 * main.c so the unit tests, which link every module but main, have it.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/util.h"

static const struct {
	const char *cmd;
	const char *line;
} lines[] = {
	{ "hub",
	    "rig hub [--state-dir DIR] [--listen ADDR:PORT] "
	    "[--cert FILE --key FILE] [--config FILE] [--no-tls] "
	    "[--renew-cert] [-v]" },
	{ "user",
	    "rig user add NAME [--admin] [--password-stdin | --unix-password] "
	    "| delete "
	    "NAME [--keep-home] | list | passwd NAME [--password-stdin] "
	    "| admin NAME on|off [--state-dir DIR]" },
	{ "token",
	    "rig token create NAME [--note TEXT] [--scopes S1,S2] "
	    "[--expires-in SECONDS] | list NAME | revoke NAME ID "
	    "[--state-dir DIR]" },
	{ "init",
	    "rig init [--provider ssh|local|azure] [--host H] [--user U] "
	    "[--port N] [--identity FILE] [--remote-dir DIR] "
	    "[--name NAME] [--hub-port N] [--force]" },
	{ "ssh", "rig ssh [-L|-R|-D SPEC]... [--no-forward] [-- CMD...]" },
	{ "ssh-config", "rig ssh-config" },
	{ "tunnel", "rig tunnel [--local-port N]" },
	{ "sync", "rig sync up|down [--dry-run] [--delete]" },
	{ "exec", "rig exec [--no-sync] -- CMD..." },
	{ "up", "rig up [--adopt]" },
	{ "job",
	    "rig job submit [-p PART] [-c CPUS] [--mem SIZE] [--gpus N] "
	    "[-t TIME] [--array SPEC] [--name NAME] [--no-sync] -- CMD... "
	    "| list [--all] [--json] | logs ID [-f] | cancel ID | show ID" },
	{ "pool", "rig pool status [--json] | power up|down NODES" },
	{ "status", "rig status [--json]" },
	{ "start", "rig start" },
	{ "stop", "rig stop" },
	{ "down", "rig down [--purge] [--yes]" },
	{ "allow", "rig allow [CIDR...|auto]" },
	{ "service",
	    "rig service setup --port N [--loopback] [--set 'KEY = VALUE']... | "
	    "start [--wait SECS] | stop | status | pool | remove [--purge] "
	    "[--uninstall] [--dir DIR]" },
	{ "self-stop",
	    "rig self-stop [--provider NAME] [--arm-endpoint URL] "
	    "[--imds-endpoint URL] [--dry-run]" },
	{ "sandbox",
	    "rig sandbox [--cgroup DIR]... [--umask MODE] [--user "
	    "ACCOUNT] [--pam-service NAME] [--deny-connect PORTS] -- CMD "
	    "[ARGS...]" },
	{ "slurm-tls-keys", "rig slurm-tls-keys [--hub]" },
	{ "pam-auth", "rig pam-auth SERVICE ACCOUNT < PASSWORD" },
	{ "ldap-auth",
	    "rig ldap-auth [--ca-file FILE] [--plaintext] [--bind-dn-template LIST] "
	    "[--search-base DN --bind-dn DN --user-attribute NAME] "
	    "[--allowed-groups LIST] [--admin-groups LIST] URL USER < "
	    "PASSWORD[\\0BIND-PASSWORD]" },
	{ "version", "rig version" },
};

int
usage(const char *cmd)
{
	for (size_t i = 0; i < nitems(lines); i++)
		if (cmd == NULL || strcmp(cmd, lines[i].cmd) == 0)
			fprintf(stderr, "usage: %s\n", lines[i].line);
	return 2;
}
