/* SPDX-License-Identifier: MIT */
/*
 * /hub/metrics in Prometheus' text format; routes.c lets only admins
 * (cookie or token) in.
 */
#ifndef METRICS_H
#define METRICS_H

struct req;

void metrics_respond(struct req *);

#endif
