/* SPDX-License-Identifier: MIT */
/*
 * The OAuth2 provider of JupyterHub's protocol, for single-user servers
 * (jupyterhub-singleuser and anything written with HubOAuth) and managed
 * services (client "service-NAME", its secret the service's API token,
 * its redirect URI /services/NAME/oauth_callback, scope
 * access:services!service=NAME; services.h): the
 * authorization-code grant at /hub/api/oauth2/authorize and
 * /hub/api/oauth2/token. A user's server is the client
 * "jupyterhub-user-NAME" ("jupyterhub-user-NAME-SRV" for a named server,
 * as JupyterHub names it), its secret the server's own token, its one
 * redirect URI /user/NAME[/SRV]/oauth_callback; a code works once, for
 * minutes, for that client and URI; the access token it buys is the
 * user's for that client only (scope access:servers!server=NAME/SRV),
 * stored hashed,
 * expiring, and ends with the login session it was given under.
 */
#ifndef OAUTH_H
#define OAUTH_H

struct req;

#define OAUTH_CLIENT_PREFIX "jupyterhub-user-"
#define OAUTH_CODE_SECONDS 300 /* an authorization code's life */
#define OAUTH_STATE_MAX 4096 /* bytes of a client's state */

/* GET /hub/api/oauth2/authorize: signed in, for one's own server (no
 * consent asked), another's with access:servers on it, or a service:
 * 302 to the client's redirect URI with a code and the client's state.
 * A consent page first for another's server and for a service without
 * oauth_no_confirm; its POST (the session's _xsrf) comes here too, and
 * "deny" sends error=access_denied to the redirect URI. */
void oauth_authorize(struct req *);
/* POST /hub/api/oauth2/token (form): the client's id and secret, the
 * code and redirect URI: {"access_token", "token_type", "expires_in",
 * "scope"}, or RFC 6749's {"error"} with 400 or 401. */
void oauth_token(struct req *);

/* The client id of user 'name''s server 'srv' ("" the default); caller
 * frees result. */
char *oauth_client_id(const char *name, const char *srv);
/* Its redirect URI; caller frees result. */
char *oauth_callback_url(const char *name, const char *srv);

#endif
