/* SPDX-License-Identifier: MIT */
/*
 * Tests of lib/opts.c: options before, between and after words, both
 * value forms, "--", "-" as a word, and each usage error.
 */
#include <string.h>

#include "unit.h"
#include "lib/opts.h"

struct scan {
	int         flag;
	const char *value;
	const char *args[3];
	int         nargs;
};

/* Scans the NULL-ended words 'w' (w[0] is the command's name). */
static int
scan(struct scan *sc, const char **w)
{
	const struct opt opts[] = {
		{ "--flag", &sc->flag, NULL },
		{ "--value", NULL, &sc->value },
		{ NULL, NULL, NULL },
	};
	int argc = 0;

	memset(sc, 0, sizeof(*sc));
	while (w[argc] != NULL)
		argc++;
	return opts_scan(argc, (char **)w, opts, sc->args, 3, &sc->nargs);
}

TEST(opts_anywhere)
{
	struct scan sc;
	const char *a[] = { "user", "--flag", "add", "--value", "v1", "bob",
		NULL };
	const char *b[] = { "user", "add", "--value=v2", "-", "--", "--flag",
		NULL };

	ASSERT_EQ(scan(&sc, a), 0);
	ASSERT_EQ(sc.flag, 1);
	ASSERT_STR_EQ(sc.value, "v1");
	ASSERT_EQ(sc.nargs, 2);
	ASSERT_STR_EQ(sc.args[0], "add");
	ASSERT_STR_EQ(sc.args[1], "bob");

	ASSERT_EQ(scan(&sc, b), 0);
	ASSERT_EQ(sc.flag, 0);
	ASSERT_STR_EQ(sc.value, "v2");
	ASSERT_EQ(sc.nargs, 3);
	ASSERT_STR_EQ(sc.args[1], "-");
	ASSERT_STR_EQ(sc.args[2], "--flag");
}

TEST(opts_usage_errors)
{
	struct scan sc;
	const char *unknown[] = { "user", "--nope", NULL };
	const char *flag_value[] = { "user", "--flag=1", NULL };
	const char *no_value[] = { "user", "add", "--value", NULL };
	const char *help[] = { "user", "-h", NULL };
	const char *many[] = { "user", "a", "b", "c", "d", NULL };

	ASSERT_EQ(scan(&sc, unknown), -1);
	ASSERT_EQ(scan(&sc, flag_value), -1);
	ASSERT_EQ(scan(&sc, no_value), -1);
	ASSERT_EQ(scan(&sc, help), -1);
	ASSERT_EQ(scan(&sc, many), -1);
}
