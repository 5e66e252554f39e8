/* SPDX-License-Identifier: MIT */
/*
 * serverlog.c: a server's output through a pipe into a capped log. A
 * megabyte written into the pipe leaves NAME.log and NAME.log.1 at most
 * server_log_max together, each at most half, the newest bytes kept; the
 * copy ends by itself when the writer closes, and a note of the hub's
 * own lands in the log.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "hub/serverlog.h"
#include "lib/util.h"
#include "unit.h"

#define CAP (128 * 1024)

static off_t file_size(const char *);

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

TEST(serverlog_capped_newest_kept)
{
	uv_loop_t loop;
	uv_file   fds[2];
	char     *path, *old, *data, line[64];
	size_t    len;
	pid_t     pid;

	path = xasprintf("%s/alice.log", unit_tmpdir());
	old = xasprintf("%s.1", path);
	ASSERT_EQ(uv_loop_init(&loop), 0);
	ASSERT_EQ(uv_pipe(fds, 0, 0), 0);
	ASSERT_EQ(serverlog_start(&loop, fds[0], path, CAP), 0);
	/* A writer of its own, as a server is: 1 MB of numbered lines. */
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < 32768; i++) {
			int n = snprintf(line, sizeof(line), "%031d\n", i);

			if (write(fds[1], line, (size_t)n) != n)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	/* Ends when the writer is gone: EOF closes the copy. */
	ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
	ASSERT(file_size(path) <= CAP / 2);
	ASSERT(file_size(old) <= CAP / 2);
	ASSERT(file_size(path) + file_size(old) >= CAP / 2);
	data = read_file(path, CAP, &len);
	ASSERT_NOT_NULL(data);
	snprintf(line, sizeof(line), "%031d\n", 32767);
	ASSERT(len >= strlen(line));
	ASSERT_STR_EQ(data + len - strlen(line), line);
	free(data);
	serverlog_note(path, "a note of the hub's, %d", 42);
	data = read_file(path, CAP, &len);
	ASSERT_NOT_NULL(data);
	ASSERT_NOT_NULL(strstr(data, "[rig] a note of the hub's, 42\n"));
	free(data);
	ASSERT_EQ(uv_loop_close(&loop), 0);
	free(path);
	free(old);
}

TEST(serverlog_release_closes)
{
	uv_loop_t loop;
	uv_file   fds[2];
	char     *path;

	path = xasprintf("%s/bob.log", unit_tmpdir());
	ASSERT_EQ(uv_loop_init(&loop), 0);
	ASSERT_EQ(uv_pipe(fds, 0, 0), 0);
	ASSERT_EQ(serverlog_start(&loop, fds[0], path, CAP), 0);
	ASSERT_EQ(write(fds[1], "hello\n", 6), 6);
	ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
	/* The hub exits while the server runs on: the copy lets go. */
	serverlogs_release();
	ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
	close(fds[1]);
	ASSERT_EQ(file_size(path), 6);
	/* A pid whose stdout is not a pipe cannot be read again. */
	ASSERT_EQ(serverlog_reattach(&loop, 999999999, path, CAP), -1);
	ASSERT_EQ(uv_loop_close(&loop), 0);
	free(path);
}
