/* SPDX-License-Identifier: MIT */
/*
 * rig sandbox [--cgroup DIR]... [--umask MODE] [--user ACCOUNT]
 * [--pam-service NAME] [--deny-connect PORTS] -- CMD [ARGS...]: applies
 * the limits of
 * sandbox.h to itself, then runs CMD in its place. User servers start
 * through it: as root always (the privileged helper, or a root hub
 * without one, runs it with --cgroup, --umask and --user: it joins the
 * server's cgroups, cgroup.h, sets umask 077 and becomes the user's
 * account, in that order, so that nothing of the server runs outside its
 * cgroups or as root; with --pam-service, for authenticator = pam, it
 * first opens the account's PAM session, whose keeper closes it when
 * the server ends (auth-pam.h), and becomes the account with all its
 * groups), and also without root (the hub runs every server
 * through it, then with server_deny_ports if hub.conf says so). Last, the
 * socket filter, always: no sockets but Unix, netlink, TCP and UDP. If a
 * step fails, CMD is not run (the server's start fails, saying why).
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth-pam.h"
#include "cgroup.h"
#include "cmd.h"
#include "lib/log.h"
#include "lib/util.h"
#include "sandbox.h"
#include "lib/banned.h"

int
cmd_sandbox(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "deny-connect", required_argument, NULL, 'd' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "umask", required_argument, NULL, 'm' },
		{ "user", required_argument, NULL, 'u' },
		{ "pam-service", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int         ports[SANDBOX_MAX_PORTS], n = 0, ch, ncg = 0;
	const char *cg[CGROUP_MAX_DIRS], *user = NULL, *pam = NULL;
	long long   mask = -1;
	char        why[256];

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'c') {
			if (ncg == CGROUP_MAX_DIRS)
				return usage("sandbox");
			cg[ncg++] = optarg;
			continue;
		}
		if (ch == 'm') {
			char *end;

			mask = strtoll(optarg, &end, 8);
			if (*optarg == '\0' || *end != '\0' || mask < 0 ||
			    mask > 0777)
				return usage("sandbox");
			continue;
		}
		if (ch == 'u') {
			user = optarg;
			continue;
		}
		if (ch == 'p') {
			pam = optarg;
			continue;
		}
		if (ch != 'd')
			return usage("sandbox");
		n = sandbox_parse_ports(optarg, ports);
		if (n < 0)
			return error("--deny-connect: '%s' is not a list of "
			             "ports",
			           optarg),
			       2;
	}
	if (optind >= argc || (pam != NULL && user == NULL))
		return usage("sandbox");
	/* Before the cgroups: the session's keeper must not be in them,
	 * or killing the server's group would kill it before it closes the
	 * session. */
	if (pam != NULL) {
		if (geteuid() != 0) {
			error("not starting %s: --pam-service needs root",
			    argv[optind]);
			return 1;
		}
		if (authpam_session_begin(pam, user, why, sizeof(why)) == -1) {
			error("not starting %s: %s", argv[optind], why);
			return 1;
		}
	}
	for (int i = 0; i < ncg; i++) {
		if (cgroup_join(cg[i]) == -1) {
			error("not starting %s: cannot join cgroup %s: %s",
			    argv[optind], cg[i], strerror(errno));
			return 1;
		}
	}
	if (mask >= 0)
		umask((mode_t)mask);
	if (user != NULL &&
	    sandbox_become(user, pam != NULL, why, sizeof(why)) == -1) {
		error("not starting %s: %s", argv[optind], why);
		return 1;
	}
	if (sandbox_deny_connect(ports, (size_t)n, why, sizeof(why)) == -1 ||
	    sandbox_socket_filter(why, sizeof(why)) == -1) {
		error("not starting %s: %s", argv[optind], why);
		return 1;
	}
	execv(argv[optind], argv + optind);
	error("cannot run %s: %s", argv[optind], strerror(errno));
	return 127;
}
