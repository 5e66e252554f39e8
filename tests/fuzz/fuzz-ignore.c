/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for what rig sync reads from a cloned project: .gitignore
 * texts (gitignore.c) and their patterns (wildmatch.c). The input is
 * PATTERN NUL PATH. Promises checked: wildmatch() agrees with the C
 * library's fnmatch() on the patterns both read the same way (no class,
 * no escape, no "**"); a pattern that escapes every character of a text
 * matches exactly that text; the input as a .gitignore, in the root and
 * in a folder, gives rsync rules that are each "+ " or "- " and a
 * pattern; and matching ends (libFuzzer's -timeout catches a pattern
 * that takes exponential time).
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/ignore/.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "machine/gitignore.h"
#include "machine/wildmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

/* Whether fnmatch() reads 'p' as wildmatch() does. */
static int
plain_glob(const char *p)
{
	return strpbrk(p, "[\\") == NULL && strstr(p, "**") == NULL;
}

static void
check_wildmatch(const char *p, const char *t)
{
	char  *esc;
	size_t n = strlen(t), o = 0;

	for (int flags = 0; flags <= WM_PATHNAME; flags += WM_PATHNAME) {
		int r = wildmatch(p, t, flags);

		CHECK(r == 0 || r == 1 || r == -1);
		if (plain_glob(p)) {
			int f = fnmatch(p, t, flags ? FNM_PATHNAME : 0);

			if ((r == 0) != (f == 0))
				dprintf(2,
				    "pattern '%s' text '%s' flags %d: "
				    "wildmatch %d fnmatch %d\n",
				    p, t, flags, r, f);
			CHECK((r == 0) == (f == 0));
		}
	}
	/* Every character escaped: the text itself, and nothing else. */
	esc = malloc(2 * n + 1);
	CHECK(esc != NULL);
	for (size_t i = 0; i < n; i++) {
		esc[o++] = '\\';
		esc[o++] = t[i];
	}
	esc[o] = '\0';
	CHECK(wildmatch(esc, t, 0) == 0);
	CHECK(wildmatch(esc, t, WM_PATHNAME) == 0);
	if (n > 0 && strcmp(p, t) != 0)
		CHECK(wildmatch(esc, p, 0) != 0);
	free(esc);
}

/* Each rule "+ X" or "- X", NUL-ended, X not empty. */
static void
check_rules(const struct buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		const char *r = b->data + off;
		const char *end = memchr(r, '\0', b->len - off);

		CHECK(end != NULL);
		CHECK(end - r > 2);
		CHECK((r[0] == '+' || r[0] == '-') && r[1] == ' ');
		off += (size_t)(end - r) + 1;
	}
}

/* Whether 'p' is a path ignore_match() takes: relative, no empty part. */
static int
relative_path(const char *p)
{
	return p[0] != '\0' && p[0] != '/' && p[strlen(p) - 1] != '/' &&
	    strstr(p, "//") == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int     once;
	struct ignore *ig;
	struct buf     rules;
	char          *pat, *text;
	const char    *nul;
	size_t         plen;

	if (!once) {
		/* No global ignore file of whoever runs this. */
		setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
		once = 1;
	}
	nul = memchr(data, '\0', size);
	plen = nul != NULL ? (size_t)(nul - (const char *)data) : size;
	pat = strndup((const char *)data, plen);
	text = nul != NULL ? strndup(nul + 1, size - plen - 1) : strdup("");
	CHECK(pat != NULL && text != NULL);

	check_wildmatch(pat, text);

	/* The pattern part as a .gitignore, in the root and in "sub". */
	ig = ignore_new("/nonexistent");
	ignore_add(ig, "", (const char *)data, plen);
	ignore_add(ig, "sub", (const char *)data, plen);
	if (relative_path(text)) {
		int r = ignore_match(ig, text, 0);

		CHECK(r == 0 || r == 1);
		r = ignore_match(ig, text, 1);
		CHECK(r == 0 || r == 1);
	}
	buf_init(&rules, 1 << 22);
	(void)ignore_rsync_rules(ig, NULL, &rules);
	check_rules(&rules);
	if (relative_path(text)) {
		struct buf tr;

		buf_init(&tr, 1 << 22);
		ignore_rsync_tracked(ig, text, strlen(text) + 1, &tr);
		check_rules(&tr);
		buf_release(&tr);
	}
	buf_release(&rules);
	ignore_free(ig);
	free(pat);
	free(text);
	return 0;
}
