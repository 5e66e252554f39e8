/* SPDX-License-Identifier: MIT */
/*
 * A small HTTP client for the hub's own questions to user servers: "are you
 * up?" (GET api) and "when were you last used?" (GET api/status). One
 * request per connection, to where the spawner says the server listens
 * (server_address()), bounded in size and time.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>

#include <uv.h>

#include "endpoint.h"

#define PROBE_MAX_BODY (256 * 1024)

/* 'status' is the HTTP status, or -1 if the server could not be reached or
 * answered nothing valid in time; 'body' is NUL-terminated. */
typedef void (*probe_cb)(void *arg, int status, const char *body, size_t len);

/* GET PATH from 'to' (TCP or a Unix socket) with "Authorization: token
 * TOKEN". Calls 'cb' exactly once, later, from the loop. */
void probe_get(uv_loop_t *, const struct endpoint *to, const char *path,
    const char *token, unsigned timeout_ms, probe_cb cb, void *arg);

#endif
