/* SPDX-License-Identifier: MIT */
/*
 * What the page files (page-*.c) share, in page-common.c. Not for other
 * modules: they reach the pages through pages.h's handlers.
 */
#ifndef PAGES_INTERNAL_H
#define PAGES_INTERNAL_H

#include <stdint.h>

#include "lib/buf.h"

struct db_user;
struct req;

/* "; Secure" for a cookie when the hub speaks TLS, else "". */
const char *page_secure_attr(const struct req *);
/* Answers with the HTML 'page' (released) and extra 'headers' (or NULL). */
void page_respond(struct req *, int status, struct buf *page,
    const char *headers);
/* A form field of the body, or a query argument; caller frees result
 * (NULL if absent). */
char *page_field(const struct req *, const char *name);
char *page_query(const struct req *, const char *name);
/* The session's _xsrf as a hidden input. */
void page_hidden_xsrf(struct buf *, const struct req *);
/* A POST form to 'action' with one button 'label' (class 'cls' if not
 * NULL) and a hidden 'next' if not NULL. */
void page_button_form(struct buf *, const struct req *, const char *action,
    const char *label, const char *cls, const char *next);
/* A time (seconds since the epoch) as text; "never" for 0. */
void page_time(struct buf *, int64_t t);
/*
 * The user a /hub/x/NAME path names: the requester if NAME is empty or
 * NULL, else NAME (the route let only its owner or an admin in). Returns 0
 * and fills *u, or responds and returns -1.
 */
int page_target_user(struct req *, const char *name, struct db_user *u);

#endif
