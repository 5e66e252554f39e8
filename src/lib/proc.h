/* SPDX-License-Identifier: MIT */
/*
 * Child processes from argv arrays, never a shell string (git's
 * run-command.h in small): proc_capture() keeps a child's output and
 * bounds its time, proc_run() gives it rig's terminal. struct argv
 * builds the arrays both take.
 */
#ifndef PROC_H
#define PROC_H

#include <stddef.h>

#include "buf.h"

/* A growable NULL-terminated argument vector. */
struct argv {
	char **v;
	size_t n, cap;
};

void argv_init(struct argv *);
void argv_add(struct argv *, const char *); /* copies */
void argv_addf(struct argv *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void argv_release(struct argv *);

#define PROC_OUTPUT_MAX (256u * 1024 * 1024) /* bytes kept per stream */

struct proc_result {
	int        status; /* exit status; 128+N if killed by signal N */
	int        timed_out; /* killed at the deadline */
	int        overflow; /* output past PROC_OUTPUT_MAX was dropped */
	struct buf out, err;
};

void proc_result_init(struct proc_result *);
void proc_result_release(struct proc_result *);

/*
 * Runs 'argv' in 'cwd' (NULL: here) with standard input from 'in_fd'
 * (-1: /dev/null), capturing standard output and error. After
 * 'timeout_ms' (0: none) it gets SIGTERM, 2 s later SIGKILL. Returns 0
 * when it ran (see res->status), -1 if it could not start (printed).
 */
int proc_capture(char *const *argv, const char *cwd, int in_fd, int timeout_ms,
    struct proc_result *res);

/*
 * Runs 'argv' with rig's standard input, output (or 'out_fd' if >= 0)
 * and error, and waits. While it runs, SIGINT and SIGQUIT are ignored by
 * rig, so a ^C goes to the child alone and rig reports how it ended.
 * Returns the exit status (128+N for signal N), -1 if it did not start.
 */
int proc_run(char *const *argv, const char *cwd, int out_fd);

/*
 * The first executable 'name' in the folders of 'path' (':'-separated,
 * as $PATH; empty entries skipped): NULL if none, or if 'path' is NULL.
 * Caller frees result.
 */
char *proc_which(const char *name, const char *path);

#endif
