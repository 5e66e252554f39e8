/* SPDX-License-Identifier: MIT */
/*
 * REST API. Authentication is "Authorization: token T" or the session
 * cookie; cookie-authenticated writes also need X-XSRFToken (JupyterHub's
 * rule, CVE-2020-36191). routes.c's table says which scopes each route
 * needs and checks them before a handler here runs; NAME in a path is
 * req->arg[0], a token's id req->arg[1]. What the handlers still decide
 * by scopes is what JupyterHub's do: which parts of a user model the
 * caller reads, which users a filtered list:users shows, and what a new
 * token may be given (no more than its owner holds, nor than the caller).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "accounts.h"
#include "api-json.h"
#include "api-servers.h"
#include "api.h"
#include "auth.h"
#include "config.h"
#include "hub.h"
#include "oauth.h"
#include "lib/log.h"
#include "oneuser.h"
#include "progress.h"
#include "req.h"
#include "respond.h"
#include "scopes.h"
#include "server.h"
#include "services.h"
#include "users.h"
#include "session.h"
#include "spawn-options.h"
#include "lib/url.h"
#include "lib/util.h"
#include "version.h"

static json_t *words_json(const char *s);
static json_t *user_json(struct req *req, const struct db_user *u,
    const char *held);
static json_t *token_json(struct req *req, const struct db_token *t,
    const struct db_user *u);
static void    with_user(struct req *req,
       void (*fn)(struct req *, struct db_user *));
static void    user_patch(struct req *req, struct db_user *u);
static void    user_delete(struct req *req, struct db_user *u);
static void    tokens_list(struct req *req, struct db_user *u);
static void    token_create(struct req *req, struct db_user *u);
static int     token_id(const char *s, int64_t *id);
static void    token_one(struct req *req, struct db_user *u, int del);
static void    token_get(struct req *req, struct db_user *u);
static void    token_delete(struct req *req, struct db_user *u);
static void    user_get(struct req *req, struct db_user *u);
static void    activity(struct req *req, struct db_user *u);
static void    bad_method(struct req *req, struct db_user *u);
static void    no_such_path(struct req *req, struct db_user *u);

/*
 * JupyterHub's user model as the scopes 'held' let the caller read it:
 * each scope opens some of its keys, on this user (JupyterHub's access
 * map); NULL if none. A server's "state" takes admin:server_state.
 */
static json_t *
user_json(struct req *req, const struct db_user *u, const char *held)
{
	static const struct {
		const char *scope;
		const char *keys;
	} access[] = {
		{ "read:users",
		    " kind name admin roles groups server pending "
		    "created last_activity " },
		{ "read:users:name", " kind name admin " },
		{ "read:users:groups", " kind name groups " },
		{ "read:users:activity", " kind name last_activity " },
		{ "read:servers", " kind name servers " },
		{ "read:roles:users", " kind name roles admin " },
		{ "admin:auth_state", " kind name auth_state " },
	};
	struct hub    *hub = req->hub;
	struct server *s = hub_server(hub, u->name, strlen(u->name), "");
	json_t        *servers, *full, *j;
	const char    *key;
	json_t        *val;
	char           url[64], allowed[256] = "";
	int            active = s != NULL &&
	    (s->state == SERVER_READY || s->state == SERVER_PENDING ||
	        s->state == SERVER_STOPPING);
	int64_t last = u->last_activity;

	for (size_t i = 0; i < nitems(access); i++)
		if (scopes_grant(held, access[i].scope, u->name))
			strncat(allowed, access[i].keys,
			    sizeof(allowed) - strlen(allowed) - 1);
	if (allowed[0] == '\0')
		return NULL;
	snprintf(url, sizeof(url), "/user/%s/", u->name);
	if (s != NULL && s->last_activity > last)
		last = s->last_activity;
	servers = api_servers_json(req, u, held,
	    api_query_flag(req, "include_stopped_servers"));
	full = json_pack("{s:s, s:s, s:b, s:o, s:[], s:o, s:o, s:o, s:o, "
	                 "s:n, s:o}",
	    "kind", "user", "name", u->name, "admin", u->admin, "roles",
	    u->admin ? json_pack("[s, s]", "admin", "user")
	             : json_pack("[s]", "user"),
	    "groups", "server",
	    active && s->state == SERVER_READY ? json_string(url) : json_null(),
	    "pending", api_pending_json(active ? s : NULL), "created",
	    api_iso_json(u->created), "last_activity", api_iso_json(last),
	    "auth_state", "servers", servers);
	j = json_object();
	json_object_foreach(full, key, val) {
		char word[40];

		snprintf(word, sizeof(word), " %s ", key);
		if (strstr(allowed, word) != NULL)
			json_object_set(j, key, val);
	}
	json_decref(full);
	return j;
}

/* JupyterHub's token model: "scopes" are what the token may do now. */
static json_t *
token_json(struct req *req, const struct db_token *t, const struct db_user *u)
{
	char    id[32];
	char   *scopes = t->scopes[0] == '\0'
	      ? scopes_of_user(u->name, u->admin, req->hub->cfg->admin_access)
	      : scopes_of_token(t->scopes, u->name, u->admin,
	            req->hub->cfg->admin_access);
	json_t *j;

	/* An OAuth token keeps its client's own access (what the client
	 * needs to know who signed in), as when it is used. */
	if (t->client_id != NULL && t->client_id[0] != '\0')
		scopes =
		    services_keep_client_scope(scopes, t->scopes, t->client_id);
	snprintf(id, sizeof(id), "a%lld", (long long)t->id);
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:[], s:n, "
	              "s:s}",
	    "id", id, "kind", "api_token", "user", u->name, "note", t->note,
	    "created", api_iso_json(t->created), "last_activity",
	    api_iso_json(t->last_activity), "expires_at",
	    api_iso_json(t->expires), "scopes", words_json(scopes), "roles",
	    "session_id", "oauth_client",
	    t->client_id != NULL && t->client_id[0] != '\0' ? t->client_id
	                                                    : "JupyterHub");
	/* JupyterHub's session_id: the login session it was given under,
	 * as GET /hub/api/user shows it. */
	if (t->session != NULL) {
		char sid[TOKEN_HASH_LEN + 1];

		token_hash(t->session, sid);
		sid[32] = '\0';
		json_object_set_new(j, "session_id", json_string(sid));
	}
	free(scopes);
	return j;
}

/* Runs fn with the user NAME names, loaded; answers 404 (or 500) if
 * there is none. */
static void
with_user(struct req *req, void (*fn)(struct req *, struct db_user *))
{
	struct db_user u;

	if (users_get(req, req->arg[0], &u) == -1)
		return;
	fn(req, &u);
	db_user_release(&u);
}

/* The user's model as the caller may read it; {} if not at all (the
 * route let it act, not read: JupyterHub answers the same). */
static json_t *
model_or_empty(struct req *req, const struct db_user *u)
{
	json_t *j = user_json(req, u, auth_scopes(req));

	return j != NULL ? j : json_object();
}

void
api_version(struct req *req)
{
	respond_json(req, 200, json_pack("{s:s}", "version", RIG_VERSION));
}

/* Space-separated words as a JSON list. */
static json_t *
words_json(const char *s)
{
	json_t *a = json_array();

	while (*s != '\0') {
		size_t len = strcspn(s, " ");

		if (len > 0)
			json_array_append_new(a, json_stringn(s, len));
		s += len;
		s += strspn(s, " ");
	}
	return a;
}

/*
 * Who the credential is, with what it may do: JupyterHub's user model as
 * far as the credential may read it, always enough to say who it is (its
 * name and groups: JupyterHub's identify scopes), plus "scopes" (what it
 * may do, expanded) and "session_id", which single-user servers key
 * their caches with. The id is derived from the session's hash, never
 * the cookie's value.
 */
void
api_self(struct req *req)
{
	if (req->service != NULL) {
		api_self_service(req);
		return;
	}
	const char *held = auth_scopes(req);
	char       *ident = xasprintf("%s read:users:name!user=%s "
	                                    "read:users:groups!user=%s",
	          held, req->user.name, req->user.name);
	json_t     *j = user_json(req, &req->user, ident);
	char        sid[TOKEN_HASH_LEN + 1];

	free(ident);
	json_object_set_new(j, "scopes", words_json(held));
	if (req->session != NULL) {
		token_hash(req->session, sid);
		sid[32] = '\0';
		json_object_set_new(j, "session_id", json_string(sid));
	} else
		json_object_set_new(j, "session_id", json_null());
	respond_json(req, 200, j);
}

/* Whether u's servers are in the state ?state= asks for: one active
 * (starting, running or stopping), one ready, or inactive (none active). */
static int
state_is(struct req *req, const struct db_user *u, const char *state)
{
	int active, ready;

	api_servers_state(req, u, &active, &ready);
	if (strcmp(state, "ready") == 0)
		return ready;
	if (strcmp(state, "active") == 0)
		return active;
	return !active;
}

/* The users list:users shows the caller (all, or those its filters
 * name), each as far as the caller may read it; ?state= as JupyterHub's. */
void
api_users(struct req *req)
{
	const char *held = auth_scopes(req);
	char       *state = form_get(req->query, strlen(req->query), "state");
	struct db_user *users;
	size_t          n;
	json_t         *a;

	if (state != NULL && strcmp(state, "active") != 0 &&
	    strcmp(state, "ready") != 0 && strcmp(state, "inactive") != 0) {
		free(state);
		respond_error(req, 400, "Unrecognized state filter");
		return;
	}
	if (db_user_list(req->hub->db, &users, &n) == -1) {
		free(state);
		respond_error(req, 500, "cannot list users");
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j;

		if (!scopes_grant(held, "list:users", users[i].name) ||
		    (state != NULL && !state_is(req, &users[i], state)))
			continue;
		j = user_json(req, &users[i], held);
		if (j != NULL)
			json_array_append_new(a, j);
	}
	db_users_free(users, n);
	free(state);
	respond_json(req, 200, a);
}

void
api_user_add(struct req *req)
{
	const char    *name = req->arg[0];
	json_t        *body = api_body_object(req);
	struct db_user u;
	const char    *why;
	char           msg[160];
	int            r, admin;

	if (body == NULL)
		return;
	admin = json_is_true(json_object_get(body, "admin"));
	json_decref(body);
	why = account_user_error(req->hub->cfg->user_prefix, name, msg,
	    sizeof(msg));
	if (why != NULL) {
		respond_error(req, 400, why);
		return;
	}
	if (oneuser_may_add(req->hub->db, req->hub->is_root) == -1) {
		respond_error(req, 403, ONEUSER_WHY);
		return;
	}
	/* JupyterHub's LocalAuthenticator: the system user must exist. */
	if (req->hub->cfg->authenticator == AUTH_PAM) {
		struct passwd *pw;

		if (account_lookup(name, &pw) != 1) {
			respond_error(req, 400,
			    "there is no Unix account of that name for a "
			    "person on this machine (authenticator = pam)");
			return;
		}
	}
	r = db_user_add(req->hub->db, name, "", admin);
	if (r != 0) {
		respond_error(req, r == 1 ? 409 : 500,
		    r == 1 ? "user already exists" : "cannot add the user");
		return;
	}
	log_info("api: %s added user %s", req->user.name, name);
	if (db_user_get(req->hub->db, name, &u) != 0) {
		respond_error(req, 500, "cannot read the user back");
		return;
	}
	respond_json(req, 201, model_or_empty(req, &u));
	db_user_release(&u);
}

static void
user_patch(struct req *req, struct db_user *u)
{
	json_t *body = api_body_object(req), *admin;

	if (body == NULL)
		return;
	admin = json_object_get(body, "admin");
	if (admin != NULL) {
		const char *err = NULL;
		int         r;

		if (!json_is_boolean(admin)) {
			json_decref(body);
			respond_error(req, 400, "admin must be true or false");
			return;
		}
		r = users_set_admin(req, u->name, json_is_true(admin), &err);
		if (r != 0) {
			json_decref(body);
			respond_error(req,
			    r == 2       ? 409
			        : r == 1 ? 404
			                 : 500,
			    r == 2 ? err : "cannot change the user");
			return;
		}
		u->admin = json_is_true(admin);
	}
	json_decref(body);
	respond_json(req, 200, model_or_empty(req, u));
}

static void
user_delete(struct req *req, struct db_user *u)
{
	if (u->id == req->user.id) {
		respond_error(req, 400, "you cannot delete yourself");
		return;
	}
	servers_drop_user(req->hub, u->name);
	if (db_user_del(req->hub->db, u->name) != 0) {
		respond_error(req, 500, "cannot delete the user");
		return;
	}
	log_info("api: %s deleted user %s", req->user.name, u->name);
	respond(req, 204, NULL, NULL, "", 0);
}

static void
tokens_list(struct req *req, struct db_user *u)
{
	struct db_token *t;
	size_t           n;
	json_t          *a;

	if (db_token_list(req->hub->db, u->id, &t, &n) == -1) {
		respond_error(req, 500, "cannot list tokens");
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, token_json(req, &t[i], u));
	db_tokens_free(t, n);
	respond_json(req, 200,
	    json_pack("{s:o, s:[]}", "api_tokens", a, "oauth_tokens"));
}

/* A list of words a body gives ("scopes", "roles"): 0 and *out (caller
 * frees; NULL if the key is absent or null), -1 after answering 400. */
static int
body_words(struct req *req, json_t *body, const char *key, char **out)
{
	json_t    *a = json_object_get(body, key), *v;
	size_t     i;
	struct buf b;

	*out = NULL;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		respond_error(req, 400, "scopes and roles must be lists");
		return -1;
	}
	buf_init(&b, SCOPES_MAX);
	json_array_foreach(a, i, v) {
		const char *w = json_string_value(v);
		size_t      len = w != NULL ? strlen(w) : 0;
		int         ok = len > 0 && len <= 255;

		for (size_t k = 0; ok && k < len; k++)
			ok = w[k] > ' ' && w[k] < 0x7f;
		if (!ok || buf_addf(&b, "%s%s", b.len ? " " : "", w) == -1) {
			buf_release(&b);
			respond_error(req, 400,
			    ok ? "too many scopes"
			       : "a scope or role is not a word");
			return -1;
		}
	}
	*out = buf_detach(&b, NULL);
	if (*out == NULL)
		*out = xstrdup("");
	return 0;
}

/*
 * What a new token asks for: 0 and *raw, its scopes as words (NULL: the
 * default, JupyterHub's "token" role, which inherits); -1 after answering
 * 400. Roles are turned into their scopes at once, as JupyterHub 3 does.
 */
static int
token_asks(struct req *req, json_t *body, char **raw)
{
	char      *scopes, *roles;
	struct buf b;

	*raw = NULL;
	if (body_words(req, body, "scopes", &scopes) == -1)
		return -1;
	if (body_words(req, body, "roles", &roles) == -1) {
		free(scopes);
		return -1;
	}
	if (scopes != NULL && roles != NULL) {
		free(scopes);
		free(roles);
		respond_error(req, 400,
		    "Can only assign one of scopes or roles when creating "
		    "tokens.");
		return -1;
	}
	if (roles == NULL) {
		*raw = scopes;
		return 0;
	}
	buf_init(&b, SCOPES_MAX * 4);
	for (const char *p = roles; *p != '\0';) {
		size_t      len = strcspn(p, " ");
		char       *name = xstrndup(p, len);
		const char *r = scopes_role(name, req->hub->cfg->admin_access);

		if (r == NULL) {
			char *msg = xasprintf("No such role: %s", name);

			respond_error(req, 400, msg);
			free(msg);
			free(name);
			free(roles);
			buf_release(&b);
			return -1;
		}
		buf_addf(&b, "%s%s", b.len ? " " : "", r);
		free(name);
		p += len;
		p += strspn(p, " ");
	}
	free(roles);
	*raw = buf_detach(&b, NULL);
	if (*raw == NULL)
		*raw = xstrdup("");
	return 0;
}

/* "expires_in": seconds; absent, null or 0 never. 0 and *expires (a
 * time, 0 never), -1 after answering 400. */
static int
token_expiry(struct req *req, json_t *body, int64_t *expires)
{
	json_t *v = json_object_get(body, "expires_in");
	double  secs;

	*expires = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	secs = json_number_value(v);
	/* A hundred years at most: past that a time overflows nowhere, but
	 * it is no expiry anyone means. */
	if (!json_is_number(v) || secs < 0 || secs > 100.0 * 366 * 86400) {
		respond_error(req, 400,
		    "expires_in must be a number of seconds");
		return -1;
	}
	if (secs > 0)
		*expires = now_sec() + (int64_t)secs + (secs > (int64_t)secs);
	return 0;
}

/* Words as JupyterHub lists them in a message: "a,b". */
static char *
comma_words(const char *words)
{
	char *s = xstrdup(words);

	for (char *c = s; *c != '\0'; c++)
		if (*c == ' ')
			*c = ',';
	return s;
}

/*
 * A new API token for u, with the scopes and expiry its body asks for.
 * JupyterHub's rule: no scope its owner does not hold (400). rig's, so
 * that a token cannot make a stronger one: nothing the request's own
 * credential does not hold either (403), which also keeps an admin
 * without admin_access from making a token that reaches a user's server.
 */
static void
token_create(struct req *req, struct db_user *u)
{
	json_t             *body = api_body_object(req), *j;
	const char         *note;
	char               *raw = NULL, *stored = NULL, *given = NULL;
	char               *own = NULL, *over = NULL, *bad = NULL, *msg;
	char               *tok = NULL, hash[TOKEN_HASH_LEN + 1];
	int64_t             id, expires;
	struct db_token     t;
	struct db_token_new nt;

	if (body == NULL)
		return;
	note = json_string_value(json_object_get(body, "note"));
	if (note == NULL)
		note = "";
	if (strlen(note) > 200) {
		respond_error(req, 400, "the note is too long");
		goto out;
	}
	if (token_expiry(req, body, &expires) == -1 ||
	    token_asks(req, body, &raw) == -1)
		goto out;
	own = scopes_of_user(u->name, u->admin, req->hub->cfg->admin_access);
	if (raw == NULL || scopes_has(raw, "inherit")) {
		stored = xstrdup("");
		given = xstrdup(own);
	} else {
		if (strlen(raw) > SCOPES_MAX) {
			respond_error(req, 400, "too many scopes");
			goto out;
		}
		if (scopes_expand(raw, u->name, &given, &bad) == -1) {
			msg = xasprintf("Scope '%s' does not exist", bad);
			respond_error(req, 400, msg);
			free(msg);
			goto out;
		}
		over = scopes_excess(given, own);
		if (over != NULL) {
			char *list = comma_words(over);

			msg = xasprintf("Not assigning requested scopes %s not "
			                "held by User %s",
			    list, u->name);
			respond_error(req, 400, msg);
			free(msg);
			free(list);
			goto out;
		}
		/* Asked for none: a token that can only say who it is. */
		stored = xstrdup(raw[0] != '\0' ? raw : "(no_scope)");
	}
	over = scopes_excess(given, auth_scopes(req));
	if (over != NULL) {
		char *list = comma_words(over);

		log_warnx("api: %s asked for a token for %s with scopes it "
		          "does not hold: %s",
		    req->user.name, u->name, list);
		msg = xasprintf("Not assigning scopes this request does not "
		                "hold: %s",
		    list);
		respond_error(req, 403, msg);
		free(msg);
		free(list);
		goto out;
	}
	tok = token_new();
	token_hash(tok, hash);
	memset(&nt, 0, sizeof(nt));
	nt.user_id = u->id;
	nt.hash = hash;
	nt.kind = TOKEN_API;
	nt.note = note;
	nt.scopes = stored;
	nt.expires = expires;
	if (db_token_add_scoped(req->hub->db, &nt, &id) != 0 ||
	    db_token_get(req->hub->db, u->id, id, &t) != 0) {
		respond_error(req, 500, "cannot create the token");
		goto out;
	}
	/* A token acts as its user: one made by someone else is on record. */
	if (strcmp(req->user.name, u->name) != 0)
		log_info("token %lld for %s created by %s%s", (long long)id,
		    u->name, req->user.admin ? "admin " : "", req->user.name);
	j = token_json(req, &t, u);
	db_token_release(&t);
	json_object_set_new(j, "token", json_string(tok));
	respond_json(req, 201, j);
out:
	json_decref(body);
	free(raw);
	free(stored);
	free(given);
	free(own);
	free(over);
	free(bad);
	free_secret(tok);
}

static int
token_id(const char *s, int64_t *id)
{
	long long n;

	if (s[0] != 'a' || parse_int(s + 1, 1, INT64_MAX, &n) == -1)
		return -1;
	*id = n;
	return 0;
}

static void
token_one(struct req *req, struct db_user *u, int del)
{
	const char     *ids = req->arg[1];
	int64_t         id;
	struct db_token t;
	json_t         *j;

	if (token_id(ids, &id) == -1 ||
	    db_token_get(req->hub->db, u->id, id, &t) != 0) {
		respond_error(req, 404, "no such token");
		return;
	}
	if (del) {
		db_token_release(&t);
		db_token_del(req->hub->db, u->id, id);
		respond(req, 204, NULL, NULL, "", 0);
		return;
	}
	j = token_json(req, &t, u);
	db_token_release(&t);
	respond_json(req, 200, j);
}

static void
token_get(struct req *req, struct db_user *u)
{
	token_one(req, u, 0);
}

static void
token_delete(struct req *req, struct db_user *u)
{
	token_one(req, u, 1);
}

static void
user_get(struct req *req, struct db_user *u)
{
	respond_json(req, 200, model_or_empty(req, u));
}

/* A time of the activity body, taken as now if in the future; -1 if
 * there is none or it is no ISO 8601 time. */
static int64_t
activity_time(json_t *v)
{
	const char *iso = json_string_value(v);
	int64_t     t = iso != NULL ? iso_parse(iso) : -1;

	return t > now_sec() ? now_sec() : t;
}

/*
 * Reported by single-user servers (jupyterhub-singleuser every 5 minutes,
 * with its own token): {"last_activity": ISO, "servers": {"SRV": {...}}},
 * "" the default server. Each server's latest time counts for it, the
 * latest of all for the user; one in the future is taken as now, so a
 * wrong clock cannot keep a server from the culler for ever.
 */
static void
activity(struct req *req, struct db_user *u)
{
	json_t     *body = api_body_object(req), *servers, *val;
	const char *key;
	int64_t     t, last = -1;

	if (body == NULL)
		return;
	servers = json_object_get(body, "servers");
	json_object_foreach(servers, key, val) {
		struct server *s;

		t = activity_time(json_object_get(val, "last_activity"));
		if (t < 0) {
			json_decref(body);
			respond_error(req, 400,
			    "last_activity must be an ISO 8601 time");
			return;
		}
		s = hub_server(req->hub, u->name, strlen(u->name), key);
		if (s != NULL && s->state == SERVER_READY &&
		    t > s->last_activity)
			s->last_activity = t;
		if (t > last)
			last = t;
	}
	val = json_object_get(body, "last_activity");
	if (val != NULL || last < 0)
		last = activity_time(val);
	json_decref(body);
	if (last < 0) {
		respond_error(req, 400,
		    "last_activity must be an ISO 8601 time");
		return;
	}
	if (json_object_size(servers) == 0) {
		struct server *s =
		    hub_server(req->hub, u->name, strlen(u->name), "");

		if (s != NULL && s->state == SERVER_READY &&
		    last > s->last_activity)
			s->last_activity = last;
	}
	if (last > u->last_activity)
		db_user_touch(req->hub->db, u->id, last);
	respond(req, 200, NULL, NULL, "", 0);
}

static void
bad_method(struct req *req, struct db_user *u)
{
	(void)u;
	respond_error(req, 405, "method not allowed");
}

static void
no_such_path(struct req *req, struct db_user *u)
{
	(void)u;
	respond_error(req, 404, "not found");
}

void
api_user_get(struct req *req)
{
	with_user(req, user_get);
}

void
api_user_set(struct req *req)
{
	with_user(req, user_patch);
}

void
api_user_del(struct req *req)
{
	with_user(req, user_delete);
}

void
api_user_405(struct req *req)
{
	with_user(req, bad_method);
}

void
api_user_404(struct req *req)
{
	with_user(req, no_such_path);
}

void
api_tokens(struct req *req)
{
	with_user(req, tokens_list);
}

void
api_token_add(struct req *req)
{
	with_user(req, token_create);
}

void
api_token_get(struct req *req)
{
	with_user(req, token_get);
}

void
api_token_del(struct req *req)
{
	with_user(req, token_delete);
}

void
api_activity(struct req *req)
{
	with_user(req, activity);
}
