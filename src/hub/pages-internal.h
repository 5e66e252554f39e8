/* SPDX-License-Identifier: MIT */
/*
 * What the page files (page-*.c) share, in page-common.c. Not for other
 * modules: they reach the pages through pages.h's handlers.
 */
#ifndef PAGES_INTERNAL_H
#define PAGES_INTERNAL_H

#include <stdint.h>

#include <jansson.h>

#include "lib/buf.h"

struct db_user;
struct req;

/* "; Secure" for a cookie when the hub speaks TLS, else "". */
const char *page_secure_attr(const struct req *);
/* Answers with the HTML 'page' (released) and extra 'headers' (or NULL). */
void page_respond(struct req *, int status, struct buf *page,
    const char *headers);
/* A form field of the body, or a query argument; caller frees result
 * (NULL if absent). */
char *page_field(const struct req *, const char *name);
char *page_query(const struct req *, const char *name);
/* The session's _xsrf as a hidden input. */
void page_hidden_xsrf(struct buf *, const struct req *);
/* A POST form to 'action' with one button 'label' (class 'cls' if not
 * NULL) and a hidden 'next' if not NULL. */
void page_button_form(struct buf *, const struct req *, const char *action,
    const char *label, const char *cls, const char *next);
/* A link to 'href' that looks like a button (class "button" and 'cls'),
 * where a button would go inside a link, which HTML does not allow. */
void page_link_button(struct buf *, const char *href, const char *label,
    const char *cls);
/* A time (seconds since the epoch) as a <time> element, in UTC (rig.js
 * shows it in the browser's time zone); "never" for 0. */
void page_time(struct buf *, int64_t t);
/* The admin page's pool section from a view (poolquery.h; NULL: none
 * yet), every value escaped (page-pool.c). */
void page_pool_section(struct buf *, json_t *view);
/* "s" unless 'n' is 1: "%lld second%s". */
const char *page_plural(long long n);

/*
 * Confirmations. An action that destroys something (deleting a user,
 * revoking a token) is a POST to 'action' that acts only with a "confirm"
 * field: a token bound to the session and to that action, which only the
 * confirmation page carries (the session's _xsrf, on every form, is not
 * enough). page_confirm() answers with that page: the question, a button
 * that posts the confirmation, and a link back to 'cancel'. It needs no
 * script.
 */
void page_confirm(struct req *, const char *title, const char *question,
    const char *action, const char *button, const char *cancel);
int  page_confirmed(const struct req *, const char *action);

/*
 * One-time messages across a redirect (POST/redirect/GET): what a POST
 * made (a new user's password, a new token) is kept in the hub's memory
 * for the session, at most PAGE_FLASH_TTL seconds, and taken by the next
 * GET of 'page' that asks; so a reload shows it no more and it is never in
 * a URL. page_flash_take() gives the caller the two strings (free with
 * free_secret(); NULL if none).
 */
#define PAGE_FLASH_TTL 300
int page_flash_put(const struct req *, const char *page, const char *notice,
    const char *secret); /* -1 without a session (a token's request) */
/*
 * What a POST made, to 'page': kept and a redirect there, or, for a
 * request without a session to keep it for (an API token's), shown at
 * once on a page of its own.
 */
void page_made(struct req *, const char *page, const char *notice,
    const char *secret);
/* What was made, as page_made() shows it: the notice, then the secret
 * (if not NULL) and that it is shown once; paragraphs for a box. */
void page_made_paras(struct buf *, const char *notice, const char *secret);
int  page_flash_take(const struct req *, const char *page, char **notice,
     char **secret);
/*
 * The user a /hub/x/NAME path names: the requester if NAME is empty or
 * NULL, else NAME (the route let only its owner or an admin in). Returns 0
 * and fills *u, or responds and returns -1.
 */
int page_target_user(struct req *, const char *name, struct db_user *u);
/* The same for "NAME/SRV" (a named server, the routes' owner check was on
 * NAME), "NAME" or NULL (the default server): srv (SERVER_NAME_MAX + 1
 * bytes) "" or a checked server name; else responds 404 and returns -1. */
int page_target_server(struct req *, const char *arg, struct db_user *u,
    char *srv);
/* The home page's box of the user's named servers (page-named.c). */
void page_named_servers(struct buf *, struct req *);

/*
 * The spawn page for user u (page-spawn.c): the profiles to choose from
 * when there are several ('chosen' checked, else the default), then a
 * Start button posting to /hub/spawn[/NAME[/SRV]] (server 'srv', "" the
 * default); 'error' (or NULL) above it,
 * 'next' (or NULL) carried on.
 */
void page_spawn_form(struct req *, const struct db_user *u, const char *srv,
    int status, const char *error, const char *chosen, const char *next);

#endif
