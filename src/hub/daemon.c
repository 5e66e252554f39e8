/* SPDX-License-Identifier: MIT */
/*
 * The hub's lifetime: the database and certificate it needs, the first
 * admin, the listener (each connection goes to conn.c with the request
 * layer's callbacks, and requests to routes.c's router), SIGTERM and
 * SIGINT, the once-a-second tick (server liveness, log flush, memory given
 * back after load, certificate renewal) and the cull timer, then the loop
 * until a signal. Stopping closes the listener and the connections and
 * leaves user servers running for the next hub to take over.
 *
 * Started as root, it splits first (priv.h): the privileged helper is
 * forked before the loop exists, the certificate and key are read, the
 * port bound and the database opened as root, then the hub drops to 'rig'
 * and only then reads from the network. If the helper goes, the hub stops.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "auth.h"
#include "authcache.h"
#include "apilisten.h"
#include "autostop.h"
#include "chunk.h"
#include "conn.h"
#include "cull.h"
#include "daemon.h"
#include "firewall.h"
#include "html.h"
#include "ldap-login.h"
#include "hub.h"
#include "lib/log.h"
#include "oneuser.h"
#include "priv.h"
#include "proxy.h"
#include "req.h"
#include "routes.h"
#include "server.h"
#include "services.h"
#include "spawner.h"
#include "takeover.h"
#include "tls.h"
#include "tls-alloc.h"
#include "tls-bio.h"
#include "lib/util.h"

static void listen_cb(uv_stream_t *, int);
static void close_walk_cb(uv_handle_t *, void *);
static void hub_stop(struct hub *, const char *why);
static void signal_cb(uv_signal_t *, int);
static int  ensure_cert(struct hub *, char **cert, char **key);
static int  load_tls(struct hub *);
static void tick_cb(uv_timer_t *);
static void cull_cb(uv_timer_t *);
static int  first_admin(struct hub *);
static int  parse_listen(const char *, struct sockaddr_storage *, char *host,
     size_t hostlen, int *port);
static void print_url(const char *scheme, const char *host, int port);
static void print_urls(struct hub *, const char *host, int port);
static void priv_lost(struct hub *);

/* The helper went away: the hub exits non-zero once stopped. */
static int helper_lost;

#define CERT_CHECK_EVERY 86400 /* seconds */
#define POOL_QUIET 8 /* chunks kept in the pool while quiet */

static void
listen_cb(uv_stream_t *s, int status)
{
	struct hub *hub = s->data;

	if (status != 0) {
		log_warnx("listen: %s", uv_strerror(status));
		return;
	}
	conn_accept(hub, s, &req_conn_ops, 0);
}

static void
close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void
hub_stop(struct hub *hub, const char *why)
{
	struct conn *c;

	if (hub->stopping)
		return;
	hub->stopping = 1;
	log_info("stopping (%s); user servers keep running", why);
	uv_close((uv_handle_t *)&hub->listener, NULL);
	apilisten_stop(hub);
	uv_close((uv_handle_t *)&hub->sigterm, NULL);
	uv_close((uv_handle_t *)&hub->sigint, NULL);
	uv_close((uv_handle_t *)&hub->tick, NULL);
	uv_close((uv_handle_t *)&hub->cull, NULL);
	autostop_stop(hub);
	ldaplogin_stop(); /* its children would keep the loop running */
	while ((c = TAILQ_FIRST(&hub->conns)) != NULL)
		conn_close(c, "hub stopping");
	proxy_close_idle(hub);
	servers_release(hub);
	services_stop(hub); /* through the helper, still there */
	/* The table goes while the helper, which loads it, is there. */
	firewall_unload();
	priv_close(hub); /* after the servers let go of their watches */
	authcache_clear();
}

/* Neither half runs without the other: a hub that cannot reach its
 * helper can neither start nor stop servers. */
static void
priv_lost(struct hub *hub)
{
	helper_lost = 1;
	hub_stop(hub, "the privileged helper is gone");
}

static void
signal_cb(uv_signal_t *s, int signum)
{
	hub_stop(s->data, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static int
ensure_cert(struct hub *hub, char **cert, char **key)
{
	char **names, **addrs;
	int    r;

	if (hub->cfg->cert != NULL || hub->cfg->key != NULL) {
		if (hub->cfg->cert == NULL || hub->cfg->key == NULL)
			return error("--cert and --key go together");
		*cert = xstrdup(hub->cfg->cert);
		*key = xstrdup(hub->cfg->key);
		return 0;
	}
	*cert = xasprintf("%s/cert.pem", hub->cfg->state_dir);
	*key = xasprintf("%s/key.pem", hub->cfg->state_dir);
	/* The machine's addresses go into a new certificate but do not force
	 * one: only --renew-cert or a configured name missing does. */
	names = tls_default_names(hub->cfg->tls_names);
	addrs = tls_address_names();
	r = tls_selfsigned_ensure(*cert, *key, (const char *const *)names,
	    (const char *const *)addrs, hub->cfg->renew_cert);
	hub->cfg->renew_cert = 0; /* once, at start */
	tls_names_free(addrs);
	tls_names_free(names);
	if (r == 1)
		log_info("made a new self-signed certificate: %s", *cert);
	return r == -1 ? -1 : r;
}

static int
load_tls(struct hub *hub)
{
	char    *cert = NULL, *key = NULL, fp[128];
	SSL_CTX *ctx;
	int      r = ensure_cert(hub, &cert, &key);

	if (r == -1)
		goto fail;
	ctx = tls_server_ctx(cert, key);
	if (ctx == NULL)
		goto fail;
	SSL_CTX_free(hub->ssl_ctx);
	hub->ssl_ctx = ctx;
	if (tls_fingerprint(cert, fp, sizeof(fp)) == 0)
		log_info("certificate SHA-256 fingerprint: %s", fp);
	free(cert);
	free(key);
	return 0;
fail:
	free(cert);
	free(key);
	return -1;
}

static void
tick_cb(uv_timer_t *t)
{
	struct hub     *hub = t->data;
	static unsigned n;
	static uint64_t last_taken;

	servers_tick(hub);
	firewall_tick(hub);
	proxy_idle_tick(hub);
	log_flush();
	if (++n % 3600 == 0) {
		db_session_expire(hub->db, now_sec());
		db_token_expire(hub->db, now_sec());
	}
	/* Give memory freed after a burst of load back to the system: at
	 * the first quiet second (no buffer taken), and every 30 s. */
	if (n % 30 == 0 ||
	    (chunk_taken() == last_taken &&
	        (chunk_pooled() > POOL_QUIET ||
	            tls_alloc_pooled() > POOL_QUIET))) {
		chunk_pool_trim(POOL_QUIET);
		tls_alloc_trim(POOL_QUIET);
		malloc_trim(64 * 1024);
	}
	last_taken = chunk_taken();
	/* Renew the self-signed certificate well before it expires. */
	if (n % CERT_CHECK_EVERY == 0 && hub->ssl_ctx != NULL &&
	    hub->cfg->cert == NULL)
		load_tls(hub);
}

static void
cull_cb(uv_timer_t *t)
{
	struct hub *hub = t->data;

	if (hub->cfg->idle_timeout > 0)
		servers_cull(hub);
}

static int
first_admin(struct hub *hub)
{
	int64_t     n;
	char       *pw, *hash, why[160];
	const char *e;

	if (db_user_count(hub->db, &n) == -1)
		return -1;
	if (n > 0)
		return 0;
	/* PAM's and LDAP's users are made at their first login; admins
	 * by admin_groups. */
	if (hub->cfg->authenticator != AUTH_LOCAL)
		return 0;
	/* The rule of every new user's name (its account must fit). */
	e = account_user_error(hub->cfg->user_prefix, hub->cfg->first_admin,
	    why, sizeof(why));
	if (e != NULL)
		return error("first_admin '%s': %s", hub->cfg->first_admin, e);
	pw = password_generate();
	hash = password_hash(pw);
	if (hash == NULL ||
	    db_user_add(hub->db, hub->cfg->first_admin, hash, 1) != 0) {
		free_secret(pw);
		free(hash);
		return error("cannot create the first admin");
	}
	printf("\nFirst admin user: %s\nPassword (shown only now): %s\n\n",
	    hub->cfg->first_admin, pw);
	fflush(stdout);
	free_secret(pw);
	free(hash);
	return 0;
}

/* Parses "ADDR:PORT" or "[V6]:PORT". */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, char *host,
    size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	long long   p;

	if (colon == NULL || parse_int(colon + 1, 0, 65535, &p) == -1)
		return error("--listen: '%s' is not ADDR:PORT", s);
	if (s[0] == '[' && colon > s + 1 && colon[-1] == ']')
		snprintf(host, hostlen, "%.*s", (int)(colon - s - 2), s + 1);
	else
		snprintf(host, hostlen, "%.*s", (int)(colon - s), s);
	*port = (int)p;
	if (uv_ip4_addr(host, *port, (struct sockaddr_in *)ss) == 0 ||
	    uv_ip6_addr(host, *port, (struct sockaddr_in6 *)ss) == 0)
		return 0;
	return error("--listen: '%s' is not a numeric address", host);
}

/* One address the hub answers on, an IPv6 one in brackets. */
static void
print_url(const char *scheme, const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		log_info("rig hub: listening on %s://[%s]:%d/", scheme, host,
		    port);
	else
		log_info("rig hub: listening on %s://%s:%d/", scheme, host,
		    port);
}

static void
print_urls(struct hub *hub, const char *host, int port)
{
	const char *scheme = hub->ssl_ctx ? "https" : "http";

	if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0) {
		char **given = tls_default_names(hub->cfg->tls_names);
		char **addrs = tls_address_names();
		char **names = tls_names_union((const char *const *)given,
		    (const char *const *)addrs);

		for (size_t i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], "localhost") != 0)
				print_url(scheme, names[i], port);
		tls_names_free(names);
		tls_names_free(addrs);
		tls_names_free(given);
		return;
	}
	print_url(scheme, host, port);
}

int
daemon_run(struct config *cfg)
{
	struct hub              hub;
	struct sockaddr_storage ss;
	char                    host[64], *dbpath;
	int                     port = 0, r, ret = 1;

	memset(&hub, 0, sizeof(hub));
	hub.cfg = cfg;
	hub.is_root = geteuid() == 0;
	hub.started = now_sec();
	TAILQ_INIT(&hub.conns);
	for (size_t b = 0; b < IDLE_UP_BUCKETS; b++)
		TAILQ_INIT(&hub.idle[b]);
	if (parse_listen(cfg->listen, &ss, host, sizeof(host), &port) == -1)
		return 1;
	if (config_check(cfg, hub.is_root) == -1)
		return 1;
	/* Read once here, before the thread pool's login look-ups use it. */
	(void)account_uid_min();
	if (mkdir_p(cfg->state_dir, 0700) == -1)
		return error("cannot create '%s': %m", cfg->state_dir), 1;
	/* Before the loop exists: the helper runs a loop of its own. */
	if (priv_setup(&hub) == -1)
		return 1;
	hub.loop = uv_default_loop();
	if (cfg->tls && load_tls(&hub) == -1)
		goto out;
	if (!cfg->tls && !host_is_loopback(host))
		log_warnx("serving plain HTTP on %s: only do this behind a TLS "
		          "proxy",
		    host);
	/* The open-files limit and the connection cap, before any
	 * connection. */
	conn_limits(&hub);
	uv_tcp_init(hub.loop, &hub.listener);
	hub.listener.data = &hub;
	r = uv_tcp_bind(&hub.listener, (struct sockaddr *)&ss, 0);
	/* The database is opened before the drop: SQLite names its files by
	 * their full path, which 'rig' may not be able to walk (the state
	 * under /root), while the descriptors it holds keep working. */
	if (r == 0) {
		dbpath = xasprintf("%s/rig.db", cfg->state_dir);
		hub.db = db_open(dbpath);
		free(dbpath);
		if (hub.db == NULL) {
			error("cannot open the database in '%s'",
			    cfg->state_dir);
			r = UV_EIO;
		}
	}
	if (r == 0 && first_admin(&hub) == -1)
		r = UV_EIO;
	if (r == 0 && oneuser_start(hub.db, hub.is_root) == -1)
		r = UV_EIO;
	/* For 'rig user', which runs apart: whose passwords these are. */
	if (r == 0 &&
	    db_fact_set(hub.db, CONFIG_FACT_AUTHENTICATOR,
	        cfg->authenticator == AUTH_PAM        ? "pam"
	            : cfg->authenticator == AUTH_LDAP ? "ldap"
	                                              : "local") == -1)
		r = UV_EIO;
	html_password_page(cfg->authenticator == AUTH_LOCAL);
	html_jobs_page(cfg->spawner == CONFIG_SPAWNER_SLURM);
	/* Homes made wider than 0700 (by an older rig, or by hand) are
	 * closed while the hub is still root: 'rig' could not. */
	servers_use_spawner(cfg->spawner == CONFIG_SPAWNER_SLURM
	        ? &spawner_slurm
	        : &spawner_local);
	if (r == 0 && hub.is_root) {
		accounts_fix_homes(cfg->user_prefix);
		servers_preopen(&hub);
	}
	/* What needed root is done: the port is bound and the key read. */
	if (r == 0 && priv_drop(&hub) == -1)
		r = UV_EPERM;
	/* Before any server runs or is taken over: see firewall.h. After
	 * the drop, as its status file is named in the state directory;
	 * nft runs in the helper (priv.h). */
	if (r == 0 && firewall_start(&hub) == -1)
		r = UV_EIO;
	if (r == 0 && apilisten_start(&hub) == -1)
		r = UV_EIO;
	if (r == 0)
		r = uv_listen((uv_stream_t *)&hub.listener, 1024, listen_cb);
	if (r != 0) {
		if (r != UV_EPERM && r != UV_EIO)
			error("cannot listen on %s: %s", cfg->listen,
			    uv_strerror(r));
		uv_close((uv_handle_t *)&hub.listener, NULL);
		apilisten_stop(&hub);
		uv_run(hub.loop, UV_RUN_DEFAULT);
		goto out;
	}
	hub.throttle = throttle_new();
	hub.router = &routes_router;
	html_banner_from(autostop_banner);
	signal(SIGPIPE, SIG_IGN);
	uv_signal_init(hub.loop, &hub.sigterm);
	uv_signal_init(hub.loop, &hub.sigint);
	hub.sigterm.data = hub.sigint.data = &hub;
	uv_signal_start(&hub.sigterm, signal_cb, SIGTERM);
	uv_signal_start(&hub.sigint, signal_cb, SIGINT);
	uv_timer_init(hub.loop, &hub.tick);
	uv_timer_init(hub.loop, &hub.cull);
	hub.tick.data = hub.cull.data = &hub;
	uv_timer_start(&hub.tick, tick_cb, 1000, 1000);
	uv_timer_start(&hub.cull, cull_cb, (uint64_t)cfg->cull_interval * 1000,
	    (uint64_t)cfg->cull_interval * 1000);

	priv_attach(&hub, priv_lost);
	servers_restore(&hub);
	services_start(&hub);
	autostop_start(&hub);
	print_urls(&hub, host, port);
	if (hub.is_root && cfg->authenticator == AUTH_PAM) {
		const char *admins = config_admin_groups(cfg);

		log_info("authenticator = pam (service %s): users sign in with "
		         "their Unix account's password and each server runs "
		         "as that account, in a PAM session; admins: %s%s; "
		         "allowed: %s",
		    cfg->pam_service,
		    admins != NULL && *admins != '\0' ? "members of " : "",
		    admins != NULL && *admins != '\0' ? admins
		                                      : "as set in the hub",
		    cfg->allowed_groups != NULL ? cfg->allowed_groups
		                                : "every person's account");
	} else if (hub.is_root && cfg->authenticator == AUTH_LDAP) {
		const char *admins = config_admin_groups(cfg);

		log_info("authenticator = ldap (%s): people sign in with their "
		         "directory password, each server runs as their Unix "
		         "account of their directory uid; admins: %s; "
		         "allowed: %s",
		    cfg->ldap.url,
		    admins != NULL && *admins != '\0' ? admins
		                                      : "as set in the hub",
		    cfg->allowed_groups != NULL ? cfg->allowed_groups
		                                : "everyone in the directory");
		if (cfg->ldap.allow_plaintext)
			log_warnx(
			    "WARNING: ldap_allow_plaintext = yes: every "
			    "password goes to %s UNENCRYPTED, readable by "
			    "anyone on the network path; use ldaps:// or "
			    "StartTLS",
			    cfg->ldap.url);
	} else if (hub.is_root)
		log_info("running as root: each user's server runs as Unix "
		         "user %sNAME",
		    cfg->user_prefix);
	uv_run(hub.loop, UV_RUN_DEFAULT);
	/* Anything left (a probe, a spawn's helper) is closed now. */
	uv_walk(hub.loop, close_walk_cb, NULL);
	uv_run(hub.loop, UV_RUN_DEFAULT);
	ret = helper_lost ? 1 : 0;
	log_info("stopped");
	log_flush();
out:
	services_release();
	firewall_stop(); /* rig hub exiting: the table goes with it */
	priv_close(&hub);
	if (hub.loop != NULL && uv_loop_close(hub.loop) != 0)
		log_debug("loop not closed cleanly");
	throttle_free(hub.throttle);
	SSL_CTX_free(hub.ssl_ctx);
	tls_bio_method_free();
	chunk_pool_release(); /* after the loop: closing connections give theirs
	                         back */
	tls_alloc_trim(0);
	db_close(hub.db);
	return ret;
}
