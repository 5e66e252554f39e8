/* SPDX-License-Identifier: MIT */
/*
 * Responses from the hub itself: whole bodies, redirects, errors (HTML for
 * pages, JSON under /hub/api/), and chunked streams for server-sent events.
 * Each whole response ends the request (req_answered); a request whose
 * client has gone is simply finished.
 */
#ifndef RESPOND_H
#define RESPOND_H

#include <stddef.h>

#include <jansson.h>

struct req;

/* 'headers' are extra lines, each ending in "\r\n", or NULL. */
void respond(struct req *, int status, const char *ctype, const char *headers,
    const void *body, size_t len);
/* Sends 'json' (the reference is stolen). */
void respond_json(struct req *, int status, json_t *json);
void respond_redirect(struct req *, const char *location, const char *headers);
/* An error: JSON {"status": N, "message": msg} under /hub/api/ or for
 * clients that do not ask for HTML, else a small HTML page. */
void respond_error(struct req *, int status, const char *msg);

void respond_stream_start(struct req *, int status, const char *ctype,
    const char *headers);
int  respond_stream_write(struct req *, const void *, size_t);
void respond_stream_end(struct req *);

/* Whether the client wants HTML (a browser navigation). */
int req_wants_html(const struct req *);

#endif
