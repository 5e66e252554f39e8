/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 message parsing: bytes in, a parsed head or body framing out, no
 * I/O. The proxy forwards raw bytes and uses this only to find where each
 * message ends, so bodies are never copied or re-encoded; the hub's own
 * endpoints use the decoded body. Strict on purpose (RFC 9112): a message
 * that a back end could read differently from us (two lengths, a bare CR,
 * a space before a colon) is refused rather than guessed at.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HTTP_MAX_HEAD (64 * 1024) /* request or response line + headers */
#define HTTP_MAX_HEADERS 128
#define HTTP_MAX_TARGET (16 * 1024)
#define HTTP_MAX_TRAILER (8 * 1024)

enum http_error {
	HTTP_EINCOMPLETE = 0,
	HTTP_EBAD = -1, /* malformed: 400 */
	HTTP_ETOOLARGE = -2, /* head over HTTP_MAX_HEAD: 431 */
	HTTP_ETOOMANY = -3, /* over HTTP_MAX_HEADERS: 431 */
	HTTP_ETARGET = -4, /* target over HTTP_MAX_TARGET: 414 */
	HTTP_EVERSION = -5, /* not HTTP/1.x: 505 */
	HTTP_EFRAMING = -6, /* conflicting or invalid length/encoding: 400 */
};

struct http_header {
	const char *name; /* points into the parsed bytes, not terminated */
	size_t      name_len;
	const char *value; /* leading and trailing white space trimmed */
	size_t      value_len;
};

enum http_body_kind {
	BODY_NONE,
	BODY_LENGTH,
	BODY_CHUNKED,
	BODY_UNTIL_CLOSE, /* responses only */
};

struct http_head {
	/* Request line, or status line. */
	const char *method; /* requests */
	size_t      method_len;
	const char *target;
	size_t      target_len;
	int         status; /* responses */
	int         minor; /* HTTP/1.<minor> */

	struct http_header hdr[HTTP_MAX_HEADERS];
	size_t             nhdr;

	/* Derived from the headers. */
	enum http_body_kind body;
	uint64_t            length; /* BODY_LENGTH */
	int                 keep_alive;
	int                 upgrade; /* "Connection: upgrade" + "Upgrade" */
	int                 expect_continue;
};

/*
 * Parses a request head at the start of data[0..len). Returns the head's
 * length in bytes when it is complete, 0 if more bytes are needed, or an
 * enum http_error. The head's pointers point into 'data'.
 */
int http_parse_request(const char *data, size_t len, struct http_head *);

/*
 * Parses a response head the same way. 'req_method' is the request's method
 * ("HEAD" responses and 1xx/204/304 have no body).
 */
int http_parse_response(const char *data, size_t len, struct http_head *,
    const char *req_method, size_t req_method_len);

/* Moves the head's pointers from the bytes at 'from' to a copy at 'to'. */
void http_head_rebase(struct http_head *, const char *from, const char *to);

/* The first header called 'name' (case-insensitive), its value and length
 * in *len; NULL if absent. */
const char *http_header(const struct http_head *, const char *name,
    size_t *len);
/* Whether a comma-separated header list contains 'token' (ci). */
int http_header_has_token(const struct http_head *, const char *name,
    const char *token);
/* Whether the method is 'm' (exact, case-sensitive as RFC 9110 says). */
int http_method_is(const struct http_head *, const char *m);

/*
 * Body framing. http_body_feed() consumes bytes of the body at the start of
 * data[0..len): returns how many belong to the body (the rest is the next
 * message), sets *done when the body ended, and hands the decoded payload to
 * 'cb' (if not NULL). Returns -1 on malformed chunked framing.
 */
struct http_body {
	enum http_body_kind kind;
	uint64_t            remaining; /* of the length, or of this chunk */
	int                 state; /* chunked parser state */
	size_t              line; /* bytes in the current size/trailer line */
	int                 digits;
};

typedef void (*http_data_cb)(void *arg, const char *data, size_t len);

void    http_body_init(struct http_body *, const struct http_head *);
ssize_t http_body_feed(struct http_body *, const char *data, size_t len,
    int *done, http_data_cb cb, void *arg);

/* Reason phrase for a status code ("Not Found"). */
const char *http_reason(int status);

#endif
