/* SPDX-License-Identifier: MIT */
/*
 * Options anywhere among the words (opts.h): each argument is an option
 * of the table, the value of the one before it, "--", or a word.
 */
#include <stddef.h>
#include <string.h>

#include "log.h"
#include "opts.h"
#include "util.h"

static const struct opt *find(const struct opt *, const char *, size_t);

/* The option named by the first 'len' bytes of 'arg', or NULL. */
static const struct opt *
find(const struct opt *opts, const char *arg, size_t len)
{
	for (const struct opt *o = opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0)
			return o;
	return NULL;
}

int
opts_scan(int argc, char **argv, const struct opt *opts, const char **args,
    int max, int *nargs)
{
	const struct opt *o;
	const char       *eq;
	int               only_args = 0;

	*nargs = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (*nargs == max)
				return -1;
			args[(*nargs)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		eq = strchr(a, '=');
		o = find(opts, a, eq != NULL ? (size_t)(eq - a) : strlen(a));
		if (o != NULL && o->flag != NULL && eq == NULL)
			*o->flag = 1;
		else if (o != NULL && o->value != NULL && eq != NULL)
			*o->value = eq + 1;
		else if (o != NULL && o->value != NULL) {
			if (i + 1 == argc)
				return error("option '%s' needs a value", a);
			*o->value = argv[++i];
		} else {
			if (strcmp(a, "-h") != 0 && strcmp(a, "--help") != 0)
				error("unknown option '%.64s'", a);
			return -1;
		}
	}
	return 0;
}
