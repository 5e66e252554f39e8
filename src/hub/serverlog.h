/* SPDX-License-Identifier: MIT */
/*
 * A server's output, through the hub. The server's stdout and stderr are
 * the write end of a pipe whose read end only the hub holds; the hub
 * appends what arrives to STATE/logs/NAME.log, so no process of the user
 * ever holds the log file open, and caps it: when NAME.log reaches half
 * of server_log_max it becomes NAME.log.1 (the one before is dropped) and
 * a new NAME.log begins, so the two together never pass server_log_max
 * and the newest output is always kept. A writer faster than the disk is
 * slowed down by the pipe, not buffered in the hub.
 *
 * A copy lives until every process holding the write end has closed it
 * (the server and what it started), or until the hub exits. A server
 * taken over by the next hub has lost its reader: serverlog_reattach()
 * opens its stdout pipe again through /proc/PID/fd/1, so only what it
 * wrote while no hub ran is lost (and a write then fails with EPIPE).
 */
#ifndef SERVERLOG_H
#define SERVERLOG_H

#include <stdint.h>

#include <uv.h>

/*
 * Copies what arrives on 'fd' (a pipe's read end; taken over, closed by
 * the copy) into 'path', capped at 'max' bytes with NAME.log.1. 0, or -1
 * (logged) and 'fd' is closed.
 */
int serverlog_start(uv_loop_t *, int fd, const char *path, uint64_t max);

/* Reads process 'pid''s stdout pipe again (a server taken over after a
 * restart). 0, or -1 if its stdout is not a pipe or cannot be opened. */
int serverlog_reattach(uv_loop_t *, int pid, const char *path, uint64_t max);

/*
 * As root, before the hub drops to 'rig' (which may not open another
 * account's /proc/PID/fd/1): opens process 'pid''s stdout pipe now and
 * keeps it for serverlog_reattach() of the same pid; nothing if it is
 * not a pipe. serverlog_preopen_release() closes those not taken (the
 * take-over checked pid and start time before it takes one, a moment
 * later).
 */
void serverlog_preopen(int pid);
void serverlog_preopen_release(void);

/* Appends a line of the hub's own, "[rig] TEXT", to the log at 'path'. */
void serverlog_note(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Closes every copy (hub exit). */
void serverlogs_release(void);

#endif
