/* SPDX-License-Identifier: MIT */
/*
 * Who listens on a TCP port of this machine: each socket in LISTEN on the
 * port and its uid (the account that made the socket), from the kernel's
 * sock_diag or /proc/net/tcp and tcp6. A server whose command can only
 * listen on TCP is probed (with its secret) only once every listener on
 * its port is its own account's: another local user who bound the port
 * first gets nothing.
 */
#ifndef PORTOWNER_H
#define PORTOWNER_H

#include <sys/types.h>

#include <stddef.h>

/*
 * The uids of the sockets in LISTEN on 'port' in 'text', the contents of
 * /proc/net/tcp or tcp6 (IPv4 or IPv6 addresses alike): stored in
 * uids[0..max-1], and their number returned (all of them, past 'max'
 * too). Lines that do not parse are skipped; -1 if the header is not
 * /proc/net/tcp's.
 */
int portowner_parse(const char *text, int port, uid_t *uids, size_t max);

/*
 * Whether every listener on 'port' is 'uid''s, in this network namespace:
 * 1 yes (and there is one), 0 none listens yet, -1 another account's
 * does (its uid in *other), or the tables cannot be read (*other is
 * (uid_t)-1). Asks the kernel's sock_diag (only listeners come back: a
 * machine with 10,000 connections has a 1.5 MB /proc/net/tcp, read on
 * the hub's loop at every probe otherwise); portowner_check_proc() reads
 * /proc/net/tcp and tcp6 instead, where netlink is not allowed.
 */
int portowner_check(int port, uid_t uid, uid_t *other);
int portowner_check_proc(int port, uid_t uid, uid_t *other);

#endif
