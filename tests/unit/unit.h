/* SPDX-License-Identifier: MIT */
/*
 * A small unit-test framework in libuv's manner: TEST(name) registers a
 * test, each runs in a forked child with a timeout, output is TAP and the
 * last line is "N passed, N failed". Run one group: build/unit-tests http_
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *);

#define TEST(name)                                                             \
	static void             test_##name(void);                             \
	static struct unit_test unit_##name = { #name, test_##name, NULL };    \
	__attribute__((constructor)) static void reg_##name(void)              \
	{                                                                      \
		unit_register(&unit_##name);                                   \
	}                                                                      \
	static void test_##name(void)

#define FAIL(...)                                                              \
	do {                                                                   \
		fprintf(stderr, "# %s:%d: ", __FILE__, __LINE__);              \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		exit(1);                                                       \
	} while (0)

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond))                                                   \
			FAIL("assertion failed: %s", #cond);                   \
	} while (0)

#define ASSERT_EQ(a, b)                                                        \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_)                                                  \
			FAIL("%s == %s: %lld != %lld", #a, #b, a_, b_);        \
	} while (0)

#define ASSERT_STR_EQ(a, b)                                                    \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)           \
			FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,             \
			    a_ ? a_ : "(null)", b_ ? b_ : "(null)");           \
	} while (0)

#define ASSERT_NULL(a) ASSERT((a) == NULL)
#define ASSERT_NOT_NULL(a) ASSERT((a) != NULL)

/* A fresh temporary directory for this test; removed by the runner. */
const char *unit_tmpdir(void);

#endif
