/* SPDX-License-Identifier: MIT */
/*
 * What the pages and the API both do for a user, so that neither needs
 * the other: starting a user's server, with the log line that says who
 * asked for it (an admin may start anyone's).
 */
#include <stddef.h>

#include "db.h"
#include "lib/log.h"
#include "req.h"
#include "server.h"
#include "users.h"
#include "lib/banned.h"

int
users_start(struct req *req, const struct db_user *u, const char **err)
{
	int r = server_start(req->hub, u, err);

	if (r == 0)
		log_info("server %s: start requested by %s", u->name,
		    req->user.name);
	return r;
}
