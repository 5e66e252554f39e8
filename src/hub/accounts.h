/* SPDX-License-Identifier: MIT */
/*
 * Unix accounts for users' servers. When the hub runs as root, each rig
 * user's server runs as its own account, PREFIX + NAME ("rig-alice"),
 * made with useradd on first start (home /home/ACCOUNT, mode 0700, its
 * own group, the comment "rig user NAME") and removed with the user.
 * Accounts below ACCOUNT_MIN_UID are system accounts and never used, so
 * a prefix of "" and a user called "root" cannot run anything as root.
 *
 * useradd and userdel take the password file's lock and fail rather than
 * wait when another holds it, so the hub runs them one at a time, in the
 * order asked (50 users starting at once made 20 useradd runs fail).
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <pwd.h>
#include <uv.h>

#define ACCOUNT_MIN_UID 1000
/* Debian: uids from 60000 up are the system's again (nobody is 65534). */
#define ACCOUNT_UID_END 60000
#define ACCOUNT_LOGIN_DEFS "/etc/login.defs"
#define ACCOUNT_NAME_MAX 32 /* useradd's limit, without the NUL */
#define ACCOUNT_USERADD "/usr/sbin/useradd"
#define ACCOUNT_USERDEL "/usr/sbin/userdel"
#define ACCOUNT_PREFIX_FILE "user_prefix" /* in the state directory */
#define ACCOUNT_PREFIX_DEFAULT "rig-" /* user_prefix's default */

/*
 * Writes the account name of rig user 'user' (PREFIX + USER) into 'out'.
 * 0, or -1 if it would not be a valid account name: longer than
 * ACCOUNT_NAME_MAX or 'outlen', or with characters a username may not
 * have (username_error()).
 */
int account_name(const char *prefix, const char *user, char *out,
    size_t outlen);

/*
 * The one rule for the name of a new rig user, wherever it is made (rig
 * user add, the admin page, the API): a valid username (username_error())
 * whose account, 'prefix' + NAME, fits in ACCOUNT_NAME_MAX, so that the
 * user can have a server when the hub runs as root. NULL if 'user' may be
 * made, else why not (in 'why', 'len' bytes).
 */
const char *account_user_error(const char *prefix, const char *user, char *why,
    size_t len);
/* The longest name account_user_error() takes with 'prefix'. */
size_t account_user_max(const char *prefix);

/*
 * Looks up account 'name'. Returns 1 and fills *pw (pointing into static
 * storage, as getpwnam() does) if it exists and may run servers, 0 if it
 * does not exist, -1 if it is a system account (account_uid_ok()).
 */
int account_lookup(const char *name, struct passwd **pw);

/*
 * Whether 'uid' is a person's: from account_uid_min() up to below
 * ACCOUNT_UID_END. Root, the system's accounts and nobody are not.
 */
int account_uid_ok(uid_t uid);

/* The lowest uid of a person's account: UID_MIN of /etc/login.defs,
 * never below ACCOUNT_MIN_UID. Read once. */
uid_t account_uid_min(void);

/* UID_MIN in the text of a login.defs ("UID_MIN 1000" on a line of its
 * own, '#' comments); 'def' if it says none or something else. */
long login_defs_uid_min(const char *text, long def);

/*
 * Whether account 'user' (primary group 'gid') is a member of one of
 * 'groups', names separated by spaces or commas (getgrouplist(3): its
 * primary group and those that list it). 1 yes, 0 no (also for an empty
 * list), -1 if its groups cannot be read. May block on the group
 * database: not on the hub's loop.
 */
int account_in_groups(const char *user, gid_t gid, const char *groups);

/* Whether 'pw' is the account rig made for rig user 'user' (its comment
 * says so): the only accounts rig deletes or changes. */
int account_is_rigs(const struct passwd *pw, const char *user);

/* useradd's or userdel's exit: it succeeded if both are 0. */
typedef void (*account_cb)(void *arg, int64_t status, int sig);

/*
 * Queues useradd for account 'name' of rig user 'user'. A home left at
 * /home/NAME by an earlier account is moved aside first (a new user never
 * inherits it); the new home is 0700. 'cb' is called once, later, from
 * the loop.
 */
void account_create(uv_loop_t *, const char *name, const char *user,
    account_cb cb, void *arg);

/* What the directory says of an account of authenticator = ldap. */
struct account_ldap {
	uid_t uid; /* uidNumber */
	gid_t gid; /* gidNumber */
	char *home; /* homeDirectory, absolute */
	char *shell; /* loginShell, absolute */
};

/*
 * Queues useradd of account 'name' for a directory's person, with the
 * uid, home and shell of 'a' (copied) and its gid's group if the machine
 * has one, else a group of its own; comment "rig ldap NAME", so never one
 * rig deletes (account_is_rigs()). 'cb' as for account_create().
 */
void account_create_ldap(uv_loop_t *, const char *name,
    const struct account_ldap *a, account_cb cb, void *arg);

/*
 * Queues the removal of account 'name' (made for rig user 'user', or
 * nothing is done): userdel, and its home deleted, or with 'keep_home'
 * moved aside to HOME.deleted-DATE, owned by root and 0700. Its
 * processes must be ended first (account_end_processes()). 'cb' may be
 * NULL.
 */
void account_remove(uv_loop_t *, const char *name, const char *user,
    int keep_home, account_cb cb, void *arg);

/* Where the privileged helper makes each account's runtime directory
 * (its server's Unix socket): ACCOUNTS_RUN_DIR/ACCOUNT. */
#define ACCOUNTS_RUN_DIR "/run/rig"

/* Removes the account's runtime directory and all in it (links removed,
 * never followed), once its processes are gone: a later account of the
 * name gets a new one. */
void account_remove_rundir(const char *name);

/* Kills every process of the account: its server's cgroup (cgroup.h),
 * then anything else running as 'uid'; waits up to a second for them to
 * go. */
void account_end_processes(const char *name, uid_t uid);

/*
 * Moves 'home' aside to HOME.TAG-YYYYMMDD-HHMMSS (-N added if taken),
 * owned by root, mode 0700. The new path (caller frees), or NULL with
 * errno set.
 */
char *account_home_aside(const char *home, const char *tag);

/* At hub start: the homes of the accounts rig made under 'prefix' that
 * others may enter are made 0700, each with a log line. */
void accounts_fix_homes(const char *prefix);

/* The prefix in STATE/user_prefix, so that 'rig user delete' finds the
 * account the hub made; written by the hub at start. Caller frees
 * result; NULL if none. */
int   accounts_save_prefix(const char *state_dir, const char *prefix);
char *accounts_read_prefix(const char *state_dir);

/*
 * For 'rig user delete' as root: ends everything of rig user 'user' and
 * removes the account the hub in 'state_dir' made for them (its home
 * deleted, or moved aside with 'keep_home'). Nothing if the hub never
 * ran as root or made no account. 0, or -1 with a message printed.
 */
int accounts_delete_user(const char *state_dir, const char *user,
    int keep_home);

/* Frees the queued work at hub exit (started runs end on their own). */
void accounts_release(void);

#endif
