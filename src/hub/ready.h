/* SPDX-License-Identifier: MIT */
/*
 * Readiness: a started server is probed with GET /user/NAME/api every
 * READY_PROBE_MS until it answers with anything but a 5xx (server_ready())
 * or s->deadline_ms passes (server_spawn_failed(), "did not answer").
 */
#ifndef READY_H
#define READY_H

#include <stdint.h>

struct server;

#define READY_PROBE_MS 50

/* Starts probing 'first_ms' from now; the server's timer is used. */
void ready_probe_start(struct server *, uint64_t first_ms);

#endif
