/* SPDX-License-Identifier: MIT */
/*
 * The hub's pages: login and logout (page-login.c), home, starting and
 * stopping and spawn progress (page-home.c), admin (page-admin.c), tokens
 * (page-tokens.c), passwords (page-password.c), batch jobs
 * (page-jobs.c) and the static assets
 * (page-static.c). Each is a handler of routes.c's table, which decides
 * who may ask before it runs; NAME in a path is req->arg[0].
 */
#ifndef PAGES_H
#define PAGES_H

#include <stddef.h>

struct req;

void pages_css(struct req *); /* /hub/static/rig.css */
void pages_js(struct req *); /* /hub/static/rig.js */
void pages_favicon(struct req *); /* /hub/static/favicon.svg, /favicon.ico */
void pages_logo(struct req *); /* /hub/logo: servers show it */
void pages_login(struct req *); /* the form, or on if signed in */
void pages_login_try(struct req *); /* the form's POST */
void pages_logout(struct req *);
void pages_to_home(struct req *); /* / and /hub: to /hub/home */
void pages_home(struct req *);
void pages_spawn(struct req *); /* POST /hub/spawn[/NAME[/SRV]] */
void pages_spawn_form(struct req *); /* GET /hub/spawn[/NAME]: options */
void pages_stop(struct req *); /* POST /hub/stop[/NAME[/SRV]] */
void pages_remove(struct req *); /* POST /hub/remove/NAME/SRV */
void pages_pending(struct req *); /* /hub/spawn-pending/NAME[/SRV] */
void pages_user(struct req *); /* /hub/user/NAME[/SRV]/...: to the above */
void pages_tokens(struct req *);
void pages_token_add(struct req *);
void pages_token_del(struct req *); /* /hub/token/revoke/ID: asks, revokes */
void pages_password(struct req *); /* one's own password: the form */
void pages_password_set(struct req *); /* its POST */
void pages_jobs(struct req *); /* /hub/jobs: one's batch jobs */
void pages_job(struct req *); /* /hub/jobs/ID: one, with its output */
void pages_job_cancel(struct req *); /* POST /hub/jobs/ID/cancel */
void pages_admin(struct req *);
void pages_admin_add(struct req *);
void pages_admin_del(struct req *); /* /hub/admin/delete/NAME: asks, deletes */
void pages_reset(struct req *); /* /hub/admin/password/NAME: the form */
void pages_reset_set(struct req *); /* its POST */
void pages_admin_on(struct req *); /* /hub/admin/admin/NAME */
void pages_admin_off(struct req *); /* /hub/admin/unadmin/NAME */
/* The OAuth consent page (page-consent.c): 'client' asks for 'grant'
 * (both plain text); the form posts 'fields' (name, value pairs) back
 * with a decision, allow or deny. */
void pages_oauth_consent(struct req *, const char *client, const char *grant,
    const char *const fields[][2], size_t nfields);
void pages_pool_api(struct req *); /* GET /hub/api/pool (page-pool.c) */

#endif
