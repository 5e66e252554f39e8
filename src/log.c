/* SPDX-License-Identifier: MIT */
/*
 * Logging. One line per event on stderr with a UTC timestamp, so the hub's
 * output can go to a file or a supervisor unchanged. Callers never pass
 * secrets here: tokens, passwords and cookies stay out of every message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

int log_verbose;

#define ACCESS_BUF 8192

static char   access_buf[ACCESS_BUF];
static size_t access_len;

void
log_flush(void)
{
	if (access_len == 0)
		return;
	fwrite(access_buf, 1, access_len, stderr);
	fflush(stderr);
	access_len = 0;
}

void
log_access(const char *fmt, ...)
{
	static char   stamp[32];
	static time_t stamp_t;
	char          line[512];
	struct tm     tm;
	time_t        t = time(NULL);
	va_list       ap;
	int           n, m;

	if (t != stamp_t) {
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		stamp_t = t;
	}
	n = snprintf(line, sizeof(line), "%s info ", stamp);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (access_len + (size_t)n > sizeof(access_buf))
		log_flush();
	memcpy(access_buf + access_len, line, (size_t)n);
	access_len += (size_t)n;
}

static void
vlog(const char *level, int with_errno, const char *fmt, va_list ap)
{
	char      stamp[32];
	struct tm tm;
	time_t    t = time(NULL);
	int       saved = errno;

	log_flush();
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s ", stamp, level);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	fflush(stderr);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog("debug", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

int
error(const char *fmt, ...)
{
	va_list ap;

	fputs("rig: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}
