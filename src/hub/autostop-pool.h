/* SPDX-License-Identifier: MIT */
/*
 * The idle stop of a pool's head (autostop.c, spawner slurm): the head
 * is in use while Slurm runs jobs or keeps nodes powered up, whatever
 * its own CPU does, since stopping it stops slurmctld under them.
 */
#ifndef AUTOSTOP_POOL_H
#define AUTOSTOP_POOL_H

#include <stddef.h>

#define AUTOSTOP_SCONTROL "/usr/bin/scontrol"

/*
 * Asks Slurm (blocking: the thread pool's): *jobs, the nodes running
 * jobs (CPUs allocated), and *nodes powered up (State=CLOUD nodes not
 * POWERED_DOWN: one powering up or down costs already or still). -1 if
 * Slurm did not answer.
 */
int autostop_pool_sample(int *jobs, int *nodes);

/* scontrol -o show nodes: nodes with CPUAlloc above 0 (running jobs). */
int autostop_pool_count_busy(const char *scontrol_out);

/* scontrol -o show nodes: CLOUD nodes without POWERED_DOWN. */
int autostop_pool_count_nodes(const char *scontrol_out);

/* 1 (busy, 'why' says so) if jobs or nodes are in use; -1 for "Slurm
 * did not answer" counts as busy too (a stop could kill running jobs);
 * 0 otherwise, 'why' untouched. */
int autostop_pool_judge(int jobs, int nodes, char *why, size_t len);

#endif
