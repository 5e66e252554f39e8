/* SPDX-License-Identifier: MIT */
/*
 * A start's options: what a user asked for (JupyterHub's user_options,
 * the JSON body of POST /hub/api/users/NAME/server or the spawn page's
 * profile) checked, and what it comes to with the hub's config: the
 * profile's limits and command, and for a Slurm job its resources. A
 * user names a profile, and with user_resources = yes a job's partition,
 * cpus, mem, gpus and time within their profile's and the partition's
 * limits; never a command, an environment or a path.
 */
#ifndef SPAWN_OPTIONS_H
#define SPAWN_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct config;

/* The bytes of a user_options body read at most. */
#define SPAWN_OPTIONS_MAX 16384

struct spawn_options {
	char    *profile; /* the profile's name; NULL: none */
	uint64_t mem_limit; /* the server's cgroup: bytes, 0 none */
	unsigned cpu_milli; /* thousandths of a core, 0 none */
	char    *server_cmd; /* the profile's (the admin's); NULL: [hub]'s */
	char    *partition; /* Slurm: NULL the hub's slurm_partition */
	int      cpus; /* Slurm: 0 from cpu_milli */
	uint64_t mem; /* Slurm: bytes, 0 from mem_limit */
	int      gpus; /* Slurm: 0 none */
	int      time_min; /* Slurm: minutes, 0 the partition's */
	char    *json; /* user_options as checked, compact; never NULL once
	                * parsed */
};

/*
 * Checks user_options 'opts' (a JSON object; NULL is {}) against the
 * config and fills 'o' (zeroed by the caller). 0, or -1 with 'why' the
 * reason for a 400, naming the key: an unknown key, a profile that does
 * not exist, a value of the wrong kind or past a limit.
 */
int spawn_options_parse(const struct config *, const json_t *opts,
    struct spawn_options *o, char *why, size_t len);
/* The same from JSON text (user_options kept in SQLite). */
int spawn_options_parse_text(const struct config *, const char *text,
    struct spawn_options *o, char *why, size_t len);
/* Moves 'from' into 'to' (released first); 'from' is then empty. */
void spawn_options_move(struct spawn_options *to, struct spawn_options *from);
void spawn_options_release(struct spawn_options *);

#endif
