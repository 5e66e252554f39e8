/* SPDX-License-Identifier: MIT */
/*
 * The subcommands (one file each, src/cmd-<name>.c) and what they share:
 * finding the state directory and opening the database in it.
 */
#ifndef CMD_H
#define CMD_H

struct db;

int cmd_hub(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_ssh(int argc, char **argv);
int cmd_ssh_config(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_allow(int argc, char **argv);
int cmd_service(int argc, char **argv);
int cmd_self_stop(int argc, char **argv);
int cmd_sandbox(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Prints the usage line of 'cmd' (or of all commands for NULL) on stderr and
 * returns 2, the usage exit code. */
int usage(const char *cmd);

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
