/* SPDX-License-Identifier: MIT */
/*
 * Logging in and out. The login form posts back with a double-submit token
 * (there is no session yet), `next` only ever leads to a local path, and
 * the password check runs off the loop: yescrypt on libuv's thread pool
 * (authenticator = local), and with authenticator = pam the account and
 * its groups looked up on the thread pool, then PAM asked through the
 * privileged helper (auth-pam.h), which answers later; with ldap, 'rig
 * ldap-auth' as a child (ldap-login.h), then the person's Unix account
 * matched or made by the helper. Either way the throttle counts the
 * attempt from its start.
 */
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "auth-ldap.h"
#include "auth-pam.h"
#include "auth.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "ldap-login.h"
#include "lib/log.h"
#include "oneuser.h"
#include "pages-internal.h"
#include "priv.h"
#include "pages.h"
#include "profiles.h"
#include "req.h"
#include "respond.h"
#include "server.h"
#include "session.h"
#include "users.h"
#include "lib/url.h"
#include "lib/util.h"

static void  login_page(struct req *req, int status, const char *error,
     const char *user, const char *headers);
static void  login_verify_cb(uv_work_t *w);
static char *after_login(struct req *req, const struct db_user *u, int start);
static void  login_done_cb(uv_work_t *w, int status);
static void  login_account_cb(uv_work_t *w);
static void  login_account_done_cb(uv_work_t *w, int status);
static void  login_pam_cb(void *arg, int r);
static int   login_pam_user(struct req *, const char *name, int admin,
      int64_t *id);
static void  login_ldap_cb(void *arg, int status,
     const struct authldap_account *a);
static void  login_ldap_account_cb(void *arg, int r);

/* The form; 'error' above it, 'user' typed again, extra 'headers'. */
static void
login_page(struct req *req, int status, const char *error, const char *user,
    const char *headers)
{
	struct buf  b;
	char       *next = page_query(req, "next");
	char       *safe = next_sanitize(next);
	char       *xsrf = NULL, *hdr;
	size_t      n;
	const char *cookie = http_header(&req->head, "cookie", &n);

	if (cookie != NULL)
		xsrf = cookie_get(cookie, n, "rig-xsrf");
	if (xsrf == NULL || strlen(xsrf) != 32 ||
	    strspn(xsrf, "0123456789abcdef") != 32) {
		free(xsrf);
		xsrf = random_hex(16);
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Sign in", NULL, 0);
	buf_adds(&b, "<div class=\"box\"><h1>Sign in</h1>");
	if (error != NULL) {
		buf_adds(&b, "<p class=\"error\">");
		html_add(&b, error);
		buf_adds(&b, "</p>");
	}
	buf_adds(&b, "<form method=\"post\" action=\"/hub/login");
	if (safe != NULL) {
		char *enc = url_encode(safe, 1);

		buf_adds(&b, "?next=");
		html_add(&b, enc);
		free(enc);
	}
	buf_adds(&b, "\"><input type=\"hidden\" name=\"_xsrf\" value=\"");
	html_add(&b, xsrf);
	buf_adds(&b,
	    "\"><label for=\"username\">Username</label>"
	    "<input id=\"username\" name=\"username\" "
	    "autocomplete=\"username\" autocapitalize=\"none\" "
	    "required autofocus value=\"");
	html_add(&b, user != NULL ? user : "");
	buf_adds(&b,
	    "\"><label for=\"password\">Password</label>"
	    "<input id=\"password\" name=\"password\" "
	    "type=\"password\" autocomplete=\"current-password\" "
	    "required><p><button type=\"submit\">Sign in</button>"
	    "</p></form></div>");
	html_end(&b);
	hdr = xasprintf("Set-Cookie: rig-xsrf=%s; Path=/hub/; HttpOnly; "
	                "SameSite=Strict%s\r\n%s",
	    xsrf, page_secure_attr(req), headers != NULL ? headers : "");
	page_respond(req, status, &b, hdr);
	free(hdr);
	free(xsrf);
	free(next);
	free(safe);
}

struct login_work {
	uv_work_t   work;
	struct req *req;
	char       *name;
	char       *password;
	char       *hash; /* "" for an unknown user: same work, no match */
	int64_t     user_id;
	int         ok;
	/* authenticator = pam: the account as the thread pool found it. */
	int account; /* 1 a person's, 0 none, -1 the system's (uid) */
	int allowed; /* in allowed_groups, or there are none */
	int admin; /* in admin_groups; -1: none, or unreadable */
	/* authenticator = ldap: the directory's answer. */
	struct authldap_account ldap;
};

static void login_work_free(struct login_work *);

static void
login_work_free(struct login_work *lw)
{
	free(lw->name);
	free_secret(lw->password);
	free(lw->hash);
	free(lw);
}

static void
login_verify_cb(uv_work_t *w)
{
	struct login_work *lw = container_of(w, struct login_work, work);

	lw->ok = password_verify(lw->password, lw->hash);
}

/* Where to go after logging in: next, or the user's server. When that is
 * the user's own server and it is not running, the spawn-pending page,
 * having started it if 'start' (else that page offers to). */
static char *
after_login(struct req *req, const struct db_user *u, int start)
{
	char       *next = page_query(req, "next");
	char       *safe = next_sanitize(next);
	char       *own = xasprintf("/user/%s/", u->name);
	char       *loc;
	const char *err;

	free(next);
	if (safe != NULL && strncmp(safe, own, strlen(own)) != 0 &&
	    strncmp(safe, "/user/", 6) != 0 && strcmp(safe, "/") != 0) {
		free(own);
		return safe;
	}
	if (safe == NULL || strcmp(safe, "/") == 0) {
		free(safe);
		safe = xasprintf("/user/%s/tree", u->name);
	}
	if (strncmp(safe, own, strlen(own)) == 0) {
		struct server *s =
		    hub_server(req->hub, u->name, strlen(u->name), "");

		if (s == NULL || s->state != SERVER_READY) {
			char *enc = url_encode(safe, 1);

			/* Profiles to choose from: the options form first. */
			if ((s == NULL || s->state != SERVER_PENDING) &&
			    profiles_count(req->hub->cfg) > 1) {
				loc = xasprintf("/hub/spawn?next=%s", enc);
				free(enc);
				free(safe);
				free(own);
				return loc;
			}
			if (start && users_start(req, u, "", &err) == -1)
				log_warnx("server %s: %s", u->name, err);
			loc = xasprintf("/hub/spawn-pending/%s?next=%s",
			    u->name, enc);
			free(enc);
			free(safe);
			free(own);
			return loc;
		}
	}
	free(own);
	return safe;
}

/*
 * The end of an attempt: 'lw->ok' with 'lw->user_id' signs in, else the
 * form again with 'status' and 'error' (401 and the one message for a
 * wrong name or password when NULL). Frees 'lw'.
 */
static void
login_finish(struct login_work *lw, int status, const char *error)
{
	struct req *req = lw->req;
	struct hub *hub = req->hub;

	req->busy = 0;
	/* Counted as a failure when it began; a client that left still
	 * made its guess. */
	login_throttle_end(hub->throttle, req->addr, lw->name, lw->ok);
	if (!lw->ok)
		hub->m.login_failures++;
	if (req->conn == NULL) {
		req_free(req);
		goto out;
	}
	if (!lw->ok) {
		log_warnx("login failed from %s", req->addr);
		login_page(req, error != NULL ? status : 401,
		    error != NULL ? error : "Invalid username or password.",
		    lw->name, NULL);
		goto out;
	}
	if (oneuser_serves(hub->db, hub->is_root, lw->user_id) != 1) {
		log_warnx("login of user %lld refused: the hub runs without "
		          "root and serves its first admin alone",
		    (long long)lw->user_id);
		login_page(req, 403, ONEUSER_LOGIN_WHY, lw->name, NULL);
		goto out;
	}
	hub->m.logins++;
	{
		struct db_user u = { .id = lw->user_id };
		char          *cookie, *hdr, *loc;

		/* The session is the request's from here: the redirect's
		 * handlers look at the new user. */
		cookie = session_begin(req, &u);
		if (cookie == NULL) {
			respond_error(req, 500, "cannot create a session");
			goto out;
		}
		db_user_touch(hub->db, req->user.id, now_sec());
		log_info("login: %s from %s", req->user.name, req->addr);
		/* The form's POST is the user's own action: it may start. */
		loc = after_login(req, &req->user, 1);
		hdr = xasprintf(
		    "Location: %s\r\n%s"
		    "Set-Cookie: rig-xsrf=; Path=/hub/; Max-Age=0\r\n",
		    loc, cookie);
		respond(req, 302, "text/plain", hdr, "", 0);
		free(hdr);
		free(loc);
		free_secret(cookie);
	}
out:
	login_work_free(lw);
}

static void
login_done_cb(uv_work_t *w, int status)
{
	(void)status;
	login_finish(container_of(w, struct login_work, work), 0, NULL);
}

/*
 * authenticator = pam, on the thread pool (the password and group
 * databases may be a network's): whether the name is a person's Unix
 * account (never root's or a system account's, whatever PAM would say)
 * and its memberships of allowed_groups and admin_groups.
 */
static void
login_account_cb(uv_work_t *w)
{
	struct login_work   *lw = container_of(w, struct login_work, work);
	const struct config *cfg = lw->req->hub->cfg;
	const char          *admins = config_admin_groups(cfg);
	struct passwd        pw, *res = NULL;
	char                 buf[16384];

	lw->account = 0;
	if (!username_valid(lw->name) ||
	    getpwnam_r(lw->name, &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL)
		return;
	if (!account_uid_ok(pw.pw_uid) || pw.pw_gid == 0) {
		lw->account = -1;
		return;
	}
	lw->account = 1;
	lw->allowed = cfg->allowed_groups == NULL ||
	    account_in_groups(pw.pw_name, pw.pw_gid, cfg->allowed_groups) == 1;
	/* Groups that cannot be read change no one's admin right. */
	lw->admin = admins == NULL || *admins == '\0'
	    ? -1
	    : account_in_groups(pw.pw_name, pw.pw_gid, admins);
}

/* The account is known: PAM next, through the helper. */
static void
login_account_done_cb(uv_work_t *w, int status)
{
	struct login_work *lw = container_of(w, struct login_work, work);
	struct req        *req = lw->req;
	int                r;

	(void)status;
	if (req->conn == NULL || lw->account != 1) {
		if (lw->account == -1)
			log_warnx("login as %s refused: a system account",
			    lw->name);
		login_finish(lw, 0, NULL);
		return;
	}
	r = priv_pam_auth(req->hub, lw->name, lw->password, login_pam_cb, lw);
	free_secret(lw->password);
	lw->password = NULL;
	if (r != 0) {
		log_warnx("login as %s: cannot ask PAM: %s", lw->name,
		    uv_strerror(r));
		login_finish(lw, 503, "The password cannot be checked now.");
	}
}

/*
 * The user row of Unix account 'name', made at its first login (no
 * password of the hub's: PAM checks it); with admin_groups ('admin' not
 * -1) its admin right follows them. 0 and *id, or -1.
 */
static int
login_pam_user(struct req *req, const char *name, int admin, int64_t *id)
{
	struct db     *db = req->hub->db;
	struct db_user u;
	int            r;

	r = db_user_get(db, name, &u);
	if (r == 1) {
		if (db_user_add(db, name, "", admin == 1) == -1)
			return -1;
		log_info("user %s made at their first login (Unix account)%s",
		    name, admin == 1 ? ", an admin (admin_groups)" : "");
		r = db_user_get(db, name, &u);
	}
	if (r != 0)
		return -1;
	if (admin != -1 && u.admin != admin) {
		if (db_user_set_admin(db, name, admin) != 0) {
			db_user_release(&u);
			return -1;
		}
		log_info("user %s: admin right %s (admin_groups)", name,
		    admin ? "given" : "taken");
	}
	*id = u.id;
	db_user_release(&u);
	return 0;
}

/* PAM's answer (enum authpam_result, or a libuv error). */
static void
login_pam_cb(void *arg, int r)
{
	struct login_work *lw = arg;
	struct req        *req = lw->req;

	if (r == UV_ECANCELED || r == UV_EPIPE) {
		/* The hub is stopping, or lost its helper. */
		login_finish(lw, 503, "The password cannot be checked now.");
		return;
	}
	switch (r) {
	case AUTHPAM_OK:
		if (!lw->allowed) {
			log_warnx("login as %s refused: not in allowed_groups",
			    lw->name);
			login_finish(lw, 403,
			    "This account is not in a group that may sign "
			    "in here.");
			return;
		}
		if (req->conn != NULL &&
		    login_pam_user(req, lw->name, lw->admin, &lw->user_id) ==
		        -1) {
			login_finish(lw, 500, "Cannot record the user.");
			return;
		}
		lw->ok = 1;
		login_finish(lw, 0, NULL);
		return;
	case AUTHPAM_AUTH:
		login_finish(lw, 0, NULL);
		return;
	case AUTHPAM_ACCOUNT:
		log_warnx("login as %s refused by PAM's account management "
		          "(expired, locked, or a password to change)",
		    lw->name);
		login_finish(lw, 403,
		    "This Unix account may not sign in now (it has expired, "
		    "is locked, or its password must be changed): ask the "
		    "machine's administrator.");
		return;
	default:
		log_warnx("login as %s: PAM failed: %s", lw->name,
		    r < 0 ? uv_strerror(r) : "see the lines above");
		login_finish(lw, 503, "The password cannot be checked now.");
		return;
	}
}

/*
 * authenticator = ldap: the directory's answer. A person who may sign in
 * gets their Unix account next (matched by uid, or made, by the helper);
 * their home and shell are the directory's, else /home/NAME and
 * /bin/bash.
 */
static void
login_ldap_cb(void *arg, int status, const struct authldap_account *a)
{
	struct login_work  *lw = arg;
	struct req         *req = lw->req;
	struct account_ldap acct;
	char                home[300];
	int                 r;

	switch (status) {
	case AUTHLDAP_OK:
		break;
	case AUTHLDAP_AUTH:
		login_finish(lw, 0, NULL);
		return;
	case AUTHLDAP_ACCOUNT:
		log_warnx("login as %s refused: the directory's entry is no "
		          "Unix account (see rig ldap-auth's line above)",
		    lw->name);
		login_finish(lw, 403,
		    "Your directory entry has no Unix account (uidNumber, "
		    "gidNumber): ask the directory's administrator.");
		return;
	default:
		log_warnx("login as %s: the directory cannot be asked (see "
		          "rig ldap-auth's line above)",
		    lw->name);
		login_finish(lw, 503, "The password cannot be checked now.");
		return;
	}
	lw->ldap = *a;
	if (!a->allowed) {
		log_warnx("login as %s refused: not in allowed_groups",
		    lw->name);
		login_finish(lw, 403,
		    "This account is not in a group that may sign in here.");
		return;
	}
	if (req->conn == NULL) {
		login_finish(lw, 0, NULL);
		return;
	}
	snprintf(home, sizeof(home), "/home/%s", lw->name);
	acct.uid = (uid_t)a->uid;
	acct.gid = (gid_t)a->gid;
	acct.home = a->home[0] == '/' ? (char *)a->home : home;
	acct.shell =
	    a->shell[0] == '/' ? (char *)a->shell : (char *)"/bin/bash";
	r = priv_account_ldap(req->hub, lw->name, &acct, login_ldap_account_cb,
	    lw);
	if (r != 0) {
		log_warnx("login as %s: cannot ask for the Unix account: %s",
		    lw->name, uv_strerror(r));
		login_finish(lw, 503, "Your Unix account cannot be made now.");
	}
}

/* The helper's answer on the person's Unix account: 0, -EEXIST (the
 * name or the uid is another's), -EPERM (a uid below UID_MIN), a
 * useradd's status, or a libuv error. The helper logged the numbers. */
static void
login_ldap_account_cb(void *arg, int r)
{
	struct login_work *lw = arg;
	struct req        *req = lw->req;

	if (r == UV_EEXIST || r == UV_EPERM) {
		log_warnx("login as %s refused: %s", lw->name,
		    r == UV_EEXIST ? "a Unix account of that name or uid is "
		                     "not the directory's person's"
		                   : "the directory's uid is outside the "
		                     "users' range");
		login_finish(lw, 403,
		    r == UV_EEXIST
		        ? "A Unix account of this name (or of your directory "
		          "uid) exists here already and is not yours: ask "
		          "the machine's administrator."
		        : "Your directory uid may not run servers on this "
		          "machine (it is a system account's): ask the "
		          "machine's administrator.");
		return;
	}
	if (r != 0) {
		log_warnx("login as %s: the Unix account could not be made "
		          "(%d)",
		    lw->name, r);
		login_finish(lw, r < 0 ? 503 : 500,
		    "Your Unix account cannot be made now.");
		return;
	}
	if (req->conn != NULL &&
	    login_pam_user(req, lw->name, lw->ldap.admin, &lw->user_id) == -1) {
		login_finish(lw, 500, "Cannot record the user.");
		return;
	}
	lw->ok = 1;
	login_finish(lw, 0, NULL);
}

/* The form's _xsrf was checked against its cookie (XSRF_LOGIN). */
void
pages_login_try(struct req *req)
{
	struct login_work *lw;
	char              *name = page_field(req, "username"),
	     *pw = page_field(req, "password");
	int64_t        wait;
	struct db_user u;
	int            r;

	if (name == NULL || pw == NULL || *pw == '\0' ||
	    strlen(pw) > PASSWORD_MAX) {
		login_page(req, 400, "Username and password are required.",
		    name, NULL);
		goto out;
	}
	/* Normalise only case: "Alice" is alice, anything else that is not
	 * a valid name fails like a wrong password (and is not logged). */
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	wait = login_throttle_begin(req->hub->throttle, req->addr, name,
	    now_sec());
	if (wait > 0) {
		/* The form again, with the name: not a dead end. */
		char *hdr = xasprintf("Retry-After: %lld\r\n", (long long)wait);
		char *msg = xasprintf("Too many attempts: try again in %lld "
		                      "second%s.",
		    (long long)wait, page_plural(wait));

		login_page(req, 429, msg, name, hdr);
		free(msg);
		free(hdr);
		goto out;
	}
	lw = xcalloc(1, sizeof(*lw));
	lw->req = req;
	lw->password = pw;
	pw = NULL;
	lw->name = xstrndup(name, 64);
	req->busy = 1;
	if (req->hub->cfg->authenticator == AUTH_PAM) {
		r = uv_queue_work(req->hub->loop, &lw->work, login_account_cb,
		    login_account_done_cb);
	} else if (req->hub->cfg->authenticator == AUTH_LDAP) {
		char why[160];

		/* Names as for local users: anything else fails like a
		 * wrong password, and never reaches the directory. */
		if (account_user_error(req->hub->cfg->user_prefix, name, why,
		        sizeof(why)) != NULL) {
			login_finish(lw, 0, NULL);
			goto out;
		}
		r = ldaplogin_start(req->hub, name, lw->password, login_ldap_cb,
		    lw);
		free_secret(lw->password);
		lw->password = NULL;
		if (r != 0)
			log_warnx("login as %s: cannot start rig ldap-auth: %s",
			    name, uv_strerror(r));
	} else {
		memset(&u, 0, sizeof(u));
		r = username_valid(name) ? db_user_get(req->hub->db, name, &u)
		                         : 1;
		if (r == 0) {
			lw->hash = xstrdup(u.pwhash ? u.pwhash : "");
			lw->user_id = u.id;
			db_user_release(&u);
		} else
			lw->hash = xstrdup("");
		r = uv_queue_work(req->hub->loop, &lw->work, login_verify_cb,
		    login_done_cb);
	}
	if (r != 0) {
		req->busy = 0;
		login_work_free(lw);
		respond_error(req, 503, "busy");
	}
out:
	free(name);
	free_secret(pw);
}

void
pages_logout(struct req *req)
{
	size_t      n;
	const char *v = http_header(&req->head, "cookie", &n);
	char       *sid = v != NULL ? cookie_get(v, n, "rig-session") : NULL;
	char       *hdr;

	if (sid != NULL && strlen(sid) <= 256) {
		char hash[TOKEN_HASH_LEN + 1];

		token_hash(sid, hash);
		db_session_del(req->hub->db, hash);
	}
	free_secret(sid);
	hdr = xasprintf("Set-Cookie: rig-session=; Path=/; HttpOnly; "
	                "SameSite=Lax; Max-Age=0%s\r\n",
	    page_secure_attr(req));
	respond_redirect(req, "/hub/login", hdr);
	free(hdr);
}

/* Signed in already: on to where the login would have led. Only the
 * user's own navigation starts their server: another site may link here
 * too (a GET carries the cookie), and must not make servers run. */
void
pages_login(struct req *req)
{
	if (auth_request(req)) {
		char *loc = after_login(req, &req->user, own_navigation(req));

		respond_redirect(req, loc, NULL);
		free(loc);
		return;
	}
	login_page(req, 200, NULL, NULL, NULL);
}
