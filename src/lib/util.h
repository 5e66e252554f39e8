/* SPDX-License-Identifier: MIT */
/*
 * Small helpers every module uses: allocation that cannot fail (fatal on
 * out-of-memory, as tmux and git do), random secrets, time, string checks.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr)-offsetof(type, member)))
#define nitems(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
/* Formats into a new string (xvasprintf: from a va_list); caller frees
 * result. */
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/* Fills 'buf' with 'len' bytes from the kernel's CSPRNG; fatal on failure. */
void random_bytes(void *buf, size_t len);
/* Writes 2*len lower-case hex digits and a NUL into 'out'. */
void hex_encode(const void *in, size_t len, char *out);
/* The value of the hex digit 'c' (either case), or -1 if it is not one. */
int hex_value(char c);
/* A new random secret of 'nbytes' bytes as hex; caller frees result. */
char *random_hex(size_t nbytes);
/* Wipes then frees; for secrets. free_secret(NULL) does nothing. */
void free_secret(char *);

/* Seconds since the epoch. */
int64_t now_sec(void);
/* Monotonic milliseconds. */
uint64_t now_ms(void);
/* ISO 8601 UTC ("2026-11-25T12:00:00.000000Z", JupyterHub's shape) into
 * 'out' of at least 32 bytes; 0 gives JSON null's text "null" unquoted. */
void iso_time(int64_t t, char *out, size_t outlen);
/* Parses an ISO 8601 UTC time as Jupyter writes it; -1 if malformed. */
int64_t iso_parse(const char *);

/* Parses a whole decimal integer in [min, max]; -1 on any error. */
int parse_int(const char *s, long long min, long long max, long long *out);
/* Constant-time comparison of two NUL-terminated strings. */
int secret_equal(const char *a, const char *b);
/* Whether 'name' is a valid rig username (see username_error()). */
int username_valid(const char *name);
/* Why 'name' is not a valid username, or NULL if it is. */
const char *username_error(const char *name);
/* Whether 'name' may be a Unix group's: letters, digits, '_', '.' and
 * '-', not '-' or '.' first, at most 32 characters. */
int group_name_valid(const char *name);

/*
 * Quotes outside text for a message or a listing: at most QUOTED_SHOWN
 * bytes of it, control and non-ASCII bytes (tabs and newlines too, which
 * would break a list's columns) and quotes as \xNN, "..." if cut, so a
 * hostile name cannot drive the terminal. 'out' holds QUOTED_SIZE bytes.
 */
#define QUOTED_SHOWN 64
#define QUOTED_SIZE (QUOTED_SHOWN * 4 + 4)
void quote_for_terminal(const char *text, char *out, size_t outlen);

/*
 * Whether 'host' is loopback: exactly "localhost" (any case), or an
 * address that parses as a whole (inet_pton) into 127.0.0.0/8 or ::1. A
 * name that merely starts with "127." is not: anyone's DNS may answer for
 * "127.evil.test". The one rule for every such check in rig.
 */
int host_is_loopback(const char *host);

/* A TCP port on 127.0.0.1 that nothing listens on now (the kernel's
 * pick, let go again); -1 on error. Another program may take it before
 * the caller's child binds it: callers report that as a failed start. */
int free_loopback_port(void);
/* The same, but none that 'taken' says is the caller's already (ports
 * it handed out whose programs have not bound them yet: the kernel may
 * pick such a port again, since nothing holds it). At most 'tries' picks;
 * -1 if all of them were taken or on error. */
int free_loopback_port_except(int (*taken)(int port, void *arg), void *arg,
    int tries);
/* Whether a TCP connection to host:port opens within 'timeout_ms'. */
int tcp_answers(const char *host, int port, int timeout_ms);

/* Writes all of 'len' bytes to 'path' atomically (temp file + rename) with
 * 'mode'; -1 with errno set on failure. */
int write_file_atomic(const char *path, const void *data, size_t len, int mode);
/* Reads a whole file of at most 'max' bytes; caller frees result. NULL on
 * error with errno set. */
char *read_file(const char *path, size_t max, size_t *lenp);
/* mkdir -p with 'mode' for each created directory; -1 on error. */
int mkdir_p(const char *path, int mode);
/* rm -rf 'path': a file, or a folder and all below it, symbolic links
 * removed and never followed; what cannot be removed stays, unsaid. */
void remove_tree(const char *path);

#include "banned.h"
#endif
