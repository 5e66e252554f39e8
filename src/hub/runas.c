/* SPDX-License-Identifier: MIT */
/*
 * Commands run as an account, their output captured (runas.h), through
 * cmdrun.h: in '/', with PATH alone in the environment, never as root.
 */
#include <unistd.h>

#include <uv.h>

#include "cmdrun.h"
#include "priv.h"
#include "runas.h"
#include "lib/banned.h"

static char *const runas_env[] = { (char *)"PATH=/usr/bin:/bin", NULL };

int
runas_start(struct hub *hub, const char *account, char *const *argv,
    size_t max_out, runas_cb cb, void *arg)
{
	struct cmdrun run = { .account = account,
		.argv = argv,
		.env = runas_env,
		.cwd = "/",
		.max_out = max_out };

	/* Without the helper, a root hub would run it as root: never. */
	if (account != NULL && !priv_active(hub)) {
		if (geteuid() == 0)
			return UV_EPERM;
		run.account = NULL;
	}
	return cmdrun_start(hub, &run, cb, arg);
}
