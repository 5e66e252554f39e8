/* SPDX-License-Identifier: MIT */
/*
 * Spawn profiles: the hub config's [profile NAME] sections, each a kind
 * of server a user may pick on the spawn page or name in user_options
 * ({"profile": "NAME"}): its own mem_limit, cpu_limit and server_cmd for
 * any spawner, and with spawner = slurm the job's partition, cpus, mem,
 * gpus and time. All of it is the admin's: a user only picks a name.
 */
#ifndef PROFILES_H
#define PROFILES_H

#include <stdint.h>

#include "lib/settings.h"

struct config;

#define PROFILE_NAME_MAX 64
#define PROFILE_TIME_MAX (366 * 24 * 60) /* minutes: Slurm's own cap */

struct profile {
	char           *name; /* letters, digits, '_', '-', '.' */
	char           *display_name; /* NULL: the name */
	char           *description; /* NULL: none */
	int             has_mem_limit, has_cpu_limit; /* else [hub]'s */
	uint64_t        mem_limit; /* bytes; 0 none */
	unsigned        cpu_milli; /* thousandths of a core; 0 none */
	char           *server_cmd; /* NULL: [hub]'s */
	char           *partition; /* Slurm: NULL the hub's slurm_partition */
	int             cpus; /* Slurm: 0 unset */
	uint64_t        mem; /* Slurm: bytes, 0 unset */
	int             gpus; /* Slurm: -1 unset */
	int             time_min; /* Slurm: minutes, 0 unset */
	int             is_default;
	struct profile *next;
};

/* The keys of [profile NAME] (settings.h). */
extern const struct setting profile_settings[];

/*
 * Sets 'key' of profile 'name' (made on its first key) from text; -1
 * with a message printed if the name, key or value is refused.
 */
int profiles_set(struct config *, const char *name, const char *key,
    const char *value);
/* Frees the config's profiles. */
void profiles_release(struct config *);

/*
 * What the profiles say together, once the config is read: the Slurm
 * keys only with spawner = slurm, one default at most. 0, or -1 with a
 * message printed.
 */
int profiles_check(const struct config *);

/* How many there are; the one named (NULL if none); the default (the
 * one with default = yes, else the first; NULL if there are none). */
int                   profiles_count(const struct config *);
const struct profile *profile_find(const struct config *, const char *name);
const struct profile *profile_default(const struct config *);

/* Whether 's' is a profile or partition name (the characters above, at
 * most PROFILE_NAME_MAX): a word that needs no quoting anywhere. */
int profile_name_valid(const char *s);

/* Slurm's time syntax ("MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM",
 * "D-HH:MM:SS") into whole minutes, seconds rounded up; -1 if it is not
 * one, is 0, or is over PROFILE_TIME_MAX. */
int profile_parse_time(const char *, int *minutes);

#endif
