/* SPDX-License-Identifier: MIT */
/*
 * The route table against its own declarations: every route, with every
 * method it takes that reaches it, is asked by every kind of caller (no
 * credentials, a user's cookie, that cookie on another user's NAME, an
 * admin's cookie, a user's and an admin's API token, a cookie without its
 * _xsrf, a cookie from another origin, a server's token on its own and on
 * another's NAME, an OAuth token, a user's token made with one scope, an
 * admin's token made with reading scopes, and GETs as WebSocket
 * upgrades). What the dispatcher decides must be what the route's who and
 * check columns say and what JupyterHub's scopes say of each endpoint,
 * both worked out here independently (the scopes each endpoint needs from
 * rest-api.yml, what each caller holds from JupyterHub's roles); a refusal
 * must answer 302, 403 or (the API's, for another user's resource) 404
 * without the handler. A route with no policy fails the first test. The
 * database and sessions are real; the requests have no connection, so an
 * answer is only its status.
 */
#include <openssl/ssl.h>

#include "unit.h"

#include "hub/auth.h"
#include "hub/authcache.h"
#include "hub/config.h"
#include "hub/db.h"
#include "hub/hub.h"
#include "hub/req.h"
#include "hub/routes.h"
#include "hub/scopes.h"
#include "lib/http.h"
#include "lib/url.h"
#include "lib/util.h"

#define HOST "hub.test:8000"
#define ORIGIN_OK "https://hub.test:8000"
#define ORIGIN_EVIL "https://evil.example"

/* Callers. Each names the user whose NAME goes into the path. */
enum cred {
	C_NONE,
	C_USER, /* bob's cookie, with _xsrf, from the hub's origin */
	C_OTHER, /* bob's cookie on alice's NAME */
	C_ADMIN, /* alice's cookie on bob's NAME */
	C_USER_TOKEN, /* bob's token */
	C_ADMIN_TOKEN, /* alice's token on bob's NAME */
	C_NO_XSRF, /* bob's cookie without _xsrf (form, header) */
	C_CROSS, /* bob's cookie with _xsrf, Origin another site */
	C_SERVER, /* the token of bob's server (scopes of its own) */
	C_SERVER_OTHER, /* that token on alice's NAME */
	C_OAUTH, /* bob's OAuth token for his server's client */
	C_ACTIVITY, /* bob's token made with read:users:activity alone */
	C_ADMIN_READ, /* alice's token made with list:users read:users, on
	               * bob's NAME */
	C_COUNT,
};

static const char *const cred_name[] = { "none", "user cookie",
	"other's cookie", "admin cookie", "user token", "admin token",
	"cookie without _xsrf", "cross-origin cookie", "server token",
	"server token on another's NAME", "OAuth token",
	"read:users:activity token", "admin's reading token" };

struct fixture {
	struct config cfg;
	struct hub    hub;
	char          sid[2][65], xsrf[2][33], token[2][65];
	char          server_token[65], oauth_token[65]; /* bob's */
	char          activity_token[65]; /* bob's */
	char          read_token[65]; /* alice's */
};

/* A token of user 'id' made with 'scopes', into 'out'. */
static void
scoped_api_token(struct fixture *f, int64_t id, const char *scopes,
    char out[65])
{
	struct db_token_new t;
	char                hash[TOKEN_HASH_LEN + 1];
	char               *s = token_new();

	snprintf(out, 65, "%s", s);
	free_secret(s);
	token_hash(out, hash);
	memset(&t, 0, sizeof(t));
	t.user_id = id;
	t.hash = hash;
	t.kind = TOKEN_API;
	t.scopes = scopes;
	ASSERT_EQ(db_token_add_scoped(f->hub.db, &t, NULL), 0);
}

/* Bob's server's token and an OAuth token of his, each with scopes of
 * its own. */
static void
scoped_tokens(struct fixture *f, int64_t bob)
{
	struct db_token_new t;
	char                hash[TOKEN_HASH_LEN + 1];
	char               *s = token_new(), *scopes = scopes_server("bob", "");

	snprintf(f->server_token, sizeof(f->server_token), "%s", s);
	free_secret(s);
	token_hash(f->server_token, hash);
	ASSERT_EQ(db_server_token_set(f->hub.db, bob, "", hash, scopes), 0);
	free(scopes);
	s = token_new();
	snprintf(f->oauth_token, sizeof(f->oauth_token), "%s", s);
	free_secret(s);
	token_hash(f->oauth_token, hash);
	memset(&t, 0, sizeof(t));
	t.user_id = bob;
	t.hash = hash;
	t.kind = TOKEN_OAUTH;
	t.scopes = "access:servers!server=bob/";
	t.client_id = "jupyterhub-user-bob";
	t.expires = now_sec() + 3600;
	ASSERT_EQ(db_token_add_scoped(f->hub.db, &t, NULL), 0);
}

static void
fixture_init(struct fixture *f, int admin_access)
{
	const char *names[2] = { "alice", "bob" };
	char       *path = xasprintf("%s/rig.db", unit_tmpdir());
	char        hash[TOKEN_HASH_LEN + 1];
	int64_t     id;

	memset(f, 0, sizeof(*f));
	config_init(&f->cfg);
	f->cfg.admin_access = admin_access;
	f->hub.cfg = &f->cfg;
	f->hub.is_root = 1; /* several users: a hub without root serves one */
	f->hub.db = db_open(path);
	free(path);
	ASSERT_NOT_NULL(f->hub.db);
	/* Only compared with NULL: the hub's origin is https. */
	f->hub.ssl_ctx = SSL_CTX_new(TLS_server_method());
	for (int i = 0; i < 2; i++) {
		struct db_user u;
		char          *s;

		ASSERT_EQ(db_user_add(f->hub.db, names[i], "", i == 0), 0);
		ASSERT_EQ(db_user_get(f->hub.db, names[i], &u), 0);
		s = token_new();
		snprintf(f->sid[i], sizeof(f->sid[i]), "%s", s);
		free_secret(s);
		s = random_hex(16);
		snprintf(f->xsrf[i], sizeof(f->xsrf[i]), "%s", s);
		free(s);
		token_hash(f->sid[i], hash);
		ASSERT_EQ(db_session_add(f->hub.db, u.id, hash, f->xsrf[i],
		              now_sec() + 3600),
		    0);
		s = token_new();
		snprintf(f->token[i], sizeof(f->token[i]), "%s", s);
		free_secret(s);
		token_hash(f->token[i], hash);
		ASSERT_EQ(db_token_add(f->hub.db, u.id, hash, "", &id), 0);
		if (i == 1) {
			scoped_tokens(f, u.id);
			scoped_api_token(f, u.id, "read:users:activity",
			    f->activity_token);
		} else
			scoped_api_token(f, u.id, "list:users read:users",
			    f->read_token);
		db_user_release(&u);
	}
}

static void
fixture_release(struct fixture *f)
{
	authcache_clear();
	SSL_CTX_free(f->hub.ssl_ctx);
	db_close(f->hub.db);
	config_release(&f->cfg);
}

static const char *
method_name(unsigned m)
{
	switch (m) {
	case M_GET:
		return "GET";
	case M_HEAD:
		return "HEAD";
	case M_POST:
		return "POST";
	case M_PUT:
		return "PUT";
	case M_PATCH:
		return "PATCH";
	case M_DELETE:
		return "DELETE";
	case M_OPTIONS:
		return "OPTIONS";
	default:
		return "PROPFIND";
	}
}

/* A path the pattern matches: NAME for the first wildcard, a token id
 * for the second. */
static char *
sample_path(const char *pat, const char *name)
{
	struct buf b;
	int        n = 0;

	buf_init(&b, 4096);
	while (*pat != '\0') {
		if (*pat == '*') {
			buf_adds(&b, n++ == 0 ? name : "a1");
			pat += pat[1] == '*' ? 2 : 1;
		} else
			buf_add(&b, pat++, 1);
	}
	return buf_detach(&b, NULL);
}

/* A request as a client would send it, without a connection. */
static struct req *
make_req(struct fixture *f, unsigned m, const char *path, enum cred c,
    int upgrade)
{
	struct req *req = xcalloc(1, sizeof(*req));
	struct buf  raw;
	int bob = c != C_ADMIN && c != C_ADMIN_TOKEN && c != C_ADMIN_READ;
	int scoped = c == C_SERVER || c == C_SERVER_OTHER || c == C_OAUTH ||
	    c == C_ACTIVITY || c == C_ADMIN_READ;
	int cookie =
	    c != C_NONE && c != C_USER_TOKEN && c != C_ADMIN_TOKEN && !scoped;
	int xsrf = cookie && c != C_NO_XSRF;
	int r;

	buf_init(&raw, 1 << 16);
	buf_addf(&raw, "%s %s HTTP/1.1\r\nHost: " HOST "\r\n", method_name(m),
	    path);
	if (cookie)
		buf_addf(&raw, "Cookie: rig-session=%s; rig-xsrf=%s\r\n",
		    f->sid[bob], f->xsrf[bob]);
	if (c == C_USER_TOKEN || c == C_ADMIN_TOKEN)
		buf_addf(&raw, "Authorization: token %s\r\n", f->token[bob]);
	if (scoped)
		buf_addf(&raw, "Authorization: token %s\r\n",
		    c == C_OAUTH            ? f->oauth_token
		        : c == C_ACTIVITY   ? f->activity_token
		        : c == C_ADMIN_READ ? f->read_token
		                            : f->server_token);
	if (xsrf)
		buf_addf(&raw, "X-XSRFToken: %s\r\n", f->xsrf[bob]);
	if (c != C_NONE)
		buf_addf(&raw, "Origin: %s\r\n",
		    c == C_CROSS ? ORIGIN_EVIL : ORIGIN_OK);
	if (upgrade)
		buf_adds(&raw, "Connection: Upgrade\r\nUpgrade: websocket\r\n");
	buf_adds(&raw, "\r\n");
	req->raw = buf_detach(&raw, &req->raw_len);
	r = http_parse_request(req->raw, req->raw_len, &req->head);
	if (r <= 0)
		FAIL("cannot parse %s %s", method_name(m), path);
	req->hub = &f->hub;
	snprintf(req->addr, sizeof(req->addr), "192.0.2.1");
	target_split(req->head.target, req->head.target_len, &req->path,
	    &req->query);
	buf_init(&req->body, 1 << 16);
	if (xsrf)
		buf_addf(&req->body, "_xsrf=%s", f->xsrf[bob]);
	return req;
}

/*
 * The scopes JupyterHub asks of each endpoint (rest-api.yml), any one of
 * them: NULL for what is not the API or the proxy to servers (pages,
 * services, OAuth's authorize step), which a token with scopes of its own
 * may not use; "" for what any credential may ask.
 */
static const char *
endpoint_needs(const char *pattern, unsigned m)
{
	static const char see[] = " read:users read:users:name read:servers "
	                          "read:users:groups read:users:activity "
	                          "read:roles:users ";
	const char       *u = "/hub/api/users/*";
	size_t            ul = strlen(u);

	if (strcmp(pattern, "/hub/api/user") == 0 ||
	    strcmp(pattern, "/hub/api/**") == 0)
		return "";
	if (strcmp(pattern, "/hub/api/users") == 0)
		return " list:users ";
	if (strcmp(pattern, "/hub/metrics") == 0)
		return " read:metrics ";
	if (strncmp(pattern, "/services/*", 11) == 0)
		/* Anyone signed in, any token: the service checks. */
		return strcmp(pattern, "/services/*") == 0 && m == M_GET ? NULL
		                                                         : "";
	if (strcmp(pattern, "/hub/api/services") == 0)
		return " list:services read:services read:services:name ";
	if (strcmp(pattern, "/hub/api/services/*") == 0)
		return " read:services read:services:name ";
	if (strcmp(pattern, "/hub/api/pool") == 0)
		return " admin-ui ";
	if (strncmp(pattern, "/user/*", 7) == 0 && m != M_GET)
		return " access:servers ";
	if (strncmp(pattern, "/user/*", 7) == 0)
		/* GET /user/NAME only adds the slash, for anyone. */
		return strcmp(pattern, "/user/*") == 0 ? NULL
		                                       : " access:servers ";
	if (strncmp(pattern, u, ul) != 0)
		return NULL;
	pattern += ul;
	if (*pattern == '\0')
		return m == M_POST || m == M_PATCH ? " admin:users "
		    : m == M_DELETE                ? " delete:users "
		                                   : see;
	if (strcmp(pattern, "/server") == 0)
		return m == M_POST  ? " servers "
		    : m == M_DELETE ? " delete:servers "
		                    : " read:servers ";
	if (strcmp(pattern, "/server/progress") == 0 ||
	    strcmp(pattern, "/servers/*/progress") == 0)
		return " read:servers ";
	/* A named server: the same scopes as the default's. */
	if (strcmp(pattern, "/servers/*") == 0)
		return m == M_POST  ? " servers "
		    : m == M_DELETE ? " delete:servers "
		                    : " read:servers ";
	if (strcmp(pattern, "/tokens") == 0 ||
	    strcmp(pattern, "/tokens/**") == 0)
		return m == M_POST && pattern[7] == '\0'  ? " tokens "
		    : m == M_DELETE && pattern[7] != '\0' ? " tokens "
		                                          : " read:tokens ";
	if (strcmp(pattern, "/activity") == 0)
		return " users:activity ";
	/* Batch jobs: as the server's scopes; the output as its use. */
	if (strcmp(pattern, "/jobs") == 0)
		return " read:servers ";
	if (strcmp(pattern, "/jobs/*") == 0)
		return m == M_DELETE ? " servers " : " read:servers ";
	if (strcmp(pattern, "/jobs/*/output") == 0)
		return " access:servers ";
	return see;
}

/* The "user" role's scopes, each on the user's own resources. */
static const char self_held[] =
    " read:users read:users:name "
    "read:users:groups read:users:activity users:activity servers "
    "read:servers delete:servers tokens read:tokens access:servers ";
/* The "admin" role's, on anyone's, implied ones written out; rig gives
 * access:servers only with admin_access. */
static const char admin_held[] =
    " admin-ui admin:users admin:auth_state "
    "users read:users list:users users:activity read:users:name "
    "read:users:groups read:users:activity read:roles:users delete:users "
    "admin:servers admin:server_state servers read:servers "
    "delete:servers tokens read:tokens admin:groups read:metrics "
    "read:roles proxy shutdown list:services read:services "
    "read:services:name access:services read:hub read:roles:services ";

/* Whether words (" a b ") hold one of need's. */
static int
holds_one(const char *words, const char *need)
{
	char w[64];

	for (const char *p = need; *p != '\0';) {
		size_t len = strcspn(p, " ");

		if (len > 0 && len < sizeof(w) - 2) {
			snprintf(w, sizeof(w), " %.*s ", (int)len, p);
			if (strstr(words, w) != NULL)
				return 1;
		}
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

/* What caller c holds of 'need' on the NAME it asks for: ROUTE_OK, or
 * ROUTE_NOT_FOUND held for its own user only, or ROUTE_NO_SCOPE. */
static enum route_verdict
scope_verdict(enum cred c, const char *need, int admin_access)
{
	const char *own_only = "", *anyone = "";

	switch (c) {
	case C_NONE:
		return ROUTE_NO_LOGIN;
	case C_USER:
	case C_USER_TOKEN:
	case C_NO_XSRF:
	case C_CROSS:
		anyone = "";
		if (holds_one(self_held, need))
			return ROUTE_OK;
		return ROUTE_NO_SCOPE;
	case C_OTHER:
		own_only = self_held;
		break;
	case C_ADMIN:
	case C_ADMIN_TOKEN:
		anyone = admin_held;
		own_only = self_held;
		if (admin_access && holds_one(" access:servers ", need))
			return ROUTE_OK;
		break;
	case C_SERVER:
		return holds_one(" users:activity read:users:activity "
		                 "access:servers ",
		           need)
		    ? ROUTE_OK
		    : ROUTE_NO_SCOPE;
	case C_SERVER_OTHER:
		own_only = " users:activity read:users:activity "
		           "access:servers ";
		break;
	case C_OAUTH:
		return holds_one(" access:servers ", need) ? ROUTE_OK
		                                           : ROUTE_NO_SCOPE;
	case C_ACTIVITY:
		return holds_one(" read:users:activity ", need)
		    ? ROUTE_OK
		    : ROUTE_NO_SCOPE;
	case C_ADMIN_READ:
		anyone = " list:users read:users read:users:name "
		         "read:users:groups read:users:activity ";
		break;
	case C_COUNT:
		break;
	}
	if (holds_one(anyone, need))
		return ROUTE_OK;
	return holds_one(own_only, need) ? ROUTE_NOT_FOUND : ROUTE_NO_SCOPE;
}

/* What the route's declared policy says of this caller. */
static enum route_verdict
expected(const struct route *r, unsigned m, enum cred c, int upgrade,
    int admin_access)
{
	int scoped = c == C_SERVER || c == C_SERVER_OTHER || c == C_OAUTH ||
	    c == C_ACTIVITY || c == C_ADMIN_READ;
	int cookie =
	    c != C_NONE && c != C_USER_TOKEN && c != C_ADMIN_TOKEN && !scoped;
	int admin = c == C_ADMIN || c == C_ADMIN_TOKEN || c == C_ADMIN_READ;
	int own = c != C_OTHER && c != C_SERVER_OTHER && !admin;
	int shown = cookie && c != C_NO_XSRF && c != C_CROSS;
	const char *need;

	if (r->who != ANYONE && c == C_NONE)
		return ROUTE_NO_LOGIN;
	switch (r->check) {
	case NO_CHECK:
		break;
	case XSRF_FORM:
		if (m == M_POST && cookie && !shown)
			return ROUTE_BAD_XSRF;
		break;
	case XSRF_HDR:
		if ((m & M_READ) == 0 && cookie && !shown)
			return ROUTE_BAD_XSRF;
		break;
	case ORIGIN:
		if (((m & (M_READ | M_OPTIONS)) == 0 || upgrade) &&
		    c == C_CROSS)
			return ROUTE_CROSS_ORIGIN;
		break;
	case XSRF_LOGIN:
		if (!shown)
			return ROUTE_BAD_XSRF;
		break;
	}
	switch (r->who) {
	case ANYONE:
		return ROUTE_OK;
	case USER:
		break;
	case ADMIN:
		if (!admin)
			return ROUTE_NOT_ADMIN;
		break;
	case OWNER:
		if (!own && !admin)
			return ROUTE_NOT_OWNER;
		break;
	}
	need = endpoint_needs(r->path, m);
	if (need == NULL)
		return scoped ? ROUTE_NO_SCOPE : ROUTE_OK;
	if (need[0] == '\0')
		return ROUTE_OK;
	return scope_verdict(c, need, admin_access);
}

/* Every route, every method reaching it, every caller. */
static void
walk(int admin_access)
{
	struct fixture      f;
	const struct route *table;
	size_t              n;
	int                 checked = 0;

	fixture_init(&f, admin_access);
	table = routes_table(&n);
	for (size_t i = 0; i < n; i++) {
		const struct route *r = &table[i];
		int                 reached = 0;

		for (unsigned m = 1; m <= M_OTHER; m <<= 1) {
			if ((r->methods & m) == 0)
				continue;
			for (int c = 0; c < C_COUNT; c++) {
				for (int up = 0; up <= (m == M_GET); up++) {
					const char *name =
					    c == C_OTHER || c == C_SERVER_OTHER
					    ? "alice"
					    : "bob";
					char *path = sample_path(r->path, name);
					struct req *req =
					    make_req(&f, m, path, c, up);
					enum route_verdict want, got;

					if (routes_find(req) != r) {
						/* An earlier route takes
						 * this method. */
						req_free(req);
						free(path);
						continue;
					}
					reached = 1;
					want =
					    expected(r, m, c, up, admin_access);
					got = routes_check(req, r);
					if (got != want)
						FAIL("%s %s as %s%s: verdict "
						     "%d, declared %d",
						    method_name(m), path,
						    cred_name[c],
						    up ? " (upgrade)" : "", got,
						    want);
					if (got != ROUTE_OK) {
						/* Refused: answered, no
						 * handler (it would need a
						 * connection). */
						int api =
						    strncmp(path, "/hub/api/",
						        9) == 0;
						int want_status =
						    got == ROUTE_NOT_FOUND &&
						        api
						    ? 404
						    : 403;

						routes_dispatch(req);
						if (req->status !=
						        want_status &&
						    !(got == ROUTE_NO_LOGIN &&
						        req->status == 302))
							FAIL("%s %s as %s: "
							     "refused with %d",
							    method_name(m),
							    path, cred_name[c],
							    req->status);
					}
					checked++;
					req_free(req);
					free(path);
				}
			}
		}
		if (!reached)
			FAIL("route %d (%s) is reached by no method", (int)i,
			    r->path);
	}
	ASSERT(checked > 500);
	fixture_release(&f);
}

TEST(routes_every_route_declares_a_policy)
{
	const struct route *table;
	size_t              n;

	table = routes_table(&n);
	ASSERT(n > 0);
	for (size_t i = 0; i < n; i++) {
		if (table[i].who < ANYONE || table[i].who > OWNER ||
		    table[i].check < NO_CHECK || table[i].check > XSRF_LOGIN ||
		    table[i].methods == 0 || table[i].handler == NULL ||
		    table[i].path == NULL || table[i].path[0] != '/')
			FAIL("route %d (%s) has no complete policy", (int)i,
			    table[i].path ? table[i].path : "?");
	}
	/* The last route takes whatever the others did not. */
	ASSERT_STR_EQ(table[n - 1].path, "/**");
	ASSERT_EQ(table[n - 1].methods, M_ANY);
}

TEST(routes_no_policy_is_refused)
{
	struct fixture f;
	struct route   bare;
	struct req    *req;

	fixture_init(&f, 0);
	memset(&bare, 0, sizeof(bare));
	bare.methods = M_ANY;
	bare.path = "/**";
	req = make_req(&f, M_GET, "/hub/home", C_ADMIN, 0);
	ASSERT_EQ(routes_check(req, &bare), ROUTE_NO_POLICY);
	bare.who = ADMIN;
	ASSERT_EQ(routes_check(req, &bare), ROUTE_NO_POLICY);
	req_free(req);
	fixture_release(&f);
}

TEST(routes_walk_every_route)
{
	walk(0);
}

TEST(routes_walk_every_route_admin_access)
{
	walk(1);
}

TEST(routes_match_wildcards)
{
	char *arg[2];

	ASSERT_EQ(routes_match("/hub/home", "/hub/home", arg), 1);
	ASSERT_NULL(arg[0]);
	ASSERT_EQ(routes_match("/hub/home", "/hub/home/", NULL), 0);
	ASSERT_EQ(routes_match("/hub/home", "/hub/hom", NULL), 0);
	/* '*' is one segment, never empty, never across '/'. */
	ASSERT_EQ(routes_match("/user/*", "/user/alice", arg), 1);
	ASSERT_STR_EQ(arg[0], "alice");
	free(arg[0]);
	ASSERT_EQ(routes_match("/user/*", "/user/", NULL), 0);
	ASSERT_EQ(routes_match("/user/*", "/user/alice/x", NULL), 0);
	ASSERT_EQ(routes_match("/user/*/**", "/user//x", NULL), 0);
	ASSERT_EQ(routes_match("/user/*/**", "/user/alice", NULL), 0);
	/* '**' is the rest, empty or not, slashes and all. */
	ASSERT_EQ(routes_match("/user/*/**", "/user/alice/", arg), 1);
	ASSERT_STR_EQ(arg[0], "alice");
	ASSERT_STR_EQ(arg[1], "");
	free(arg[0]);
	free(arg[1]);
	ASSERT_EQ(routes_match("/hub/spawn/**", "/hub/spawn/a/../b", arg), 1);
	ASSERT_STR_EQ(arg[0], "a/../b");
	free(arg[0]);
	ASSERT_EQ(routes_match("/hub/api/users/*/tokens/**",
	              "/hub/api/users/bob/tokens/a12", arg),
	    1);
	ASSERT_STR_EQ(arg[0], "bob");
	ASSERT_STR_EQ(arg[1], "a12");
	free(arg[0]);
	free(arg[1]);
	/* A prefix of the pattern is no match, nor is a longer path. */
	ASSERT_EQ(
	    routes_match("/hub/api/users/*/server", "/hub/api/users/bob", NULL),
	    0);
	ASSERT_EQ(
	    routes_match("/hub/api/users/*", "/hub/api/users/bob/server", NULL),
	    0);
	/* Three wildcards are more than a route may have. */
	ASSERT_EQ(routes_match("/*/*/*", "/a/b/c", NULL), 0);
}

TEST(routes_find_first_match)
{
	struct fixture      f;
	struct req         *req;
	const struct route *r;

	fixture_init(&f, 0);
	/* /user/NAME without its slash: sent on to it, before any login. */
	req = make_req(&f, M_GET, "/user/bob", C_NONE, 0);
	r = routes_find(req);
	ASSERT_NOT_NULL(r);
	ASSERT_EQ(r->who, ANYONE);
	req_free(req);
	/* The same path, written to: the proxy, for its owner. */
	req = make_req(&f, M_POST, "/user/bob", C_NONE, 0);
	r = routes_find(req);
	ASSERT_EQ(r->who, USER);
	ASSERT_STR_EQ(r->scope, "access:servers");
	ASSERT_STR_EQ(req->arg[0], "bob");
	routes_dispatch(req);
	ASSERT_EQ(req->status, 403);
	req_free(req);
	/* An unknown API path asks for credentials before its 404. */
	req = make_req(&f, M_GET, "/hub/api/nothing", C_NONE, 0);
	routes_dispatch(req);
	ASSERT_EQ(req->status, 403);
	req_free(req);
	req = make_req(&f, M_GET, "/hub/api/nothing", C_USER_TOKEN, 0);
	routes_dispatch(req);
	ASSERT_EQ(req->status, 404);
	req_free(req);
	/* A page sends a browser to log in, with where it was going. */
	req = make_req(&f, M_GET, "/hub/token", C_NONE, 0);
	routes_dispatch(req);
	ASSERT_EQ(req->status, 302);
	req_free(req);
	fixture_release(&f);
}
