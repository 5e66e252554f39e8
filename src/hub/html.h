/* SPDX-License-Identifier: MIT */
/*
 * HTML building for the hub's pages: escaping, the shared page frame, and
 * the static assets the pages use (style sheet, script, icon).
 * Every value that came from outside goes through html_escape() or
 * html_add(); nothing is ever marked "safe".
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

#include "lib/buf.h"

/* Appends 's' to 'b' with & < > " ' escaped. */
void html_add(struct buf *b, const char *s);
/* A new escaped copy; caller frees result. */
char *html_escape(const char *s);

/* Starts a page: doctype, head with 'title', the top bar (with 'user' and
 * admin link when 'user' is not NULL), and the notice of the banner
 * source, if it has one now. */
void html_begin(struct buf *, const char *title, const char *user, int admin);
/* Sets the source of a notice every page shows while it returns one (the
 * machine's idle stop: autostop_banner, set by daemon.c); NULL for none.
 * A hook, so the page frame does not depend on what the notice is about. */
void html_banner_from(const char *(*fn)(void));
/* Whether the frame links to the password page: not when passwords are
 * the Unix accounts' (authenticator = pam). Set by daemon.c; on at
 * first. */
void html_password_page(int on);
/* Whether the frame links to the batch jobs page (a hub whose servers
 * are Slurm jobs: set by daemon.c); off at first. */
void html_jobs_page(int on);
/* Ends the page opened by html_begin(). */
void html_end(struct buf *);

/* A complete error page; caller frees result. With the top bar of 'user'
 * (NULL: none) and a link to 'back' (a local path, or NULL). */
char *html_error_page(int status, const char *msg, const char *user, int admin,
    const char *back);

extern const char html_css[];
extern const char html_rig_js[];
extern const char html_favicon_svg[];
/* The hub's logo, SVG: single-user servers show /hub/logo. */
extern const char html_logo_svg[];

#endif
