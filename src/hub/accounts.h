/* SPDX-License-Identifier: MIT */
/*
 * Unix accounts for users' servers. When the hub runs as root, each rig
 * user's server runs as its own account, PREFIX + NAME ("rig-alice"),
 * made with useradd on first start (home /home/ACCOUNT, its own group).
 * Accounts below ACCOUNT_MIN_UID are system accounts and never used, so
 * a prefix of "" and a user called "root" cannot run anything as root.
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include <pwd.h>
#include <uv.h>

#define ACCOUNT_MIN_UID 1000
#define ACCOUNT_NAME_MAX 32 /* useradd's limit, without the NUL */
#define ACCOUNT_USERADD "/usr/sbin/useradd"

/*
 * Writes the account name of rig user 'user' (PREFIX + USER) into 'out'.
 * 0, or -1 if it would not be a valid account name: longer than
 * ACCOUNT_NAME_MAX or 'outlen', or with characters a username may not
 * have (username_error()).
 */
int account_name(const char *prefix, const char *user, char *out,
    size_t outlen);

/*
 * Looks up account 'name'. Returns 1 and fills *pw (pointing into static
 * storage, as getpwnam() does) if it exists and may run servers, 0 if it
 * does not exist, -1 if it is a system account (uid < ACCOUNT_MIN_UID).
 */
int account_lookup(const char *name, struct passwd **pw);

/* useradd's exit: it succeeded if both 'status' and 'sig' are 0. */
typedef void (*account_cb)(void *arg, int64_t status, int sig);

/*
 * Starts useradd for account 'name' of rig user 'user' (the comment says
 * whose it is). 0 and 'cb' is called once, later, from the loop; or a
 * libuv error code and it is never called.
 */
int account_create(uv_loop_t *, const char *name, const char *user,
    account_cb cb, void *arg);

#endif
