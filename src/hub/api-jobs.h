/* SPDX-License-Identifier: MIT */
/*
 * The API's batch jobs: /hub/api/users/NAME/jobs[/ID[/output]] (routes.c
 * checks the scopes first: read:servers to read, servers to cancel,
 * access:servers for a job's output, each on NAME). NAME is
 * req->arg[0], ID req->arg[1].
 */
#ifndef API_JOBS_H
#define API_JOBS_H

struct req;

void api_jobs(struct req *); /* GET .../jobs: a JSON list */
void api_job(struct req *); /* GET .../jobs/ID */
void api_job_cancel(struct req *); /* DELETE .../jobs/ID */
void api_job_output(struct req *); /* GET .../jobs/ID/output?offset=N */

#endif
