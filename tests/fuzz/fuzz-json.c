/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the JSON rig reads from the network: the API's request
 * bodies (an object, duplicate keys refused, as api.c's body_object) and
 * what a user's server answers the culler (cull.c: /api/status with its
 * ISO 8601 last_activity, /api/kernels with execution_state). Promises
 * checked: iso_parse() gives -1 or a time that iso_time() writes back
 * with the same date and time of day and iso_parse() reads again as the
 * same time; a body refused as an
 * object is never half-used; and the culler's reading ends on any list.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/json/.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

/* A time as the culler reads it: written back, it reads the same. */
static void
check_time(const char *s)
{
	int64_t t = iso_parse(s), again;
	char    buf[64];

	if (s == NULL) {
		CHECK(t == -1);
		return;
	}
	/* 0 is "never" to iso_time(), which writes null. */
	if (t == -1 || t == 0)
		return;
	iso_time(t, buf, sizeof(buf));
	/* The time written is the one read, field by field: no date that
	 * the parser moved (February 30th) or guessed (a short year). */
	if (strncmp(buf, s, 19) != 0)
		dprintf(2, "'%s' read as '%s'\n", s, buf);
	CHECK(strncmp(buf, s, 19) == 0);
	again = iso_parse(buf);
	if (again != t)
		dprintf(2, "'%s' -> %lld -> '%s' -> %lld\n", s, (long long)t,
		    buf, (long long)again);
	CHECK(again == t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t      *j, *v;
	json_error_t e;
	char        *s;

	/* The API's body. */
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
	if (json_is_object(j)) {
		v = json_object_get(j, "admin");
		CHECK(v == NULL ||
		    json_is_boolean(v) ==
		        (json_is_true(v) || json_is_false(v)));
		(void)json_string_value(json_object_get(j, "note"));
		/* The culler's /api/status. */
		check_time(
		    json_string_value(json_object_get(j, "last_activity")));
	} else if (json_is_array(j)) {
		size_t i;

		/* The culler's /api/kernels. */
		json_array_foreach(j, i, v) {
			const char *st = json_string_value(
			    json_object_get(v, "execution_state"));

			CHECK(st == NULL || json_is_object(v));
			check_time(json_string_value(
			    json_object_get(v, "last_activity")));
		}
	}
	json_decref(j);

	/* The bytes as a time string themselves. */
	s = strndup((const char *)data, size);
	CHECK(s != NULL);
	check_time(s);
	free(s);
	return 0;
}
