/* SPDX-License-Identifier: MIT */
/*
 * Per-server limits, as hub.conf's [hub] keys with JupyterHub's names and
 * units: mem_limit (bytes, with K, M, G or T: "2G"), cpu_limit (cores,
 * "1.5"), pids_limit (processes and threads), and server_log_max (bytes
 * of a server's log kept). 0 means no limit. The local spawner applies
 * the first three with a cgroup per server (cgroup.h), the last in
 * serverlog.c.
 */
#ifndef SERVER_LIMITS_H
#define SERVER_LIMITS_H

#include <stdint.h>

#include "lib/settings.h"

#define LIMITS_LOG_MIN (64 * 1024) /* server_log_max's floor */

struct limits_conf {
	uint64_t mem_limit; /* bytes; 0: none */
	unsigned cpu_milli; /* thousandths of a core; 0: none */
	int      pids_limit; /* 0: none */
	uint64_t server_log_max; /* bytes, NAME.log and NAME.log.1 together */
};

/* The keys of [hub] above (settings.h); config.c's table holds this one.
 * Defaults: no memory or CPU limit, 4096 pids, 10M of log. */
extern const struct setting limits_settings[];

/* "2G", "512M", "1048576" into bytes (K, M, G, T are powers of 1024, as
 * JupyterHub's); -1 if malformed or over 2^50. */
int limits_parse_size(const char *, uint64_t *);

/* "1.5", "2", "0.25" into thousandths of a core (at most 1024 cores);
 * -1 if malformed. */
int limits_parse_cpu(const char *, unsigned *);

#endif
