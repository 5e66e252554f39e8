/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the escapers between outside text and where it lands:
 * html_escape() (user names, notes and messages in the hub's pages),
 * sh_quote() (paths and names in the scripts rig runs over ssh) and
 * term_clean() (a remote machine's output on the user's terminal).
 * Promises checked: escaped HTML has no character that could open a tag,
 * attribute or entity, and unescapes to the input; a shell-quoted word
 * is one word that a POSIX shell reads back as the input; a cleaned text
 * has no control character but newline and tab (C0, DEL, or C1 in UTF-8)
 * and only those bytes changed.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/escape/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/html.h"
#include "machine/remote.h"
#include "machine/termsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

static const struct {
	const char *ent;
	char        c;
} entities[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	{ "&quot;", '"' }, { "&#39;", '\'' } };

static void
check_html(const char *s)
{
	char  *e = html_escape(s), *back;
	size_t o = 0;

	CHECK(e != NULL);
	CHECK(strpbrk(e, "<>\"'") == NULL);
	back = malloc(strlen(e) + 1);
	CHECK(back != NULL);
	for (const char *p = e; *p != '\0';) {
		if (*p == '&') {
			size_t i;

			for (i = 0; i < sizeof(entities) / sizeof(entities[0]);
			     i++)
				if (strncmp(p, entities[i].ent,
				        strlen(entities[i].ent)) == 0)
					break;
			/* Every '&' starts one of ours. */
			CHECK(i < sizeof(entities) / sizeof(entities[0]));
			back[o++] = entities[i].c;
			p += strlen(entities[i].ent);
		} else
			back[o++] = *p++;
	}
	back[o] = '\0';
	CHECK(strcmp(back, s) == 0);
	free(back);
	free(e);
}

/*
 * Reads 'q' as a POSIX shell reads one word made of unquoted characters,
 * '...' strings and backslash escapes; NULL if it is not exactly one such
 * word or would expand (an unquoted $, `, glob or separator).
 */
static char *
sh_unquote(const char *q)
{
	char  *out = malloc(strlen(q) + 1);
	size_t o = 0;

	CHECK(out != NULL);
	if (*q == '\0') {
		free(out);
		return NULL;
	}
	while (*q != '\0') {
		if (*q == '\'') {
			const char *end = strchr(q + 1, '\'');

			if (end == NULL)
				goto bad;
			memcpy(out + o, q + 1, (size_t)(end - q - 1));
			o += (size_t)(end - q - 1);
			q = end + 1;
		} else if (*q == '\\' && q[1] != '\0' && q[1] != '\n') {
			out[o++] = q[1];
			q += 2;
		} else if (strchr(" \t\n;&|<>()$`\"*?[]#~{}!\\", *q) != NULL) {
			goto bad;
		} else
			out[o++] = *q++;
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static void
check_sh(const char *s)
{
	char *q = sh_quote(s), *back;

	CHECK(q != NULL);
	back = sh_unquote(q);
	if (back == NULL || strcmp(back, s) != 0)
		dprintf(2, "'%s' quoted as [%s] reads as [%s]\n", s, q,
		    back != NULL ? back : "(not one word)");
	CHECK(back != NULL && strcmp(back, s) == 0);
	/* A leading '~' would be a tilde expansion: never bare. */
	CHECK(q[0] != '~');
	free(back);
	free(q);
}

static void
check_term(const uint8_t *data, size_t size)
{
	unsigned char *t = malloc(size ? size : 1);

	CHECK(t != NULL);
	memcpy(t, data, size);
	term_clean((char *)t, size);
	for (size_t i = 0; i < size; i++) {
		if (t[i] == '\n' || t[i] == '\t')
			continue;
		CHECK(t[i] >= 0x20 && t[i] != 0x7f);
		CHECK(!(t[i] == 0xc2 && i + 1 < size && t[i + 1] >= 0x80 &&
		    t[i + 1] <= 0x9f));
		/* What was not a control character is kept. */
		if (t[i] != '?')
			CHECK(t[i] == data[i]);
	}
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);

	CHECK(s != NULL);
	check_html(s);
	check_sh(s);
	check_term(data, size);
	free(s);
	return 0;
}
