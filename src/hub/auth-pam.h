/* SPDX-License-Identifier: MIT */
/*
 * PAM, for authenticator = pam: the machine's Unix accounts sign in with
 * their own passwords, and each server runs inside a PAM session of its
 * account. Only root processes call these, never the network-facing hub
 * (PAM's modules read /etc/shadow, run helpers, write logs):
 *
 *  - the password check runs in a child the privileged helper starts for
 *    each login, 'rig pam-auth SERVICE ACCOUNT' with the password on its
 *    standard input (cmd-pam-auth.c), whose exit status is the outcome;
 *  - the session is opened by 'rig sandbox --pam-service SERVICE' as root
 *    (cmd-sandbox.c), just before it becomes the account and runs the
 *    server, so the session's limits and login uid are the server's. A
 *    small root process it leaves beside the server ("rig-pam-session")
 *    holds the session and closes it when the server ends, whether or not
 *    the hub still runs: a hub restart neither closes nor loses it.
 */
#ifndef AUTH_PAM_H
#define AUTH_PAM_H

#include <stddef.h>

/* The outcome of a check: also rig pam-auth's exit status. */
enum authpam_result {
	AUTHPAM_OK = 0, /* the password is right and the account usable */
	AUTHPAM_AUTH = 1, /* pam_authenticate() refused: a wrong password */
	AUTHPAM_ACCOUNT = 2, /* pam_acct_mgmt() refused: expired, locked,
	                      * a password to change first */
	AUTHPAM_ERROR = 3, /* PAM itself failed (no such service, ...) */
};

/* The name the session's keeper process shows (ps, /proc/PID/comm). */
#define AUTHPAM_KEEPER_NAME "rig-pam-session"

/*
 * Checks 'password' for 'user' with PAM service 'service': its
 * authentication, then its account management. The conversation answers
 * every prompt with the password (as JupyterHub's pamela does) and keeps
 * the first error message PAM shows in 'why' (also for other outcomes,
 * said in words). Needs root for modules such as pam_unix.
 */
enum authpam_result authpam_check(const char *service, const char *user,
    const char *password, char *why, size_t len);

/*
 * As root, for the process about to become 'user' and run its server:
 * the account checked again (pam_acct_mgmt: an account that expired since
 * its login gets no server), its credentials set and a session opened
 * with 'service'; then a keeper process is forked off, outside anything
 * this process joins later, that waits for this process (by pidfd, so
 * through its exec into the server) and then closes the session. 0, or
 * -1 with why in 'why' (nothing is left open).
 */
int authpam_session_begin(const char *service, const char *user, char *why,
    size_t len);

#endif
