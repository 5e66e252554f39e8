/* SPDX-License-Identifier: MIT */
/*
 * ssh_config text for a machine: the file rig gives its own ssh with -F
 * (.rig/ssh_config: key only, known hosts of the project, one shared
 * connection), and the Host entry 'rig ssh-config' puts in a rig-managed
 * file that one Include line at the top of ~/.ssh/config brings in, so
 * that plain 'ssh NAME' and editors' remote-SSH reach the machine too.
 */
#ifndef SSHCONFIG_H
#define SSHCONFIG_H

struct machine;

#define SSHCONFIG_USER_FILE "config-rig" /* in ~/.ssh */
/* Before a machine's name in the user's ssh config: never a real host's
 * name, whatever the project is called. */
#define SSHCONFIG_PREFIX "rig-"
#define SSHCONFIG_KH_MAX 3 /* files in UserKnownHostsFile */

struct sshconfig_host {
	const char *alias; /* the Host pattern */
	const char *hostname;
	int         port;
	const char *user;
	const char *identity; /* absolute or NULL */
	const char *known_hosts; /* absolute; where new keys go */
	const char *user_home; /* its .ssh/known_hosts{,2} checked too; NULL */
	const char *control_path; /* NULL: no shared connection */
	int         connect_timeout;
	int         rig_only; /* rig's own: no prompts, quiet */
};

/* A "Host ALIAS" block. Caller frees result; NULL (printed) if a value
 * cannot be written in ssh_config syntax. */
char *sshconfig_block(const struct sshconfig_host *);

/*
 * The rig-managed file's text with the entry for 'alias' (between
 * "# rig: ALIAS" and "# rig: end") replaced by 'block', or added at the
 * end ('block' NULL: only removed); 'project' is noted in the marker.
 * Caller frees result.
 */
char *sshconfig_replace(const char *old, const char *alias, const char *project,
    const char *block);

/*
 * ~/.ssh/config's text with 'line' ("Include ...") first if it is not
 * already before any Host or Match line; NULL if the text is right as
 * it is. Caller frees result.
 */
char *sshconfig_with_include(const char *old, const char *line);

/*
 * rig ssh-config: writes the entry for 'm' in ~/.ssh/config-rig and the
 * Include line in ~/.ssh/config (both created 0600, ~/.ssh 0700, as ssh
 * wants them). 'home' is the home ssh uses. -1 with a message.
 */
int sshconfig_install(const struct machine *m, const char *home,
    const char *hostname, int port);

#endif
