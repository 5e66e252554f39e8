/* SPDX-License-Identifier: MIT */
/*
 * The hub's state directory: where it is, and opening the database in it
 * (for the hub and the CLI commands that work while it runs).
 */
#ifndef STATE_H
#define STATE_H

#include <sys/types.h>

struct db;

/*
 * The state directory: 'flag' if given, else $RIG_STATE_DIR, else
 * /var/lib/rig as root, else $XDG_STATE_HOME/rig (~/.local/state/rig).
 * Caller frees result.
 */
char *state_dir_resolve(const char *flag);

/* Creates 'dir' (0700) if needed and opens dir/rig.db. NULL on error,
 * with a message printed. */
struct db *state_open_db(const char *dir);

/* The same for the directory state_dir_resolve(flag) names. */
struct db *state_open_db_flag(const char *flag);

/*
 * Hands 'dir' and everything under it to uid:gid (lchown, symbolic links
 * not followed, other file systems not entered). The number of entries
 * changed, or -1 with a message printed. For root only: the hub gives its
 * state to the 'rig' account before dropping to it (priv.h).
 */
int state_chown(const char *dir, uid_t uid, gid_t gid);

#endif
