/* SPDX-License-Identifier: MIT */
/*
 * Passwords in the pages: a user changes their own (the current one
 * first, checked on the thread pool and counted by the login throttle like
 * a login, since it is a guess too), and an admin sets another user's. The
 * new one follows the CLI's rule (password_error()) and is typed twice.
 * Either ends the user's login sessions, as `rig user passwd` does: whoever
 * knew the old password may hold one; one's own change then starts a new
 * session for the browser that made it. Neither form ever shows a
 * password again.
 */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "auth.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "lib/log.h"
#include "pages-internal.h"
#include "pages.h"
#include "req.h"
#include "respond.h"
#include "users.h"
#include "session.h"
#include "lib/util.h"

#define OWN_PAGE "/hub/password"

/* A change on the thread pool: the current password checked (if asked),
 * then the new one hashed. */
struct pw_work {
	uv_work_t   work;
	struct req *req;
	int64_t     user_id;
	char       *name; /* whose password */
	char       *current; /* NULL: an admin's reset */
	char       *old_hash;
	char       *new_pw;
	char       *new_hash; /* set by the worker */
	int         ok; /* the current password matched (or none asked) */
};

static void        password_page(struct req *, int status, const char *error,
           const char *headers);
static void        reset_page(struct req *, int status, const char *error,
           const char *name);
static void        form_fields(struct buf *, const char *autocomplete);
static const char *new_password_error(const struct req *, char **pw);
static int  queue_change(struct req *, const struct db_user *, char *current,
     char *new_pw);
static void change_cb(uv_work_t *);
static void change_done_cb(uv_work_t *, int);
static void pw_work_free(struct pw_work *);
static int  reset_target(struct req *, struct db_user *);
static int  unix_passwords(struct req *);

/* With authenticator = pam the passwords are the Unix accounts': these
 * pages are not there (404, saying so). 1 if answered so. */
static int
unix_passwords(struct req *req)
{
	if (req->hub->cfg->authenticator == AUTH_LOCAL)
		return 0;
	respond_error(req, 404,
	    req->hub->cfg->authenticator == AUTH_LDAP
	        ? "passwords here are the directory's (authenticator = "
	          "ldap): change yours where your organisation says"
	        : "passwords here are the Unix accounts' (authenticator = "
	          "pam): change yours on the machine, with passwd");
	return 1;
}

/* The new password, twice. */
static void
form_fields(struct buf *b, const char *autocomplete)
{
	buf_addf(b,
	    "<label for=\"new\">New password</label><input id=\"new\" "
	    "name=\"new\" type=\"password\" autocomplete=\"%s\" required "
	    "maxlength=\"%d\"><label for=\"new2\">New password again</label>"
	    "<input id=\"new2\" name=\"new2\" type=\"password\" "
	    "autocomplete=\"%s\" required maxlength=\"%d\">",
	    autocomplete, PASSWORD_MAX, autocomplete, PASSWORD_MAX);
}

/* The form, with 'error' above it and extra 'headers' (or NULL). */
static void
password_page(struct req *req, int status, const char *error,
    const char *headers)
{
	struct buf b;
	char      *notice, *secret;

	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Password", req->user.name, req->user.admin);
	buf_adds(&b, "<div class=\"box\"><h1>Change my password</h1>");
	if (page_flash_take(req, OWN_PAGE, &notice, &secret)) {
		buf_adds(&b, "<p role=\"status\">");
		html_add(&b, notice);
		buf_adds(&b, "</p>");
		free_secret(notice);
		free_secret(secret);
	}
	if (error != NULL) {
		buf_adds(&b, "<p class=\"error\" role=\"alert\">");
		html_add(&b, error);
		buf_adds(&b, "</p>");
	}
	buf_adds(&b, "<form method=\"post\" action=\"/hub/password\">");
	page_hidden_xsrf(&b, req);
	/* For password managers: whose password this is. */
	buf_adds(&b,
	    "<input type=\"text\" name=\"username\" autocomplete=\"username\" "
	    "hidden value=\"");
	html_add(&b, req->user.name);
	buf_addf(&b,
	    "\"><label for=\"current\">Current password</label><input "
	    "id=\"current\" name=\"current\" type=\"password\" "
	    "autocomplete=\"current-password\" required maxlength=\"%d\">",
	    PASSWORD_MAX);
	form_fields(&b, "new-password");
	buf_adds(&b,
	    "<p><button type=\"submit\">Change my password</button></p>"
	    "</form><p>Your other sessions end; API tokens stay.</p></div>");
	html_end(&b);
	page_respond(req, status, &b, headers);
}

static void
reset_page(struct req *req, int status, const char *error, const char *name)
{
	struct buf b;

	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Set a password", req->user.name, req->user.admin);
	buf_adds(&b, "<div class=\"box\"><h1>Set the password of ");
	html_add(&b, name);
	buf_adds(&b, "</h1>");
	if (error != NULL) {
		buf_adds(&b, "<p class=\"error\" role=\"alert\">");
		html_add(&b, error);
		buf_adds(&b, "</p>");
	}
	buf_adds(&b, "<form method=\"post\" action=\"/hub/admin/password/");
	html_add(&b, name);
	buf_adds(&b, "\">");
	page_hidden_xsrf(&b, req);
	form_fields(&b, "off");
	buf_adds(&b,
	    "<p><button type=\"submit\">Set the password</button> "
	    "<a href=\"/hub/admin\">Cancel</a></p></form><p>");
	html_add(&b, name);
	buf_adds(&b, "'s sessions end; their API tokens stay.</p></div>");
	html_end(&b);
	page_respond(req, status, &b, NULL);
}

/* The form's new password (*pw, caller frees with free_secret()), or why
 * it cannot be one. */
static const char *
new_password_error(const struct req *req, char **pw)
{
	char       *again = page_field(req, "new2");
	const char *why;

	*pw = page_field(req, "new");
	why = password_error(*pw);
	if (why == NULL && (again == NULL || strcmp(again, *pw) != 0))
		why = "the two new passwords differ";
	free_secret(again);
	return why;
}

static void
pw_work_free(struct pw_work *w)
{
	free(w->name);
	free_secret(w->current);
	free_secret(w->old_hash);
	free_secret(w->new_pw);
	free_secret(w->new_hash);
	free(w);
}

static void
change_cb(uv_work_t *uw)
{
	struct pw_work *w = container_of(uw, struct pw_work, work);

	w->ok = w->current == NULL || password_verify(w->current, w->old_hash);
	if (w->ok)
		w->new_hash = password_hash(w->new_pw);
}

/* Takes 'current' and 'new_pw'. 0 queued, -1 answered already. */
static int
queue_change(struct req *req, const struct db_user *u, char *current,
    char *new_pw)
{
	struct pw_work *w = xcalloc(1, sizeof(*w));

	w->req = req;
	w->user_id = u->id;
	w->name = xstrdup(u->name);
	w->current = current;
	w->old_hash = xstrdup(u->pwhash != NULL ? u->pwhash : "");
	w->new_pw = new_pw;
	req->busy = 1;
	if (uv_queue_work(req->hub->loop, &w->work, change_cb,
	        change_done_cb) != 0) {
		req->busy = 0;
		if (current != NULL) /* not a guess after all */
			login_throttle_end(req->hub->throttle, req->addr,
			    u->name, 1);
		pw_work_free(w);
		respond_error(req, 503, "busy");
		return -1;
	}
	return 0;
}

static void
change_done_cb(uv_work_t *uw, int status)
{
	struct pw_work *w = container_of(uw, struct pw_work, work);
	struct req     *req = w->req;
	struct hub     *hub = req->hub;
	int             own = w->current != NULL;
	char           *cookie, *msg;

	(void)status;
	req->busy = 0;
	if (own)
		login_throttle_end(hub->throttle, req->addr, w->name, w->ok);
	if (req->conn == NULL) { /* left before it was done: nothing changes */
		req_free(req);
		goto out;
	}
	if (!w->ok) {
		log_warnx(
		    "password change of %s: wrong current password from %s",
		    w->name, req->addr);
		password_page(req, 403, "The current password is wrong.", NULL);
		goto out;
	}
	if (w->new_hash == NULL ||
	    db_user_set_password(hub->db, w->name, w->new_hash) != 0 ||
	    db_session_del_user(hub->db, w->user_id) != 0) {
		respond_error(req, 500, "cannot change the password");
		goto out;
	}
	if (!own) {
		log_info("admin %s set the password of %s", req->user.name,
		    w->name);
		msg = xasprintf("The password of %s is set; their sessions "
		                "ended.",
		    w->name);
		page_made(req, "/hub/admin", msg, NULL);
		free(msg);
		goto out;
	}
	log_info("%s changed their password from %s", w->name, req->addr);
	/* This browser's session ended with the others: a new one. */
	cookie = session_begin(req, &req->user);
	if (cookie == NULL) {
		respond_redirect(req, "/hub/login", NULL);
		goto out;
	}
	(void)page_flash_put(req, OWN_PAGE, "Your password is changed.", NULL);
	respond_redirect(req, OWN_PAGE, cookie);
	free_secret(cookie);
out:
	pw_work_free(w);
}

void
pages_password(struct req *req)
{
	if (unix_passwords(req))
		return;
	password_page(req, 200, NULL, NULL);
}

/* Only ever the requester's own: the form names no user. */
void
pages_password_set(struct req *req)
{
	char          *current = page_field(req, "current"), *pw = NULL;
	const char    *why = new_password_error(req, &pw);
	struct db_user u;
	int64_t        wait;

	if (unix_passwords(req))
		goto out;
	if (current == NULL || *current == '\0' ||
	    strlen(current) > PASSWORD_MAX) {
		password_page(req, 400, "The current password is required.",
		    NULL);
		goto out;
	}
	if (why != NULL) {
		password_page(req, 400, why, NULL);
		goto out;
	}
	wait = login_throttle_begin(req->hub->throttle, req->addr,
	    req->user.name, now_sec());
	if (wait > 0) {
		char *msg = xasprintf("Too many attempts: try again in %lld "
		                      "second%s.",
		    (long long)wait, page_plural(wait));
		char *hdr = xasprintf("Retry-After: %lld\r\n", (long long)wait);

		password_page(req, 429, msg, hdr);
		free(hdr);
		free(msg);
		goto out;
	}
	if (db_user_get_id(req->hub->db, req->user.id, &u) != 0) {
		login_throttle_end(req->hub->throttle, req->addr,
		    req->user.name, 1);
		respond_error(req, 500, "user vanished");
		goto out;
	}
	(void)queue_change(req, &u, current, pw);
	current = pw = NULL; /* the work's now */
	db_user_release(&u);
out:
	free_secret(current);
	free_secret(pw);
}

/* An admin's reset of another user's password. */
static int
reset_target(struct req *req, struct db_user *u)
{
	const char *name = req->arg[0];

	if (unix_passwords(req))
		return -1;
	if (strcmp(name, req->user.name) == 0) {
		respond_error(req, 400,
		    "your own password is changed on the Password page, with "
		    "the current one");
		return -1;
	}
	return users_get(req, name, u);
}

void
pages_reset(struct req *req)
{
	struct db_user u;

	if (reset_target(req, &u) == -1)
		return;
	reset_page(req, 200, NULL, u.name);
	db_user_release(&u);
}

void
pages_reset_set(struct req *req)
{
	struct db_user u;
	char          *pw = NULL;
	const char    *why;

	if (reset_target(req, &u) == -1)
		return;
	why = new_password_error(req, &pw);
	if (why != NULL) {
		reset_page(req, 400, why, u.name);
		free_secret(pw);
	} else
		(void)queue_change(req, &u, NULL, pw);
	db_user_release(&u);
}
