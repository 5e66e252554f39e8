/* SPDX-License-Identifier: MIT */
/*
 * Talking to the machine: ssh (or a local shell for the "local"
 * provider) and rsync argv from .rig/ssh_config, run as children through
 * lib/proc.h, with ssh's failures said in words. Scripts for the machine
 * are sh command lines (that is what ssh runs); every value put into one
 * goes through sh_quote().
 */
#ifndef REMOTE_H
#define REMOTE_H

#include <stddef.h>

#include "lib/proc.h"

struct machine;

/* How to reach one machine. */
struct remote {
	struct machine *m;
	char           *host; /* from the provider; NULL: this machine */
	int             port;
	char           *alias; /* Host name in ssh_config */
	char           *ssh_config; /* .rig/ssh_config */
	char           *known_hosts; /* .rig/known_hosts */
	char           *control_path; /* shared connection; NULL: none */
	char           *ssh, *rsync; /* programs */
	char           *home; /* this machine's: local provider's base */
	int             service_sudo; /* rig service runs as root: sudo -n */
};

/* Flags of remote_argv() and remote_run(). */
#define REMOTE_TTY 0x1 /* a terminal for the command (ssh -t) */
#define REMOTE_OWN 0x2 /* its own connection, not the shared one */

/*
 * Asks the provider where the machine is and writes .rig/ssh_config
 * for it. -1 with a message.
 */
int  remote_open(struct remote *, struct machine *);
void remote_close(struct remote *);

/* The argv that runs 'script' (an sh command line; NULL: a login shell)
 * on the machine, after 'extra' ssh options (may be NULL). */
void remote_argv(struct remote *, struct argv *, const char *script, int flags,
    char *const *extra);
/* rsync's -e value, or NULL for the local provider. Caller frees. */
char *remote_rsync_rsh(struct remote *);
/* 'path' on the machine as rsync names it. Caller frees result. */
char *remote_rsync_path(struct remote *, const char *path);

/*
 * Logs in once (which also opens the shared connection the next
 * commands use) within connect_timeout. 0, or -1 with a message that
 * says what is wrong: unreachable, key refused, host key changed.
 */
int remote_connect(struct remote *);

/* Runs 'script' on the machine, output captured (proc_capture()), its
 * control characters but newline and tab made '?' (term_clean()). */
int remote_capture(struct remote *, const char *script, int in_fd,
    int timeout_ms, struct proc_result *);

/*
 * Before deleting in 'rpath' (remote_dir as machine_remote_path() has it):
 * -1 with a message starting with 'what' if, on the machine, it is the
 * root, the login's home, any home of the password database, or a
 * folder holding one; 0 if none (or it does not exist).
 */
int remote_dir_guard(struct remote *, const char *rpath, const char *what);

/*
 * Where the hub answers, for a line of output: "https://HOST:PORT/", or
 * with hub_access = tunnel on a machine over SSH, its loopback address
 * there and how to reach it ('rig tunnel'). Caller frees result.
 */
char *remote_hub_where(const struct remote *);

/*
 * The two ssh options that forward 127.0.0.1:'local' here to the hub's
 * port on the machine's loopback, into extra[0] and extra[1] (caller
 * frees them); prints the local URL on standard error. Returns 2.
 */
int remote_hub_forward(const struct remote *, int local, char **extra);

/* Runs 'script' on the machine with rig's terminal (proc_run()). */
int remote_run(struct remote *, const char *script, int flags,
    char *const *extra);

/*
 * What went wrong from ssh's exit status and standard error, as one
 * line for error(): "cannot reach HOST port 22: connection refused".
 */
void remote_explain(const struct remote *, const struct proc_result *,
    char *out, size_t outlen);

/* 's' quoted for sh: as it is when only safe characters, else in single
 * quotes. Caller frees result. */
char *sh_quote(const char *s);

#endif
