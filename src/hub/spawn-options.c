/* SPDX-License-Identifier: MIT */
/*
 * user_options checked. The hub's config decides what there is: the
 * profile a user names (or the default one) brings the admin's limits
 * and command; with user_resources = yes (spawner slurm) the user may
 * also size the job, each value strictly typed and no more than the
 * profile's or the partition's largest node allows (slurm.conf, read
 * for the check). Every key not known is refused, so a user's JSON can
 * never name a command, environment or path.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "profiles.h"
#include "server-limits.h"
#include "slurm-parts.h"
#include "spawn-options.h"
#include "lib/util.h"
#include "lib/banned.h"

static const char *const resource_keys[] = { "partition", "cpus", "mem", "gpus",
	"time", NULL };

static int
is_resource_key(const char *k)
{
	for (size_t i = 0; resource_keys[i] != NULL; i++)
		if (strcmp(resource_keys[i], k) == 0)
			return 1;
	return 0;
}

/* A key said back only if it is a short plain word: the message is the
 * user's own input, shown on a page. */
static const char *
key_shown(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > 32)
		return "?";
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) && k[i] != '_' && k[i] != '-')
			return "?";
	return k;
}

static uint64_t
min_set(uint64_t a, uint64_t b) /* the smaller of those not 0 */
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* The profile's values, or the [hub]'s where it has none. */
static void
from_profile(const struct config *c, const struct profile *p,
    struct spawn_options *o)
{
	o->mem_limit = c->limits.mem_limit;
	o->cpu_milli = c->limits.cpu_milli;
	if (c->slurm_partition != NULL && c->slurm_partition[0] != '\0')
		o->partition = xstrdup(c->slurm_partition);
	if (p == NULL)
		return;
	o->profile = xstrdup(p->name);
	if (p->has_mem_limit)
		o->mem_limit = p->mem_limit;
	if (p->has_cpu_limit)
		o->cpu_milli = p->cpu_milli;
	if (p->server_cmd != NULL && p->server_cmd[0] != '\0')
		o->server_cmd = xstrdup(p->server_cmd);
	if (p->partition != NULL) {
		free(o->partition);
		o->partition = xstrdup(p->partition);
	}
	o->cpus = p->cpus;
	o->mem = p->mem;
	o->gpus = p->gpus > 0 ? p->gpus : 0;
	o->time_min = p->time_min;
}

/* A JSON integer (not a real, not a boolean) from lo to hi. */
static int
int_in(const json_t *v, long long lo, long long hi, long long *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/*
 * The user's own job resources: each checked against the partition's
 * largest node and the profile's values, which are the most a user of
 * that profile may ask for.
 */
static int
resources(const struct profile *p, const json_t *opts, struct spawn_options *o,
    char *why, size_t len)
{
	struct slurm_part       *parts = NULL;
	const struct slurm_part *pt;
	const json_t            *v;
	const char              *path, *s;
	size_t                   n = 0;
	long long                x;
	uint64_t                 most;
	int                      r = -1;

	if (slurm_parts_read(&parts, &n, &path) == -1) {
		snprintf(why, len,
		    "user_options: the hub cannot read the pool's partitions "
		    "(%s) to check a job's resources",
		    path);
		return -1;
	}
	v = json_object_get(opts, "partition");
	if (v != NULL) {
		s = json_string_value(v);
		if (s == NULL || !profile_name_valid(s) ||
		    slurm_part_find(parts, n, s) == NULL) {
			snprintf(why, len,
			    "user_options: 'partition' names no partition of "
			    "the pool");
			goto out;
		}
		if (p != NULL && p->partition != NULL &&
		    strcmp(p->partition, s) != 0) {
			snprintf(why, len,
			    "user_options: 'partition' must be profile '%s''s "
			    "('%s')",
			    p->name, p->partition);
			goto out;
		}
		free(o->partition);
		o->partition = xstrdup(s);
	}
	pt = slurm_part_find(parts, n, o->partition);
	if (pt == NULL) {
		snprintf(why, len,
		    "user_options: the pool has no partition '%s'",
		    o->partition != NULL ? o->partition : "(default)");
		goto out;
	}
	v = json_object_get(opts, "cpus");
	if (v != NULL) {
		most = min_set((uint64_t)(p != NULL ? p->cpus : 0),
		    (uint64_t)pt->cpus);
		if (int_in(v, 1, (long long)most, &x) == -1) {
			snprintf(why, len,
			    "user_options: 'cpus' must be a whole number from "
			    "1 to %llu (partition %s%s)",
			    (unsigned long long)most, pt->name,
			    p != NULL && p->cpus > 0 ? ", the profile" : "");
			goto out;
		}
		o->cpus = (int)x;
	}
	v = json_object_get(opts, "mem");
	if (v != NULL) {
		uint64_t bytes;

		most = min_set(p != NULL ? p->mem : 0, pt->mem_mb << 20);
		s = json_string_value(v);
		if (s == NULL || limits_parse_size(s, &bytes) == -1 ||
		    bytes < (1 << 20) || bytes > most) {
			snprintf(why, len,
			    "user_options: 'mem' must be a size (512M, 2G) "
			    "from 1M to %lluM (partition %s%s)",
			    (unsigned long long)(most >> 20), pt->name,
			    p != NULL && p->mem > 0 ? ", the profile" : "");
			goto out;
		}
		o->mem = bytes;
	}
	v = json_object_get(opts, "gpus");
	if (v != NULL) {
		most = (uint64_t)pt->gpus;
		if (p != NULL && p->gpus >= 0 && (uint64_t)p->gpus < most)
			most = (uint64_t)p->gpus;
		if (int_in(v, 0, (long long)most, &x) == -1) {
			snprintf(why, len,
			    "user_options: 'gpus' must be a whole number from "
			    "0 to %llu (partition %s)",
			    (unsigned long long)most, pt->name);
			goto out;
		}
		o->gpus = (int)x;
	}
	v = json_object_get(opts, "time");
	if (v != NULL) {
		int minutes;

		most = min_set((uint64_t)(p != NULL ? p->time_min : 0),
		    (uint64_t)pt->max_time_min);
		if (most == 0)
			most = PROFILE_TIME_MAX;
		s = json_string_value(v);
		if (s == NULL || profile_parse_time(s, &minutes) == -1 ||
		    (uint64_t)minutes > most) {
			snprintf(why, len,
			    "user_options: 'time' must be a Slurm time "
			    "(HH:MM:SS, D-HH) of at most %llu minutes",
			    (unsigned long long)most);
			goto out;
		}
		o->time_min = minutes;
	}
	r = 0;
out:
	free(parts);
	return r;
}

int
spawn_options_parse(const struct config *c, const json_t *opts,
    struct spawn_options *o, char *why, size_t len)
{
	const struct profile *p = NULL;
	const char           *k, *name;
	json_t               *v, *empty = NULL;
	int                   own = 0, r = -1;

	if (opts == NULL)
		opts = empty = json_object();
	if (!json_is_object(opts)) {
		snprintf(why, len, "user_options must be a JSON object");
		goto out;
	}
	json_object_foreach((json_t *)opts, k, v) {
		if (strcmp(k, "profile") == 0)
			continue;
		if (!is_resource_key(k)) {
			snprintf(why, len, "user_options: unknown key '%s'",
			    key_shown(k));
			goto out;
		}
		if (!c->user_resources || c->spawner != CONFIG_SPAWNER_SLURM) {
			snprintf(why, len,
			    "user_options: '%s' is not yours to choose on this "
			    "hub (user_resources = no)",
			    k);
			goto out;
		}
		own = 1;
	}
	v = json_object_get(opts, "profile");
	if (v != NULL) {
		name = json_string_value(v);
		p = name != NULL && profile_name_valid(name)
		    ? profile_find(c, name)
		    : NULL;
		if (p == NULL) {
			if (name != NULL && profile_name_valid(name))
				snprintf(why, len,
				    "user_options: 'profile' '%s' is not a "
				    "profile of this hub",
				    name);
			else
				snprintf(why, len,
				    "user_options: 'profile' must be the name "
				    "of a profile of this hub");
			goto out;
		}
	} else
		p = profile_default(c);
	from_profile(c, p, o);
	if (own && resources(p, opts, o, why, len) == -1)
		goto out;
	o->json = json_dumps(opts, JSON_COMPACT | JSON_SORT_KEYS);
	if (o->json == NULL)
		o->json = xstrdup("{}");
	r = 0;
out:
	if (r == -1)
		spawn_options_release(o);
	json_decref(empty);
	return r;
}

int
spawn_options_parse_text(const struct config *c, const char *text,
    struct spawn_options *o, char *why, size_t len)
{
	json_error_t e; /* not shown: it quotes the input */
	json_t      *j;
	int          r;

	j = json_loads(text != NULL && *text != '\0' ? text : "{}",
	    JSON_REJECT_DUPLICATES, &e);
	if (j == NULL) {
		snprintf(why, len, "user_options must be a JSON object");
		return -1;
	}
	r = spawn_options_parse(c, j, o, why, len);
	json_decref(j);
	return r;
}

void
spawn_options_move(struct spawn_options *to, struct spawn_options *from)
{
	spawn_options_release(to);
	*to = *from;
	memset(from, 0, sizeof(*from));
}

void
spawn_options_release(struct spawn_options *o)
{
	free(o->profile);
	free(o->server_cmd);
	free(o->partition);
	free(o->json);
	memset(o, 0, sizeof(*o));
}
