/* SPDX-License-Identifier: MIT */
/*
 * OAuth2 (oauth.h). No client is stored: each user's server is one, and
 * what identifies it (its id, its redirect URI) follows from the user's
 * name, its secret from the server's own token (db_server_token_set), so
 * a client exists exactly while its server's token does. Every check that
 * fails answers without redirecting: a redirect to a URI we did not
 * register, or with a code for a client that did not ask, is what an
 * attacker wants from an authorization server.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "config.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/url.h"
#include "lib/util.h"
#include "oauth.h"
#include "req.h"
#include "respond.h"
#include "scopes.h"
#include "pages.h"
#include "servername.h"
#include "services.h"
#include "session.h"

static char *query_get(const struct req *, const char *name);
static char *body_get(const struct req *, const char *name);
static int   client_user(struct req *, const char *client_id, struct db_user *u,
      char *srv);
static char *param(const struct req *, int post, const char *name);
static void  token_error(struct req *, int status, const char *error,
     const char *why);
static int   client_secret_ok(struct req *, const struct db_user *u,
      const char *srv, const char *secret);

char *
oauth_client_id(const char *name, const char *srv)
{
	if (srv[0] == '\0')
		return xasprintf(OAUTH_CLIENT_PREFIX "%s", name);
	return xasprintf(OAUTH_CLIENT_PREFIX "%s-%s", name, srv);
}

char *
oauth_callback_url(const char *name, const char *srv)
{
	char *base = server_url(name, srv);
	char *url = xasprintf("%soauth_callback", base);

	free(base);
	return url;
}

static char *
query_get(const struct req *req, const char *name)
{
	return form_get(req->query, strlen(req->query), name);
}

static char *
body_get(const struct req *req, const char *name)
{
	return form_get(buf_str((struct buf *)&req->body), req->body.len, name);
}

/*
 * The user whose server 'client_id' is, and which of theirs: 0 and *u
 * (release it) and srv (SERVER_NAME_MAX + 1 bytes), 1 none. User names
 * and server names may both hold '-': "jupyterhub-user-a-b" is user
 * a-b's default server if there is such a user, else user a's named
 * server b if its row exists.
 */
static int
client_user(struct req *req, const char *client_id, struct db_user *u,
    char *srv)
{
	size_t      plen = strlen(OAUTH_CLIENT_PREFIX);
	const char *name;
	char        user[64];

	srv[0] = '\0';
	if (client_id == NULL ||
	    strncmp(client_id, OAUTH_CLIENT_PREFIX, plen) != 0)
		return 1;
	name = client_id + plen;
	if (username_valid(name) && db_user_get(req->hub->db, name, u) == 0)
		return 0;
	if (!req->hub->cfg->allow_named_servers)
		return 1;
	for (size_t i = strlen(name); i-- > 1;) {
		struct db_server row;

		if (name[i] != '-' || i >= sizeof(user) ||
		    server_name_check(name + i + 1) != NULL)
			continue;
		memcpy(user, name, i);
		user[i] = '\0';
		if (!username_valid(user) ||
		    db_user_get(req->hub->db, user, u) != 0)
			continue;
		if (db_server_get(req->hub->db, u->id, name + i + 1, &row) ==
		    0) {
			db_server_release(&row);
			snprintf(srv, SERVER_NAME_MAX + 1, "%s", name + i + 1);
			return 0;
		}
		db_user_release(u);
	}
	return 1;
}

/* What an authorization request is for: a user's server or a managed
 * service, its one redirect URI, the scope its code buys, and whether
 * the user is asked first. */
struct client {
	const struct service *svc; /* or: */
	struct db_user        owner; /* the server's user */
	char  srv[SERVER_NAME_MAX + 1]; /* and which of theirs */
	int   have_owner;
	char *redirect;
	char *scopes;
	char *desc; /* for the consent page */
	int   consent;
};

static void
client_release(struct client *c)
{
	if (c->have_owner)
		db_user_release(&c->owner);
	free(c->redirect);
	free(c->scopes);
	free(c->desc);
}

/* Resolves 'client_id' for the signed-in user: 0, or the answer sent
 * (unknown client, a server that is not theirs to use) and -1. */
static int
client_find(struct req *req, const char *client_id, struct client *c)
{
	memset(c, 0, sizeof(*c));
	c->svc = services_client(req->hub, client_id);
	if (c->svc != NULL) {
		c->redirect =
		    xasprintf("/services/%s/oauth_callback", c->svc->name);
		c->scopes =
		    xasprintf("access:services!service=%s", c->svc->name);
		c->desc = xasprintf("The service %s", c->svc->name);
		c->consent = !c->svc->oauth_no_confirm;
		return 0;
	}
	if (client_user(req, client_id, &c->owner, c->srv) != 0) {
		log_warnx("oauth: %s asked for an unknown client",
		    req->user.name);
		respond_error(req, 400, "unknown OAuth client");
		return -1;
	}
	c->have_owner = 1;
	/* One's own server asks no consent, as in JupyterHub; another's
	 * takes access:servers on it (an admin's with admin_access), the
	 * proxy's rule, and a consent. */
	if (!scopes_grant_server(auth_scopes(req), "access:servers",
	        c->owner.name, c->srv)) {
		respond_error(req, 403, "this is not your server");
		client_release(c);
		return -1;
	}
	c->redirect = oauth_callback_url(c->owner.name, c->srv);
	c->scopes =
	    xasprintf("access:servers!server=%s/%s", c->owner.name, c->srv);
	c->desc = c->srv[0] == '\0'
	    ? xasprintf("The server of %s", c->owner.name)
	    : xasprintf("The server %s of %s", c->srv, c->owner.name);
	c->consent = c->owner.id != req->user.id;
	return 0;
}

/* The parameters of an authorization request: the query of a GET, the
 * form of the consent page's POST. */
static char *
param(const struct req *req, int post, const char *name)
{
	return post ? body_get(req, name) : query_get(req, name);
}

void
oauth_authorize(struct req *req)
{
	int                  post = http_method_is(&req->head, "POST");
	char                *client_id = param(req, post, "client_id");
	char                *redirect = param(req, post, "redirect_uri");
	char                *type = param(req, post, "response_type");
	char                *state = param(req, post, "state");
	char                *decision = post ? body_get(req, "decision") : NULL;
	char                *code = NULL, *enc = NULL, *loc = NULL;
	char                 hash[TOKEN_HASH_LEN + 1];
	struct client        cl;
	struct db_oauth_code c;
	int                  have_client = 0;

	/* A decision is the browser's, on the consent page: never a
	 * token's. */
	if (post && req->by_token) {
		respond_error(req, 403, "sign in with the browser");
		goto out;
	}
	if (client_find(req, client_id, &cl) != 0)
		goto out;
	have_client = 1;
	if (redirect == NULL || strcmp(redirect, cl.redirect) != 0) {
		log_warnx("oauth: %s asked for client %s with a redirect_uri "
		          "that is not its own",
		    req->user.name, client_id);
		respond_error(req, 400,
		    "redirect_uri does not match the client's");
		goto out;
	}
	if (type == NULL || strcmp(type, "code") != 0) {
		respond_error(req, 400, "response_type must be code");
		goto out;
	}
	if (state == NULL || state[0] == '\0' ||
	    strlen(state) > OAUTH_STATE_MAX) {
		respond_error(req, 400, "the OAuth state is missing");
		goto out;
	}
	enc = url_encode(state, 0);
	if (cl.consent && !post) {
		const char *const fields[][2] = { { "client_id", client_id },
			{ "redirect_uri", redirect }, { "response_type", type },
			{ "state", state } };

		pages_oauth_consent(req, cl.desc,
		    cl.svc != NULL ? "know who you are (your name, whether "
		                     "you are an admin)"
		                   : "use this server as you",
		    fields, sizeof(fields) / sizeof(fields[0]));
		goto out;
	}
	if (post && (decision == NULL || strcmp(decision, "allow") != 0)) {
		/* RFC 6749 4.1.2.1: the refusal goes back to the client. */
		loc = xasprintf("%s?error=access_denied&state=%s", cl.redirect,
		    enc);
		respond_redirect(req, loc, NULL);
		goto out;
	}
	code = token_new();
	token_hash(code, hash);
	memset(&c, 0, sizeof(c));
	c.hash = hash;
	c.user_id = req->user.id;
	c.client_id = client_id;
	c.redirect_uri = cl.redirect;
	c.scopes = cl.scopes;
	c.session = req->session;
	c.expires = now_sec() + OAUTH_CODE_SECONDS;
	(void)db_oauth_code_expire(req->hub->db, now_sec());
	if (db_oauth_code_add(req->hub->db, &c) != 0) {
		respond_error(req, 500, "cannot store the OAuth code");
		goto out;
	}
	loc = xasprintf("%s?code=%s&state=%s", cl.redirect, code, enc);
	/* After the consent page's POST, a 302 is followed with a GET. */
	respond_redirect(req, loc, NULL);
out:
	if (have_client)
		client_release(&cl);
	free(client_id);
	free(redirect);
	free(type);
	free(state);
	free(decision);
	free_secret(code);
	free_secret(loc);
	free(enc);
}

/* RFC 6749 5.2: {"error": ..., "error_description": ...}. */
static void
token_error(struct req *req, int status, const char *error, const char *why)
{
	respond_json(req, status,
	    json_pack("{s:s, s:s}", "error", error, "error_description", why));
}

/* Whether 'secret' is the client's: the token of u's server srv. */
static int
client_secret_ok(struct req *req, const struct db_user *u, const char *srv,
    const char *secret)
{
	struct db_token_auth a;
	char                 hash[TOKEN_HASH_LEN + 1];
	int                  ok;

	if (secret == NULL || secret[0] == '\0' || strlen(secret) > 256)
		return 0;
	token_hash(secret, hash);
	if (db_token_find(req->hub->db, hash, &a) != 0)
		return 0;
	ok = a.kind == TOKEN_SERVER && a.user_id == u->id &&
	    strcmp(a.server, srv) == 0;
	db_token_auth_release(&a);
	return ok;
}

void
oauth_token(struct req *req)
{
	char                 *grant = body_get(req, "grant_type");
	char                 *client_id = body_get(req, "client_id");
	char                 *secret = body_get(req, "client_secret");
	char                 *code = body_get(req, "code");
	char                 *redirect = body_get(req, "redirect_uri");
	char                 *tok = NULL, hash[TOKEN_HASH_LEN + 1];
	struct db_user        client;
	struct db_oauth_code  c;
	struct db_token_new   t;
	const struct service *svc;
	int                   have_client = 0, have_code = 0;
	char                  srv[SERVER_NAME_MAX + 1];
	int64_t life = (int64_t)req->hub->cfg->session_days * 86400;
	json_t *j;

	memset(&c, 0, sizeof(c));
	if (grant == NULL || strcmp(grant, "authorization_code") != 0) {
		token_error(req, 400, "unsupported_grant_type",
		    "only authorization_code is supported");
		goto out;
	}
	svc = services_client(req->hub, client_id);
	if (svc != NULL) {
		if (!services_secret_ok(svc, secret)) {
			log_warnx("oauth: wrong secret for client %s from %s",
			    client_id, req->addr);
			token_error(req, 401, "invalid_client",
			    "wrong client secret");
			goto out;
		}
	} else if (client_user(req, client_id, &client, srv) != 0) {
		token_error(req, 401, "invalid_client", "unknown client");
		goto out;
	} else
		have_client = 1;
	if (svc == NULL && !client_secret_ok(req, &client, srv, secret)) {
		log_warnx("oauth: wrong secret for client %s from %s",
		    client_id, req->addr);
		token_error(req, 401, "invalid_client", "wrong client secret");
		goto out;
	}
	if (code == NULL || strlen(code) > 256) {
		token_error(req, 400, "invalid_request", "no code");
		goto out;
	}
	/* Taken, so used: a second try with the same code finds nothing. */
	token_hash(code, hash);
	if (db_oauth_code_take(req->hub->db, hash, &c) != 0) {
		token_error(req, 400, "invalid_grant", "unknown or used code");
		goto out;
	}
	have_code = 1;
	if (c.expires <= now_sec() || strcmp(c.client_id, client_id) != 0 ||
	    redirect == NULL || strcmp(c.redirect_uri, redirect) != 0) {
		log_warnx("oauth: a code of client %s presented by client "
		          "%s (or expired, or for another redirect_uri)",
		    c.client_id, client_id);
		token_error(req, 400, "invalid_grant",
		    "the code is not this client's, or expired");
		goto out;
	}
	tok = token_new();
	token_hash(tok, hash);
	memset(&t, 0, sizeof(t));
	t.user_id = c.user_id;
	t.hash = hash;
	t.kind = TOKEN_OAUTH;
	t.note = "OAuth";
	t.scopes = c.scopes;
	t.client_id = client_id;
	t.session = c.session;
	t.expires = now_sec() + life;
	if (db_token_add_scoped(req->hub->db, &t, NULL) != 0) {
		token_error(req, 500, "server_error", "cannot store the token");
		goto out;
	}
	j = json_pack("{s:s, s:s, s:I, s:s}", "access_token", tok, "token_type",
	    "Bearer", "expires_in", (json_int_t)life, "scope", c.scopes);
	respond_json(req, 200, j);
out:
	if (have_client)
		db_user_release(&client);
	if (have_code)
		db_oauth_code_release(&c);
	free(grant);
	free(client_id);
	free_secret(secret);
	free_secret(code);
	free(redirect);
	free_secret(tok);
}
