/* SPDX-License-Identifier: MIT */
/*
 * The services part of the REST API (api.h): GET /hub/api/services and
 * /hub/api/services/NAME with JupyterHub's Service model, each service
 * shown as far as read:services (the whole model) or read:services:name
 * (its name) reach it, unfiltered or with !service=NAME; and what GET
 * /hub/api/user answers a managed service's own token.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "config.h"
#include "hub.h"
#include "req.h"
#include "respond.h"
#include "scopes.h"
#include "services.h"
#include "session.h"
#include "spawn-cmd.h"
#include "lib/util.h"

/* Whether expanded set 'held' has 'base' for service 'name'. */
static int
holds(const char *held, const char *base, const char *name)
{
	char *filtered = xasprintf("%s!service=%s", base, name);
	int   yes = scopes_has(held, base) || scopes_has(held, filtered);

	free(filtered);
	return yes;
}

static int
is_admin(const struct service *s)
{
	return s->roles != NULL && strstr(s->roles, "admin") != NULL;
}

/* The model: all of it with 'full', else the name alone. */
static json_t *
service_json(const struct service *s, int full)
{
	json_t *j = json_pack("{s:s}", "name", s->name);
	json_t *cmd;
	char  **argv;
	int     pid;

	if (!full)
		return j;
	json_object_set_new(j, "kind", json_string("service"));
	json_object_set_new(j, "admin", json_boolean(is_admin(s)));
	json_object_set_new(j, "roles",
	    is_admin(s) ? json_pack("[s]", "admin") : json_array());
	json_object_set_new(j, "url", json_string(s->url ? s->url : ""));
	json_object_set_new(j, "prefix",
	    s->url != NULL ? json_sprintf("/services/%s/", s->name)
	                   : json_string(""));
	pid = services_pid(s);
	json_object_set_new(j, "pid", json_integer(pid));
	cmd = json_array();
	if (s->command != NULL) {
		struct spawn_vars v = { .sock = "",
			.port = s->port,
			.base_url = "",
			.root_dir = "",
			.username = s->name };

		argv = spawn_argv(s->command, &v);
		for (size_t i = 0; argv[i] != NULL; i++)
			json_array_append_new(cmd, json_string(argv[i]));
		spawn_argv_free(argv);
	}
	json_object_set_new(j, "command", cmd);
	json_object_set_new(j, "info", json_object());
	json_object_set_new(j, "display", json_boolean(s->url != NULL));
	return j;
}

void
api_services(struct req *req)
{
	const char *held = auth_scopes(req);
	json_t     *list = json_array();

	for (const struct service *s = req->hub->cfg->services; s != NULL;
	     s = s->next) {
		int full = holds(held, "read:services", s->name);

		if (full || holds(held, "read:services:name", s->name))
			json_array_append_new(list, service_json(s, full));
	}
	respond_json(req, 200, list);
}

void
api_service_get(struct req *req)
{
	const char           *held = auth_scopes(req);
	const char           *name = req->arg[0];
	const struct service *s =
	    config_service(req->hub->cfg, name, strlen(name));
	int full;

	/* One the caller may not see is as missing as one that is not. */
	if (s == NULL ||
	    !((full = holds(held, "read:services", s->name)) ||
	        holds(held, "read:services:name", s->name))) {
		respond_error(req, 404, "no such service");
		return;
	}
	respond_json(req, 200, service_json(s, full));
}

void
api_self_service(struct req *req)
{
	const struct service *s = req->service;
	json_t               *j = service_json(s, 1);

	json_object_set_new(j, "scopes", json_array());
	{
		const char *p = auth_scopes(req);

		while (*p != '\0') {
			size_t n = strcspn(p, " ");

			json_array_append_new(json_object_get(j, "scopes"),
			    json_stringn(p, n));
			p += n;
			p += strspn(p, " ");
		}
	}
	json_object_set_new(j, "session_id", json_null());
	respond_json(req, 200, j);
}
