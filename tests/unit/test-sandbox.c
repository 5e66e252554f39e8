/* SPDX-License-Identifier: MIT */
/*
 * sandbox.c: port lists, Landlock really closing a port (in a child,
 * since the limit cannot be undone) while other ports stay open, and the
 * socket filter refusing every protocol but TCP, UDP, Unix and netlink.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/vm_sockets.h>

#include <netinet/in.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hub/sandbox.h"
#include "unit.h"

TEST(sandbox_parse_ports)
{
	int p[SANDBOX_MAX_PORTS];

	ASSERT_EQ(sandbox_parse_ports("80 32526", p), 2);
	ASSERT_EQ(p[0], 80);
	ASSERT_EQ(p[1], 32526);
	ASSERT_EQ(sandbox_parse_ports("80,443, 8080", p), 3);
	ASSERT_EQ(p[2], 8080);
	ASSERT_EQ(sandbox_parse_ports("", p), 0);
	ASSERT_EQ(sandbox_parse_ports("0", p), -1);
	ASSERT_EQ(sandbox_parse_ports("65536", p), -1);
	ASSERT_EQ(sandbox_parse_ports("80 http", p), -1);
}

/* A listening socket on 127.0.0.1; its port in *port. */
static int
listener(int *port)
{
	struct sockaddr_in a;
	socklen_t          len = sizeof(a);
	int                fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(fd, 4) == -1 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) == -1)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* connect() to 127.0.0.1:port: 0 or the errno. */
static int
try_connect(int port)
{
	struct sockaddr_in a;
	int                fd = socket(AF_INET, SOCK_STREAM, 0), r;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	r = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : errno;
	close(fd);
	return r;
}

TEST(sandbox_deny_connect_closes_only_those_ports)
{
	int   closed, open_, lc, lo, status;
	pid_t pid;
	char  why[256];

	lc = listener(&closed);
	lo = listener(&open_);
	ASSERT(lc >= 0 && lo >= 0);
	ASSERT_EQ(try_connect(closed), 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		int deny[1] = { closed };

		if (sandbox_deny_connect(deny, 1, why, sizeof(why)) == -1)
			_exit(3); /* no Landlock here: told apart below */
		_exit(try_connect(closed) == EACCES && try_connect(open_) == 0
		        ? 0
		        : 1);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3)
		FAIL("this kernel has no Landlock network rules (Linux 6.7+)");
	ASSERT_EQ(WEXITSTATUS(status), 0);
	/* The parent was never limited. */
	ASSERT_EQ(try_connect(closed), 0);
	close(lc);
	close(lo);
}

/* socket(): 0 if it opened, else the errno. */
static int
try_socket(int family, int type, int protocol)
{
	int fd = socket(family, type, protocol);

	if (fd == -1)
		return errno;
	close(fd);
	return 0;
}

/*
 * The socket filter, in a child: MPTCP (the protocol Landlock's TCP rule
 * missed), SCTP, vsock and io_uring refused; TCP, UDP, Unix and netlink
 * still open; flags on the type change nothing. Each check is a bit of
 * the exit status, so a failure says which.
 */
TEST(sandbox_socket_filter_refuses_other_protocols)
{
	int   status, bits;
	pid_t pid;
	char  why[256];

	/* MPTCP exists here, or the refusal below would prove nothing. */
	if (try_socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) != 0)
		FAIL("this kernel has no MPTCP (net.mptcp.enabled)");
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		if (sandbox_socket_filter(why, sizeof(why)) == -1)
			_exit(127);
		bits = 0;
		bits |=
		    (try_socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) != EACCES)
		    << 0;
		bits |= (try_socket(AF_INET6,
		             SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		             IPPROTO_MPTCP) != EACCES)
		    << 1;
		bits |=
		    (try_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) != EACCES)
		    << 2;
		bits |= (try_socket(AF_INET, SOCK_SEQPACKET, 0) != EACCES) << 3;
		bits |= (try_socket(AF_VSOCK, SOCK_STREAM, 0) != EACCES) << 4;
		bits |= (syscall(SYS_io_uring_setup, 1, NULL) != -1 ||
		            errno != EACCES)
		    << 5;
		bits |= (try_socket(AF_INET, SOCK_STREAM, 0) != 0) << 6;
		bits |= (try_socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC,
		             IPPROTO_TCP) != 0)
		    << 7;
		bits |= (try_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) != 0)
		    << 8;
		bits |= (try_socket(AF_UNIX, SOCK_STREAM, 0) != 0) << 9;
		bits |= (try_socket(AF_NETLINK, SOCK_RAW, 0) != 0) << 10;
		_exit(bits == 0 ? 0 : bits < 120 ? bits : 120);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT(WIFEXITED(status));
	if (WEXITSTATUS(status) == 127)
		FAIL("cannot install the filter");
	ASSERT_EQ(WEXITSTATUS(status), 0);
	/* The parent was never limited. */
	ASSERT_EQ(try_socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP), 0);
}
