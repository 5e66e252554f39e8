/* SPDX-License-Identifier: MIT */
/*
 * /hub/metrics in Prometheus' text format, for admins (cookie or token).
 */
#ifndef METRICS_H
#define METRICS_H

struct req;

void metrics_respond(struct req *);

#endif
