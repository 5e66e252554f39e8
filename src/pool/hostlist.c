/* SPDX-License-Identifier: MIT */
/*
 * Hostlist expressions (hostlist.h): one bracket per item, which is what
 * slurmctld makes of rig's node names (host names without ranges of
 * their own).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist.h"
#include "lib/util.h"
#include "slurmconf.h"
#include "lib/banned.h"

#define NUM_MAX 9 /* digits in a range's bound */

static int add_name(char ***, size_t *, char *, char *, size_t);
static int number(const char **, long *, int *);
static int expand_item(const char *, size_t, char ***, size_t *, char *,
    size_t);

/* Takes 'name' (freed on failure). */
static int
add_name(char ***names, size_t *n, char *name, char *why, size_t len)
{
	if (!slurmconf_node_name_ok(name) || strstr(name, "..") != NULL) {
		snprintf(why, len, "'%s' is not a node name", name);
		free(name);
		return -1;
	}
	if (*n == HOSTLIST_MAX) {
		snprintf(why, len, "more than %d nodes", HOSTLIST_MAX);
		free(name);
		return -1;
	}
	*names = xrealloc(*names, (*n + 1) * sizeof(**names));
	(*names)[(*n)++] = name;
	return 0;
}

/* A number of at most NUM_MAX digits at *p; its digit count in *w. */
static int
number(const char **p, long *v, int *w)
{
	size_t d = strspn(*p, "0123456789");

	if (d == 0 || d > NUM_MAX)
		return -1;
	*v = strtol(*p, NULL, 10);
	*w = (int)d;
	*p += d;
	return 0;
}

/* One item, 'n' bytes at 'it': NAME or PREFIX[RANGES]SUFFIX. */
static int
expand_item(const char *it, size_t n, char ***names, size_t *count, char *why,
    size_t len)
{
	char       *item = xstrndup(it, n), *open, *close;
	const char *p;
	long        lo, hi;
	int         w, wh, r = -1;

	open = strchr(item, '[');
	close = strchr(item, ']');
	if (open == NULL && close == NULL)
		return add_name(names, count, item, why, len);
	if (open == NULL || close == NULL || close < open ||
	    strchr(open + 1, '[') != NULL || strchr(close + 1, ']') != NULL) {
		snprintf(why, len, "'%s': brackets that do not pair", item);
		goto out;
	}
	*open = *close = '\0';
	for (p = open + 1;;) {
		if (number(&p, &lo, &w) == -1)
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (number(&p, &hi, &wh) == -1 || hi < lo ||
			    hi - lo >= HOSTLIST_MAX)
				goto bad;
		}
		for (long v = lo; v <= hi; v++)
			if (add_name(names, count,
			        xasprintf("%s%0*ld%s", item, w, v, close + 1),
			        why, len) == -1)
				goto out;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	r = 0;
	goto out;
bad:
	snprintf(why, len, "'%.*s': not a range of node numbers", (int)n, it);
out:
	free(item);
	return r;
}

int
hostlist_expand(const char *expr, char ***names, size_t *n, char *why,
    size_t len)
{
	const char *p = expr;
	size_t      i;
	int         depth;

	*names = NULL;
	*n = 0;
	if (*p == '\0') {
		snprintf(why, len, "no nodes named");
		return -1;
	}
	while (*p != '\0') {
		/* An item ends at a comma outside brackets. */
		for (i = 0, depth = 0; p[i] != '\0'; i++) {
			if (p[i] == '[')
				depth++;
			else if (p[i] == ']')
				depth--;
			else if (p[i] == ',' && depth == 0)
				break;
		}
		if (i == 0 || expand_item(p, i, names, n, why, len) == -1) {
			if (i == 0)
				snprintf(why, len, "'%s': an empty name", expr);
			hostlist_free(*names, *n);
			*names = NULL;
			*n = 0;
			return -1;
		}
		p += i;
		if (*p == ',' && *++p == '\0') {
			snprintf(why, len, "'%s': an empty name", expr);
			hostlist_free(*names, *n);
			*names = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

void
hostlist_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
