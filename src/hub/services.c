/* SPDX-License-Identifier: MIT */
/*
 * Managed services (services.h): one record per [service NAME] with a
 * command, for the hub's life. A start goes through the privileged helper
 * like a server's (priv_spawn()), as the service's account, outside any
 * cgroup; its output is copied to STATE/logs/service-NAME.log as a
 * server's is; its end, reported by the helper (or libuv without one),
 * arms the restart timer.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "accounts.h"
#include "auth.h"
#include "config.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "priv.h"
#include "scopes.h"
#include "serverlog.h"
#include "services.h"
#include "spawn-cmd.h"

#define CLIENT_PREFIX SERVICES_CLIENT_PREFIX
#define RESTART_MAX_S 60 /* the longest pause before a restart */
#define STEADY_S 60 /* up this long: the next pause is short again */
#define ENV_BASE 24 /* the hub's own lines of a service's environment */

struct run {
	struct hub           *hub;
	const struct service *conf;
	char                 *token;
	char                  hash[TOKEN_HASH_LEN + 1];
	char                 *scopes; /* expanded */
	char                  account[ACCOUNT_NAME_MAX + 1]; /* "" not root */
	int                   pid; /* 0: not running */
	int                   failures; /* quick ends in a row */
	int64_t               started;
	uv_process_t          proc; /* without the helper */
	int                   proc_open;
	uv_timer_t            timer;
};

static struct run *runs;
static size_t      nruns;

static void launch(struct run *);
static void ended(struct run *, int64_t status, int sig);

char *
services_client_id(const char *name)
{
	return xasprintf(CLIENT_PREFIX "%s", name);
}

static struct run *
run_of(const struct service *s)
{
	for (size_t i = 0; i < nruns; i++)
		if (runs[i].conf == s)
			return &runs[i];
	return NULL;
}

const struct service *
services_client(const struct hub *hub, const char *client_id)
{
	size_t                n = strlen(CLIENT_PREFIX);
	const struct service *s;

	if (client_id == NULL || strncmp(client_id, CLIENT_PREFIX, n) != 0)
		return NULL;
	s = config_service(hub->cfg, client_id + n, strlen(client_id + n));
	/* Only a managed service has a secret (its token) to prove it. */
	return s != NULL && run_of(s) != NULL ? s : NULL;
}

int
services_any(void)
{
	return nruns > 0;
}

const struct service *
services_by_token(const char *hash)
{
	for (size_t i = 0; i < nruns; i++)
		if (secret_equal(runs[i].hash, hash))
			return runs[i].conf;
	return NULL;
}

const char *
services_scopes(const struct service *s)
{
	struct run *r = run_of(s);

	return r != NULL ? r->scopes : "";
}

int
services_secret_ok(const struct service *s, const char *secret)
{
	struct run *r = run_of(s);
	char        hash[TOKEN_HASH_LEN + 1];

	if (r == NULL || secret == NULL || strlen(secret) > 256)
		return 0;
	token_hash(secret, hash);
	return secret_equal(hash, r->hash);
}

int
services_pid(const struct service *s)
{
	struct run *r = run_of(s);

	return r != NULL ? r->pid : 0;
}

int
services_own_account(const char *account)
{
	for (size_t i = 0; i < nruns; i++)
		if (runs[i].account[0] != '\0' &&
		    strcmp(runs[i].account, account) == 0)
			return 1;
	return 0;
}

/* The token's scopes: the admin role's if it has it, and its own. */
static char *
token_scopes(const struct hub *hub, const struct service *s)
{
	char *raw, *out = NULL;
	int   admin = s->roles != NULL && strstr(s->roles, "admin") != NULL;

	raw = xasprintf("%s%s%s",
	    admin ? scopes_role("admin", hub->cfg->admin_access) : "",
	    admin && s->scopes != NULL ? " " : "",
	    s->scopes != NULL ? s->scopes : "");
	/* Owner "": a bare "!user" names no one (no user has that name). */
	if (scopes_expand(raw, "", &out, NULL) == -1)
		out = xstrdup("");
	free(raw);
	return out;
}

static void
restart_cb(uv_timer_t *t)
{
	struct run *r = t->data;

	if (!r->hub->stopping && r->pid == 0 && !r->proc_open)
		launch(r);
}

static void
proc_close_cb(uv_handle_t *h)
{
	struct run *r = h->data;

	r->proc_open = 0;
}

/* Without the helper: libuv's report. */
static void
libuv_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct run *r = p->data;

	uv_close((uv_handle_t *)p, proc_close_cb);
	ended(r, status, sig);
}

static void
helper_exit_cb(void *arg, int64_t status, int sig)
{
	ended(arg, status, sig);
}

static void
spawned_cb(void *arg, int rc, int pid)
{
	struct run *r = arg;

	if (rc != 0) {
		log_warnx("service %s: cannot start: %s", r->conf->name,
		    uv_strerror(rc));
		/* Without the helper: libuv's handle is left to close. */
		if (r->proc_open && !uv_is_closing((uv_handle_t *)&r->proc))
			uv_close((uv_handle_t *)&r->proc, proc_close_cb);
		ended(r, -1, 0);
		return;
	}
	r->pid = pid;
	log_info("service %s: started (pid %d%s%s)", r->conf->name, pid,
	    r->account[0] != '\0' ? ", as " : "", r->account);
}

static void
ended(struct run *r, int64_t status, int sig)
{
	int64_t up = now_sec() - r->started;
	int     pause;

	r->pid = 0;
	if (r->hub->stopping)
		return;
	if (up >= STEADY_S)
		r->failures = 0;
	pause = r->failures >= 6 ? RESTART_MAX_S : 1 << r->failures;
	r->failures++;
	if (sig != 0)
		log_warnx("service %s: killed by signal %d; restarting in "
		          "%d s",
		    r->conf->name, sig, pause);
	else
		log_warnx("service %s: exited with status %lld; restarting "
		          "in %d s",
		    r->conf->name, (long long)status, pause);
	uv_timer_start(&r->timer, restart_cb, (uint64_t)pause * 1000, 0);
}

/* JupyterHub's environment of a managed service (its spawner's
 * get_env() for services), then the service's own lines. */
static int
service_env(const struct run *r, const char *home, char **env)
{
	const struct service *s = r->conf;
	const char           *user = r->account[0] != '\0' ? r->account : "";
	char                 *client = services_client_id(s->name);
	int                   n = 0;

	env[n++] = xstrdup("PATH=" CONFIG_SERVER_PATH);
	env[n++] = xasprintf("HOME=%s", home);
	if (*user != '\0') {
		env[n++] = xasprintf("USER=%s", user);
		env[n++] = xasprintf("LOGNAME=%s", user);
	}
	env[n++] = xstrdup("LANG=C.UTF-8");
	env[n++] = xasprintf("JUPYTERHUB_SERVICE_NAME=%s", s->name);
	env[n++] = xasprintf("JUPYTERHUB_API_TOKEN=%s", r->token);
	env[n++] = xasprintf("JPY_API_TOKEN=%s", r->token);
	env[n++] = xasprintf("JUPYTERHUB_API_URL=http://127.0.0.1:%d/hub/api",
	    r->hub->api_port);
	env[n++] = xstrdup("JUPYTERHUB_BASE_URL=/");
	env[n++] = xstrdup("JUPYTERHUB_HOST=");
	env[n++] = xasprintf("JUPYTERHUB_CLIENT_ID=%s", client);
	env[n++] =
	    xasprintf("JUPYTERHUB_SERVICE_PREFIX=/services/%s/", s->name);
	env[n++] = xasprintf("JUPYTERHUB_OAUTH_CALLBACK_URL=/services/%s/"
	                     "oauth_callback",
	    s->name);
	env[n++] = xasprintf("JUPYTERHUB_OAUTH_SCOPES=[\"access:services!"
	                     "service=%s\"]",
	    s->name);
	env[n++] = xasprintf("JUPYTERHUB_OAUTH_ACCESS_SCOPES=[\"access:"
	                     "services!service=%s\"]",
	    s->name);
	env[n++] = xstrdup("JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES=[]");
	if (s->url != NULL)
		env[n++] = xasprintf("JUPYTERHUB_SERVICE_URL=%s", s->url);
	for (size_t i = 0; i < s->nenv; i++)
		env[n++] = xstrdup(s->env[i]);
	env[n] = NULL;
	free(client);
	return n;
}

static char *
find_program(const char *file)
{
	if (strchr(file, '/') != NULL)
		return access(file, X_OK) == 0 ? xstrdup(file) : NULL;
	return proc_which(file, CONFIG_SERVER_PATH);
}

static void
launch(struct run *r)
{
	struct hub           *hub = r->hub;
	const struct service *s = r->conf;
	uv_process_options_t  o;
	uv_stdio_container_t  stdio[3];
	struct spawn_vars     vars;
	struct passwd        *pw = NULL;
	char                **argv, *file = NULL, *home = NULL, *log = NULL;
	char                 *env[ENV_BASE + SERVICE_ENV_MAX + 1], *prefix;
	int                   fds[2] = { -1, -1 }, nenv = 0, rc;

	r->started = now_sec();
	if (r->account[0] != '\0') {
		if (account_lookup(r->account, &pw) != 1) {
			log_warnx("service %s: no usable account %s", s->name,
			    r->account);
			ended(r, -1, 0);
			return;
		}
		home = xstrdup(pw->pw_dir);
	} else {
		home =
		    xasprintf("%s/services/%s", hub->cfg->state_dir, s->name);
		(void)mkdir_p(home, 0700);
	}
	prefix = xasprintf("/services/%s/", s->name);
	memset(&vars, 0, sizeof(vars));
	vars.sock = "";
	vars.port = s->port;
	vars.base_url = prefix;
	vars.root_dir = home;
	vars.username = s->name;
	argv = spawn_argv(s->command, &vars);
	free(prefix);
	if (argv[0] == NULL || (file = find_program(argv[0])) == NULL) {
		log_warnx("service %s: command not found: %s", s->name,
		    argv[0] != NULL ? argv[0] : "(empty)");
		ended(r, 127, 0);
		goto out;
	}
	rc = uv_pipe(fds, 0, 0);
	if (rc != 0) {
		log_warnx("service %s: no pipe: %s", s->name, uv_strerror(rc));
		ended(r, -1, 0);
		goto out;
	}
	nenv = service_env(r, home, env);
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = fds[1];
	stdio[2] = stdio[1];
	o.file = file;
	o.args = argv;
	o.env = env;
	o.cwd = home;
	o.flags = UV_PROCESS_DETACHED; /* its own group, signalled whole */
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = libuv_exit_cb;
	r->proc.data = r;
	r->proc_open = !priv_active(hub);
	rc = priv_spawn(hub, r->account[0] != '\0' ? r->account : s->name, &o,
	    NULL, &r->proc, spawned_cb, helper_exit_cb, r);
	for (int i = 0; i < nenv; i++)
		free_secret(env[i]);
	if (rc != 0) {
		log_warnx("service %s: cannot start %s: %s", s->name, file,
		    uv_strerror(rc));
		ended(r, -1, 0);
		goto out;
	}
	close(fds[1]);
	fds[1] = -1;
	log = xasprintf("%s/logs", hub->cfg->state_dir);
	(void)mkdir_p(log, 0700);
	free(log);
	log = xasprintf("%s/logs/service-%s.log", hub->cfg->state_dir, s->name);
	(void)serverlog_start(hub->loop, fds[0], log,
	    hub->cfg->limits.server_log_max);
	fds[0] = -1;
out:
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	free(log);
	free(file);
	free(home);
	spawn_argv_free(argv);
}

static void
account_made_cb(void *arg, int64_t status, int sig)
{
	struct run *r = arg;

	if (r->hub->stopping)
		return;
	if (status != 0 || sig != 0) {
		log_warnx("service %s: could not make its account %s "
		          "(useradd: %lld)",
		    r->conf->name, r->account, (long long)status);
		return;
	}
	launch(r);
}

/* As root, the account and whether it may be used; then the start. */
static void
begin(struct run *r)
{
	struct hub           *hub = r->hub;
	const struct service *s = r->conf;
	struct passwd        *pw;
	int                   found;

	if (!hub->is_root) {
		launch(r);
		return;
	}
	if (s->user != NULL)
		snprintf(r->account, sizeof(r->account), "%s", s->user);
	else if (account_name(hub->cfg->user_prefix, s->name, r->account,
	             sizeof(r->account)) == -1) {
		log_warnx("service %s: '%s%s' is no valid account name; set "
		          "user = in [service %s]",
		    s->name, hub->cfg->user_prefix, s->name, s->name);
		r->account[0] = '\0';
		return;
	}
	found = account_lookup(r->account, &pw);
	if (found == -1 || (found == 1 && pw->pw_uid == 0)) {
		log_warnx("service %s: refusing to run as the system account "
		          "%s",
		    s->name, r->account);
		return;
	}
	if (found == 1) {
		/* What an earlier hub's instance left (it ignored SIGTERM)
		 * would hold the port: the account is the service's alone
		 * when the hub named it. The helper kills before it starts. */
		if (s->user == NULL && hub->cfg->authenticator != AUTH_PAM)
			priv_kill_user(hub, r->account);
		launch(r);
		return;
	}
	if (s->user != NULL || hub->cfg->authenticator == AUTH_PAM) {
		log_warnx("service %s: there is no account %s (make it, or "
		          "name another with user =)",
		    s->name, r->account);
		return;
	}
	if (priv_account_add(hub, r->account, s->name, account_made_cb, r) != 0)
		log_warnx("service %s: cannot run useradd", s->name);
}

void
services_start(struct hub *hub)
{
	size_t n = 0, i = 0;

	for (const struct service *s = hub->cfg->services; s != NULL;
	     s = s->next)
		n += s->command != NULL;
	if (n == 0)
		return;
	runs = xcalloc(n, sizeof(*runs));
	nruns = n;
	for (const struct service *s = hub->cfg->services; s != NULL;
	     s = s->next) {
		struct run *r;

		if (s->command == NULL)
			continue;
		r = &runs[i++];
		r->hub = hub;
		r->conf = s;
		r->token = token_new();
		token_hash(r->token, r->hash);
		r->scopes = token_scopes(hub, s);
		uv_timer_init(hub->loop, &r->timer);
		r->timer.data = r;
	}
	for (i = 0; i < nruns; i++)
		begin(&runs[i]);
}

void
services_stop(struct hub *hub)
{
	for (size_t i = 0; i < nruns; i++) {
		struct run *r = &runs[i];

		uv_close((uv_handle_t *)&r->timer, NULL);
		if (r->pid != 0) {
			log_info("service %s: stopping (pid %d)", r->conf->name,
			    r->pid);
			(void)priv_unwatch(hub, r->pid);
			priv_signal(hub,
			    r->account[0] != '\0' ? r->account : r->conf->name,
			    r->pid, SIGTERM, 1);
			r->pid = 0;
		}
		if (r->proc_open && !uv_is_closing((uv_handle_t *)&r->proc))
			uv_close((uv_handle_t *)&r->proc, proc_close_cb);
	}
}

void
services_release(void)
{
	for (size_t i = 0; i < nruns; i++) {
		free_secret(runs[i].token);
		free(runs[i].scopes);
	}
	free(runs);
	runs = NULL;
	nruns = 0;
}

char *
services_keep_client_scope(char *held, const char *raw, const char *client)
{
	size_t n = strlen(SERVICES_CLIENT_PREFIX);
	char  *own, *out, *raw2;

	if (strncmp(client, SERVICES_CLIENT_PREFIX, n) != 0)
		return held;
	own = xasprintf("access:services!service=%s", client + n);
	if (!scopes_has(raw, own) || scopes_has(held, own)) {
		free(own);
		return held;
	}
	/* Expanded again: the set stays sorted, as its readers expect. */
	raw2 = xasprintf("%s%s%s", held, *held != '\0' ? " " : "", own);
	free(own);
	if (scopes_expand(raw2, "", &out, NULL) == -1) {
		free(raw2);
		return held;
	}
	free(raw2);
	free(held);
	return out;
}
