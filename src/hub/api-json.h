/* SPDX-License-Identifier: MIT */
/*
 * What the API's handlers (api.c, api-servers.c) share in reading and
 * writing JSON: below both.
 */
#ifndef API_JSON_H
#define API_JSON_H

#include <stdint.h>

#include <jansson.h>

struct req;

/* An ISO 8601 time, or null for 0. */
json_t *api_iso_json(int64_t);
/* The request body as a JSON object ({} if empty), or NULL after
 * answering 400. */
json_t *api_body_object(struct req *);

#endif
