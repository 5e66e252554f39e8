/* SPDX-License-Identifier: MIT */
/*
 * URL pieces the hub reads from requests: percent-decoding, query strings
 * and form bodies, cookies, and the `next` redirect target, which must only
 * ever lead to a path on this site.
 */
#ifndef URL_H
#define URL_H

#include <stddef.h>

/* Decodes %XX and, if 'plus', '+' as space. Returns a new string (caller
 * frees) or NULL if an escape is malformed or decodes to NUL. */
char *url_decode(const char *s, size_t len, int plus);

/* Percent-encodes everything but unreserved characters and, if 'keep_slash',
 * '/'. Caller frees result. */
char *url_encode(const char *s, int keep_slash);

/* The decoded value of 'name' in an application/x-www-form-urlencoded
 * string (query or body) of 'len' bytes; NULL if absent or malformed.
 * Caller frees result. */
char *form_get(const char *form, size_t len, const char *name);

/* The value of cookie 'name' in a Cookie header value (not decoded), copied
 * into a new string; NULL if absent. Caller frees result. */
char *cookie_get(const char *header, size_t len, const char *name);

/*
 * Makes 'next' safe to redirect to: a path on this site that starts with a
 * single '/' followed by neither '/' nor '\', with no scheme, no host, and no
 * control characters, whitespace or backslashes anywhere. Returns a new
 * string (caller frees), or NULL when 'next' cannot be made safe (the caller
 * then uses its default).
 */
char *next_sanitize(const char *next);

/* Splits a request target into path and query (without '?'); both new
 * strings, caller frees. The path is not decoded. */
void target_split(const char *target, size_t len, char **path, char **query);

#endif
