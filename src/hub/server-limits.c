/* SPDX-License-Identifier: MIT */
/*
 * The per-server limits' keys (limits.h) as a settings table. Sizes and
 * CPU counts are parsed by hand, digit by digit, so that "2G" and "1.5"
 * mean exactly what they say and anything else is refused at start.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "server-limits.h"
#include "lib/settings.h"
#include "lib/util.h"
#include "lib/banned.h"

#define SIZE_MAX_BYTES (1ULL << 50)

static int  check_mem(void *, const char *, char *, size_t);
static void show_mem(const void *, char *, size_t);
static int  check_cpu(void *, const char *, char *, size_t);
static void show_cpu(const void *, char *, size_t);
static int  check_log_max(void *, const char *, char *, size_t);
static void show_log_max(const void *, char *, size_t);
static void show_size(uint64_t, char *, size_t);

#define L(field) offsetof(struct limits_conf, field)

/* clang-format off */
const struct setting limits_settings[] = {
	{ .section = "hub", .key = "mem_limit", .type = SETTING_CUSTOM,
	    .off = L(mem_limit), .def = "0", .check = check_mem,
	    .show = show_mem, .flags = SETTING_DOC_OPTIONAL,
	    .help = "memory of a user's server and its kernels (2G); 0 none" },
	{ .section = "hub", .key = "cpu_limit", .type = SETTING_CUSTOM,
	    .off = L(cpu_milli), .def = "0", .check = check_cpu,
	    .show = show_cpu, .flags = SETTING_DOC_OPTIONAL,
	    .help = "cores a user's server may use (1.5); 0 none" },
	{ .section = "hub", .key = "pids_limit", .type = SETTING_INT,
	    .off = L(pids_limit), .def = "4096", .min = 0, .max = 1 << 22,
	    .flags = SETTING_DOC_OPTIONAL,
	    .help = "processes and threads of a user's server; 0 none" },
	{ .section = "hub", .key = "server_log_max", .type = SETTING_CUSTOM,
	    .off = L(server_log_max), .def = "10M", .check = check_log_max,
	    .show = show_log_max, .flags = SETTING_DOC_OPTIONAL,
	    .help = "bytes of a server's output kept (NAME.log + .log.1)" },
	{ .type = SETTING_END },
};
/* clang-format on */

int
limits_parse_size(const char *s, uint64_t *out)
{
	uint64_t n = 0, mult = 1;
	size_t   i = 0;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	for (; isdigit((unsigned char)s[i]); i++) {
		n = n * 10 + (uint64_t)(s[i] - '0');
		if (n > SIZE_MAX_BYTES)
			return -1;
	}
	switch (s[i]) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		break;
	case 't':
	case 'T':
		mult = 1ULL << 40;
		break;
	default:
		return -1;
	}
	if (s[i] != '\0' && s[i + 1] != '\0')
		return -1;
	if (n > SIZE_MAX_BYTES / mult)
		return -1;
	*out = n * mult;
	return 0;
}

int
limits_parse_cpu(const char *s, unsigned *out)
{
	unsigned whole = 0, frac = 0, scale = 100;
	size_t   i = 0;

	if (!isdigit((unsigned char)s[0]) && s[0] != '.')
		return -1;
	for (; isdigit((unsigned char)s[i]); i++) {
		whole = whole * 10 + (unsigned)(s[i] - '0');
		if (whole > 1024)
			return -1;
	}
	if (s[i] == '.') {
		i++;
		if (!isdigit((unsigned char)s[i]))
			return -1;
		/* Thousandths: digits past the third are dropped. */
		for (; isdigit((unsigned char)s[i]); i++) {
			frac += (unsigned)(s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (s[i] != '\0' || whole * 1000 + frac > 1024 * 1000)
		return -1;
	*out = whole * 1000 + frac;
	return 0;
}

/* A size as written back: "2G", "512M", else bytes. */
static void
show_size(uint64_t n, char *out, size_t len)
{
	static const char units[] = "TGMK";

	for (int i = 0; i < 4; i++) {
		uint64_t u = 1ULL << (10 * (4 - i));

		if (n != 0 && n % u == 0) {
			snprintf(out, len, "%llu%c",
			    (unsigned long long)(n / u), units[i]);
			return;
		}
	}
	snprintf(out, len, "%llu", (unsigned long long)n);
}

static int
check_mem(void *obj, const char *v, char *why, size_t len)
{
	struct limits_conf *l = obj;

	if (limits_parse_size(v, &l->mem_limit) == -1) {
		snprintf(why, len, "'%s' is not a size (2G, 512M, bytes)", v);
		return -1;
	}
	return 0;
}

static void
show_mem(const void *obj, char *out, size_t len)
{
	show_size(((const struct limits_conf *)obj)->mem_limit, out, len);
}

static int
check_cpu(void *obj, const char *v, char *why, size_t len)
{
	struct limits_conf *l = obj;

	if (limits_parse_cpu(v, &l->cpu_milli) == -1) {
		snprintf(why, len, "'%s' is not a number of cores (1.5)", v);
		return -1;
	}
	return 0;
}

static void
show_cpu(const void *obj, char *out, size_t len)
{
	unsigned m = ((const struct limits_conf *)obj)->cpu_milli;

	if (m % 1000 == 0)
		snprintf(out, len, "%u", m / 1000);
	else
		snprintf(out, len, "%u.%03u", m / 1000, m % 1000);
}

static int
check_log_max(void *obj, const char *v, char *why, size_t len)
{
	struct limits_conf *l = obj;
	uint64_t            n;

	if (limits_parse_size(v, &n) == -1 || n < LIMITS_LOG_MIN) {
		snprintf(why, len, "'%s' is not a size of at least 64K", v);
		return -1;
	}
	l->server_log_max = n;
	return 0;
}

static void
show_log_max(const void *obj, char *out, size_t len)
{
	show_size(((const struct limits_conf *)obj)->server_log_max, out, len);
}
