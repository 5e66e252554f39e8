/* SPDX-License-Identifier: MIT */
/*
 * server_cmd into argv (spawn-cmd.h). The server starts with uv_spawn and
 * this array, never through a shell, so the user name and paths that go
 * into it cannot be read as shell syntax.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/util.h"
#include "spawn-cmd.h"

static int    fill(struct buf *, const char **, const struct spawn_vars *,
       unsigned *);
static char **split(const char *, const struct spawn_vars *, unsigned *);

/* If '*p' starts a placeholder, appends its value, steps over it and
 * notes it in '*used'. */
static int
fill(struct buf *w, const char **p, const struct spawn_vars *v, unsigned *used)
{
	if (strncmp(*p, "{port}", 6) == 0) {
		if (v->port_text != NULL)
			buf_adds(w, v->port_text);
		else
			buf_addf(w, "%d", v->port);
		*p += 6;
		*used |= SPAWN_USES_PORT;
		return 1;
	}
	if (strncmp(*p, "{sock}", 6) == 0) {
		buf_adds(w, v->sock != NULL ? v->sock : "");
		*p += 6;
		*used |= SPAWN_USES_SOCK;
		return 1;
	}
	if (strncmp(*p, "{base_url}", 10) == 0) {
		buf_adds(w, v->base_url);
		*p += 10;
		return 1;
	}
	if (strncmp(*p, "{root_dir}", 10) == 0) {
		buf_adds(w, v->root_dir);
		*p += 10;
		return 1;
	}
	if (strncmp(*p, "{username}", 10) == 0) {
		buf_adds(w, v->username);
		*p += 10;
		return 1;
	}
	return 0;
}

char **
spawn_argv(const char *cmd, const struct spawn_vars *vars)
{
	unsigned used = 0;

	return split(cmd, vars, &used);
}

unsigned
spawn_cmd_uses(const char *cmd)
{
	static const struct spawn_vars none = { .base_url = "",
		.root_dir = "",
		.username = "" };
	unsigned                       used = 0;

	spawn_argv_free(split(cmd, &none, &used));
	return used;
}

static char **
split(const char *cmd, const struct spawn_vars *vars, unsigned *used)
{
	char      **argv = xcalloc(1, sizeof(char *));
	size_t      n = 0;
	const char *p = cmd;

	while (*p != '\0') {
		struct buf w;
		char       q = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		buf_init(&w, SPAWN_CMD_MAX_WORD);
		while (*p != '\0' && (q != 0 || (*p != ' ' && *p != '\t'))) {
			if (q == 0 && (*p == '"' || *p == '\'')) {
				q = *p++;
				continue;
			}
			if (q != 0 && *p == q) {
				q = 0;
				p++;
				continue;
			}
			if (q == '"' && *p == '\\' && p[1] != '\0')
				p++;
			if (q != '\'' && *p == '{' && fill(&w, &p, vars, used))
				continue;
			buf_add(&w, p, 1);
			p++;
		}
		argv = xrealloc(argv, (n + 2) * sizeof(char *));
		argv[n++] = buf_detach(&w, NULL);
		argv[n] = NULL;
	}
	return argv;
}

void
spawn_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}
