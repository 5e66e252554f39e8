/* SPDX-License-Identifier: MIT */
/*
 * rig slurm-tls-keys [--hub]: a Slurm job's link keys (spawn-slurm-tls.h)
 * made in a process of their own, on standard output: the server's key
 * and certificate, then with --hub the hub's own pair, PEM one after the
 * other (what slurm_tls_parse() reads). The hub runs it for each job it
 * submits (with --hub until it has its pair), so that what OpenSSL keeps
 * after its first key and signature (about 1 MB of tables and caches) is
 * not the hub's memory for good.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/log.h"
#include "spawn-slurm-tls.h"
#include "lib/banned.h"

int
cmd_slurm_tls_keys(int argc, char **argv)
{
	struct slurm_tls t;
	int              hub = argc == 2 && strcmp(argv[1], "--hub") == 0;
	int              r;

	if (argc != 1 && !hub)
		return usage("slurm-tls-keys");
	if (slurm_tls_make(&t, hub) == -1)
		return 1;
	r = fputs(t.server_key, stdout) == EOF ||
	        fputs(t.server_cert, stdout) == EOF ||
	        (hub &&
	            (fputs(t.hub_key, stdout) == EOF ||
	                fputs(t.hub_cert, stdout) == EOF)) ||
	        fflush(stdout) == EOF
	    ? 1
	    : 0;
	slurm_tls_release(&t);
	if (r != 0)
		error("slurm-tls-keys: cannot write them");
	return r;
}
