/* SPDX-License-Identifier: MIT */
/*
 * Tests of lib/proc.c: a child's output and exit status, its deadline,
 * and a program that does not exist.
 */
#include <stdint.h>

#include "unit.h"
#include "lib/proc.h"
#include "lib/util.h"

TEST(proc_capture_and_deadline)
{
	struct proc_result res;
	struct argv        a;
	uint64_t           t0;

	argv_init(&a);
	argv_add(&a, "/bin/sh");
	argv_add(&a, "-c");
	argv_add(&a, "echo out; echo err >&2; exit 3");
	proc_result_init(&res);
	ASSERT_EQ(proc_capture(a.v, NULL, -1, 5000, &res), 0);
	ASSERT_EQ(res.status, 3);
	ASSERT_STR_EQ(buf_str(&res.out), "out\n");
	ASSERT_STR_EQ(buf_str(&res.err), "err\n");
	ASSERT_EQ(res.timed_out, 0);
	proc_result_release(&res);
	argv_release(&a);

	argv_init(&a);
	argv_add(&a, "/bin/sleep");
	argv_add(&a, "10");
	proc_result_init(&res);
	t0 = now_ms();
	ASSERT_EQ(proc_capture(a.v, NULL, -1, 200, &res), 0);
	ASSERT(now_ms() - t0 < 3000);
	ASSERT_EQ(res.timed_out, 1);
	ASSERT_EQ(res.status, 128 + 15);
	proc_result_release(&res);
	argv_release(&a);

	argv_init(&a);
	argv_add(&a, "/nonexistent/program");
	proc_result_init(&res);
	ASSERT_EQ(proc_capture(a.v, NULL, -1, 200, &res), -1);
	proc_result_release(&res);
	argv_release(&a);
}

/* proc_run(): the exit status, and standard output into 'out_fd'. */
TEST(proc_run_status_and_output)
{
	struct argv a;
	FILE       *f = tmpfile();
	char        line[64];

	ASSERT_NOT_NULL(f);
	argv_init(&a);
	argv_add(&a, "/bin/sh");
	argv_add(&a, "-c");
	argv_add(&a, "echo ran; exit 4");
	ASSERT_EQ(proc_run(a.v, NULL, fileno(f)), 4);
	argv_release(&a);
	rewind(f);
	ASSERT_NOT_NULL(fgets(line, sizeof(line), f));
	ASSERT_STR_EQ(line, "ran\n");
	fclose(f);

	argv_init(&a);
	argv_add(&a, "/nonexistent/program");
	ASSERT_EQ(proc_run(a.v, NULL, -1), -1);
	argv_release(&a);
}

/* proc_which(): the first executable in the path, empty entries skipped. */
TEST(proc_which_finds_programs)
{
	char *p;

	p = proc_which("sh", "::/nonexistent:/bin:/usr/bin");
	ASSERT_STR_EQ(p, "/bin/sh");
	free(p);
	ASSERT_NULL(proc_which("sh", NULL));
	ASSERT_NULL(proc_which("no-such-program-here", "/bin:/usr/bin"));
	ASSERT_NULL(proc_which("sh", ""));
}
