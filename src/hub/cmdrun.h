/* SPDX-License-Identifier: MIT */
/*
 * A short command run for the hub and read to the end: as a user's
 * account through the privileged helper (priv_spawn(): its uid, so the
 * command has that account's rights and no more) or as the hub itself.
 * Its standard output and error (one socketpair) are kept up to a limit
 * and handed over with its exit status. What the Slurm spawner
 * (spawn-slurm-run.c) and the batch-job pages (runas.c) run commands
 * with.
 */
#ifndef CMDRUN_H
#define CMDRUN_H

#include <stddef.h>
#include <stdint.h>

struct hub;

struct cmdrun {
	const char
	    *account; /* through the helper as this account; NULL: the hub */
	char *const *argv; /* argv[0] absolute */
	char *const *env; /* the account's environment (NULL: the hub's) */
	const char  *cwd; /* or NULL */
	const char  *input; /* written to its stdin, then shut; or NULL */
	size_t       max_out; /* bytes of output kept */
	int          release_at_stop; /* let go by cmdrun_release() */
	int          secret_out; /* its output holds keys: wiped after */
	/* Not 0: instead of argv, account and env, Slurm's question of this
	 * number (slurm-ask.h) about job 'job', through the helper as
	 * Slurm's user, or as the hub itself without the helper. */
	int       question;
	long long job;
};

/* The end: r != 0 if it did not start (a libuv error) or was let go by
 * cmdrun_release() (UV_ECANCELED); else its exit 'status' (128 + the
 * signal if one ended it) and its output 'out' (NUL-terminated, 'len'
 * bytes; 'cut' if it was longer than max_out). */
typedef void (*cmdrun_cb)(void *arg, int r, int64_t status, const char *out,
    size_t len, int cut);

/* Starts the command: 0 and 'cb' once later, or a libuv error and no
 * callback. */
int cmdrun_start(struct hub *, const struct cmdrun *, cmdrun_cb, void *arg);

/* The hub stops: every command started with release_at_stop is let go,
 * its callback called with UV_ECANCELED now. */
void cmdrun_release(void);

#endif
