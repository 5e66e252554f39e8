/* SPDX-License-Identifier: MIT */
/*
 * Escaping for LDAP (ldap-escape.h). Everything that is not plainly safe
 * is escaped, rather than only what the RFCs insist on: a directory
 * compares the unescaped value, so more escaping changes nothing for a
 * real name and closes any doubt for a hostile one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldap-escape.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "lib/banned.h"

static void add_hex(struct buf *, unsigned char);

/* '\XX', the two hex digits of 'c'. */
static void
add_hex(struct buf *b, unsigned char c)
{
	char x[4];

	snprintf(x, sizeof(x), "\\%02x", c);
	buf_adds(b, x);
}

char *
ldapesc_dn_value(const char *v)
{
	struct buf b;
	size_t     n = strlen(v);

	buf_init(&b, (size_t)-1 / 2);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c == 0x7f)
			add_hex(&b, c);
		else if (strchr("\"+,;<>\\=", c) != NULL ||
		    (i == 0 && (c == ' ' || c == '#')) ||
		    (i == n - 1 && c == ' ')) {
			buf_add(&b, "\\", 1);
			buf_add(&b, &v[i], 1);
		} else
			buf_add(&b, &v[i], 1);
	}
	return buf_detach(&b, NULL);
}

char *
ldapesc_filter_value(const char *v)
{
	struct buf b;

	buf_init(&b, (size_t)-1 / 2);
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if (c < 0x20 || c == 0x7f || strchr("*()\\", c) != NULL)
			add_hex(&b, c);
		else
			buf_add(&b, v, 1);
	}
	return buf_detach(&b, NULL);
}

char *
ldapesc_template(const char *t, const char *user)
{
	struct buf  b;
	char       *esc = ldapesc_dn_value(user);
	const char *at;
	size_t      k = strlen(LDAPESC_USERNAME);

	buf_init(&b, (size_t)-1 / 2);
	while ((at = strstr(t, LDAPESC_USERNAME)) != NULL) {
		buf_add(&b, t, (size_t)(at - t));
		buf_adds(&b, esc);
		t = at + k;
	}
	buf_adds(&b, t);
	free(esc);
	return buf_detach(&b, NULL);
}

char *
ldapesc_list_next(const char **p)
{
	const char *s = *p, *e;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == LDAPESC_LIST_SEP)
			s++;
		if (*s == '\0') {
			*p = s;
			return NULL;
		}
		e = strchr(s, LDAPESC_LIST_SEP);
		if (e == NULL)
			e = s + strlen(s);
		*p = e;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > s)
			return xstrndup(s, (size_t)(e - s));
		s = *p;
	}
}

const char *
ldapesc_url_error(const char *url, int *tls)
{
	const char *h;
	size_t      n;
	long long   port;

	if (strncmp(url, "ldaps://", 8) == 0) {
		*tls = 1;
		h = url + 8;
	} else if (strncmp(url, "ldap://", 7) == 0) {
		*tls = 0;
		h = url + 7;
	} else
		return "not ldaps://HOST[:PORT] or ldap://HOST[:PORT]";
	n = strcspn(h, ":/");
	if (n == 0)
		return "no host";
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '.' && h[i] != '-')
			return "the host is not a name or an IPv4 address";
	h += n;
	if (*h == ':') {
		char digits[8];

		n = strcspn(h + 1, "/");
		if (n == 0 || n >= sizeof(digits))
			return "a bad port";
		memcpy(digits, h + 1, n);
		digits[n] = '\0';
		if (parse_int(digits, 1, 65535, &port) == -1)
			return "a bad port";
		h += 1 + n;
	}
	if (*h != '\0' && strcmp(h, "/") != 0)
		return "something after the host and port (a base DN belongs "
		       "in the other settings)";
	return NULL;
}

const char *
ldapesc_template_error(const char *t)
{
	const char *at = strstr(t, LDAPESC_USERNAME);

	if (at == NULL)
		return "no {username} in it";
	for (const char *p = t; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a control character in it";
	for (const char *p = strchr(t, '{'); p != NULL; p = strchr(p + 1, '{'))
		if (strncmp(p, LDAPESC_USERNAME, strlen(LDAPESC_USERNAME)) != 0)
			return "a '{' that is not {username}";
	return NULL;
}
