/* SPDX-License-Identifier: MIT */
/*
 * PAM for authenticator = pam (auth-pam.h): the password check of
 * 'rig pam-auth' and the session 'rig sandbox --pam-service' opens
 * around a server, with its keeper process.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "auth-pam.h"
#include "lib/banned.h"

/* What the conversation knows: the password (NULL in a session: no
 * prompt is answered) and where PAM's first error message goes. */
struct conv_data {
	const char *password;
	char       *why;
	size_t      len;
};

static int  conv(int, const struct pam_message **, struct pam_response **,
     void *);
static void keeper(pam_handle_t *, int pidfd) __attribute__((noreturn));

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	struct conv_data    *d = arg;
	struct pam_response *r;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			if (d->password == NULL)
				goto fail;
			r[i].resp = strdup(d->password);
			if (r[i].resp == NULL)
				goto fail;
			break;
		case PAM_ERROR_MSG:
			if (d->why != NULL && d->why[0] == '\0' &&
			    msg[i]->msg != NULL)
				snprintf(d->why, d->len, "%s", msg[i]->msg);
			break;
		default: /* PAM_TEXT_INFO: the message of the day, ... */
			break;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (int i = 0; i < n; i++)
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	free(r);
	return PAM_CONV_ERR;
}

enum authpam_result
authpam_check(const char *service, const char *user, const char *password,
    char *why, size_t len)
{
	struct conv_data    d = { password, why, len };
	struct pam_conv     c = { conv, &d };
	pam_handle_t       *h = NULL;
	enum authpam_result res;
	int                 rc;

	why[0] = '\0';
	rc = pam_start(service, user, &c, &h);
	if (rc != PAM_SUCCESS) {
		snprintf(why, len, "pam_start(%s): %s", service,
		    pam_strerror(h, rc));
		return AUTHPAM_ERROR;
	}
	rc = pam_authenticate(h, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc != PAM_SUCCESS) {
		res = rc == PAM_AUTH_ERR || rc == PAM_USER_UNKNOWN ||
		        rc == PAM_MAXTRIES || rc == PAM_CRED_INSUFFICIENT
		    ? AUTHPAM_AUTH
		    : AUTHPAM_ERROR;
		if (why[0] == '\0')
			snprintf(why, len, "pam_authenticate: %s",
			    pam_strerror(h, rc));
		pam_end(h, rc);
		return res;
	}
	rc = pam_acct_mgmt(h, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc != PAM_SUCCESS) {
		if (why[0] == '\0')
			snprintf(why, len, "pam_acct_mgmt: %s",
			    rc == PAM_NEW_AUTHTOK_REQD
			        ? "the password must be changed first"
			        : pam_strerror(h, rc));
		pam_end(h, rc);
		return AUTHPAM_ACCOUNT;
	}
	pam_end(h, PAM_SUCCESS);
	return AUTHPAM_OK;
}

/*
 * The keeper: holds the session until process 'pidfd' ends, then closes
 * it. It is root, in no cgroup of the server's and not its child (the
 * server would see a child of its own it never made), with stdin and
 * stdout on /dev/null and its working directory '/'; stderr stays the
 * server's log, for a failure to close.
 */
static void
keeper(pam_handle_t *h, int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int           fd, rc;

	prctl(PR_SET_NAME, AUTHPAM_KEEPER_NAME, 0, 0, 0);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (fd > 2)
			close(fd);
	}
	if (chdir("/") == -1)
		_exit(1);
	while (poll(&p, 1, -1) == -1 && errno == EINTR)
		;
	rc = pam_close_session(h, 0);
	if (rc != PAM_SUCCESS)
		fprintf(stderr, "rig: pam_close_session: %s\n",
		    pam_strerror(h, rc));
	(void)pam_setcred(h, PAM_DELETE_CRED);
	pam_end(h, rc);
	_exit(rc == PAM_SUCCESS ? 0 : 1);
}

int
authpam_session_begin(const char *service, const char *user, char *why,
    size_t len)
{
	struct conv_data d = { NULL, NULL, 0 };
	struct pam_conv  c = { conv, &d };
	pam_handle_t    *h = NULL;
	const char      *step;
	int              rc, pidfd, st = 0;
	pid_t            pid;

	rc = pam_start(service, user, &c, &h);
	if (rc != PAM_SUCCESS) {
		snprintf(why, len, "pam_start(%s): %s", service,
		    pam_strerror(h, rc));
		return -1;
	}
	step = "the account (pam_acct_mgmt)";
	rc = pam_acct_mgmt(h, PAM_SILENT);
	if (rc == PAM_SUCCESS) {
		step = "pam_setcred";
		rc = pam_setcred(h, PAM_ESTABLISH_CRED);
	}
	if (rc == PAM_SUCCESS) {
		step = "pam_open_session";
		rc = pam_open_session(h, 0);
		if (rc != PAM_SUCCESS)
			(void)pam_setcred(h, PAM_DELETE_CRED);
	}
	if (rc != PAM_SUCCESS) {
		snprintf(why, len, "PAM service %s refused %s for %s: %s",
		    service, step, user, pam_strerror(h, rc));
		pam_end(h, rc);
		return -1;
	}
	/* Named by a pidfd, the keeper waits for this very process, which
	 * becomes the server: a pid reused later is not it. */
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	pid = pidfd == -1 ? -1 : fork();
	if (pid == 0) {
		/* Forked twice: the keeper's parent exits at once, so the
		 * server (this process after exec) never has it as a child
		 * that a 'wait' of its own would wait for. */
		pid_t k = fork();

		if (k == 0)
			keeper(h, pidfd);
		_exit(k == -1 ? 1 : 0);
	}
	if (pid != -1)
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	if (pid == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(why, len, "cannot start the PAM session's keeper: %s",
		    pid == -1 ? strerror(errno) : "fork failed");
		if (pidfd != -1)
			close(pidfd);
		(void)pam_close_session(h, 0);
		(void)pam_setcred(h, PAM_DELETE_CRED);
		pam_end(h, PAM_SUCCESS);
		return -1;
	}
	close(pidfd);
	/* The keeper holds the session now: ending the handle here must not
	 * undo what the modules did (PAM_DATA_SILENT, as login(1) does in
	 * the child that runs the shell). */
	pam_end(h, PAM_SUCCESS | PAM_DATA_SILENT);
	return 0;
}
