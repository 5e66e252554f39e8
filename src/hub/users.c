/* SPDX-License-Identifier: MIT */
/*
 * What the pages and the API both do for a user, so that neither needs
 * the other: finding the user a request names, starting a user's server,
 * with the log line that says who asked for it (an admin may start
 * anyone's).
 */
#include <stddef.h>
#include <string.h>

#include "hub.h"

#include "db.h"
#include "lib/log.h"
#include "req.h"
#include "respond.h"
#include "server.h"
#include "users.h"
#include "lib/util.h"
#include "lib/banned.h"

int
users_get(struct req *req, const char *name, struct db_user *u)
{
	int r;

	if (name == NULL || !username_valid(name)) {
		respond_error(req, 404, "no such user");
		return -1;
	}
	r = db_user_get(req->hub->db, name, u);
	if (r != 0) {
		respond_error(req, r == 1 ? 404 : 500, "no such user");
		return -1;
	}
	return 0;
}

int
users_set_admin(struct req *req, const char *name, int admin, const char **err)
{
	struct db_user u;
	int64_t        admins;
	int            r;

	r = username_valid(name) ? db_user_get(req->hub->db, name, &u) : 1;
	if (r != 0)
		return r;
	r = 0;
	if (!admin && u.admin) {
		if (u.id == req->user.id) {
			*err = "you cannot remove your own admin right: "
			       "another admin can";
			r = 2;
		} else if (db_admin_count(req->hub->db, &admins) == -1)
			r = -1;
		else if (admins <= 1) {
			*err = "the last admin keeps the admin right";
			r = 2;
		}
	}
	if (r == 0 && u.admin != admin) {
		r = db_user_set_admin(req->hub->db, name, admin);
		if (r == 0)
			log_info("%s %s the admin right of %s", req->user.name,
			    admin ? "gave" : "took", name);
	}
	db_user_release(&u);
	return r;
}

int
users_start(struct req *req, const struct db_user *u, const char *srv,
    const char **err)
{
	return users_start_with(req, u, srv, NULL, err);
}

int
users_start_with(struct req *req, const struct db_user *u, const char *srv,
    struct spawn_options *opts, const char **err)
{
	int r = server_start_with(req->hub, u, srv, opts, err);

	if (r == 0) {
		struct server *s =
		    hub_server(req->hub, u->name, strlen(u->name), srv);

		log_info("server %s%s%s: start requested by %s%s%s", u->name,
		    srv[0] != '\0' ? "/" : "", srv, req->user.name,
		    s != NULL && s->opts.profile != NULL ? ", profile " : "",
		    s != NULL && s->opts.profile != NULL ? s->opts.profile
		                                         : "");
	}
	return r;
}
