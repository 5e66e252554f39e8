/* SPDX-License-Identifier: MIT */
/*
 * spawn-cmd.c: server_cmd split into words like a shell would, quotes and
 * backslashes, and the four placeholders filled in without ever adding or
 * splitting a word, and left alone inside single quotes.
 */
#include <stdlib.h>
#include <string.h>

#include "hub/spawn-cmd.h"
#include "unit.h"

static void check(const char *, const char *const *);

static const struct spawn_vars vars = {
	.sock = "/run/rig/rig-alice/jupyter.sock",
	.port = 8123,
	.base_url = "/user/alice/",
	.root_dir = "/home/rig alice",
	.username = "alice",
};

/* Asserts that 'cmd' gives exactly the words in 'want' (NULL-ended). */
static void
check(const char *cmd, const char *const *want)
{
	char **argv = spawn_argv(cmd, &vars);
	size_t i;

	ASSERT_NOT_NULL(argv);
	for (i = 0; want[i] != NULL; i++)
		ASSERT_STR_EQ(argv[i], want[i]);
	ASSERT_NULL(argv[i]);
	spawn_argv_free(argv);
}

TEST(spawn_cmd_placeholders)
{
	const char *const want[] = { "jupyter-lab", "--port=8123",
		"--ServerApp.base_url=/user/alice/", "--notebook-dir",
		"/home/rig alice", "--name", "alice-8123", NULL };

	check("jupyter-lab --port={port} --ServerApp.base_url={base_url} "
	      "--notebook-dir {root_dir} --name {username}-{port}",
	    want);
}

TEST(spawn_cmd_quotes)
{
	const char *const w1[] = { "sh", "-c", "echo {port} $HOME", NULL };
	const char *const w2[] = { "a b", "8123 x", "c\"d", "e\\f", NULL };
	const char *const w3[] = { "ab", "", "x", NULL };

	/* Single quotes keep placeholders and $ as they are. */
	check("sh -c 'echo {port} $HOME'", w1);
	check("\"a b\" \"{port} x\" \"c\\\"d\" e\\f", w2);
	check("a'b' '' \tx\t", w3);
}

TEST(spawn_cmd_unknown_placeholder)
{
	const char *const want[] = { "{nope}", "{port", "8123}", NULL };

	check("{nope} {port {port}}", want);
}

TEST(spawn_cmd_empty)
{
	char **argv = spawn_argv("   \t ", &vars);

	ASSERT_NULL(argv[0]);
	spawn_argv_free(argv);
	argv = spawn_argv("", &vars);
	ASSERT_NULL(argv[0]);
	spawn_argv_free(argv);
	spawn_argv_free(NULL);
}

TEST(spawn_cmd_sock)
{
	const char *const want[] = { "jupyter", "notebook",
		"--NotebookApp.sock=/run/rig/rig-alice/jupyter.sock", "{sock}",
		NULL };

	check("jupyter notebook --NotebookApp.sock={sock} '{sock}'", want);
	ASSERT_EQ(spawn_cmd_uses("a --sock={sock}"), SPAWN_USES_SOCK);
	ASSERT_EQ(spawn_cmd_uses("a --port={port}"), SPAWN_USES_PORT);
	ASSERT_EQ(spawn_cmd_uses("a {sock} {port}"),
	    SPAWN_USES_SOCK | SPAWN_USES_PORT);
	/* Quoted away, or not there: neither (the server gets a port in
	 * RIG_SERVER_PORT). */
	ASSERT_EQ(spawn_cmd_uses("a '{sock}' '{port}'"), 0u);
	ASSERT_EQ(spawn_cmd_uses("a"), 0u);
}

/* {port} left for the node to fill in (a Slurm job picks its port). */
TEST(spawn_cmd_port_text)
{
	struct spawn_vars v = vars;
	char            **argv;

	v.port_text = "{port}";
	argv =
	    spawn_argv("jupyter notebook --port={port} --x={port}{port}", &v);
	ASSERT_STR_EQ(argv[2], "--port={port}");
	ASSERT_STR_EQ(argv[3], "--x={port}{port}");
	ASSERT_NULL(argv[4]);
	spawn_argv_free(argv);
}
