/* SPDX-License-Identifier: MIT */
/*
 * Who is asking, and whether a browser meant it: the credential of a
 * request (the rig-session cookie or an API token) resolved to a user, and
 * the checks that go with cookies, which a browser sends on its own to any
 * page that asks: the XSRF token of forms and API writes, the login form's
 * double-submit token, and the hub's own origin for writes and upgrades.
 */
#ifndef SESSION_H
#define SESSION_H

struct db_user;
struct req;

/*
 * Fills req->user from the session cookie or an "Authorization: token"
 * (or "bearer") header. Returns 1 if authenticated, 0 if not. Touches the
 * token's last use, and the machine's (autostop).
 */
int auth_request(struct req *);
/* What the request's credential may do, expanded (scopes.h): a token's
 * own scopes as far as its user's roles reach, else the user's roles'.
 * "" if not authenticated. Kept in req->scopes. */
const char *auth_scopes(struct req *);
/* For cookie-authenticated writes: the XSRF token (form field _xsrf given
 * as 'form_value', else header X-XSRFToken or X-CSRFToken) matches the
 * session's, and the request does not come from another site. Requests
 * authenticated by token pass; unauthenticated ones fail. */
int check_xsrf(struct req *, const char *form_value);
/* The login form's check, with no session yet: its _xsrf field equals the
 * rig-xsrf cookie the login page set, and the request is same_origin(). */
int check_login_xsrf(const struct req *);
/* Whether a request comes from the hub's own origin: Sec-Fetch-Site, if
 * sent, is same-origin or none, and Origin, if sent, is hub_origin(). */
int same_origin(const struct req *);
/*
 * Whether a GET is a navigation the user made on the hub or to it: what a
 * logged-in user's visit may start (their server). Sec-Fetch-Site, if sent,
 * is same-origin or none (typed, a bookmark); else Origin or Referer is the
 * hub's own origin. A link or a redirect from another site is not, and
 * neither is a request that says nothing of where it comes from.
 */
int own_navigation(const struct req *);
/*
 * A new login session for user 'u' (a login, a password change): stored
 * (hashed) with a new XSRF token, and made the request's (req->user,
 * req->xsrf), so what answers sees the new one. Returns the Set-Cookie
 * header line for it; caller frees result. NULL on a database error.
 */
char *session_begin(struct req *, const struct db_user *u);
/* The hub's origin as the client sees it ("https://host:port"), from the
 * Host header; caller frees result. */
char *hub_origin(const struct req *);

#endif
