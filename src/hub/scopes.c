/* SPDX-License-Identifier: MIT */
/*
 * Scopes (scopes.h). Stored and compared as text, words separated by
 * spaces, the way JupyterHub writes them; a filter is checked against the
 * resource's owner exactly, so "user=al" never grants on "alice".
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "scopes.h"

static int word_grants(const char *w, size_t len, const char *need,
    const char *owner);

char *
scopes_server(const char *name)
{
	return xasprintf("users:activity!user=%s access:servers!server=%s/",
	    name, name);
}

char *
scopes_access(const char *name)
{
	return xasprintf("access:servers!server=%s/ access:servers!user=%s",
	    name, name);
}

char *
scopes_access_json(const char *name)
{
	char   *s1 = xasprintf("access:servers!server=%s/", name);
	char   *s2 = xasprintf("access:servers!user=%s", name);
	json_t *a = json_pack("[s, s]", s1, s2);
	char   *out = json_dumps(a, JSON_COMPACT);

	json_decref(a);
	free(s1);
	free(s2);
	if (out == NULL)
		fatalx("%s: out of memory", __func__);
	return out;
}

char *
scopes_of_user(const char *name, int admin, int admin_access)
{
	static const char *const own[] = { "access:servers", "delete:servers",
		"read:servers", "read:tokens", "read:users",
		"read:users:activity", "read:users:groups", "read:users:name",
		"servers", "tokens", "users:activity" };
	static const char *const all[] = { "admin:servers", "admin:users",
		"list:users", "read:servers", "read:tokens", "read:users",
		"servers", "tokens", "users" };
	struct buf               b;

	buf_init(&b, SCOPES_MAX * 4);
	for (size_t i = 0; i < nitems(own); i++)
		buf_addf(&b, "%s%s!user=%s", b.len ? " " : "", own[i], name);
	if (admin)
		for (size_t i = 0; i < nitems(all); i++)
			buf_addf(&b, " %s", all[i]);
	if (admin && admin_access)
		buf_adds(&b, " access:servers");
	return buf_detach(&b, NULL);
}

/* One held word: its base must be 'need', and its filter, if any, must
 * name the owner (a user, or the owner's default server). */
static int
word_grants(const char *w, size_t len, const char *need, const char *owner)
{
	size_t      nlen = strlen(need), olen;
	const char *f;

	if (len < nlen || strncmp(w, need, nlen) != 0)
		return 0;
	if (len == nlen)
		return 1;
	if (w[nlen] != '!' || owner == NULL)
		return 0;
	f = w + nlen + 1;
	len -= nlen + 1;
	olen = strlen(owner);
	if (len == 5 + olen && strncmp(f, "user=", 5) == 0 &&
	    strncmp(f + 5, owner, olen) == 0)
		return 1;
	return len == 7 + olen + 1 && strncmp(f, "server=", 7) == 0 &&
	    strncmp(f + 7, owner, olen) == 0 && f[7 + olen] == '/';
}

int
scopes_grant(const char *held, const char *need, const char *owner)
{
	const char *p = held;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len > 0 && word_grants(p, len, need, owner))
			return 1;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}
