/* SPDX-License-Identifier: MIT */
/*
 * What every file of the Slurm spawner needs of a server's job: the
 * account it runs as, where its output goes, its PATH, and the mark its
 * pid_start carries. Below all of them (spawn-slurm-internal.h).
 */
#ifndef SPAWN_SLURM_ACCOUNT_H
#define SPAWN_SLURM_ACCOUNT_H

#include <stddef.h>

#include "config.h"

#define SLURM_PID_START "slurm" /* no /proc start time looks like it */
#define SLURM_LOG ".rig-server.log" /* the job's output, in the home */
#define SLURM_SAFE_PATH CONFIG_SERVER_PATH

struct server;

/* The Unix account the server's job runs as: the hub's own when it is
 * not root. -1 if there is none. */
int slurm_account_of(const struct server *, char *out, size_t len);

#endif
