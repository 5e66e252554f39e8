/* SPDX-License-Identifier: MIT */
/*
 * Slurm's hostlist expressions ("n[1-3,05],gpu1"), as slurmctld gives
 * its power programs, expanded here rather than by asking scontrol: rig
 * pool power checks every name before anything else runs.
 */
#ifndef HOSTLIST_H
#define HOSTLIST_H

#include <stddef.h>

#define HOSTLIST_MAX 1024 /* names in one expression */

/*
 * Expands 'expr' (comma-separated items, each NAME or PREFIX[RANGES]
 * SUFFIX, RANGES comma-separated N or N-M, leading zeros kept) into
 * *names (*n of them; caller frees each and the array). Every name must
 * be a Slurm node name rig writes (slurmconf_node_name_ok()) and none
 * may hold "..". -1 with 'why' otherwise.
 */
int hostlist_expand(const char *expr, char ***names, size_t *n, char *why,
    size_t len);

void hostlist_free(char **names, size_t n);

#endif
