/* SPDX-License-Identifier: MIT */
/*
 * The hub's state directory: where it is, and opening the database in it
 * (for the hub and the CLI commands that work while it runs).
 */
#ifndef STATE_H
#define STATE_H

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

#endif
