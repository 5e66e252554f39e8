/* SPDX-License-Identifier: MIT */
/*
 * A Slurm job says where its server listens, at once, to the hub's API
 * (batchspawner's way), instead of only through its comment, which the
 * hub reads by polling squeue (spawn-slurm-watch.c).
 */
#ifndef SPAWN_SLURM_REPORT_H
#define SPAWN_SLURM_REPORT_H

#include <stddef.h>

struct req;

/* What the job signs (HMAC-SHA256 keyed by the server's secret):
 * "rig-slurm-port JOB PORT". */
#define SLURM_REPORT_WHAT "rig-slurm-port"
/* Where, under the API: /hub/api/users/NAME/slurm-port. */
#define SLURM_REPORT_PATH "/slurm-port"

/* POST /hub/api/users/NAME/slurm-port {"job": ID, "port": P, "proof":
 * HEX}: 204 if NAME's server waits on job ID and the proof is the HMAC
 * of that job and port by its secret; else 403 (no such start, or a proof
 * that does not match: one answer), 409 (a true proof, but the server
 * does not wait on that job for a port), 400 (not that body). */
void slurm_report_port(struct req *);

/* The report's proof for 'job' and 'port' by 'secret', as lowercase hex
 * into 'out' (65 bytes). */
void slurm_report_proof(const char *secret, long long job, int port, char *out,
    size_t len);

#endif
