/* SPDX-License-Identifier: MIT */
/*
 * The account a server's Slurm job runs as (spawn-slurm-account.h).
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "hub.h"
#include "server.h"
#include "spawn-slurm-account.h"
#include "lib/banned.h"

void
slurm_log_name(const struct server *s, char *out)
{
	snprintf(out, SLURM_LOG_MAX, "%s%s%s.log", SLURM_LOG,
	    s->srv[0] != '\0' ? "-" : "", s->srv);
}

int
slurm_account_of(const struct server *s, char *out, size_t len)
{
	if (!s->hub->is_root) {
		struct passwd *pw = getpwuid(geteuid());

		if (pw == NULL || strlen(pw->pw_name) >= len)
			return -1;
		snprintf(out, len, "%s", pw->pw_name);
		return 0;
	}
	return account_name(s->hub->cfg->user_prefix, s->name, out, len);
}
