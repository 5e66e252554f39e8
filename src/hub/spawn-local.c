/* SPDX-License-Identifier: MIT */
/*
 * The local spawner (spawner.h): the server is a child of the hub on this
 * machine. As root, it runs as the user's Unix account (accounts.h, made
 * with useradd if missing) in that account's home; otherwise as the hub's
 * own user in STATE/workspaces/NAME. The command is server_cmd with its
 * placeholders filled in (spawn-cmd.h), found in SAFE_PATH, and wrapped in
 * 'rig sandbox' when server_deny_ports is set. It starts detached, in its
 * own session, so that it outlives the hub, with a fixed environment (the
 * secret in JUPYTER_TOKEN, never on the command line), on a free loopback
 * port, its output in STATE/logs/NAME.log.
 *
 * The process is named by its pid and its start time in /proc (procfs.h),
 * so that a hub that takes it over cannot mistake a reused pid for it.
 *
 * What needs root (useradd, starting as another uid, signalling another
 * uid's processes) goes through priv.h: with the privileged helper the
 * server is the helper's child, its end reported through priv_spawn()'s
 * exit callback; without root it is the hub's own child, as before.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "priv.h"
#include "procfs.h"
#include "server.h"
#include "spawn-cmd.h"
#include "spawner.h"

#define SAFE_PATH "/usr/local/bin:/usr/bin:/bin"
#define LOG_TAIL_MAX 8192 /* bytes read from the end of the log */

static void     local_start(struct server *);
static void     local_signal(struct server *, enum spawner_signal);
static int      local_alive(const struct server *);
static int      local_watched(const struct server *);
static void     local_address(const struct server *, char *, size_t, int *);
static uint64_t local_cpu_ticks(const struct server *);
static char    *local_log_tail(const struct server *, int);
static void     local_forget(struct server *);

static int   account_of(const struct server *, char *, size_t);
static int   account_uid(const struct server *, uid_t *);
static void  useradd_cb(void *, int64_t, int);
static int   ensure_account(struct server *);
static int   sandboxed(char ***, char **, const char *);
static char *resolve(const char *);
static void  proc_close_cb(uv_handle_t *);
static void  close_proc(struct server *);
static void  exit_cb(uv_process_t *, int64_t, int);
static void  spawned_cb(void *, int, int);
static void  helper_exit_cb(void *, int64_t, int);
static void  launch(struct server *);

const struct spawner spawner_local = {
	.name = "local",
	.start = local_start,
	.signal = local_signal,
	.alive = local_alive,
	.watched = local_watched,
	.address = local_address,
	.cpu_ticks = local_cpu_ticks,
	.log_tail = local_log_tail,
	.forget = local_forget,
};

/* The server's Unix account name; -1 if PREFIX + NAME is not one. */
static int
account_of(const struct server *s, char *out, size_t outlen)
{
	return account_name(s->hub->cfg->user_prefix, s->name, out, outlen);
}

/* As root, the uid of the server's account; -1 if not root or none. */
static int
account_uid(const struct server *s, uid_t *uid)
{
	char           acct[ACCOUNT_NAME_MAX + 1];
	struct passwd *pw;

	if (!s->hub->is_root || account_of(s, acct, sizeof(acct)) == -1 ||
	    account_lookup(acct, &pw) != 1)
		return -1;
	*uid = pw->pw_uid;
	return 0;
}

static void
useradd_cb(void *arg, int64_t status, int sig)
{
	struct server *s = arg;

	if (s->removed || s->state != SERVER_PENDING) {
		server_unref(s);
		return;
	}
	server_unref(s);
	if (status != 0 || sig != 0) {
		server_spawn_failed(s,
		    "could not create the Unix account "
		    "(useradd exited with %lld)",
		    (long long)status);
		return;
	}
	launch(s);
}

/* As root: creates the user's account if it is missing. Returns 1 if
 * creation is under way (launch follows), 0 if it exists, -1 on error
 * (reported). */
static int
ensure_account(struct server *s)
{
	char           acct[ACCOUNT_NAME_MAX + 1];
	struct passwd *pw;
	int            r;

	if (account_of(s, acct, sizeof(acct)) == -1) {
		server_spawn_failed(s,
		    "'%s%s' is not a valid Unix account name",
		    s->hub->cfg->user_prefix, s->name);
		return -1;
	}
	r = account_lookup(acct, &pw);
	if (r == -1) {
		server_spawn_failed(s, "refusing to run as system account '%s'",
		    pw->pw_name);
		return -1;
	}
	if (r == 1)
		return 0;
	server_ref(s);
	progress_step(s, 10, "Creating the Unix account");
	r = priv_account_add(s->hub, acct, s->name, useradd_cb, s);
	if (r != 0) {
		server_unref(s);
		server_spawn_failed(s, "cannot run useradd: %s",
		    uv_strerror(r));
		return -1;
	}
	return 1;
}

/* The server's command run through 'rig sandbox' (sandbox.h): *argv and
 * *file replaced. -1 if this binary cannot be found. */
static int
sandboxed(char ***argv, char **file, const char *ports)
{
	char   exe[4096], **v;
	size_t len = sizeof(exe), n = 0;

	if (uv_exepath(exe, &len) != 0)
		return -1;
	while ((*argv)[n] != NULL)
		n++;
	v = xcalloc(n + 6, sizeof(*v));
	v[0] = xstrdup(exe);
	v[1] = xstrdup("sandbox");
	v[2] = xstrdup("--deny-connect");
	v[3] = xstrdup(ports);
	v[4] = xstrdup("--");
	v[5] = xstrdup(*file);
	for (size_t i = 1; i < n; i++)
		v[5 + i] = xstrdup((*argv)[i]);
	spawn_argv_free(*argv);
	free(*file);
	*argv = v;
	*file = xstrdup(exe);
	return 0;
}

/* Finds a bare command name in SAFE_PATH; caller frees result. */
static char *
resolve(const char *file)
{
	char *path, *dir, *save = NULL, *found = NULL;

	if (strchr(file, '/') != NULL)
		return xstrdup(file);
	path = xstrdup(SAFE_PATH);
	for (dir = strtok_r(path, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", dir, file);

		if (access(cand, X_OK) == 0) {
			found = cand;
			break;
		}
		free(cand);
	}
	free(path);
	return found;
}

/* The child handle's reference goes when libuv lets go of it. */
static void
proc_close_cb(uv_handle_t *h)
{
	server_unref(h->data);
}

static void
close_proc(struct server *s)
{
	s->proc.data = s;
	server_ref(s);
	uv_close((uv_handle_t *)&s->proc, proc_close_cb);
}

static void
exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct server *s = container_of(p, struct server, proc);

	close_proc(s);
	helper_exit_cb(s, status, sig);
}

/* The server's end: from exit_cb() for the hub's child, or from the
 * helper, whose watch held a reference. */
static void
helper_exit_cb(void *arg, int64_t status, int sig)
{
	struct server *s = arg;
	char           why[64];

	if (sig != 0)
		snprintf(why, sizeof(why), "was killed by signal %d", sig);
	else
		snprintf(why, sizeof(why), "exited with status %lld",
		    (long long)status);
	s->have_proc = 0;
	server_exited(s, why);
	if (priv_active(s->hub))
		server_unref(s);
}

/* The start's outcome (before priv_spawn() returns without the helper).
 * A server stopped while the helper started it is killed at once. */
static void
spawned_cb(void *arg, int r, int pid)
{
	struct server     *s = arg;
	struct procfs_stat st;

	if (r != 0) {
		/* libuv still wants the handle closed. */
		if (!priv_active(s->hub))
			close_proc(s);
		if (!s->removed && s->state == SERVER_PENDING)
			server_spawn_failed(s, "cannot start the server: %s",
			    uv_strerror(r));
		server_unref(s);
		return;
	}
	s->have_proc = 1;
	s->pid = pid;
	if (procfs_stat(s->pid, &st) == 0)
		snprintf(s->pid_start, sizeof(s->pid_start), "%s", st.start);
	else
		snprintf(s->pid_start, sizeof(s->pid_start), "?");
	if (priv_active(s->hub))
		server_ref(s); /* the helper's watch of its end */
	if (s->removed || s->state != SERVER_PENDING)
		local_signal(s, SPAWNER_KILL);
	else
		server_spawned(s);
	server_unref(s);
}

static void
launch(struct server *s)
{
	struct hub          *hub = s->hub;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	struct spawn_vars    vars;
	char               **argv = NULL, *file = NULL, *root = NULL;
	char                *env[16], *logdir, *base_url = NULL;
	int                  nenv = 0, fd = -1, r;
	struct passwd       *pw = NULL;

	memset(&o, 0, sizeof(o));
	if (hub->is_root) {
		char acct[ACCOUNT_NAME_MAX + 1];

		if (account_of(s, acct, sizeof(acct)) == -1 ||
		    account_lookup(acct, &pw) != 1) {
			server_spawn_failed(s, "the Unix account is missing");
			return;
		}
		root = xstrdup(pw->pw_dir);
		o.flags |= UV_PROCESS_SETUID | UV_PROCESS_SETGID;
		o.uid = pw->pw_uid;
		o.gid = pw->pw_gid;
	} else {
		root =
		    xasprintf("%s/workspaces/%s", hub->cfg->state_dir, s->name);
		if (mkdir_p(root, 0700) == -1) {
			server_spawn_failed(s, "cannot create workspace: %s",
			    strerror(errno));
			free(root);
			return;
		}
	}
	s->port = free_loopback_port();
	if (s->port < 0) {
		server_spawn_failed(s, "no free port");
		goto out;
	}
	base_url = xasprintf("/user/%s/", s->name);
	vars.port = s->port;
	vars.base_url = base_url;
	vars.root_dir = root;
	vars.username = s->name;
	argv = spawn_argv(hub->cfg->server_cmd, &vars);
	if (argv[0] == NULL || (file = resolve(argv[0])) == NULL) {
		server_spawn_failed(s, "command not found: %s",
		    argv[0] ? argv[0] : "(empty server_cmd)");
		goto out;
	}
	if (hub->cfg->server_deny_ports != NULL &&
	    sandboxed(&argv, &file, hub->cfg->server_deny_ports) == -1) {
		server_spawn_failed(s,
		    "cannot find rig itself to sandbox the "
		    "server");
		goto out;
	}
	logdir = xasprintf("%s/logs", hub->cfg->state_dir);
	mkdir_p(logdir, 0700);
	free(logdir);
	fd = open(s->log_path,
	    O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		server_spawn_failed(s, "cannot open its log: %s",
		    strerror(errno));
		goto out;
	}
	env[nenv++] = xasprintf("PATH=%s", SAFE_PATH);
	env[nenv++] = xasprintf("HOME=%s", root);
	env[nenv++] = xasprintf("USER=%s", pw ? pw->pw_name : s->name);
	env[nenv++] = xasprintf("LOGNAME=%s", pw ? pw->pw_name : s->name);
	env[nenv++] = xasprintf("SHELL=%s", pw ? pw->pw_shell : "/bin/sh");
	env[nenv++] = xstrdup("LANG=C.UTF-8");
	env[nenv++] = xasprintf("JUPYTER_TOKEN=%s", s->secret);
	env[nenv++] = xasprintf("JUPYTERHUB_USER=%s", s->name);
	env[nenv++] = xasprintf("JUPYTERHUB_SERVICE_PREFIX=%s", base_url);
	env[nenv++] = xasprintf("RIG_SERVER_PORT=%d", s->port);
	env[nenv] = NULL;

	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = fd;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = fd;
	o.file = file;
	o.args = argv;
	o.env = env;
	o.cwd = root;
	o.flags |= UV_PROCESS_DETACHED;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = exit_cb;
	server_ref(s); /* spawned_cb's */
	r = priv_spawn(hub, pw ? pw->pw_name : s->name, &o, &s->proc,
	    spawned_cb, helper_exit_cb, s);
	for (int i = 0; i < nenv; i++)
		free_secret(env[i]);
	if (r != 0) {
		server_unref(s);
		server_spawn_failed(s, "cannot start %s: %s", file,
		    uv_strerror(r));
	}
out:
	if (fd != -1)
		close(fd);
	free(file);
	free(root);
	free(base_url);
	spawn_argv_free(argv);
}

static void
local_start(struct server *s)
{
	if (s->hub->is_root && ensure_account(s) != 0)
		return; /* under way, or failed and said so */
	launch(s);
}

static void
local_signal(struct server *s, enum spawner_signal sig)
{
	char acct[ACCOUNT_NAME_MAX + 1];
	int  have_acct = account_of(s, acct, sizeof(acct)) == 0;

	if (!have_acct)
		acct[0] = '\0';
	if (sig == SPAWNER_TERM) {
		if (s->pid > 0 && procfs_alive(s->pid, s->pid_start))
			priv_signal(s->hub, acct, s->pid, SIGTERM, 0);
		return;
	}
	if (s->pid > 0 && procfs_alive(s->pid, s->pid_start)) {
		log_warnx("server %s: pid %d did not stop in %d s, killing",
		    s->name, s->pid, SERVER_STOP_GRACE);
		priv_signal(s->hub, acct, s->pid, SIGKILL, 1);
		priv_signal(s->hub, acct, s->pid, SIGKILL, 0);
	}
	/* Kernels run in their own sessions: what is left of the account
	 * goes too. */
	if (s->hub->is_root && have_acct)
		priv_kill_user(s->hub, acct);
}

static int
local_alive(const struct server *s)
{
	return procfs_alive(s->pid, s->pid_start);
}

static int
local_watched(const struct server *s)
{
	return s->have_proc;
}

static void
local_address(const struct server *s, char *host, size_t hostlen, int *port)
{
	snprintf(host, hostlen, "127.0.0.1");
	*port = s->port;
}

/* As root, the CPU time of the account's processes; the hub's own user's
 * processes are not the server's alone, so 0 (unknown) otherwise. */
static uint64_t
local_cpu_ticks(const struct server *s)
{
	uid_t uid;

	if (account_uid(s, &uid) == -1)
		return 0;
	return procfs_uid_cpu_ticks(uid);
}

/* The end of STATE/logs/NAME.log, cut to whole lines. */
static char *
local_log_tail(const struct server *s, int lines)
{
	struct stat st;
	char       *data, *p;
	int         fd, n = 0;
	off_t       off;
	ssize_t     r;

	fd = open(s->log_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return xstrdup("");
	if (fstat(fd, &st) == -1) {
		close(fd);
		return xstrdup("");
	}
	off = st.st_size > (off_t)LOG_TAIL_MAX ? st.st_size - LOG_TAIL_MAX : 0;
	data = xmalloc(LOG_TAIL_MAX + 1);
	r = pread(fd, data, LOG_TAIL_MAX, off);
	close(fd);
	if (r < 0)
		r = 0;
	data[r] = '\0';
	p = data + r;
	while (p > data) {
		if (p[-1] == '\n' && p != data + r && ++n > lines)
			break;
		p--;
	}
	p = xstrdup(p);
	free(data);
	return p;
}

static void
local_forget(struct server *s)
{
	if (priv_active(s->hub)) {
		if (s->have_proc && priv_unwatch(s->hub, s->pid)) {
			s->have_proc = 0;
			server_unref(s);
		}
		return;
	}
	if (s->have_proc && !uv_is_closing((uv_handle_t *)&s->proc))
		close_proc(s);
}
