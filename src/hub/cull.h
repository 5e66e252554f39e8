/* SPDX-License-Identifier: MIT */
/*
 * Culling: every cull_interval seconds each ready server's activity is the
 * latest of proxied traffic, its own api/status last_activity and CPU its
 * processes used; past idle_timeout the hub asks for its kernels and stops
 * it unless one is busy.
 */
#ifndef CULL_H
#define CULL_H

struct hub;

/* Every cull_interval: stops servers idle longer than idle_timeout. */
void servers_cull(struct hub *);

#endif
