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

/* The leading segments of a path that choose where it goes: /user/NAME,
 * /services/NAME. */
#define URL_ROUTING_SEGMENTS 2

/*
 * Normalises a request path ('len' bytes, not decoded) for routing and
 * forwarding: empty segments merged, "." and ".." segments removed (RFC
 * 3986 §5.2.4), their dots also when written %2e. The rest is copied as
 * it is, still encoded. Returns a new string (caller frees), or NULL when
 * the path cannot be normalised safely: %00 anywhere, ".." above the root,
 * an encoded '/' or '\\' (%2f, %5c) or a raw '\\' in the first
 * URL_ROUTING_SEGMENTS segments or next to dots it would turn into a dot
 * segment once decoded. A path not starting with '/' is copied unchanged.
 */
char *url_path_normalize(const char *path, size_t len);

#endif
