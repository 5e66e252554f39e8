/* SPDX-License-Identifier: MIT */
/*
 * A server's Slurm job submitted and cancelled (spawn-slurm-internal.h).
 *
 * Start: sbatch --parsable runs AS the server's account through the
 * privileged helper (slurm_run()), its job script on standard input:
 * slurm_job_script, fixed text with nothing of the user's in it. The
 * server's command (server_cmd, its {port} left for the node) and its
 * secret travel in the job's environment (sbatch --export=ALL of the
 * short environment built here), never in argv or the script, which
 * Slurm keeps where the user's other processes may read it. The job id
 * is the server's pid, pid_start SLURM_PID_START, and the row goes to
 * SQLite at once: a stop cancels the job, a hub restart finds it queued
 * or running (adopt()).
 *
 * Stop: scancel of the job id, as the account (its owner: no new power
 * for the helper).
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "accounts.h"
#include "apilisten.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "progress.h"
#include "server.h"
#include "serverenv.h"
#include "spawn-cmd.h"
#include "spawn-slurm-internal.h"
#include "spawn-slurm-report.h"
#include "spawn-slurm-parse.h"
#include "spawn-slurm-run.h"
#include "spawn-slurm-script.h"
#include "spawn-slurm-tls.h"

/* A submission in flight: the server, and its certificate, which its TLS
 * link will pin, kept once the job has an id. */
struct submitted {
	struct server *s; /* referenced */
	char          *server_cert;
};

static void submitted_free(struct submitted *);
static int  resource_args(const struct server *, char **, int);
static void submit_cb(void *, int, int64_t, const char *);
static void keys_cb(void *, int, int64_t, const char *);
static void submit_with(struct server *, struct slurm_tls *);
static void cancel_cb(void *, int, int64_t, const char *);

/*
 * The job's resources from the start's options (spawn-options.h: the
 * hub's settings, the profile's, or the user's own checked against the
 * profile and the partition), each an sbatch option of its own; 'argv'
 * has room for the five. Returns the new count.
 */
static int
resource_args(const struct server *s, char **argv, int n)
{
	const struct spawn_options *o = &s->opts;
	uint64_t                    mem = o->mem > 0 ? o->mem : o->mem_limit;
	unsigned                    cpus =
            o->cpus > 0 ? (unsigned)o->cpus : (o->cpu_milli + 999) / 1000;

	if (o->partition != NULL)
		argv[n++] = xasprintf("--partition=%s", o->partition);
	if (mem > 0)
		argv[n++] = xasprintf("--mem=%lluM",
		    (unsigned long long)((mem + (1 << 20) - 1) >> 20));
	if (cpus > 0)
		argv[n++] = xasprintf("--cpus-per-task=%u", cpus);
	if (o->gpus > 0)
		argv[n++] = xasprintf("--gpus=%d", o->gpus);
	if (o->time_min > 0)
		argv[n++] = xasprintf("--time=%d", o->time_min);
	return n;
}

/*
 * The job's keys first, made by rig slurm-tls-keys (a process of its own:
 * OpenSSL's state after a key and a signature stays out of the hub's
 * memory), with the hub's own pair while it has none; then the
 * submission (submit_with()).
 */
void
slurm_submit(struct server *s)
{
	char *argv[] = { (char *)"/proc/self/exe", (char *)"slurm-tls-keys",
		NULL, NULL };
	int   r;

	if (slurm_link_identity(s->hub) == -1)
		argv[2] = (char *)"--hub";

	server_ref(s);
	r = slurm_run_keys(s->hub, argv, keys_cb, s);
	if (r != 0) {
		server_spawn_failed(s, "cannot make its TLS keys: %s",
		    uv_strerror(r));
		server_unref(s);
	}
}

static void
keys_cb(void *arg, int r, int64_t status, const char *out)
{
	struct server   *s = arg;
	struct slurm_tls tls;
	int              has_identity;

	if (r == UV_ECANCELED || s->removed || s->state != SERVER_PENDING) {
		server_unref(s); /* stopped meanwhile: nothing submitted */
		return;
	}
	if (r != 0 || status != 0 || slurm_tls_parse(out, &tls) == -1) {
		server_spawn_failed(s, "cannot make its TLS keys: %s",
		    r != 0 ? uv_strerror(r) : "rig slurm-tls-keys failed");
		server_unref(s);
		return;
	}
	/* The hub's first pair, kept for good (unless another start's came
	 * first: then this one goes unused). */
	has_identity = slurm_link_identity(s->hub) == 0;
	if (!has_identity && tls.hub_key == NULL)
		server_spawn_failed(s,
		    "rig slurm-tls-keys made no key of the hub's own");
	else if (!has_identity &&
	    slurm_link_identity_keep(s->hub, tls.hub_key, tls.hub_cert) == -1)
		server_spawn_failed(s,
		    "the hub's own TLS key cannot be kept (see the hub's log)");
	else
		submit_with(s, &tls);
	slurm_tls_release(&tls);
	server_unref(s);
}

/*
 * sbatch as the account: the job script on stdin, its options from the
 * hub's settings and the start's options (resource_args()), the environment
 * built here (the account's basics, the server's from serverenv.h with its
 * secret, the command as JSON).
 */
static void
submit_with(struct server *s, struct slurm_tls *tls)
{
	struct hub       *hub = s->hub;
	struct spawn_vars vars;
	struct passwd    *pw;
	char              acct[ACCOUNT_NAME_MAX + 1], *base_url, *home, *shell;
	char              log[SLURM_LOG_MAX];
	char             *argv[16], *env[16 + SERVERENV_MAX], **cmd, *json;
	const char       *conf;
	json_t           *a;
	struct submitted *sub;
	int               nargs = 0, nenv = 0, r;

	if (slurm_account_of(s, acct, sizeof(acct)) == -1 ||
	    (pw = getpwnam(acct)) == NULL) {
		server_spawn_failed(s, "the Unix account is missing");
		return;
	}
	home = xstrdup(pw->pw_dir);
	shell = xstrdup(pw->pw_shell);
	base_url = xstrdup(s->url);
	memset(&vars, 0, sizeof(vars));
	vars.sock = "";
	vars.port_text = "{port}";
	vars.base_url = base_url;
	vars.root_dir = home;
	vars.username = s->name;
	cmd = spawn_argv(server_cmd_of(s), &vars);
	if (cmd[0] == NULL) {
		server_spawn_failed(s, "server_cmd is empty");
		goto out_cmd;
	}
	a = json_array();
	for (size_t i = 0; cmd[i] != NULL; i++)
		json_array_append_new(a, json_string(cmd[i]));
	json = json_dumps(a, JSON_COMPACT);
	json_decref(a);

	argv[nargs++] = xstrdup(SLURM_SBATCH);
	argv[nargs++] = xstrdup("--parsable");
	argv[nargs++] = xstrdup("--job-name=" SLURM_JOB_NAME);
	argv[nargs++] = xstrdup("--no-requeue");
	argv[nargs++] = xstrdup("--export=ALL");
	argv[nargs++] = xasprintf("--chdir=%s", home);
	slurm_log_name(s, log);
	argv[nargs++] = xasprintf("--output=%s/%s", home, log);
	nargs = resource_args(s, argv, nargs);
	argv[nargs] = NULL;

	env[nenv++] = xasprintf("PATH=%s", SLURM_SAFE_PATH);
	env[nenv++] = xasprintf("HOME=%s", home);
	env[nenv++] = xasprintf("USER=%s", acct);
	env[nenv++] = xasprintf("LOGNAME=%s", acct);
	env[nenv++] = xasprintf("SHELL=%s", shell);
	env[nenv++] = xstrdup("LANG=C.UTF-8");
	conf = getenv("SLURM_CONF");
	if (conf != NULL)
		env[nenv++] = xasprintf("SLURM_CONF=%s", conf);
	env[nenv++] = xasprintf("RIG_SERVER_ARGV=%s", json);
	env[nenv++] = xasprintf("RIG_TLS_KEY=%s", tls->server_key);
	env[nenv++] = xasprintf("RIG_TLS_CERT=%s", tls->server_cert);
	env[nenv++] =
	    xasprintf("RIG_TLS_CLIENT_CA=%s", slurm_link_identity_cert());
	/* Where the job reports its port at once (spawn-slurm-report.c):
	 * only where the nodes reach the API; else its comment alone. */
	if (hub->api_listening && !host_is_loopback(apilisten_address(hub)))
		env[nenv++] = xasprintf("RIG_PORT_URL=http://%s:%d/hub/api/"
		                        "users/%s" SLURM_REPORT_PATH,
		    apilisten_address(hub), hub->api_port, s->name);
	nenv = server_env(s, home, cmd[0], env, nenv);
	env[nenv] = NULL;
	free(json);

	server_ref(s);
	sub = xcalloc(1, sizeof(*sub));
	sub->s = s;
	sub->server_cert = xstrdup(tls->server_cert);
	progress_step(s, 15, "Submitting the server's job to Slurm");
	r = slurm_run(hub, acct, argv, env, home, slurm_job_script, submit_cb,
	    sub);
	if (r != 0) {
		submitted_free(sub);
		server_spawn_failed(s, "cannot run %s: %s", SLURM_SBATCH,
		    uv_strerror(r));
	}
	for (int i = 0; i < nargs; i++)
		free(argv[i]);
	for (int i = 0; i < nenv; i++)
		free_secret(env[i]);
out_cmd:
	spawn_argv_free(cmd);
	free(base_url);
	free(home);
	free(shell);
}

static void
submitted_free(struct submitted *sub)
{
	server_unref(sub->s);
	free(sub->server_cert);
	free(sub);
}

/* sbatch's answer: the job id, or why not. */
static void
submit_cb(void *arg, int r, int64_t status, const char *out)
{
	struct submitted *sub = arg;
	struct server    *s = sub->s;
	char              acct[ACCOUNT_NAME_MAX + 1];
	long long         id = -1;

	if (r == UV_ECANCELED) {
		submitted_free(sub);
		return;
	}
	if (r == 0 && status == 0)
		id = slurm_parse_jobid(out);
	if (s->removed || s->state != SERVER_PENDING) {
		/* Stopped meanwhile: the job goes at once. */
		if (id > 0 && slurm_account_of(s, acct, sizeof(acct)) == 0)
			slurm_cancel(s->hub, acct, id, 0);
		submitted_free(sub);
		return;
	}
	if (id <= 0) {
		size_t n = strcspn(out, "\n");

		if (r != 0)
			server_spawn_failed(s, "cannot run %s: %s",
			    SLURM_SBATCH, uv_strerror(r));
		else
			server_spawn_failed(s,
			    "sbatch refused the job (status %lld): %.*s",
			    (long long)status, (int)(n > 300 ? 300 : n),
			    *out != '\0' ? out : "no message");
		submitted_free(sub);
		return;
	}
	if (slurm_link_keep(s->hub, id, sub->server_cert) == -1) {
		if (slurm_account_of(s, acct, sizeof(acct)) == 0)
			slurm_cancel(s->hub, acct, id, 0);
		server_spawn_failed(s, "cannot keep its TLS keys");
		submitted_free(sub);
		return;
	}
	s->pid = (int)id;
	snprintf(s->pid_start, sizeof(s->pid_start), "%s", SLURM_PID_START);
	server_save(s);
	log_info("server %s: submitted as Slurm job %lld", s->label, id);
	slurm_watch_add(s);
	slurm_watch_say(s, 20, "Submitted to Slurm as job %lld", id);
	submitted_free(sub);
}

void
slurm_cancel(struct hub *hub, const char *account, long long id, int kill)
{
	char  num[24];
	char *argv[6], *env[] = { (char *)"PATH=" SLURM_SAFE_PATH, NULL, NULL };
	char *conf = NULL;
	int   k = 0;

	snprintf(num, sizeof(num), "%lld", id);
	argv[k++] = (char *)SLURM_SCANCEL;
	if (kill) {
		argv[k++] = (char *)"--full";
		argv[k++] = (char *)"--signal=KILL";
	}
	argv[k++] = num;
	argv[k] = NULL;
	if (getenv("SLURM_CONF") != NULL) {
		conf = xasprintf("SLURM_CONF=%s", getenv("SLURM_CONF"));
		env[1] = conf;
	}
	if (slurm_run(hub, account, argv, env, "/", NULL, cancel_cb, NULL) != 0)
		log_warnx("slurm: cannot cancel job %lld", id);
	free(conf);
}

static void
cancel_cb(void *arg, int r, int64_t status, const char *out)
{
	(void)arg;
	if (r == 0 && status != 0)
		log_warnx("slurm: %s: %.*s", SLURM_SCANCEL,
		    (int)strcspn(out, "\n"), out);
}
