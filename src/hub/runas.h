/* SPDX-License-Identifier: MIT */
/*
 * A short command run as a user's account (through the privileged
 * helper when the hub dropped root: priv_spawn()), its standard output
 * and error kept up to a limit, its end given to a callback: what the
 * hub's batch-job pages and API (jobs.c) ask Slurm and read files with,
 * so each runs with that account's rights and no more.
 */
#ifndef RUNAS_H
#define RUNAS_H

#include <stddef.h>
#include <stdint.h>

#include "cmdrun.h"

struct hub;

/* As cmdrun.h's: r 0, or a libuv error if it did not start; then
 * 'status', the output 'out' ('len' bytes, 'cut' at the limit). */
typedef cmdrun_cb runas_cb;

/*
 * Runs argv[0] (absolute) with 'argv' as 'account' through the helper
 * (NULL, or a hub without the helper: as the hub itself, which refuses
 * when it is root: UV_EPERM), in '/', with PATH alone in its
 * environment, standard input /dev/null. 0 and 'cb' once later, or a
 * libuv error and no callback.
 */
int runas_start(struct hub *, const char *account, char *const *argv,
    size_t max_out, runas_cb cb, void *arg);

#endif
