/* SPDX-License-Identifier: MIT */
/*
 * Parsing the per-server limits (limits.h). Sizes and CPU counts are
 * parsed by hand, digit by digit, so that "2G" and "1.5" mean exactly
 * what they say and anything else is refused at start.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

#define SIZE_MAX_BYTES (1ULL << 50)

void
limits_conf_init(struct limits_conf *l)
{
	memset(l, 0, sizeof(*l));
	l->pids_limit = 4096;
	l->server_log_max = 10 * 1024 * 1024;
}

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

int
limits_conf_set(struct limits_conf *l, const char *key, const char *v)
{
	long long n;

	if (strcmp(key, "mem_limit") == 0) {
		if (limits_parse_size(v, &l->mem_limit) == -1)
			return error("mem_limit: '%s' is not a size (2G, "
			             "512M, bytes)",
			    v);
		return 0;
	}
	if (strcmp(key, "cpu_limit") == 0) {
		if (limits_parse_cpu(v, &l->cpu_milli) == -1)
			return error("cpu_limit: '%s' is not a number of "
			             "cores (1.5)",
			    v);
		return 0;
	}
	if (strcmp(key, "pids_limit") == 0) {
		if (parse_int(v, 0, 1 << 22, &n) == -1)
			return error("pids_limit: '%s' is not a number from "
			             "0 to %d",
			    v, 1 << 22);
		l->pids_limit = (int)n;
		return 0;
	}
	if (strcmp(key, "server_log_max") == 0) {
		if (limits_parse_size(v, &l->server_log_max) == -1 ||
		    l->server_log_max < LIMITS_LOG_MIN)
			return error("server_log_max: '%s' is not a size of "
			             "at least 64K",
			    v);
		return 0;
	}
	return 1;
}
