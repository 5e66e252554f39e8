/* SPDX-License-Identifier: MIT */
/*
 * A user server's command line (hub.conf server_cmd) made into an argv
 * array. The text is split into words like a shell would split it, but
 * nothing else a shell does happens: quotes group, a backslash escapes
 * inside double quotes, and five placeholders are filled in, {sock},
 * {port}, {base_url}, {root_dir} and {username}, outside single quotes. A value
 * never splits into more words, whatever it holds.
 */
#ifndef SPAWN_CMD_H
#define SPAWN_CMD_H

#define SPAWN_CMD_MAX_WORD (64 * 1024) /* longer words are cut */

/* What the placeholders stand for; all borrowed. */
struct spawn_vars {
	const char *sock; /* {sock}: the Unix socket to listen on */
	int         port; /* {port} */
	const char *port_text; /* if not NULL, {port} is this instead: a
	                        * port the server's node fills in */
	const char *base_url; /* {base_url}: "/user/NAME/" */
	const char *root_dir; /* {root_dir}: the server's home or workspace */
	const char *username; /* {username}: the rig user */
};

/* Splits 'cmd' and fills in 'vars'. Never NULL; NULL-terminated, with
 * argv[0] NULL if 'cmd' has no words. Free with spawn_argv_free(). */
char **spawn_argv(const char *cmd, const struct spawn_vars *vars);

/* Which of {sock} and {port} 'cmd' names (outside single quotes): the
 * server listens on the socket if it names {sock}, else on the port. */
#define SPAWN_USES_PORT 1u
#define SPAWN_USES_SOCK 2u
unsigned spawn_cmd_uses(const char *cmd);

/* Frees a spawn_argv() result; spawn_argv_free(NULL) does nothing. */
void spawn_argv_free(char **argv);

#endif
