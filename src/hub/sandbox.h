/* SPDX-License-Identifier: MIT */
/*
 * Limits on what a user's server may do, applied to itself before it
 * runs the server (rig sandbox, cmd-sandbox.c): the kinds of sockets it
 * may open, always (a second layer behind the user firewall of a root
 * hub, firewall.h), and TCP ports it may
 * not connect to, anywhere, with Landlock (Linux 6.7+, no privileges
 * needed). On a cloud VM that keeps kernels away from the metadata
 * service (169.254.169.254:80, whose tokens are the hub's identity) and
 * Azure's WireServer (168.63.129.16:80 and :32526). Landlock's network
 * rules know ports, not addresses: port 80 is closed to the server
 * everywhere, which the hub.conf key server_deny_ports says.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

#define SANDBOX_MAX_PORTS 64

/*
 * Parses "80 32526" or "80,32526" into 'ports' (at most
 * SANDBOX_MAX_PORTS, each 1-65535). The count, or -1 if malformed.
 */
int sandbox_parse_ports(const char *, int *ports);

/*
 * From now on, this process and its children cannot connect over TCP to
 * 'ports'. 0, or -1 with the reason in 'why' (e.g. a kernel without
 * Landlock's network rules): the caller must then not go on.
 */
int sandbox_deny_connect(const int *ports, size_t n, char *why, size_t wlen);

/*
 * From now on, this process and its children may open sockets of the
 * Unix and netlink families, and TCP and UDP ones of IPv4 and IPv6, and
 * no other (socket() fails with EACCES): not MPTCP, whose connections
 * Landlock's TCP rule did not cover on some kernels (its ABI 4 erratum)
 * and which the user firewall may not see as the account's, nor SCTP,
 * raw, packet or vsock sockets; nor io_uring, which could open sockets
 * past the filter. A seccomp filter of rig's own (a few instructions,
 * for this build's architecture; another architecture's system calls
 * kill the process). 0, or -1 with the reason in 'why'.
 */
int sandbox_socket_filter(char *why, size_t wlen);

/*
 * As root: becomes Unix account 'account' (its uid, its group and, with
 * 'all_groups', every group it is a member of, initgroups(3); else no
 * other), which must be a person's (account_uid_ok()). 0, or -1 with the
 * reason in 'why'; the caller must then not go on.
 */
int sandbox_become(const char *account, int all_groups, char *why, size_t wlen);

#endif
