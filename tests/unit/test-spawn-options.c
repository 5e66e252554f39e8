/* SPDX-License-Identifier: MIT */
/*
 * Spawn options: Slurm's time syntax, slurm.conf's partitions and their
 * largest nodes, and user_options checked against profiles and limits:
 * what a user may name, what comes of it, and every refusal's words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hub/config.h"
#include "hub/profiles.h"
#include "hub/slurm-parts.h"
#include "hub/spawn-options.h"
#include "lib/util.h"
#include "unit.h"

static const char conf[] =
    "# rig's\n"
    "ClusterName=rig\n"
    "NodeName=n1 NodeAddr=10.0.0.11 CPUs=4 RealMemory=3000 State=UNKNOWN\n"
    "NodeName=n2 NodeAddr=10.0.0.12 CPUs=8 RealMemory=1500 "
    "Gres=gpu:tesla:2,mps:100 State=UNKNOWN\n"
    "NodeName=n3 CPUs=2 RealMemory=900 # a comment\n"
    "PartitionName=A Nodes=n1,n3 Default=YES MaxTime=INFINITE State=UP\n"
    "PartitionName=B Nodes=n2 MaxTime=1-00:00:00 State=UP\n"
    "PartitionName=bad;name Nodes=n1\n";

TEST(profile_time_syntax)
{
	int m = 0;

	ASSERT_EQ(profile_parse_time("30", &m), 0);
	ASSERT_EQ(m, 30);
	ASSERT_EQ(profile_parse_time("30:01", &m), 0);
	ASSERT_EQ(m, 31); /* seconds round up */
	ASSERT_EQ(profile_parse_time("01:30:00", &m), 0);
	ASSERT_EQ(m, 90);
	ASSERT_EQ(profile_parse_time("2-00", &m), 0);
	ASSERT_EQ(m, 2880);
	ASSERT_EQ(profile_parse_time("1-01:02", &m), 0);
	ASSERT_EQ(m, 1440 + 62);
	ASSERT_EQ(profile_parse_time("1-01:02:03", &m), 0);
	ASSERT_EQ(m, 1440 + 63);
	ASSERT_EQ(profile_parse_time("", &m), -1);
	ASSERT_EQ(profile_parse_time("0", &m), -1);
	ASSERT_EQ(profile_parse_time("-5", &m), -1);
	ASSERT_EQ(profile_parse_time("1:2:3:4", &m), -1);
	ASSERT_EQ(profile_parse_time("00:60:00", &m), -1);
	ASSERT_EQ(profile_parse_time("1-24", &m), -1);
	ASSERT_EQ(profile_parse_time("1h", &m), -1);
	ASSERT_EQ(profile_parse_time(" 30", &m), -1);
	ASSERT_EQ(profile_parse_time("30;id", &m), -1);
	ASSERT_EQ(profile_parse_time("99999999", &m), -1);
	ASSERT_EQ(profile_parse_time("400-00", &m), -1); /* over a year */
	ASSERT_EQ(profile_parse_time("UNLIMITED", &m), -1);
}

TEST(slurm_parts_largest_node)
{
	struct slurm_part       *p = NULL;
	const struct slurm_part *a, *b;
	size_t                   n = 0;

	ASSERT_EQ(slurm_parts_parse(conf, &p, &n), 0);
	ASSERT_EQ(n, 2); /* "bad;name" is no partition name */
	a = slurm_part_find(p, n, "A");
	b = slurm_part_find(p, n, "B");
	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	ASSERT_EQ(a->cpus, 4);
	ASSERT_EQ(a->mem_mb, 3000);
	ASSERT_EQ(a->gpus, 0);
	ASSERT_EQ(a->max_time_min, 0);
	ASSERT(a->is_default);
	ASSERT_EQ(b->cpus, 8);
	ASSERT_EQ(b->mem_mb, 1500);
	ASSERT_EQ(b->gpus, 2);
	ASSERT_EQ(b->max_time_min, 1440);
	ASSERT(slurm_part_find(p, n, NULL) == a);
	ASSERT_NULL(slurm_part_find(p, n, "C"));
	free(p);
}

/* A config: profiles small (default) and gpu, spawner slurm. */
static void
slurm_config(struct config *c, int user_resources)
{
	config_init(c);
	ASSERT_EQ(config_set(c, "spawner", "slurm"), 0);
	ASSERT_EQ(config_set(c, "mem_limit", "1G"), 0);
	ASSERT_EQ(
	    config_set(c, "user_resources", user_resources ? "yes" : "no"), 0);
	ASSERT_EQ(profiles_set(c, "small", "cpus", "2"), 0);
	ASSERT_EQ(profiles_set(c, "small", "mem", "512M"), 0);
	ASSERT_EQ(profiles_set(c, "small", "time", "01:00:00"), 0);
	ASSERT_EQ(profiles_set(c, "small", "default", "yes"), 0);
	ASSERT_EQ(profiles_set(c, "gpu", "partition", "B"), 0);
	ASSERT_EQ(profiles_set(c, "gpu", "gpus", "1"), 0);
	ASSERT_EQ(profiles_check(c), 0);
}

/* Checks 'text' as user_options: 0 or -1, the reason in 'why'. */
static int
opts(const struct config *c, const char *text, struct spawn_options *o,
    char *why, size_t len)
{
	memset(o, 0, sizeof(*o));
	why[0] = '\0';
	return spawn_options_parse_text(c, text, o, why, len);
}

TEST(spawn_options_profiles)
{
	struct config        c;
	struct spawn_options o;
	char                 why[256];

	slurm_config(&c, 0);
	/* None named: the default profile's. */
	ASSERT_EQ(opts(&c, "{}", &o, why, sizeof(why)), 0);
	ASSERT_STR_EQ(o.profile, "small");
	ASSERT_EQ(o.cpus, 2);
	ASSERT_EQ(o.mem, 512 << 20);
	ASSERT_EQ(o.mem_limit, 1 << 30); /* the [hub]'s */
	ASSERT_EQ(o.time_min, 60);
	ASSERT_NULL(o.partition);
	ASSERT_STR_EQ(o.json, "{}");
	spawn_options_release(&o);
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu\"}", &o, why, sizeof(why)), 0);
	ASSERT_STR_EQ(o.partition, "B");
	ASSERT_EQ(o.gpus, 1);
	ASSERT_EQ(o.cpus, 0);
	ASSERT_STR_EQ(o.json, "{\"profile\":\"gpu\"}");
	spawn_options_release(&o);
	/* What a user may not name. */
	ASSERT_EQ(opts(&c, "{\"profile\": \"nope\"}", &o, why, sizeof(why)),
	    -1);
	ASSERT_STR_EQ(why,
	    "user_options: 'profile' 'nope' is not a profile of this hub");
	ASSERT_NULL(o.json);
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu`id`\"}", &o, why, sizeof(why)),
	    -1);
	ASSERT_STR_EQ(why,
	    "user_options: 'profile' must be the name of a profile of this "
	    "hub");
	ASSERT_EQ(opts(&c, "{\"profile\": 1}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"server_cmd\": \"sh\"}", &o, why, sizeof(why)),
	    -1);
	ASSERT_STR_EQ(why, "user_options: unknown key 'server_cmd'");
	ASSERT_EQ(opts(&c, "{\"a b\": 1}", &o, why, sizeof(why)), -1);
	ASSERT_STR_EQ(why, "user_options: unknown key '?'");
	ASSERT_EQ(opts(&c, "[]", &o, why, sizeof(why)), -1);
	ASSERT_STR_EQ(why, "user_options must be a JSON object");
	ASSERT_EQ(opts(&c, "{\"cpus\": 1}", &o, why, sizeof(why)), -1);
	ASSERT_STR_EQ(why,
	    "user_options: 'cpus' is not yours to choose on this hub "
	    "(user_resources = no)");
	config_release(&c);
}

TEST(spawn_options_resources_bounded)
{
	struct config        c;
	struct spawn_options o;
	char                 why[256], path[64];
	FILE                *f;

	snprintf(path, sizeof(path), "/tmp/rig-unit-slurm-%d.conf",
	    (int)getpid());
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs(conf, f);
	fclose(f);
	setenv("SLURM_CONF", path, 1);
	slurm_config(&c, 1);
	/* Within the partition and the default profile (2 CPUs, 512M, 1 h). */
	ASSERT_EQ(opts(&c,
	              "{\"partition\": \"A\", \"cpus\": 1, \"mem\": "
	              "\"256M\", \"time\": \"00:30:00\"}",
	              &o, why, sizeof(why)),
	    0);
	ASSERT_STR_EQ(o.partition, "A");
	ASSERT_EQ(o.cpus, 1);
	ASSERT_EQ(o.mem, 256 << 20);
	ASSERT_EQ(o.time_min, 30);
	spawn_options_release(&o);
	/* Past the profile's. */
	ASSERT_EQ(opts(&c, "{\"cpus\": 3}", &o, why, sizeof(why)), -1);
	ASSERT_STR_EQ(why,
	    "user_options: 'cpus' must be a whole number from 1 to 2 "
	    "(partition A, the profile)");
	ASSERT_EQ(opts(&c, "{\"mem\": \"600M\"}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"time\": \"2:00:00\"}", &o, why, sizeof(why)),
	    -1);
	ASSERT_STR_EQ(why,
	    "user_options: 'time' must be a Slurm time (HH:MM:SS, D-HH) of "
	    "at most 60 minutes");
	/* Past the partition's largest node (the gpu profile sets no cpus). */
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu\", \"cpus\": 8}", &o, why,
	              sizeof(why)),
	    0);
	spawn_options_release(&o);
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu\", \"cpus\": 9}", &o, why,
	              sizeof(why)),
	    -1);
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu\", \"gpus\": 2}", &o, why,
	              sizeof(why)),
	    -1); /* the profile's 1 */
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu\", \"mem\": \"2G\"}", &o, why,
	              sizeof(why)),
	    -1); /* B's node has 1500M */
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu\", \"time\": \"2-00\"}", &o,
	              why, sizeof(why)),
	    -1); /* B's MaxTime */
	/* The profile pins its partition; others must exist. */
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu\", \"partition\": \"A\"}", &o,
	              why, sizeof(why)),
	    -1);
	ASSERT_STR_EQ(why,
	    "user_options: 'partition' must be profile 'gpu''s ('B')");
	ASSERT_EQ(opts(&c, "{\"partition\": \"C\"}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"partition\": \"A;id\"}", &o, why, sizeof(why)),
	    -1);
	ASSERT_STR_EQ(why,
	    "user_options: 'partition' names no partition of the pool");
	/* Kinds: numbers are JSON integers, sizes and times strings. */
	ASSERT_EQ(opts(&c, "{\"cpus\": \"1\"}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"cpus\": 1.5}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"cpus\": true}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"cpus\": 0}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"cpus\": -1}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"mem\": 256}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"mem\": \"256X\"}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"mem\": \"1K\"}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"gpus\": -1}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(opts(&c, "{\"time\": 30}", &o, why, sizeof(why)), -1);
	ASSERT_EQ(
	    opts(&c, "{\"time\": \"30 --wrap=id\"}", &o, why, sizeof(why)), -1);
	/* No slurm.conf to check against: nothing of the user's passes. */
	setenv("SLURM_CONF", "/nonexistent/slurm.conf", 1);
	ASSERT_EQ(opts(&c, "{\"cpus\": 1}", &o, why, sizeof(why)), -1);
	ASSERT(strstr(why, "cannot read the pool's partitions") != NULL);
	ASSERT_EQ(opts(&c, "{\"profile\": \"gpu\"}", &o, why, sizeof(why)), 0);
	spawn_options_release(&o);
	unsetenv("SLURM_CONF");
	unlink(path);
	config_release(&c);
}

TEST(profiles_config_rules)
{
	struct config c;

	config_init(&c);
	/* Slurm's keys without spawner slurm; two defaults; bad names. */
	ASSERT_EQ(profiles_set(&c, "g", "gpus", "1"), 0);
	ASSERT_EQ(profiles_check(&c), -1);
	config_release(&c);
	config_init(&c);
	ASSERT_EQ(profiles_set(&c, "a", "default", "yes"), 0);
	ASSERT_EQ(profiles_set(&c, "b", "default", "yes"), 0);
	ASSERT_EQ(profiles_check(&c), -1);
	ASSERT_EQ(profiles_set(&c, "a b", "mem_limit", "1G"), -1);
	ASSERT_EQ(profiles_set(&c, "-a", "mem_limit", "1G"), -1);
	ASSERT_EQ(profiles_set(&c, "a", "mem_limit", "lots"), -1);
	ASSERT_EQ(profiles_set(&c, "a", "time", "1h"), -1);
	ASSERT_EQ(profiles_set(&c, "a", "partition", "x y"), -1);
	ASSERT_EQ(profiles_set(&c, "a", "command", "sh"), -1);
	ASSERT_EQ(profiles_count(&c), 2);
	ASSERT(profile_default(&c) == profile_find(&c, "a"));
	config_release(&c);
	/* A Slurm profile's command must listen on {port}. */
	config_init(&c);
	ASSERT_EQ(config_set(&c, "spawner", "slurm"), 0);
	ASSERT_EQ(profiles_set(&c, "s", "server_cmd",
	              "jupyter notebook --NotebookApp.sock={sock}"),
	    0);
	ASSERT_EQ(config_check_spawner(&c), -1);
	config_release(&c);
}
