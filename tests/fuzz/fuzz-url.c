/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for url.c. The input is used as a percent-encoded string, a
 * form body, a Cookie header, a request target, a path to normalise and a
 * `next` value (raw and decoded, as the login page gets it). The redirect
 * check's promise is the one that matters: whatever comes back is a local
 * path, one '/' then neither '/' nor '\', with no control characters, white
 * space or backslashes. url_decode() is compared with a simple reference
 * decoder and url_encode() must round-trip; a normalised path has no dot
 * segment left in any spelling and normalises to itself.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/url/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

/* Returns the value of a hex digit, or -1. */
static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The reference decoder: writes the decoding of s[0..len) to 'out' (at
 * least len bytes) and returns its length, or -1 where url_decode() must
 * refuse (a short or non-hex escape, a NUL in or out).
 */
static long
ref_decode(const char *s, size_t len, int plus, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || hi * 16 + lo == 0)
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		else if (c == '\0')
			return -1;
		out[o++] = (char)c;
	}
	return (long)o;
}

/* Checks url_decode() on s[0..len) against the reference. */
static void
check_decode(const char *s, size_t len, int plus)
{
	char *got, *want;
	long  n;

	want = malloc(len + 1);
	CHECK(want != NULL);
	n = ref_decode(s, len, plus, want);
	got = url_decode(s, len, plus);
	if (n < 0)
		CHECK(got == NULL);
	else {
		CHECK(got != NULL);
		CHECK(strlen(got) == (size_t)n);
		CHECK(memcmp(got, want, (size_t)n) == 0);
	}
	free(got);
	free(want);
}

/* Checks the promise of next_sanitize() for 'next'. */
static void
check_next(const char *next)
{
	char *r = next_sanitize(next);

	if (r == NULL)
		return;
	/* Nothing is repaired: a safe value comes back unchanged. */
	CHECK(strcmp(r, next) == 0);
	CHECK(r[0] == '/');
	CHECK(r[1] != '/' && r[1] != '\\');
	CHECK(strlen(r) <= 2048);
	for (const unsigned char *p = (const unsigned char *)r; *p; p++) {
		CHECK(*p > 0x20 && *p != 0x7f);
		CHECK(*p != '\\');
	}
	CHECK(strncmp(r, "/%2f", 4) != 0 && strncmp(r, "/%2F", 4) != 0);
	CHECK(strncmp(r, "/%5c", 4) != 0 && strncmp(r, "/%5C", 4) != 0);
	free(r);
}

/* Checks form_get() for 'name': absent, or at most as long as the form. */
static void
check_form(const char *form, size_t len, const char *name)
{
	char *v = form_get(form, len, name);

	if (v == NULL)
		return;
	CHECK(strlen(v) <= len);
	check_next(v);
	free(v);
}

/* Checks cookie_get() for 'name': absent, or a piece of the header. */
static void
check_cookie(const char *h, size_t len, const char *name)
{
	char  *v = cookie_get(h, len, name);
	size_t n;

	if (v == NULL)
		return;
	n = strlen(v);
	CHECK(n <= len);
	CHECK(n == 0 || memmem(h, len, v, n) != NULL);
	CHECK(strchr(v, ';') == NULL);
	free(v);
}

/* Checks url_encode() on the C string 's': safe characters, round trip. */
static void
check_encode(const char *s, int keep_slash)
{
	char *e = url_encode(s, keep_slash), *d;

	CHECK(e != NULL);
	CHECK(strlen(e) <= 3 * strlen(s));
	for (const char *p = e; *p; p++)
		CHECK(strchr(
		          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		          "0123456789-._~%",
		          *p) != NULL ||
		    (keep_slash && *p == '/'));
	d = url_decode(e, strlen(e), 1);
	CHECK(d != NULL);
	CHECK(strcmp(d, s) == 0);
	free(d);
	free(e);
}

/* Checks that target_split() gives back the pieces of t[0..len). */
static void
check_split(const char *t, size_t len)
{
	char       *path, *query;
	const char *q;

	target_split(t, len, &path, &query);
	q = memchr(t, '?', len);
	if (memchr(t, '\0', len) == NULL) {
		if (q == NULL) {
			CHECK(strlen(path) == len);
			CHECK(memcmp(path, t, len) == 0);
			CHECK(query[0] == '\0');
		} else {
			size_t pl = (size_t)(q - t);

			CHECK(strlen(path) == pl);
			CHECK(memcmp(path, t, pl) == 0);
			CHECK(strlen(query) == len - pl - 1);
			CHECK(memcmp(query, q + 1, len - pl - 1) == 0);
		}
	}
	CHECK(strchr(path, '?') == NULL);
	free(path);
	free(query);
}

/* Whether seg[0..n) reads as "." or ".." once %2e is a dot. */
static int
is_dots(const char *seg, size_t n)
{
	char   buf[8];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (o == sizeof(buf))
			return 0;
		if (seg[i] == '%' && i + 2 < n && seg[i + 1] == '2' &&
		    (seg[i + 2] == 'e' || seg[i + 2] == 'E')) {
			buf[o++] = '.';
			i += 2;
		} else
			buf[o++] = seg[i];
	}
	return (o == 1 && buf[0] == '.') ||
	    (o == 2 && buf[0] == '.' && buf[1] == '.');
}

/*
 * Checks url_path_normalize() on a path: what it gives back for a path
 * starting with '/' starts with '/', has no empty segment but a last one,
 * no dot segment in any spelling and no %00, is no longer than the input
 * plus one, and is its own normalisation.
 */
static void
check_normalize(const char *p, size_t len)
{
	char *n = url_path_normalize(p, len), *again;

	if (len == 0 || p[0] != '/' || memchr(p, '\0', len) != NULL) {
		free(n);
		return;
	}
	if (n == NULL)
		return;
	CHECK(n[0] == '/');
	CHECK(strlen(n) <= len + 1);
	CHECK(strstr(n, "//") == NULL);
	CHECK(strstr(n, "%00") == NULL);
	for (const char *s = n + 1; *s != '\0';) {
		size_t l = strcspn(s, "/");

		CHECK(!is_dots(s, l));
		s += l;
		if (*s == '/')
			s++;
	}
	again = url_path_normalize(n, strlen(n));
	CHECK(again != NULL && strcmp(again, n) == 0);
	free(again);
	free(n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char  *d, *s, *dec;
	char   name[16];
	size_t nlen = 0;

	/* An exact-size copy for the counted functions, so ASan sees any
	 * read past the end, and a C string of the same bytes. */
	d = calloc(1, size ? size : 1);
	s = malloc(size + 1);
	if (d == NULL || s == NULL) {
		free(d);
		free(s);
		return 0;
	}
	if (size > 0)
		memcpy(d, data, size);
	memcpy(s, d, size);
	s[size] = '\0';

	check_decode(d, size, 0);
	check_decode(d, size, 1);
	check_encode(s, 0);
	check_encode(s, 1);

	/* A name from the input's first bytes up to '=', as well as the
	 * names the hub asks for. */
	while (nlen < size && nlen < sizeof(name) - 1 && d[nlen] != '=' &&
	    d[nlen] != '\0')
		nlen++;
	memcpy(name, d, nlen);
	name[nlen] = '\0';
	check_form(d, size, "next");
	check_form(d, size, "user");
	check_form(d, size, "");
	check_form(d, size, name);
	check_cookie(d, size, "rig-session");
	check_cookie(d, size, "_xsrf");
	check_cookie(d, size, name);
	check_split(d, size);
	check_normalize(d, size);

	check_next(s);
	dec = url_decode(d, size, 1);
	if (dec != NULL) {
		check_next(dec);
		free(dec);
	}
	free(d);
	free(s);
	return 0;
}
