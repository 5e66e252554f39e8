/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr, relayd style: log_warn() appends strerror(errno),
 * log_warnx() does not; log_debug() prints only when verbose.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

extern int log_verbose;

void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Access-log lines are kept in a buffer and written when it fills, when
 * log_flush() is called (the hub does once a second), or before any other
 * log line, so the order of lines is kept: one write per many requests
 * instead of one per request.
 */
void log_access(const char *addr, const char *method, size_t method_len,
    const char *path, int status, unsigned long long bytes,
    unsigned long long ms, const char *user);
void log_flush(void);

/* CLI errors, git style: prints "rig: ..." and returns -1. */
int error(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
