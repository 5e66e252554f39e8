/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr, relayd style: log_warn() appends strerror(errno),
 * log_warnx() does not; log_debug() prints only when verbose.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

extern int log_verbose;

void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* CLI errors, git style: prints "rig: ..." and returns -1. */
int error(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
