/* SPDX-License-Identifier: MIT */
/*
 * Spawn profiles ([profile NAME] of the hub's config): read by the
 * settings engine into a list in config order, the order the spawn page
 * shows them in. Values are checked here as strictly as the [hub] keys
 * they stand beside, so that what reaches a spawner (a cgroup's limits,
 * sbatch's words) was refused at start if it was wrong.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "profiles.h"
#include "server-limits.h"
#include "lib/settings.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

static int check_mem_limit(void *, const char *, char *, size_t);
static int check_cpu_limit(void *, const char *, char *, size_t);
static int check_partition(void *, const char *, char *, size_t);
static int check_mem(void *, const char *, char *, size_t);
static int check_time(void *, const char *, char *, size_t);

#define P(field) offsetof(struct profile, field)

/* clang-format off */
const struct setting profile_settings[] = {
	{ .section = "profile", .key = "display_name", .type = SETTING_STRING,
	    .off = P(display_name),
	    .help = "the name the spawn page shows; none: NAME" },
	{ .section = "profile", .key = "description", .type = SETTING_STRING,
	    .off = P(description),
	    .help = "a line under it on the spawn page" },
	{ .section = "profile", .key = "mem_limit", .type = SETTING_CUSTOM,
	    .check = check_mem_limit, .what = "a size (2G)",
	    .help = "[hub]'s mem_limit for this profile's servers" },
	{ .section = "profile", .key = "cpu_limit", .type = SETTING_CUSTOM,
	    .check = check_cpu_limit, .what = "a number of cores (1.5)",
	    .help = "[hub]'s cpu_limit for this profile's servers" },
	{ .section = "profile", .key = "server_cmd", .type = SETTING_STRING,
	    .off = P(server_cmd),
	    .help = "[hub]'s server_cmd for this profile's servers" },
	{ .section = "profile", .key = "partition", .type = SETTING_CUSTOM,
	    .check = check_partition, .what = "a Slurm partition name",
	    .help = "spawner slurm: the job's partition" },
	{ .section = "profile", .key = "cpus", .type = SETTING_INT,
	    .off = P(cpus), .min = 1, .max = 4096,
	    .help = "spawner slurm: the job's CPUs (--cpus-per-task)" },
	{ .section = "profile", .key = "mem", .type = SETTING_CUSTOM,
	    .check = check_mem, .what = "a size (4G)",
	    .help = "spawner slurm: the job's memory (--mem)" },
	{ .section = "profile", .key = "gpus", .type = SETTING_INT,
	    .off = P(gpus), .def = "-1", .min = -1, .max = 64,
	    .help = "spawner slurm: the job's GPUs (--gpus)" },
	{ .section = "profile", .key = "time", .type = SETTING_CUSTOM,
	    .check = check_time, .what = "a Slurm time (HH:MM:SS, D-HH)",
	    .help = "spawner slurm: the job's time limit (--time)" },
	{ .section = "profile", .key = "default", .type = SETTING_BOOL,
	    .off = P(is_default), .def = "no",
	    .help = "the profile chosen when a start names none" },
	{ .type = SETTING_END },
};
/* clang-format on */

static int
check_mem_limit(void *obj, const char *v, char *why, size_t len)
{
	struct profile *p = obj;

	(void)why, (void)len;
	if (limits_parse_size(v, &p->mem_limit) == -1)
		return -1;
	p->has_mem_limit = 1;
	return 0;
}

static int
check_cpu_limit(void *obj, const char *v, char *why, size_t len)
{
	struct profile *p = obj;

	(void)why, (void)len;
	if (limits_parse_cpu(v, &p->cpu_milli) == -1)
		return -1;
	p->has_cpu_limit = 1;
	return 0;
}

static int
check_partition(void *obj, const char *v, char *why, size_t len)
{
	struct profile *p = obj;

	(void)why, (void)len;
	if (!profile_name_valid(v))
		return -1;
	settings_set_str(&p->partition, v);
	return 0;
}

/* At least a MiB: Slurm counts memory in MiB. */
static int
check_mem(void *obj, const char *v, char *why, size_t len)
{
	struct profile *p = obj;
	uint64_t        n;

	(void)why, (void)len;
	if (limits_parse_size(v, &n) == -1 || n < (1 << 20))
		return -1;
	p->mem = n;
	return 0;
}

static int
check_time(void *obj, const char *v, char *why, size_t len)
{
	struct profile *p = obj;

	(void)why, (void)len;
	return profile_parse_time(v, &p->time_min);
}

int
profile_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PROFILE_NAME_MAX || s[0] == '-' || s[0] == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_-.", *s) == NULL)
			return 0;
	return 1;
}

/* Digits only, at most 7 of them: no sign, no space, no overflow. */
static int
time_field(const char *s, size_t len, int *out)
{
	int n = 0;

	if (len == 0 || len > 7)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	*out = n;
	return 0;
}

int
profile_parse_time(const char *s, int *minutes)
{
	const char *dash = strchr(s, '-'), *p;
	int         f[3], nf = 0, days = 0, h = 0, m = 0, sec = 0;
	long long   total;

	if (dash != NULL) {
		if (time_field(s, (size_t)(dash - s), &days) == -1)
			return -1;
		s = dash + 1;
	}
	for (;;) {
		p = strchr(s, ':');
		if (nf == 3 ||
		    time_field(s, p != NULL ? (size_t)(p - s) : strlen(s),
		        &f[nf]) == -1)
			return -1;
		nf++;
		if (p == NULL)
			break;
		s = p + 1;
	}
	if (dash != NULL) { /* D-HH, D-HH:MM, D-HH:MM:SS */
		h = f[0];
		m = nf > 1 ? f[1] : 0;
		sec = nf > 2 ? f[2] : 0;
	} else if (nf == 1) /* MM */
		m = f[0];
	else if (nf == 2) { /* MM:SS */
		m = f[0];
		sec = f[1];
	} else { /* HH:MM:SS */
		h = f[0];
		m = f[1];
		sec = f[2];
	}
	if (sec > 59 || (nf > 1 && m > 59) || (dash != NULL && h > 23))
		return -1;
	total =
	    (long long)days * 1440 + (long long)h * 60 + m + (sec > 0 ? 1 : 0);
	if (total < 1 || total > PROFILE_TIME_MAX)
		return -1;
	*minutes = (int)total;
	return 0;
}

static struct profile *
profile_get(struct config *c, const char *name)
{
	struct profile *p, **pp;

	for (pp = &c->profiles; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0)
			return *pp;
	p = xcalloc(1, sizeof(*p));
	settings_init(profile_settings, p);
	p->name = xstrdup(name);
	*pp = p;
	return p;
}

int
profiles_set(struct config *c, const char *name, const char *key,
    const char *value)
{
	const struct setting *tabs[] = { profile_settings };
	struct profile       *p;
	int                   r;

	if (!profile_name_valid(name))
		return error("[profile %s]: a profile's name is letters, "
		             "digits, '_', '-' and '.' (at most %d)",
		    name, PROFILE_NAME_MAX);
	if (settings_find(profile_settings, "profile", key) == NULL)
		return settings_unknown(tabs, nitems(tabs), "profile", key);
	p = profile_get(c, name);
	r = settings_set(profile_settings, p, "profile", key, value);
	return r == 0 ? 0 : -1;
}

void
profiles_release(struct config *c)
{
	struct profile *p, *next;

	for (p = c->profiles; p != NULL; p = next) {
		next = p->next;
		settings_release(profile_settings, p);
		free(p->name);
		free(p->partition);
		free(p);
	}
	c->profiles = NULL;
}

int
profiles_check(const struct config *c)
{
	const struct profile *p, *dflt = NULL;

	for (p = c->profiles; p != NULL; p = p->next) {
		if (c->spawner != CONFIG_SPAWNER_SLURM &&
		    (p->partition != NULL || p->cpus > 0 || p->mem > 0 ||
		        p->gpus >= 0 || p->time_min > 0))
			return error("[profile %s]: partition, cpus, mem, gpus "
			             "and time are a Slurm job's: they need "
			             "spawner = slurm",
			    p->name);
		if (p->is_default && dflt != NULL)
			return error("[profile %s]: '%s' is the default "
			             "already: one profile at most has default "
			             "= yes",
			    p->name, dflt->name);
		if (p->is_default)
			dflt = p;
	}
	return 0;
}

int
profiles_count(const struct config *c)
{
	int n = 0;

	for (const struct profile *p = c->profiles; p != NULL; p = p->next)
		n++;
	return n;
}

const struct profile *
profile_find(const struct config *c, const char *name)
{
	for (const struct profile *p = c->profiles; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

const struct profile *
profile_default(const struct config *c)
{
	for (const struct profile *p = c->profiles; p != NULL; p = p->next)
		if (p->is_default)
			return p;
	return c->profiles;
}
