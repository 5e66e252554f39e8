/* SPDX-License-Identifier: MIT */
/*
 * The pool's partitions as slurm.conf has them (rig up writes it from
 * rig.conf's [partition NAME]s): what the largest node of each offers,
 * so that a user's request for a job's resources is checked against
 * what the pool has before anything is submitted. Text in, numbers out.
 */
#ifndef SLURM_PARTS_H
#define SLURM_PARTS_H

#include <stddef.h>
#include <stdint.h>

#define SLURM_CONF_DEFAULT "/etc/slurm/slurm.conf"
#define SLURM_PARTS_MAX 256 /* partitions read at most */
#define SLURM_CONF_MAX (1 << 20) /* bytes of slurm.conf read at most */

struct slurm_part {
	char     name[65];
	int      is_default; /* Default=YES */
	int      cpus; /* the most CPUs a node of it has */
	uint64_t mem_mb; /* the most RealMemory a node of it has */
	int      gpus; /* the most GPUs (Gres=gpu:...) a node of it has */
	int      max_time_min; /* MaxTime; 0: none (INFINITE) */
};

/*
 * The partitions of slurm.conf's text (NodeName and PartitionName lines;
 * comments, other lines and node names it does not know are skipped).
 * Caller frees *parts. 0, or -1 if there are more than SLURM_PARTS_MAX.
 */
int slurm_parts_parse(const char *text, struct slurm_part **parts, size_t *n);

/* The same from the file $SLURM_CONF, else SLURM_CONF_DEFAULT; -1 if
 * it cannot be read (errno set), and *path says which file it was. */
int slurm_parts_read(struct slurm_part **parts, size_t *n, const char **path);

/* The partition 'name' in parts, or with NULL the default one (the one
 * with Default=YES, else the first); NULL if none. */
const struct slurm_part *slurm_part_find(const struct slurm_part *parts,
    size_t n, const char *name);

#endif
