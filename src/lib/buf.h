/* SPDX-License-Identifier: MIT */
/*
 * Growable bytes with a ceiling: all peer input lands in one of these.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char  *data; /* NUL-terminated when non-NULL, may contain NULs */
	size_t len;
	size_t cap;
	size_t max; /* buf_add() fails past this */
	int    secret; /* wiped whenever it lets go of bytes (buf_secret()) */
};

void buf_init(struct buf *, size_t max); /* allocates nothing */
/* From now on, what it lets go of (grown, consumed, reset, released) is
 * wiped first: for output that holds keys. buf_detach() hands the bytes
 * over as they are. */
void buf_secret(struct buf *);
int  buf_add(struct buf *, const void *, size_t); /* -1 over max */
int  buf_adds(struct buf *, const char *); /* -1 over max */
int  buf_addf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3))); /* -1 over max */
void        buf_consume(struct buf *, size_t); /* drops bytes from the front */
void        buf_reset(struct buf *); /* len = 0, keeps memory */
void        buf_release(struct buf *); /* buf_init() again to reuse */
char       *buf_detach(struct buf *, size_t *); /* caller frees result */
const char *buf_str(const struct buf *); /* "" when empty */

#endif
