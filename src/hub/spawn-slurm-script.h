/* SPDX-License-Identifier: MIT */
/*
 * The job script of a user's server as a Slurm job (spawn-slurm.c):
 * fixed text, given to sbatch on its standard input.
 */
#ifndef SPAWN_SLURM_SCRIPT_H
#define SPAWN_SLURM_SCRIPT_H

extern const char slurm_job_script[];

#endif
