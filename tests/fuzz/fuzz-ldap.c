/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for what authenticator = ldap does with outside text: a
 * login name escaped into a DN (RFC 4514) and into a filter (RFC 4515),
 * the settings' URL and templates, and the hub's reading of rig
 * ldap-auth's answer. Promises checked: an escaped DN value has no
 * special character that is not behind a backslash, an escaped filter
 * value has no '*', '(' or ')' and only \XX escapes, both unescape to the
 * input; the other readers never crash and a parsed answer is complete.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/ldap/.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/ldap-escape.h"
#include "hub/ldap-login.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

/* The value an escaped string stands for: "\XX" a byte, "\c" the
 * character c ('filter': only \XX is allowed). Caller frees. */
static char *
unescape(const char *s, int filter)
{
	char  *out = malloc(strlen(s) + 1);
	size_t n = 0;

	CHECK(out != NULL);
	while (*s != '\0') {
		if (*s != '\\') {
			out[n++] = *s++;
			continue;
		}
		if (isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], '\0' };

			out[n++] = (char)strtol(hex, NULL, 16);
			s += 3;
			continue;
		}
		CHECK(!filter);
		CHECK(s[1] != '\0');
		out[n++] = s[1];
		s += 2;
	}
	out[n] = '\0';
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authldap_account a;
	char                   *v, *e, *u;
	int                     tls;

	v = malloc(size + 1);
	if (v == NULL)
		return 0;
	memcpy(v, data, size);
	v[size] = '\0';

	e = ldapesc_dn_value(v);
	for (size_t i = 0; e[i] != '\0'; i++) {
		if (e[i] == '\\') {
			CHECK(e[i + 1] != '\0');
			i++;
			if (isxdigit((unsigned char)e[i]) &&
			    isxdigit((unsigned char)e[i + 1]))
				i++;
			continue;
		}
		CHECK(strchr("\"+,;<>=", e[i]) == NULL);
		CHECK((unsigned char)e[i] >= 0x20 && e[i] != 0x7f);
	}
	u = unescape(e, 0);
	CHECK(strcmp(u, v) == 0);
	free(u);
	free(e);

	e = ldapesc_filter_value(v);
	CHECK(strpbrk(e, "*()") == NULL);
	u = unescape(e, 1);
	CHECK(strcmp(u, v) == 0);
	free(u);
	free(e);

	e = ldapesc_template(v, "a,b=c");
	free(e);
	(void)ldapesc_template_error(v);
	(void)ldapesc_url_error(v, &tls);
	{
		const char *p = v;

		while ((e = ldapesc_list_next(&p)) != NULL) {
			CHECK(
			    *e != '\0' && strchr(e, LDAPESC_LIST_SEP) == NULL);
			free(e);
		}
	}
	if (ldaplogin_parse(v, &a) == 0) {
		CHECK(a.allowed == 0 || a.allowed == 1);
		CHECK(a.admin >= -1 && a.admin <= 1);
		CHECK(strlen(a.home) < sizeof(a.home));
	}
	free(v);
	return 0;
}
