/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for what rig reads from Azure and its tools: the az CLI's
 * token JSON, OAuth token answers (AAD, IMDS), ARM error bodies, and
 * endpoint URLs (the https rule). Promises checked: a parsed token is
 * non-empty, bounded and has no byte that could break a header line; an
 * error line is always terminated within its buffer; an http URL that
 * passes the rule has no user name and names a loopback host.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/azure/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "azure/arm.h"
#include "azure/azure-auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

static void
check_token(const char *t)
{
	size_t n = strlen(t);

	CHECK(n > 0 && n <= 16384);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)t[i] > ' ' && t[i] != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char   *s, *tok = NULL, out[64], why[256];
	int64_t exp;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (azure_parse_cli_token(s, &tok, &exp) == 0) {
		check_token(tok);
		free(tok);
		tok = NULL;
	}
	if (azure_parse_oauth_token(s, 1000, &tok, &exp) == 0) {
		check_token(tok);
		free(tok);
	}
	memset(out, 'x', sizeof(out));
	arm_error_message(500, s, out, sizeof(out));
	CHECK(memchr(out, '\0', sizeof(out)) != NULL);
	if (arm_url_allowed(s, why, sizeof(why)) == 0 &&
	    strncasecmp(s, "http://", 7) == 0) {
		const char *a = s + 7;
		size_t      n = strcspn(a, "/?#");

		CHECK(memchr(a, '@', n) == NULL);
		CHECK(strncmp(a, "127.", 4) == 0 ||
		    strncasecmp(a, "localhost", 9) == 0 ||
		    strncmp(a, "[", 1) == 0);
	}
	free(s);
	return 0;
}
