/* SPDX-License-Identifier: MIT */
/*
 * Landlock network rules (sandbox.h). Debian 12's kernel headers predate
 * them (Linux 6.7), so the few ABI definitions used are spelled out here
 * under rig's own names; the kernel tells at run time whether it has
 * them (ABI version 4 or later).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
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

/* The filter's architecture: system calls of any other (i386's int 0x80
 * on x86_64, with its socketcall) kill the process. */
#if defined(__x86_64__)
#define SF_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SF_ARCH AUDIT_ARCH_AARCH64
#else
#error "sandbox.c: no seccomp architecture for this build"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sandbox.c: the filter reads arguments' low words little-endian"
#endif
#define SF_X32_BIT 0x40000000U /* x32 system calls: refused */
#define SF_ARG(i) ((uint32_t)offsetof(struct seccomp_data, args[i]))
#define SF_LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define SF_RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
/* A jump from instruction 'at' to 'to' if the word equals (or is at
 * least) k, else on to the next. */
#define SF_JEQ(k, at, to)                                                      \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (to) - (at)-1, 0)
#define SF_JGE(k, at, to)                                                      \
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (to) - (at)-1, 0)

/* Where the filter's blocks start (instruction indices). */
enum {
	SF_SOCKET = 8,
	SF_INET = 14,
	SF_STREAM = 19,
	SF_DGRAM = 23,
	SF_ALLOW = 27,
	SF_DENY = 28,
	SF_LEN
};

int
sandbox_socket_filter(char *why, size_t wlen)
{
	/* socket()'s arguments are ints: their low words are all the
	 * kernel reads. */
	static const struct sock_filter prog[] = {
		/* 0 */ SF_LD(offsetof(struct seccomp_data, arch)),
		/* 1 */ SF_JEQ(SF_ARCH, 1, 3),
		/* 2 */ SF_RET(SECCOMP_RET_KILL_PROCESS),
		/* 3 */ SF_LD(offsetof(struct seccomp_data, nr)),
		/* 4 */ SF_JGE(SF_X32_BIT, 4, SF_DENY),
		/* 5 */ SF_JEQ(__NR_socket, 5, SF_SOCKET),
		/* 6 */ SF_JEQ(__NR_io_uring_setup, 6, SF_DENY),
		/* 7 */ SF_RET(SECCOMP_RET_ALLOW),
		/* 8: socket(family, ...) */ SF_LD(SF_ARG(0)),
		/* 9 */ SF_JEQ(AF_UNIX, 9, SF_ALLOW),
		/* 10 */ SF_JEQ(AF_NETLINK, 10, SF_ALLOW),
		/* 11 */ SF_JEQ(AF_INET, 11, SF_INET),
		/* 12 */ SF_JEQ(AF_INET6, 12, SF_INET),
		/* 13 */ SF_RET(SECCOMP_RET_ERRNO | EACCES),
		/* 14: the type, without its flags */ SF_LD(SF_ARG(1)),
		/* 15 */
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
		    ~(uint32_t)(SOCK_NONBLOCK | SOCK_CLOEXEC)),
		/* 16 */ SF_JEQ(SOCK_STREAM, 16, SF_STREAM),
		/* 17 */ SF_JEQ(SOCK_DGRAM, 17, SF_DGRAM),
		/* 18 */ SF_RET(SECCOMP_RET_ERRNO | EACCES),
		/* 19: a stream's protocol: 0 (TCP) or TCP */ SF_LD(SF_ARG(2)),
		/* 20 */ SF_JEQ(0, 20, SF_ALLOW),
		/* 21 */ SF_JEQ(IPPROTO_TCP, 21, SF_ALLOW),
		/* 22 */ SF_RET(SECCOMP_RET_ERRNO | EACCES),
		/* 23: a datagram's: 0 (UDP) or UDP */ SF_LD(SF_ARG(2)),
		/* 24 */ SF_JEQ(0, 24, SF_ALLOW),
		/* 25 */ SF_JEQ(IPPROTO_UDP, 25, SF_ALLOW),
		/* 26 */ SF_RET(SECCOMP_RET_ERRNO | EACCES),
		/* 27 */ SF_RET(SECCOMP_RET_ALLOW),
		/* 28 */ SF_RET(SECCOMP_RET_ERRNO | EACCES),
	};
	struct sock_fprog fprog = {
		.len = (unsigned short)nitems(prog),
		.filter = (struct sock_filter *)prog,
	};

	_Static_assert(nitems(prog) == SF_LEN, "the filter's labels");
	/* Without privileges the kernel takes a filter only under
	 * no_new_privs, which also keeps setuid programs from dropping
	 * it. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) == -1) {
		snprintf(why, wlen, "cannot install the socket filter: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
sandbox_become(const char *account, int all_groups, char *why, size_t wlen)
{
	struct passwd *pw = getpwnam(account);
	gid_t          gid;
	uid_t          uid;
	int            r;

	if (pw == NULL || !account_uid_ok(pw->pw_uid)) {
		snprintf(why, wlen, "'%s' is not an account servers may use",
		    account);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	r = all_groups ? initgroups(pw->pw_name, gid) : setgroups(1, &gid);
	if (r == -1 || setgid(gid) == -1 || setuid(uid) == -1) {
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
