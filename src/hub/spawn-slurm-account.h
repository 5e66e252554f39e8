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
#include "servername.h"

#define SLURM_PID_START "slurm" /* no /proc start time looks like it */
/* The job's output, in the home: .rig-server.log for the default
 * server, .rig-server-SRV.log for a named one. */
#define SLURM_LOG ".rig-server"
#define SLURM_LOG_MAX (sizeof(SLURM_LOG) + SERVER_NAME_MAX + 5)
#define SLURM_SAFE_PATH CONFIG_SERVER_PATH

struct server;

/* The Unix account the server's job runs as: the hub's own when it is
 * not root. -1 if there is none. */
int slurm_account_of(const struct server *, char *out, size_t len);
/* The file name of the server's job output (SLURM_LOG) in 'out', which
 * has SLURM_LOG_MAX bytes. */
void slurm_log_name(const struct server *, char *out);

#endif
