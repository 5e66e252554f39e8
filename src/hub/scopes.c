/* SPDX-License-Identifier: MIT */
/*
 * Scopes (scopes.h). A set is parsed into words, each a base and a filter,
 * worked on and written back sorted. The sets are small (a user's is a
 * dozen words, an admin's some forty), so everything is a linear scan.
 * A filter is compared whole, so "user=al" never grants on "alice".
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "scopes.h"

/* The longest text a set is written to. */
#define SET_TEXT_MAX (1 << 20)

/* JupyterHub 3's scopes and the scopes each holds. */
struct scope_def {
	const char *name;
	const char *sub[4];
};

static const struct scope_def defs[] = {
	{ "(no_scope)", { NULL } },
	{ "self", { NULL } },
	{ "inherit", { NULL } },
	{ "admin-ui", { NULL } },
	{ "admin:users",
	    { "admin:auth_state", "users", "read:roles:users",
	        "delete:users" } },
	{ "admin:auth_state", { NULL } },
	{ "users", { "read:users", "list:users", "users:activity" } },
	{ "delete:users", { NULL } },
	{ "list:users", { "read:users:name" } },
	{ "read:users",
	    { "read:users:name", "read:users:groups", "read:users:activity" } },
	{ "read:users:name", { NULL } },
	{ "read:users:groups", { NULL } },
	{ "read:users:activity", { NULL } },
	{ "read:roles",
	    { "read:roles:users", "read:roles:services",
	        "read:roles:groups" } },
	{ "read:roles:users", { NULL } },
	{ "read:roles:services", { NULL } },
	{ "read:roles:groups", { NULL } },
	{ "users:activity", { "read:users:activity" } },
	{ "admin:servers", { "admin:server_state", "servers" } },
	{ "admin:server_state", { NULL } },
	{ "servers", { "read:servers", "delete:servers" } },
	{ "read:servers", { "read:users:name" } },
	{ "delete:servers", { NULL } },
	{ "tokens", { "read:tokens" } },
	{ "read:tokens", { NULL } },
	{ "admin:groups", { "groups", "read:roles:groups", "delete:groups" } },
	{ "groups", { "read:groups", "list:groups" } },
	{ "list:groups", { "read:groups:name" } },
	{ "read:groups", { "read:groups:name" } },
	{ "read:groups:name", { NULL } },
	{ "delete:groups", { NULL } },
	{ "list:services", { "read:services:name" } },
	{ "read:services", { "read:services:name" } },
	{ "read:services:name", { NULL } },
	{ "read:hub", { NULL } },
	{ "access:servers", { NULL } },
	{ "access:services", { NULL } },
	{ "proxy", { NULL } },
	{ "shutdown", { NULL } },
	{ "read:metrics", { NULL } },
};

/* "self": a user's own resources, each filtered to the user. */
static const char *const self_scopes[] = { "read:users", "read:users:name",
	"read:users:groups", "users:activity", "read:users:activity", "servers",
	"delete:servers", "read:servers", "tokens", "read:tokens",
	"access:servers" };

/* Scopes on a server, which a filter naming the server grants too. */
static const char *const server_scopes[] = { "access:servers", "servers",
	"delete:servers", "read:servers", "admin:servers",
	"admin:server_state" };

/* The roles. The admin role is JupyterHub's but for access:servers,
 * which rig gives admins only with admin_access. */
#define ADMIN_ROLE                                                             \
	"admin-ui admin:users admin:servers tokens admin:groups "              \
	"list:services read:services read:hub proxy shutdown "                 \
	"access:services read:roles read:metrics"

/* One word of a set. */
struct word {
	char *base;
	char *filter; /* NULL: none */
};

struct set {
	struct word *v;
	size_t       n, cap;
};

static const struct scope_def *def_find(const char *, size_t);
static int                     is_server_scope(const char *base);
static void  set_add(struct set *, const char *base, const char *filter);
static void  set_parse(struct set *, const char *text);
static void  set_free(struct set *);
static int   set_unfiltered(const struct set *, const char *);
static char *set_text(const struct set *);
static int   filter_valid(const char *f);
static void  add_implied(struct set *, const char *base, const char *filter,
     int *has_read);
static int   word_grants(const struct set *b, const struct word *w);

char *
scopes_server(const char *name, const char *srv)
{
	return xasprintf("users:activity!user=%s access:servers!server=%s/%s",
	    name, name, srv);
}

char *
scopes_access(const char *name, const char *srv)
{
	return xasprintf("access:servers!server=%s/%s access:servers!user=%s",
	    name, srv, name);
}

char *
scopes_access_json(const char *name, const char *srv)
{
	char   *s1 = xasprintf("access:servers!server=%s/%s", name, srv);
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

static const struct scope_def *
def_find(const char *base, size_t len)
{
	for (size_t i = 0; i < nitems(defs); i++)
		if (strlen(defs[i].name) == len &&
		    strncmp(defs[i].name, base, len) == 0)
			return &defs[i];
	return NULL;
}

int
scopes_known(const char *base, size_t len)
{
	return def_find(base, len) != NULL;
}

const char *
scopes_role(const char *role, int admin_access)
{
	if (strcmp(role, "user") == 0)
		return "self";
	if (strcmp(role, "admin") == 0)
		return admin_access ? ADMIN_ROLE " access:servers" : ADMIN_ROLE;
	if (strcmp(role, "server") == 0)
		return "users:activity!user access:servers!user";
	if (strcmp(role, "token") == 0)
		return "inherit";
	return NULL;
}

int
scopes_has(const char *set, const char *word)
{
	size_t wl = strlen(word);

	while (*set != '\0') {
		size_t len = strcspn(set, " ");

		if (len == wl && strncmp(set, word, len) == 0)
			return 1;
		set += len;
		set += strspn(set, " ");
	}
	return 0;
}

static int
is_server_scope(const char *base)
{
	for (size_t i = 0; i < nitems(server_scopes); i++)
		if (strcmp(base, server_scopes[i]) == 0)
			return 1;
	return 0;
}

/* --- sets ------------------------------------------------------------- */

static int
same_filter(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Adds a word unless the set has it already. */
static void
set_add(struct set *s, const char *base, const char *filter)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].base, base) == 0 &&
		    same_filter(s->v[i].filter, filter))
			return;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 32 : s->cap * 2;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n].base = xstrdup(base);
	s->v[s->n].filter = filter != NULL ? xstrdup(filter) : NULL;
	s->n++;
}

/* Words as they are: no check, no expansion. */
static void
set_parse(struct set *s, const char *text)
{
	while (*text != '\0') {
		size_t len = strcspn(text, " ");
		char  *w = xstrndup(text, len);
		char  *bang = strchr(w, '!');

		if (len > 0) {
			if (bang != NULL)
				*bang = '\0';
			set_add(s, w, bang != NULL ? bang + 1 : NULL);
		}
		free(w);
		text += len;
		text += strspn(text, " ");
	}
}

static void
set_free(struct set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].base);
		free(s->v[i].filter);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
set_unfiltered(const struct set *s, const char *base)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].filter == NULL && strcmp(s->v[i].base, base) == 0)
			return 1;
	return 0;
}

static int
word_cmp(const void *a, const void *b)
{
	const struct word *x = a, *y = b;
	int                c = strcmp(x->base, y->base);

	if (c != 0)
		return c;
	if (x->filter == NULL || y->filter == NULL)
		return x->filter == NULL ? (y->filter == NULL ? 0 : -1) : 1;
	return strcmp(x->filter, y->filter);
}

/* Sorted, each filtered word left out where its base is held without a
 * filter (JupyterHub's "reduced" set). */
static char *
set_text(const struct set *s)
{
	struct buf b;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), word_cmp);
	buf_init(&b, SET_TEXT_MAX);
	for (size_t i = 0; i < s->n; i++) {
		const struct word *w = &s->v[i];

		if (w->filter != NULL && set_unfiltered(s, w->base))
			continue;
		if (buf_addf(&b, "%s%s%s%s", b.len ? " " : "", w->base,
		        w->filter ? "!" : "", w->filter ? w->filter : "") == -1)
			fatalx("%s: a scope set too long", __func__);
	}
	return buf_detach(&b, NULL);
}

/* --- expansion -------------------------------------------------------- */

/* A filter a scope may carry once the bare ones are resolved. */
static int
filter_valid(const char *f)
{
	static const char *const kinds[] = { "user=", "server=", "group=",
		"service=" };

	for (size_t i = 0; i < nitems(kinds); i++) {
		size_t kl = strlen(kinds[i]);

		if (strncmp(f, kinds[i], kl) == 0)
			return f[kl] != '\0';
	}
	return 0;
}

/* 'base' and what it holds, all with 'filter'; *has_read is set if one
 * of them reads ("read:..."). */
static void
add_implied(struct set *s, const char *base, const char *filter, int *has_read)
{
	const struct scope_def *d = def_find(base, strlen(base));

	set_add(s, base, filter);
	if (strncmp(base, "read:", 5) == 0)
		*has_read = 1;
	if (d == NULL)
		return;
	for (size_t i = 0; i < nitems(d->sub) && d->sub[i] != NULL; i++)
		add_implied(s, d->sub[i], filter, has_read);
}

int
scopes_expand(const char *raw, const char *owner, char **out, char **bad)
{
	struct set  s;
	const char *p = raw;

	memset(&s, 0, sizeof(s));
	*out = NULL;
	if (bad != NULL)
		*bad = NULL;
	while (*p != '\0') {
		size_t      len = strcspn(p, " ");
		char       *w = xstrndup(p, len);
		char       *bang = strchr(w, '!');
		char       *filter = NULL;
		const char *base = w;
		int         has_read = 0, ok = 1;

		p += len;
		p += strspn(p, " ");
		if (bang != NULL)
			*bang = '\0';
		if (!scopes_known(base, strlen(base)))
			ok = 0;
		else if (owner == NULL &&
		    (strcmp(base, "self") == 0 ||
		        (bang != NULL && strchr(bang + 1, '=') == NULL)))
			ok = 0; /* nothing to resolve them to */
		else if (bang != NULL && strcmp(bang + 1, "user") == 0)
			filter = xasprintf("user=%s", owner);
		else if (bang != NULL && strcmp(bang + 1, "server") == 0)
			filter = xasprintf("server=%s/", owner);
		else if (bang != NULL && strcmp(bang + 1, "service") == 0) {
			/* A user's token names no service: JupyterHub
			 * drops such a scope. */
			free(w);
			continue;
		} else if (bang != NULL && filter_valid(bang + 1))
			filter = xstrdup(bang + 1);
		else if (bang != NULL)
			ok = 0;
		/* The metascopes take no filter. */
		if (ok && filter != NULL &&
		    (strcmp(base, "self") == 0 ||
		        strcmp(base, "inherit") == 0 ||
		        strcmp(base, "(no_scope)") == 0))
			ok = 0;
		if (!ok) {
			if (bang != NULL)
				*bang = '!';
			if (bad != NULL)
				*bad = w;
			else
				free(w);
			free(filter);
			set_free(&s);
			return -1;
		}
		if (strcmp(base, "self") == 0) {
			char *uf = xasprintf("user=%s", owner);

			for (size_t i = 0; i < nitems(self_scopes); i++)
				set_add(&s, self_scopes[i], uf);
			free(uf);
		} else if (strcmp(base, "inherit") != 0 &&
		    strcmp(base, "(no_scope)") != 0) {
			add_implied(&s, base, filter, &has_read);
			/* Reading a server is reading its owner's name. */
			if (has_read && filter != NULL &&
			    strncmp(filter, "server=", 7) == 0) {
				size_t ul = strcspn(filter + 7, "/");
				char  *uf =
				    xasprintf("user=%.*s", (int)ul, filter + 7);

				set_add(&s, "read:users:name", uf);
				free(uf);
			}
		}
		free(filter);
		free(w);
	}
	*out = set_text(&s);
	set_free(&s);
	return 0;
}

char *
scopes_of_user(const char *name, int admin, int admin_access)
{
	char *raw = admin
	    ? xasprintf("self %s", scopes_role("admin", admin_access))
	    : xstrdup("self");
	char *out;

	if (scopes_expand(raw, name, &out, NULL) == -1)
		fatalx("%s: the roles do not expand", __func__);
	free(raw);
	return out;
}

char *
scopes_of_token(const char *raw, const char *owner, int admin, int admin_access)
{
	struct set s, keep;
	char      *own, *mine, *words;

	/* Stored scopes were checked when the token was made; a word that
	 * is no scope now is dropped, not the whole set. */
	memset(&s, 0, sizeof(s));
	memset(&keep, 0, sizeof(keep));
	set_parse(&s, raw);
	for (size_t i = 0; i < s.n; i++) {
		char *w = s.v[i].filter != NULL
		    ? xasprintf("%s!%s", s.v[i].base, s.v[i].filter)
		    : xstrdup(s.v[i].base);
		char *one;

		if (scopes_expand(w, owner, &one, NULL) == 0) {
			set_parse(&keep, one);
			free(one);
		}
		free(w);
	}
	set_free(&s);
	words = set_text(&keep);
	set_free(&keep);
	own = scopes_of_user(owner, admin, admin_access);
	mine = scopes_intersect(words, own);
	free(words);
	free(own);
	return mine;
}

/* --- comparing sets --------------------------------------------------- */

/* "server=NAME/..." of user "user=NAME". */
static int
server_of_user(const char *server_filter, const char *user_filter)
{
	size_t ul;

	if (strncmp(server_filter, "server=", 7) != 0 ||
	    strncmp(user_filter, "user=", 5) != 0)
		return 0;
	ul = strlen(user_filter + 5);
	return strncmp(server_filter + 7, user_filter + 5, ul) == 0 &&
	    server_filter[7 + ul] == '/';
}

/* Whether set b grants word w: its base unfiltered, the same filter, or
 * the user whose server w names. */
static int
word_grants(const struct set *b, const struct word *w)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct word *x = &b->v[i];

		if (strcmp(x->base, w->base) != 0)
			continue;
		if (x->filter == NULL)
			return 1;
		if (w->filter == NULL)
			continue;
		if (strcmp(x->filter, w->filter) == 0 ||
		    server_of_user(w->filter, x->filter))
			return 1;
	}
	return 0;
}

char *
scopes_intersect(const char *a, const char *b)
{
	struct set sa, sb, out;
	char      *text;

	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	memset(&out, 0, sizeof(out));
	set_parse(&sa, a);
	set_parse(&sb, b);
	for (size_t i = 0; i < sa.n; i++) {
		const struct word *w = &sa.v[i];

		if (word_grants(&sb, w)) {
			set_add(&out, w->base, w->filter);
			continue;
		}
		/* What b holds of it that is narrower: all of it where w
		 * has no filter, a server of the user w names. */
		for (size_t j = 0; j < sb.n; j++) {
			const struct word *x = &sb.v[j];

			if (strcmp(x->base, w->base) != 0 || x->filter == NULL)
				continue;
			if (w->filter == NULL ||
			    server_of_user(x->filter, w->filter))
				set_add(&out, x->base, x->filter);
		}
	}
	text = set_text(&out);
	set_free(&sa);
	set_free(&sb);
	set_free(&out);
	return text;
}

char *
scopes_excess(const char *a, const char *b)
{
	struct set sa, sb, out;
	char      *text = NULL;

	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	memset(&out, 0, sizeof(out));
	set_parse(&sa, a);
	set_parse(&sb, b);
	for (size_t i = 0; i < sa.n; i++)
		if (!word_grants(&sb, &sa.v[i]))
			set_add(&out, sa.v[i].base, sa.v[i].filter);
	if (out.n > 0)
		text = set_text(&out);
	set_free(&sa);
	set_free(&sb);
	set_free(&out);
	return text;
}

/* --- checks ----------------------------------------------------------- */

/* How held word 'w' (base, filter) of 'len' bytes answers for owner's
 * server srv: 1 grants, 0 held for others. */
static int
filter_grants(const char *f, size_t flen, const char *owner, const char *srv,
    int server)
{
	size_t ol, sl = strlen(srv);

	if (flen == 0 || owner == NULL)
		return 1;
	ol = strlen(owner);
	if (flen == 5 + ol && strncmp(f, "user=", 5) == 0 &&
	    strncmp(f + 5, owner, ol) == 0)
		return 1;
	return server && flen == 7 + ol + 1 + sl &&
	    strncmp(f, "server=", 7) == 0 && strncmp(f + 7, owner, ol) == 0 &&
	    f[7 + ol] == '/' && strncmp(f + 8 + ol, srv, sl) == 0;
}

enum scope_verdict
scopes_check(const char *held, const char *need, const char *owner)
{
	return scopes_check_server(held, need, owner, "");
}

enum scope_verdict
scopes_check_server(const char *held, const char *need, const char *owner,
    const char *srv)
{
	int filtered = 0;

	while (*need != '\0') {
		size_t      nlen = strcspn(need, " ");
		char       *n = xstrndup(need, nlen);
		int         server = is_server_scope(n);
		const char *p = held;

		need += nlen;
		need += strspn(need, " ");
		while (*p != '\0') {
			size_t len = strcspn(p, " ");

			if (len >= nlen && strncmp(p, n, nlen) == 0 &&
			    (len == nlen || p[nlen] == '!')) {
				const char *f = len == nlen ? "" : p + nlen + 1;
				size_t flen = len == nlen ? 0 : len - nlen - 1;

				if (filter_grants(f, flen, owner, srv,
				        server)) {
					free(n);
					return SCOPE_OK;
				}
				filtered = 1;
			}
			p += len;
			p += strspn(p, " ");
		}
		free(n);
	}
	return filtered ? SCOPE_FILTERED : SCOPE_MISSING;
}

int
scopes_grant(const char *held, const char *need, const char *owner)
{
	return scopes_grant_server(held, need, owner, "");
}

int
scopes_grant_server(const char *held, const char *need, const char *owner,
    const char *srv)
{
	/* One scope: a word without spaces. */
	if (need[strcspn(need, " ")] != '\0')
		return 0;
	return scopes_check_server(held, need, owner, srv) == SCOPE_OK;
}
