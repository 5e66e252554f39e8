/* SPDX-License-Identifier: MIT */
/*
 * Landlock network rules (sandbox.h). Debian 12's kernel headers predate
 * them (Linux 6.7), so the few ABI definitions used are spelled out here
 * under rig's own names; the kernel tells at run time whether it has
 * them (ABI version 4 or later).
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "lib/util.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

/* The kernel's UAPI (include/uapi/linux/landlock.h). */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_NET_PORT 2
#define LL_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define LL_NET_ABI 4 /* the first ABI with network rules */

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
} __attribute__((packed));

int
sandbox_parse_ports(const char *s, int *ports)
{
	char     *copy = xstrdup(s), *tok, *save = NULL;
	int       n = 0;
	long long v;

	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (n == SANDBOX_MAX_PORTS ||
		    parse_int(tok, 1, 65535, &v) == -1) {
			free(copy);
			return -1;
		}
		ports[n++] = (int)v;
	}
	free(copy);
	return n;
}

static int
denied(const int *ports, size_t n, int port)
{
	for (size_t i = 0; i < n; i++)
		if (ports[i] == port)
			return 1;
	return 0;
}

int
sandbox_deny_connect(const int *ports, size_t n, char *why, size_t wlen)
{
	struct ll_ruleset_attr  attr;
	struct ll_net_port_attr rule;
	long                    abi;
	int                     fd;

	if (n == 0)
		return 0;
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);
	if (abi < LL_NET_ABI) {
		snprintf(why, wlen,
		    "this kernel cannot limit connections with Landlock "
		    "(%s; Linux 6.7 or later needed)",
		    abi < 0 ? strerror(errno) : "ABI too old");
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_net = LL_ACCESS_NET_CONNECT_TCP;
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd == -1) {
		snprintf(why, wlen, "landlock_create_ruleset: %s",
		    strerror(errno));
		return -1;
	}
	/* Landlock allows what rules name: every port but the denied. */
	rule.allowed_access = LL_ACCESS_NET_CONNECT_TCP;
	for (int port = 1; port <= 65535; port++) {
		if (denied(ports, n, port))
			continue;
		rule.port = (uint64_t)port;
		if (syscall(SYS_landlock_add_rule, fd, LL_RULE_NET_PORT, &rule,
		        0) == -1) {
			snprintf(why, wlen, "landlock_add_rule(%d): %s", port,
			    strerror(errno));
			close(fd);
			return -1;
		}
	}
	/* Port 0 (connect to "any") stays denied: not a real service. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
		snprintf(why, wlen, "landlock_restrict_self: %s",
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
sandbox_become(const char *account, char *why, size_t wlen)
{
	struct passwd *pw = getpwnam(account);
	gid_t          gid;
	uid_t          uid;

	if (pw == NULL || pw->pw_uid < 1000) {
		snprintf(why, wlen, "'%s' is not an account servers may use",
		    account);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (setgroups(1, &gid) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1) {
		snprintf(why, wlen, "cannot become %s: %s", account,
		    strerror(errno));
		return -1;
	}
	/* There must be no way back. */
	if (setuid(0) != -1 || getuid() != uid || geteuid() != uid ||
	    getegid() != gid) {
		snprintf(why, wlen, "still privileged after becoming %s",
		    account);
		return -1;
	}
	return 0;
}
