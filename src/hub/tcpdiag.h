/* SPDX-License-Identifier: MIT */
/*
 * The TCP sockets in LISTEN on this machine (its network namespace), from
 * the kernel through sock_diag netlink: only listeners are sent, so the
 * answer stays small however many connections the machine holds (reading
 * /proc/net/tcp walks them all). For the user firewall (the listeners of
 * rig accounts) and the owner check of a server's port (portowner.h).
 */
#ifndef TCPDIAG_H
#define TCPDIAG_H

#include <sys/types.h>

#include <stdint.h>

/* Calls 'cb' with the uid and local port of each TCP socket in LISTEN,
 * IPv4 then IPv6. 0, or -1 if the kernel could not be asked or the answer
 * was cut short (cb may have been called for some). */
int tcpdiag_listeners(void (*cb)(void *arg, uid_t uid, uint16_t port),
    void *arg);

#endif
