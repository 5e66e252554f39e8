/* SPDX-License-Identifier: MIT */
/*
 * rig pam-auth SERVICE ACCOUNT: checks the password on standard input
 * (everything up to EOF, at most PASSWORD_MAX bytes) for ACCOUNT with PAM
 * service SERVICE, and exits with the outcome (enum authpam_result: 0 the
 * password is right and the account usable, 1 a wrong password, 2 the
 * account refused, 3 an error). The privileged helper runs it as root
 * for each login of authenticator = pam (auth-pam.h), so that PAM's
 * modules, their delays and their helpers run in a process of their own,
 * neither in the network-facing hub nor in the helper's loop. Run by
 * anyone else it refuses: only root may ask about another account.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth-pam.h"
#include "auth.h"
#include "cmd.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

int
cmd_pam_auth(int argc, char **argv)
{
	char                pw[PASSWORD_MAX + 2], why[256];
	size_t              n = 0;
	ssize_t             r;
	enum authpam_result res;

	if (argc != 3)
		return usage("pam-auth");
	if (geteuid() != 0) {
		error("pam-auth: only root may check another account's "
		      "password");
		return AUTHPAM_ERROR;
	}
	while (n < sizeof(pw) - 1) {
		r = read(STDIN_FILENO, pw + n, sizeof(pw) - 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	pw[n] = '\0';
	if (n == 0 || n > PASSWORD_MAX || strlen(pw) != n) {
		explicit_bzero(pw, sizeof(pw));
		error("pam-auth: no password, or not one on standard input");
		return AUTHPAM_ERROR;
	}
	res = authpam_check(argv[1], argv[2], pw, why, sizeof(why));
	explicit_bzero(pw, sizeof(pw));
	if (res == AUTHPAM_ACCOUNT || res == AUTHPAM_ERROR)
		error("pam-auth: %s: %s", argv[2], why);
	return res;
}
