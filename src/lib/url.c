/* SPDX-License-Identifier: MIT */
/*
 * URL helpers. The redirect check is the one to read carefully: browsers
 * treat "//host", "/\host" and "\/host" as other sites, and strip tabs and
 * newlines before deciding, so anything that is not a plain local path is
 * refused instead of repaired (CVE-2019-10255, CVE-2026-33709 and kin).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "url.h"
#include "util.h"

static int    dot_segment(const char *s, size_t n);
static int    hides_dot_segment(const char *s, size_t n);
static int    has_separator(const char *s, size_t n);
static size_t separator_at(const char *p, const char *end);

char *
url_decode(const char *s, size_t len, int plus)
{
	char  *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			hi = hex_value(s[i + 1]);
			lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		else if (c == '\0') {
			free(out);
			return NULL;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

char *
url_encode(const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf        b;

	buf_init(&b, (size_t)-1 / 2);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL ||
		    (keep_slash && *p == '/')) {
			buf_add(&b, p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			buf_add(&b, e, 3);
		}
	}
	return buf_detach(&b, NULL);
}

char *
form_get(const char *form, size_t len, const char *name)
{
	size_t      nlen = strlen(name);
	const char *p = form, *end = form + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pe - p));
		const char *ke = eq ? eq : pe;
		char       *key = url_decode(p, (size_t)(ke - p), 1);

		if (key != NULL && strlen(key) == nlen &&
		    memcmp(key, name, nlen) == 0) {
			free(key);
			if (eq == NULL)
				return xstrdup("");
			return url_decode(eq + 1, (size_t)(pe - eq - 1), 1);
		}
		free(key);
		p = amp ? amp + 1 : end;
	}
	return NULL;
}

char *
cookie_get(const char *h, size_t len, const char *name)
{
	size_t      nlen = strlen(name);
	const char *p = h, *end = h + len;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *pe = semi ? semi : end;
		const char *eq;

		while (p < pe && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(pe - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0) {
			const char *v = eq + 1, *ve = pe;

			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
				v++;
				ve--;
			}
			return xstrndup(v, (size_t)(ve - v));
		}
		p = semi ? semi + 1 : end;
	}
	return NULL;
}

char *
next_sanitize(const char *next)
{
	if (next == NULL || next[0] != '/')
		return NULL;
	if (next[1] == '/' || next[1] == '\\')
		return NULL;
	for (const unsigned char *p = (const unsigned char *)next; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			return NULL;
	}
	/* "/%2F%2Fevil" is only a path here, but some servers decode it
	 * before redirecting: refuse encoded slashes and backslashes at the
	 * start as well. */
	if (strncasecmp(next + 1, "%2f", 3) == 0 ||
	    strncasecmp(next + 1, "%5c", 3) == 0)
		return NULL;
	if (strlen(next) > 2048)
		return NULL;
	return xstrdup(next);
}

void
target_split(const char *target, size_t len, char **path, char **query)
{
	const char *q = memchr(target, '?', len);

	if (q == NULL) {
		*path = xstrndup(target, len);
		*query = xstrdup("");
		return;
	}
	*path = xstrndup(target, (size_t)(q - target));
	*query = xstrndup(q + 1, len - (size_t)(q + 1 - target));
}

/* 1 if the segment of 'n' bytes is ".", 2 if "..", with dots written as
 * themselves or as %2e; else 0. */
static int
dot_segment(const char *s, size_t n)
{
	int dots = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] == '%' && i + 2 < n && s[i + 1] == '2' &&
		    (s[i + 2] == 'e' || s[i + 2] == 'E')) {
			dots++;
			i += 2;
		} else
			return 0;
		if (dots > 2)
			return 0;
	}
	return dots;
}

/* Whether 'p' starts a separator some server may read as '/': a raw '\',
 * or %2f or %5c; returns its length, 0 if none. */
static size_t
separator_at(const char *p, const char *end)
{
	if (*p == '\\')
		return 1;
	if (*p == '%' && end - p >= 3 &&
	    ((p[1] == '2' && (p[2] == 'f' || p[2] == 'F')) ||
	        (p[1] == '5' && (p[2] == 'c' || p[2] == 'C'))))
		return 3;
	return 0;
}

/* Whether a segment holds a separator some server may decode. */
static int
has_separator(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (separator_at(s + i, s + n) > 0)
			return 1;
	return 0;
}

/* Whether a segment, split at the separators separator_at() finds, has a
 * dot segment among its pieces ("..%2f", "%2e%2e%5c", "..\\"). */
static int
hides_dot_segment(const char *s, size_t n)
{
	const char *end = s + n, *piece = s;

	for (const char *p = s; p <= end; p++) {
		size_t sep = p < end ? separator_at(p, end) : 1;

		if (sep == 0)
			continue;
		if (dot_segment(piece, (size_t)(p - piece)) != 0)
			return 1;
		p += sep - 1;
		piece = p + 1;
	}
	return 0;
}

char *
url_path_normalize(const char *path, size_t len)
{
	char  *out;
	size_t o = 0, i = 1, nseg = 0;
	int    slash = 0; /* the path ends in '/' */

	/* Only origin-form paths are routed; the others match nothing. */
	if (len == 0 || path[0] != '/')
		return xstrndup(path, len);
	for (size_t k = 0; k + 2 < len; k++)
		if (path[k] == '%' && path[k + 1] == '0' && path[k + 2] == '0')
			return NULL;
	out = xmalloc(len + 2);
	while (i <= len) {
		const char *s = path + i, *e = memchr(s, '/', len - i);
		size_t      n = e != NULL ? (size_t)(e - s) : len - i;
		int         last = e == NULL, d;

		i += n + 1;
		/* Empty segments are merged, as nginx's merge_slashes:
		 * "/user/alice//../x" is /user/x, not /user/alice/x. */
		if (n == 0) {
			slash = slash || last;
			continue;
		}
		d = dot_segment(s, n);
		if (d == 2) {
			char *prev;

			if (o == 0)
				goto refuse; /* above the root */
			prev = memrchr(out, '/', o);
			o = (size_t)(prev - out);
			nseg--;
		}
		if (d != 0) {
			slash = 1;
			continue;
		}
		/* An encoded or backslash separator is refused where it
		 * would decide routing (the first two segments: /user/NAME)
		 * or hide a dot segment from this check. */
		if (has_separator(s, n) &&
		    (nseg < URL_ROUTING_SEGMENTS || hides_dot_segment(s, n)))
			goto refuse;
		out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
		nseg++;
		slash = 0;
	}
	if (o == 0 || slash)
		out[o++] = '/';
	out[o] = '\0';
	return out;
refuse:
	free(out);
	return NULL;
}
