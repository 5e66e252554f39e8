/* SPDX-License-Identifier: MIT */
/*
 * Slurm's commands run for the Slurm spawner (spawn-slurm.c): as a
 * user's account through the privileged helper (sbatch, scancel: the job
 * is the account's) or as the hub itself (sinfo: reading only), and the
 * questions about every account's jobs (squeue) through slurm-ask.h.
 * Each one's output (stdout and stderr, one socketpair) is kept up to
 * SLURM_OUT_MAX bytes and handed over with its exit status.
 */
#ifndef SPAWN_SLURM_RUN_H
#define SPAWN_SLURM_RUN_H

#include <stdint.h>

#define SLURM_SBATCH "/usr/bin/sbatch"
#define SLURM_SQUEUE "/usr/bin/squeue"
#define SLURM_SCANCEL "/usr/bin/scancel"
#define SLURM_SINFO "/usr/bin/sinfo"
#define SLURM_OUT_MAX (1024 * 1024) /* bytes of a command's output kept */

struct hub;

/* A command's end: r != 0 if it did not start (a libuv error) or was let
 * go by slurm_run_release() (UV_ECANCELED); else its exit 'status' (128 +
 * the signal if one ended it) and its output 'out'. */
typedef void (*slurm_run_cb)(void *arg, int r, int64_t status, const char *out);

/*
 * Runs argv[0] (absolute) with 'argv': as 'account' through the helper
 * (priv_spawn(): its uid, its environment 'env', in 'cwd'), or with
 * 'account' NULL as the hub itself, in its environment. 'input', if not
 * NULL, is written to its stdin (the output's socket) and then shut. 0
 * and 'cb' later, or a libuv error and no callback.
 */
int slurm_run(struct hub *, const char *account, char **argv, char **env,
    const char *cwd, const char *input, slurm_run_cb cb, void *arg);

/* As slurm_run() as the hub, for a command whose output holds keys (rig
 * slurm-tls-keys): the output is wiped wherever the hub held it, once
 * 'cb' returned. */
int slurm_run_keys(struct hub *, char **argv, slurm_run_cb cb, void *arg);

/*
 * Asks Slurm 'question' (slurm-ask.h; 'job' for SLURM_Q_COMMENT, else 0)
 * about any account's jobs: through the helper as Slurm's user when the
 * hub has one, else as the hub. Answers as slurm_run().
 */
int slurm_ask(struct hub *, int question, long long job, slurm_run_cb cb,
    void *arg);

/* The hub stops: every command in flight is let go, its callback called
 * with UV_ECANCELED now. */
void slurm_run_release(void);

#endif
