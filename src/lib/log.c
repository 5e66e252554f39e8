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

/* Appends at most 'max' bytes of 's' to the access buffer. */
static void
access_add(const char *s, size_t n)
{
	memcpy(access_buf + access_len, s, n);
	access_len += n;
}

static void
access_num(unsigned long long v)
{
	char   d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	access_add(d + i, sizeof(d) - i);
}

/* By hand rather than with printf: one line per request adds up. */
void
log_access(const char *addr, const char *method, size_t method_len,
    const char *path, int status, unsigned long long bytes,
    unsigned long long ms, const char *user)
{
	static char   stamp[32];
	static time_t stamp_t;
	struct tm     tm;
	time_t        t = time(NULL);
	size_t        alen = strnlen(addr, 64), plen = strnlen(path, 200);
	size_t        ulen = strnlen(user, 64);

	if (method_len > 16)
		method_len = 16;
	if (t != stamp_t) {
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		stamp_t = t;
	}
	/* Room for the fixed parts and three numbers of 20 digits. */
	if (access_len + 32 + alen + method_len + plen + ulen + 100 >
	    sizeof(access_buf))
		log_flush();
	access_add(stamp, strlen(stamp));
	access_add(" info ", 6);
	access_add(addr, alen);
	access_add(" \"", 2);
	access_add(method, method_len);
	access_add(" ", 1);
	access_add(path, plen);
	access_add("\" ", 2);
	access_num((unsigned long long)(status < 0 ? 0 : status));
	access_add(" ", 1);
	access_num(bytes);
	access_add(" ", 1);
	access_num(ms);
	access_add("ms ", 3);
	access_add(user, ulen);
	access_add("\n", 1);
}

static void vlog(const char *, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

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
