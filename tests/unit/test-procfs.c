/* SPDX-License-Identifier: MIT */
/*
 * procfs.c: /proc/PID/stat lines with awkward command names (spaces and
 * parentheses), short lines, and the running test's own entry: alive with
 * its start time, not alive with another one.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hub/procfs.h"
#include "unit.h"

/* A stat line from proc(5)'s layout: pid, (comm), then fields 3..52. */
#define TAIL                                                                   \
	" S 1 2 3 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 1 0 "               \
	"987654 1000000 200 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 "    \
	"17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

TEST(procfs_parse_plain)
{
	struct procfs_stat st;

	ASSERT_EQ(procfs_parse_stat("4242 (jupyter-lab)" TAIL, &st), 0);
	ASSERT_EQ(st.state, 'S');
	ASSERT_EQ(st.utime, 1234);
	ASSERT_EQ(st.stime, 567);
	ASSERT_STR_EQ(st.start, "987654");
}

TEST(procfs_parse_odd_names)
{
	struct procfs_stat st;

	/* The name is whatever the process set: count after the last ')'. */
	ASSERT_EQ(procfs_parse_stat("7 (a) b) c (d)" TAIL, &st), 0);
	ASSERT_STR_EQ(st.start, "987654");
	ASSERT_EQ(procfs_parse_stat("7 ( )" TAIL, &st), 0);
	ASSERT_EQ(st.state, 'S');
}

TEST(procfs_parse_short)
{
	struct procfs_stat st;

	ASSERT_EQ(procfs_parse_stat("", &st), -1);
	ASSERT_EQ(procfs_parse_stat("7 no parenthesis", &st), -1);
	ASSERT_EQ(procfs_parse_stat("7 (x) S 1 2 3\n", &st), -1);
	/* A start time too long to be one. */
	ASSERT_EQ(
	    procfs_parse_stat("7 (x) S 1 2 3 0 -1 4 1 0 0 0 1 2 0 0 20 "
	                      "0 1 0 123456789012345678901234567890123 5\n",
	        &st),
	    -1);
}

TEST(procfs_self)
{
	struct procfs_stat st;
	pid_t              pid;
	int                status;

	ASSERT_EQ(procfs_stat(getpid(), &st), 0);
	ASSERT(st.state == 'R' || st.state == 'S');
	ASSERT_EQ(procfs_alive(getpid(), st.start), 1);
	ASSERT_EQ(procfs_alive(getpid(), "1"), 0);
	ASSERT_EQ(procfs_alive(0, st.start), 0);
	/* A zombie is not alive: the child exits, unreaped. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	ASSERT(pid > 0);
	ASSERT_EQ(procfs_stat(pid, &st), 0);
	for (int i = 0; i < 200 && st.state != 'Z'; i++) {
		usleep(10000);
		ASSERT_EQ(procfs_stat(pid, &st), 0);
	}
	ASSERT_EQ(procfs_alive(pid, st.start), 0);
	waitpid(pid, &status, 0);
	ASSERT_EQ(procfs_stat(pid, &st), -1);
}
