/* SPDX-License-Identifier: MIT */
/*
 * A small INI reader for the project file rig.conf (and the hub.conf that
 * rig up writes on a machine): "[section]" lines, "key = value" lines, ';'
 * or '#' comments on their own line or after white space, the same rules
 * as config.c's reader so one file reads the same to both.
 */
#ifndef INI_H
#define INI_H

#define INI_LINE_MAX 4096

/*
 * Called for each key with the section it is in ("" before any section).
 * Returns 0 to go on, -1 to stop; 'path' and 'lineno' are for messages.
 */
typedef int ini_cb(void *arg, const char *section, const char *key,
    const char *value, const char *path, int lineno);

/*
 * Reads 'path' and calls 'cb' for each key in order. Returns 0, 1 if the
 * file does not exist (nothing printed), -1 on a syntax error or when 'cb'
 * stopped (the reader prints "rig: PATH:LINE: ..." for syntax errors).
 */
int ini_read(const char *path, ini_cb *cb, void *arg);

#endif
