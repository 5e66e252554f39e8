/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for spawn_options_parse_text(): user_options, the JSON a
 * user sends with a start (the API's body), checked against a hub with
 * two profiles and user_resources = yes on a pool whose slurm.conf is
 * written here. Promises checked: a refusal leaves nothing set and says
 * why without repeating anything but a plain word of the input; an
 * acceptance never takes a command from the input (the command is a
 * profile's or none), and every resource is a name or number within the
 * limits of the partition and the profile, so sbatch only ever gets
 * words that need no quoting.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/options/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/config.h"
#include "hub/profiles.h"
#include "hub/spawn-options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

#define SMALL_CMD "jupyter notebook --NotebookApp.port={port} --small"

static struct config cfg;

/* The hub and its pool, once. */
static void
setup(void)
{
	static int done;
	char       path[] = "/tmp/rig-fuzz-slurm-XXXXXX";
	FILE      *f;
	int        fd;

	if (done)
		return;
	done = 1;
	fd = mkstemp(path);
	CHECK(fd != -1);
	f = fdopen(fd, "w");
	CHECK(f != NULL);
	fputs("NodeName=n1 CPUs=4 RealMemory=2000\n"
	      "NodeName=n2 CPUs=16 RealMemory=64000 Gres=gpu:2\n"
	      "PartitionName=a Nodes=n1 Default=YES\n"
	      "PartitionName=b Nodes=n2 MaxTime=2-00:00:00\n",
	    f);
	fclose(f);
	setenv("SLURM_CONF", path, 1);
	config_init(&cfg);
	CHECK(config_set(&cfg, "spawner", "slurm") == 0);
	CHECK(config_set(&cfg, "user_resources", "yes") == 0);
	CHECK(profiles_set(&cfg, "small", "cpus", "2") == 0);
	CHECK(profiles_set(&cfg, "small", "server_cmd", SMALL_CMD) == 0);
	CHECK(profiles_set(&cfg, "small", "time", "01:00:00") == 0);
	CHECK(profiles_set(&cfg, "gpu", "partition", "b") == 0);
	CHECK(profiles_set(&cfg, "gpu", "gpus", "1") == 0);
	CHECK(profiles_check(&cfg) == 0);
}

/* A word sbatch takes as it is. */
static int
plain_word(const char *s)
{
	return s == NULL || profile_name_valid(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spawn_options o;
	char                 why[256], *text;
	int                  r;

	setup();
	text = strndup((const char *)data, size);
	CHECK(text != NULL);
	memset(&o, 0, sizeof(o));
	why[0] = '\0';
	r = spawn_options_parse_text(&cfg, text, &o, why, sizeof(why));
	if (r == -1) {
		CHECK(why[0] != '\0');
		CHECK(strpbrk(why, "<>\"&;`$\n") == NULL);
		CHECK(o.json == NULL && o.profile == NULL &&
		    o.server_cmd == NULL && o.partition == NULL);
	} else {
		CHECK(r == 0 && o.json != NULL && o.json[0] == '{');
		CHECK(
		    o.profile == NULL || profile_find(&cfg, o.profile) != NULL);
		CHECK(o.server_cmd == NULL ||
		    strcmp(o.server_cmd, SMALL_CMD) == 0);
		CHECK(plain_word(o.partition));
		CHECK(o.partition == NULL || strcmp(o.partition, "a") == 0 ||
		    strcmp(o.partition, "b") == 0);
		CHECK(o.cpus >= 0 && o.cpus <= 16);
		CHECK(o.gpus >= 0 && o.gpus <= 2);
		CHECK(o.mem <= (uint64_t)64000 << 20);
		CHECK(o.time_min >= 0 && o.time_min <= PROFILE_TIME_MAX);
		if (o.partition != NULL && strcmp(o.partition, "a") == 0)
			CHECK(o.cpus <= 4 && o.gpus == 0 &&
			    o.mem <= (uint64_t)2000 << 20);
	}
	spawn_options_release(&o);
	free(text);
	return 0;
}
