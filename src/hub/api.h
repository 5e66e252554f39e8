/* SPDX-License-Identifier: MIT */
/*
 * The REST API under /hub/api/: a subset of JupyterHub's, with the same
 * paths, status codes and JSON shapes, so its clients work unchanged. Each
 * function is a handler of routes.c's table, which decides who may ask;
 * those of /hub/api/users/NAME/... load NAME (req->arg[0]) first and
 * answer 404 if there is no such user.
 */
#ifndef API_H
#define API_H

struct req;

void api_version(struct req *); /* /hub/api */
void api_self(struct req *); /* GET /hub/api/user */
void api_users(struct req *); /* GET /hub/api/users */
void api_user_add(struct req *); /* POST /hub/api/users/NAME */
void api_user_get(struct req *);
void api_user_set(struct req *); /* PATCH: admin or not */
void api_user_del(struct req *);
void api_user_405(struct req *); /* a known path, another method */
void api_user_404(struct req *); /* an unknown path under NAME */
void api_start(struct req *); /* POST .../server */
void api_stop(struct req *); /* DELETE .../server */
void api_progress(struct req *); /* GET .../server/progress: events */
/* The same for named server SRV (arg[1]): .../servers/SRV[/progress]. */
void api_named_start(struct req *);
void api_named_stop(struct req *);
void api_named_progress(struct req *);
void api_tokens(struct req *);
void api_token_add(struct req *);
void api_token_get(struct req *); /* .../tokens/ID (ID is arg[1]) */
void api_token_del(struct req *);
void api_activity(struct req *); /* POST .../activity */
/* api-services.c */
void api_services(struct req *); /* GET /hub/api/services */
void api_service_get(struct req *); /* GET /hub/api/services/NAME */
void api_self_service(struct req *); /* GET /hub/api/user, a service */

#endif
