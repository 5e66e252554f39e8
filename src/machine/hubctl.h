/* SPDX-License-Identifier: MIT */
/*
 * The local side of 'rig service': running it on the machine over SSH
 * (remote.c) and reading what it answers, for rig up, status, start,
 * stop and down.
 */
#ifndef HUBCTL_H
#define HUBCTL_H

#include <jansson.h>

#include "remote.h"

#define HUBCTL_NOT_INSTALLED 127 /* the shell's "command not found" */

/*
 * Runs "~/.local/bin/rig service SUB --dir ~/.local/share/rig ARGS" on
 * the machine (as root through 'sudo -n' if the remote's service_sudo);
 * 'args' is more sh words, already quoted, or NULL. Returns the exit
 * status (HUBCTL_NOT_INSTALLED if rig is not there), -1 if ssh itself
 * failed (printed). Output in *res, which the caller releases.
 */
int hubctl_call(struct remote *, const char *sub, const char *args,
    int timeout_ms, struct proc_result *res);

/*
 * The start of a machine's command line that runs its rig as the hub's
 * owner: ".local/bin/rig", or, for a root hub through sudo,
 * "sudo -n \"$HOME\"/.local/bin/rig" (sudo's HOME is root's). 'dir' gets
 * the service folder the same way. Static strings.
 */
const char *hubctl_bin(const struct remote *);
const char *hubctl_dir(const struct remote *);

/* The value of "KEY=VALUE" line 'key' in 'text' into 'out'; -1 if none. */
int hubctl_value(const char *text, const char *key, char *out, size_t outlen);

/*
 * 'rig service status' as JSON (new reference), NULL if rig is not
 * installed there (*installed 0) or on error (printed, *installed 1).
 */
json_t *hubctl_status(struct remote *, int *installed);

/* Prints the lines of a failed call's error output as "machine: ...". */
void hubctl_show_error(const struct proc_result *);

/* "2d 3h", "5m 2s" for 'secs'. */
void hubctl_duration(long long secs, char *out, size_t outlen);

#endif
