/* SPDX-License-Identifier: MIT */
/*
 * What /proc says about processes: a process's state, start time and CPU
 * time (proc(5), /proc/PID/stat), and the processes of a Unix account.
 * A pid alone does not name a process for ever (pids are reused), so the
 * hub records the start time with it and compares both.
 */
#ifndef PROCFS_H
#define PROCFS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define PROCFS_START_MAX 32 /* a start time as text, with its NUL */

/* The fields of /proc/PID/stat the hub reads. */
struct procfs_stat {
	char     state; /* field 3: R, S, D, Z, X, ... */
	uint64_t utime, stime; /* fields 14 and 15, in clock ticks */
	char     start[PROCFS_START_MAX]; /* field 22, kept as text */
};

/*
 * Parses the text of a /proc/PID/stat file into 'st'. The command name
 * (field 2) may hold spaces and parentheses: fields are counted after its
 * last ')'. 0, or -1 if the text stops before field 22.
 */
int procfs_parse_stat(const char *text, struct procfs_stat *st);

/* Reads and parses /proc/PID/stat; -1 if there is no such process. */
int procfs_stat(int pid, struct procfs_stat *st);

/* Whether 'pid' still runs the process that started at 'start' (and is
 * not a zombie). */
int procfs_alive(int pid, const char *start);

/* Sends 'sig' to every process of 'uid' but zombies; how many. Only for
 * the per-user accounts the hub made: it finds what outlives a server
 * (an ssh login, a cron job). */
int procfs_kill_uid(uid_t uid, int sig);

/* CPU time (user + system, clock ticks) of every process of 'uid'. */
uint64_t procfs_uid_cpu_ticks(uid_t uid);

#endif
