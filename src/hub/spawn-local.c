/* SPDX-License-Identifier: MIT */
/*
 * The local spawner (spawner.h): the server is a child of the hub on this
 * machine. As root, it runs as the user's Unix account (accounts.h, made
 * with useradd if missing) in that account's home, in its own cgroup
 * (cgroup.h) with the [hub] limits, with umask 077; otherwise as the
 * hub's own user in STATE/workspaces/NAME. The command is server_cmd with
 * its placeholders filled in (spawn-cmd.h), found in SAFE_PATH, and
 * started through 'rig sandbox' (cmd-sandbox.c), which as root joins the
 * cgroup, sets the umask and becomes the account before it runs the
 * server, applies server_deny_ports and its socket filter (sandbox.h),
 * as root or not. It starts detached, in its own
 * session, so that it outlives the hub, with a fixed environment (the
 * hub's part from serverenv.h; the secret never on the command line), on
 * a free loopback port, its output through a pipe to the hub (serverlog.h).
 *
 * When the server's process is gone (stopped, culled, died), what it
 * left behind goes too: its cgroup is killed, then any process of its
 * account, and the cgroup is removed.
 *
 * The process is named by its pid and its start time in /proc (procfs.h),
 * so that a hub that takes it over cannot mistake a reused pid for it.
 *
 * What needs root (useradd and userdel, cgroups, starting as another
 * uid, signalling another uid's processes) goes through priv.h: with the
 * privileged helper the hub asks it to make the cgroup with the limits,
 * then to start the server inside it (the helper runs 'rig sandbox' as
 * root with words of its own), and the server is the helper's child, its
 * end reported through priv_spawn()'s exit callback. The pipe of its
 * output is the hub's either way: the write end goes to the helper with
 * the request. Without root the server is the hub's own child.
 */
#include <sys/queue.h>
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
#include "cgroup.h"
#include "servername.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "priv.h"
#include "portowner.h"
#include "procfs.h"
#include "server.h"
#include "serverenv.h"
#include "serverlog.h"
#include "spawn-cmd.h"
#include "spawn-account.h"
#include "spawner.h"

#define SAFE_PATH CONFIG_SERVER_PATH
#define LOG_TAIL_MAX 8192 /* bytes read from the end of the log */
#define CG_REMOVE_TRIES 50 /* every 200 ms: a killed group empties */
#define WRAP_MAX (8 + 2 * CGROUP_MAX_DIRS) /* rig sandbox's own words */
#define SERVER_SOCK_NAME "jupyter.sock" /* in the runtime directory */

/* A server's cgroup to remove once its killed processes are gone. */
struct cg_reap {
	uv_timer_t timer; /* freed only in reap_close_cb */
	char       account[ACCOUNT_NAME_MAX + 1];
	char       server[SERVER_NAME_MAX + 1]; /* "" the default's group */
	char       group[CGROUP_NAME_MAX]; /* cgroup_group_name() */
	int        whole; /* the account's last server: its processes too */
	int        tries;
	int        asking; /* a removal is with the helper: no next round */
	LIST_ENTRY(cg_reap) entry;
};

static LIST_HEAD(, cg_reap) reaps = LIST_HEAD_INITIALIZER(reaps);

static void     local_start(struct server *);
static void     local_signal(struct server *, enum spawner_signal);
static int      local_alive(const struct server *);
static int      local_watched(const struct server *);
static void     local_address(const struct server *, struct endpoint *);
static int      local_listener_ok(const struct server *, char *, size_t);
static uint64_t local_cpu_ticks(const struct server *);
static char    *local_log_tail(const struct server *, int);
static void     local_forget(struct server *);
static void     local_ended(struct server *);
static int      local_usage(const struct server *, struct spawner_usage *);
static void     local_drop_user(struct hub *, const char *);
static void     local_release(void);
static void     drop_cb(void *, int);

static int   account_of(const struct server *, char *, size_t);
static int   account_uid(const struct server *, uid_t *);
static int   wrap(char ***, char **, char **, int);
static int   launcher(struct server *, const struct passwd *, char ***, char **,
      int *);
static void  setup_cb(void *, int);
static void  reap_remove_cb(void *, int);
static void  reap_cancel(const char *account, const char *group);
static void  end_server(struct hub *, const char *acct, const char *server,
     uid_t, int whole);
static void  reap_keep(const char *account, const char *server);
static void  reap_close_cb(uv_handle_t *);
static void  reap_timer_cb(uv_timer_t *);
static void  reap_end(struct cg_reap *);
static void  reap_later(uv_loop_t *, struct hub *, const char *account,
     const char *server, int whole);
static char *resolve(const char *);
static void  proc_close_cb(uv_handle_t *);
static void  close_proc(struct server *);
static void  exit_cb(uv_process_t *, int64_t, int);
static void  spawned_cb(void *, int, int);
static void  helper_exit_cb(void *, int64_t, int);
static void  launch(struct server *);
static int   server_uid(const struct server *, uid_t *);
static int   own_dir(const char *);
static int   local_sock(struct server *);
static void  rundir_cb(void *, int, const char *);
static int   port_handed_out(int, void *);

const struct spawner spawner_local = {
	.name = "local",
	.output_pipe = 1,
	.start = local_start,
	.signal = local_signal,
	.alive = local_alive,
	.watched = local_watched,
	.address = local_address,
	.listener_ok = local_listener_ok,
	.cpu_ticks = local_cpu_ticks,
	.log_tail = local_log_tail,
	.forget = local_forget,
	.ended = local_ended,
	.usage = local_usage,
	.drop_user = local_drop_user,
	.release = local_release,
};

/* The server's Unix account name; -1 if PREFIX + NAME is not one. */
static int
account_of(const struct server *s, char *out, size_t outlen)
{
	return account_name(s->hub->cfg->user_prefix, s->name, out, outlen);
}

/* The server's cgroup (cgroup_group_name()): ACCOUNT, or ACCOUNT@SRV for a
 * named server; -1 if there is none to name. */
static int
group_of(const struct server *s, char *out)
{
	char acct[ACCOUNT_NAME_MAX + 1];

	if (account_of(s, acct, sizeof(acct)) == -1)
		return -1;
	return cgroup_group_name(acct, s->srv, out);
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

/* The server's command run through 'rig sandbox' with 'pre' (n words,
 * borrowed) before "--": *argv and *file replaced. -1 if this binary
 * cannot be found. */
static int
wrap(char ***argv, char **file, char **pre, int npre)
{
	char   exe[4096], **v;
	size_t len = sizeof(exe), n = 0, k = 0;

	if (uv_exepath(exe, &len) != 0)
		return -1;
	while ((*argv)[n] != NULL)
		n++;
	v = xcalloc(n + (size_t)npre + 4, sizeof(*v));
	v[k++] = xstrdup(exe);
	v[k++] = xstrdup("sandbox");
	for (int i = 0; i < npre; i++)
		v[k++] = xstrdup(pre[i]);
	v[k++] = xstrdup("--");
	v[k++] = xstrdup(*file);
	for (size_t i = 1; i < n; i++)
		v[k++] = xstrdup((*argv)[i]);
	spawn_argv_free(*argv);
	free(*file);
	*argv = v;
	*file = xstrdup(exe);
	return 0;
}

/* The helper's answer to the cgroup's setup; the start that follows it
 * fails on its own if there is no group. Owns 'arg', the account. */
static void
setup_cb(void *arg, int r)
{
	if (r != 0 && r != UV_ECANCELED) /* not the hub's exit */
		log_warnx("account %s: cannot set up its cgroup: %s",
		    (char *)arg, uv_strerror(r));
	free(arg);
}

/*
 * The launcher's words: as root the cgroup (made here, with the limits),
 * umask 077 and the account; server_deny_ports; without any, rig sandbox
 * still runs the server, for its socket filter. With the helper, it makes
 * the cgroup (asked here, answered before the start that follows) and
 * adds the first three itself: *in_cgroup says to ask for that. 0, or -1
 * with the start failed and said why.
 */
static int
launcher(struct server *s, const struct passwd *pw, char ***argv, char **file,
    int *in_cgroup)
{
	const struct limits_conf   *lc = &s->hub->cfg->limits;
	const struct spawn_options *o = &s->opts; /* the profile's limits */
	struct cgroup_limits        lim;
	char *pre[WRAP_MAX], *dirs[CGROUP_MAX_DIRS], why[512];
	int   npre = 0, ndirs = 0, r = 0;

	*in_cgroup = 0;
	if (pw != NULL && priv_active(s->hub)) {
		const struct cgroup_sys *sys = cgroup_system();
		struct priv_limits       pl;

		if (sys->version == CGROUP_NONE &&
		    (o->mem_limit > 0 || o->cpu_milli > 0)) {
			server_spawn_failed(s,
			    "mem_limit and cpu_limit need "
			    "cgroups, and this system has "
			    "none rig can use");
			return -1;
		}
		if (sys->version != CGROUP_NONE) {
			pl.mem_bytes = (int64_t)o->mem_limit;
			pl.cpu_milli = (int64_t)o->cpu_milli;
			pl.pids = lc->pids_limit;
			r = priv_cgroup_setup(s->hub, pw->pw_name, s->srv, &pl,
			    setup_cb, xstrdup(pw->pw_name));
			if (r != 0) {
				server_spawn_failed(s,
				    "cannot set up the cgroup: %s",
				    uv_strerror(r));
				return -1;
			}
			*in_cgroup = 1;
		}
	} else if (pw != NULL) {
		const struct cgroup_sys *sys = cgroup_system();
		char                     group[CGROUP_NAME_MAX];

		if (sys->version != CGROUP_NONE) {
			lim.mem = o->mem_limit;
			lim.cpu_milli = o->cpu_milli;
			lim.pids = lc->pids_limit;
			snprintf(why, sizeof(why),
			    "the cgroup's name is too long");
			if (cgroup_group_name(pw->pw_name, s->srv, group) ==
			        -1 ||
			    cgroup_create(sys, group, &lim, dirs, &ndirs, why,
			        sizeof(why)) == -1) {
				server_spawn_failed(s, "%s", why);
				return -1;
			}
		} else if (o->mem_limit > 0 || o->cpu_milli > 0) {
			server_spawn_failed(s,
			    "mem_limit and cpu_limit need "
			    "cgroups, and this system has "
			    "none rig can use");
			return -1;
		}
		for (int i = 0; i < ndirs; i++) {
			pre[npre++] = (char *)"--cgroup";
			pre[npre++] = dirs[i];
		}
		pre[npre++] = (char *)"--umask";
		pre[npre++] = (char *)"077";
		pre[npre++] = (char *)"--user";
		pre[npre++] = pw->pw_name;
	}
	if (s->hub->cfg->server_deny_ports != NULL) {
		pre[npre++] = (char *)"--deny-connect";
		pre[npre++] = s->hub->cfg->server_deny_ports;
	}
	/* Always: rig sandbox's socket filter is for every server. */
	if (wrap(argv, file, pre, npre) == -1) {
		server_spawn_failed(s,
		    "cannot find rig itself to start the "
		    "server through");
		r = -1;
	}
	for (int i = 0; i < ndirs; i++)
		free(dirs[i]);
	return r;
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

/* s->sock in runtime directory 'dir': jupyter.sock for the default
 * server, jupyter-SRV.sock for a named one (the user's servers share the
 * directory, which only the account and the hub may enter). -1 if too
 * long for a Unix socket. */
static int
sock_path(struct server *s, const char *dir)
{
	int n;

	if (s->srv[0] == '\0')
		n = snprintf(s->sock, sizeof(s->sock), "%s/%s", dir,
		    SERVER_SOCK_NAME);
	else
		n = snprintf(s->sock, sizeof(s->sock), "%s/jupyter-%s.sock",
		    dir, s->srv);
	return n < 0 || (size_t)n >= sizeof(s->sock) ? -1 : 0;
}

/* Without root: the hub's own directory 'dir', made if missing, not a
 * link, 0700. 0, or -1 with errno. */
static int
own_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) == -1)
		return -1;
	return 0;
}

/* The helper made the runtime directory (or could not): on to launch()
 * with the socket's path. */
static void
rundir_cb(void *arg, int r, const char *path)
{
	struct server *s = arg;

	if (s->removed || s->state != SERVER_PENDING) {
		server_unref(s);
		return;
	}
	if (r != 0)
		server_spawn_failed(s, "cannot make its runtime directory: %s",
		    uv_strerror(r));
	else if (sock_path(s, path) == -1) {
		s->sock[0] = '\0';
		server_spawn_failed(s, "the socket path under %s is too long",
		    path);
	} else
		launch(s);
	server_unref(s);
}

/*
 * The Unix socket the server will listen on, in a directory that only
 * the user and the hub can enter: as root PRIV_RUN_DIR/ACCOUNT, made by
 * the helper (the account's, group 'rig', 02750: the socket made inside
 * is group 'rig' too, and the command's sock mode 0660 lets the hub
 * connect); without root STATE/run/NAME, the hub's own, 0700. 0 with
 * s->sock set, 1 if the helper is making it (launch() follows), -1 if
 * the start failed (said why).
 */
static int
local_sock(struct server *s)
{
	struct hub *hub = s->hub;
	char        acct[ACCOUNT_NAME_MAX + 1], *state, *dir;
	int         r;

	if (hub->is_root) {
		if (!priv_active(hub) ||
		    account_of(s, acct, sizeof(acct)) == -1) {
			server_spawn_failed(s,
			    "a server on a Unix socket as another "
			    "account needs the privileged helper");
			return -1;
		}
		server_ref(s);
		r = priv_prepare_runtime_dir(hub, acct, rundir_cb, s);
		if (r != 0) {
			server_unref(s);
			server_spawn_failed(s,
			    "cannot make its runtime directory: %s",
			    uv_strerror(r));
			return -1;
		}
		return 1;
	}
	/* The server starts elsewhere (its workspace): a full path. */
	state = realpath(hub->cfg->state_dir, NULL);
	if (state == NULL) {
		server_spawn_failed(s, "cannot resolve the state directory: %s",
		    strerror(errno));
		return -1;
	}
	dir = xasprintf("%s/run", state);
	r = own_dir(dir);
	free(dir);
	dir = xasprintf("%s/run/%s", state, s->name);
	free(state);
	if (r == -1 || own_dir(dir) == -1) {
		server_spawn_failed(s,
		    "cannot make its runtime directory %s: %s", dir,
		    strerror(errno));
		free(dir);
		return -1;
	}
	if (sock_path(s, dir) == -1) {
		s->sock[0] = '\0';
		server_spawn_failed(s,
		    "the socket path under %s is longer than a Unix socket "
		    "may have: use a shorter state directory, or {port}",
		    dir);
		free(dir);
		return -1;
	}
	free(dir);
	/* One left by an earlier server of ours: bind() would fail. */
	if (unlink(s->sock) == -1 && errno != ENOENT) {
		server_spawn_failed(s, "cannot remove the old socket %s: %s",
		    s->sock, strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether 'port' is another server's of this hub. One still starting
 * has not bound it yet, and the kernel's next pick may be that port
 * again (the likely cause of one start in a burst of 200 failing: its
 * bind failed and it exited before it answered). */
static int
port_handed_out(int port, void *arg)
{
	struct hub *hub = arg;

	for (size_t i = 0; i < SERVER_BUCKETS; i++)
		for (struct server *o = hub->servers[i]; o != NULL;
		     o = o->hnext)
			if (o->port == port)
				return 1;
	return 0;
}

static void
launch(struct server *s)
{
	struct hub          *hub = s->hub;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	struct spawn_vars    vars;
	char               **argv = NULL, *file = NULL, *root = NULL;
	char                *program = NULL;
	char                *env[8 + SERVERENV_MAX], *logdir, *base_url = NULL;
	int                  nenv = 0, fds[2] = { -1, -1 }, r, in_cgroup = 0;
	unsigned             uses;
	struct passwd       *pw = NULL;

	memset(&o, 0, sizeof(o));
	if (hub->is_root) {
		char acct[ACCOUNT_NAME_MAX + 1];

		if (account_of(s, acct, sizeof(acct)) == -1 ||
		    account_lookup(acct, &pw) != 1) {
			server_spawn_failed(s, "the Unix account is missing");
			return;
		}
		/* 'rig sandbox' becomes the account, after it joined
		 * the cgroup: not uv_spawn's setuid. A removal of the
		 * last server's group must not kill this one's. */
		reap_keep(acct, s->srv);
		root = xstrdup(pw->pw_dir);
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
	uses = spawn_cmd_uses(server_cmd_of(s));
	if ((uses & SPAWN_USES_SOCK) && s->sock[0] == '\0') {
		r = local_sock(s);
		if (r != 0)
			goto out; /* under way (the helper's), or failed */
	}
	/* A command with {sock} listens there; one without it, on a port
	 * (the probes check who listens on it: portowner.h). */
	s->port = 0;
	if (!(uses & SPAWN_USES_SOCK) || (uses & SPAWN_USES_PORT)) {
		s->port = free_loopback_port_except(port_handed_out, hub, 16);
		if (s->port < 0) {
			server_spawn_failed(s, "no free port");
			goto out;
		}
	}
	base_url = xstrdup(s->url);
	memset(&vars, 0, sizeof(vars));
	vars.sock = s->sock;
	vars.port = s->port;
	vars.base_url = base_url;
	vars.root_dir = root;
	vars.username = s->name;
	argv = spawn_argv(server_cmd_of(s), &vars);
	if (argv[0] == NULL || (file = resolve(argv[0])) == NULL) {
		server_spawn_failed(s, "command not found: %s",
		    argv[0] ? argv[0] : "(empty server_cmd)");
		goto out;
	}
	/* The server's own program, before 'rig sandbox' stands in front of
	 * it: its environment depends on what it is (serverenv.h). */
	program = xstrdup(file);
	if (launcher(s, pw, &argv, &file, &in_cgroup) == -1)
		goto out;
	logdir = xasprintf("%s/logs", hub->cfg->state_dir);
	mkdir_p(logdir, 0700);
	free(logdir);
	/* Its output comes to the hub, which alone writes the log. */
	r = uv_pipe(fds, 0, 0);
	if (r != 0) {
		server_spawn_failed(s, "cannot make a pipe for its output: %s",
		    uv_strerror(r));
		goto out;
	}
	env[nenv++] = xasprintf("PATH=%s", SAFE_PATH);
	env[nenv++] = xasprintf("HOME=%s", root);
	env[nenv++] = xasprintf("USER=%s", pw ? pw->pw_name : s->name);
	env[nenv++] = xasprintf("LOGNAME=%s", pw ? pw->pw_name : s->name);
	env[nenv++] = xasprintf("SHELL=%s", pw ? pw->pw_shell : "/bin/sh");
	env[nenv++] = xstrdup("LANG=C.UTF-8");
	nenv = server_env(s, root, program, env, nenv);
	env[nenv] = NULL;

	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = fds[1];
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = fds[1];
	o.file = file;
	o.args = argv;
	o.env = env;
	o.cwd = root;
	o.flags |= UV_PROCESS_DETACHED;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = exit_cb;
	server_ref(s); /* spawned_cb's */
	r = priv_spawn(hub, pw ? pw->pw_name : s->name, &o,
	    in_cgroup ? s->srv : NULL, &s->proc, spawned_cb, helper_exit_cb, s);
	for (int i = 0; i < nenv; i++)
		free_secret(env[i]);
	if (r != 0) {
		server_unref(s);
		server_spawn_failed(s, "cannot start %s: %s", file,
		    uv_strerror(r));
		goto out;
	}
	/* The write end went with the request (or to the child): only the
	 * server holds it now, so the copy ends when the server does. */
	close(fds[1]);
	fds[1] = -1;
	(void)serverlog_start(hub->loop, fds[0], s->log_path,
	    hub->cfg->limits.server_log_max);
	fds[0] = -1; /* the copy's now */
out:
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	free(file);
	free(program);
	free(root);
	free(base_url);
	spawn_argv_free(argv);
}

static void
local_start(struct server *s)
{
	if (s->hub->is_root)
		spawn_account_then(s, launch);
	else
		launch(s);
}

static void
local_signal(struct server *s, enum spawner_signal sig)
{
	char  acct[ACCOUNT_NAME_MAX + 1];
	int   have_acct = account_of(s, acct, sizeof(acct)) == 0;
	uid_t uid;

	if (!have_acct)
		acct[0] = '\0';
	if (sig == SPAWNER_TERM) {
		if (s->pid > 0 && procfs_alive(s->pid, s->pid_start))
			priv_signal(s->hub, acct, s->pid, SIGTERM, 0);
		return;
	}
	if (s->pid > 0 && procfs_alive(s->pid, s->pid_start)) {
		log_warnx("server %s: pid %d did not stop in %d s, killing",
		    s->label, s->pid, SERVER_STOP_GRACE);
		priv_signal(s->hub, acct, s->pid, SIGKILL, 1);
		priv_signal(s->hub, acct, s->pid, SIGKILL, 0);
	}
	/* Kernels run in their own sessions: the server's whole cgroup
	 * goes, then what is left of the account, unless another server
	 * of the user runs as it. */
	if (!s->hub->is_root || !have_acct)
		return;
	if (priv_active(s->hub)) {
		(void)priv_cgroup_kill(s->hub, acct, s->srv, NULL, NULL);
		if (spawn_own_accounts(s->hub) && !server_has_siblings(s))
			priv_kill_user(s->hub, acct);
	} else if (account_uid(s, &uid) == 0) {
		char group[CGROUP_NAME_MAX];

		if (group_of(s, group) == 0)
			cgroup_kill(cgroup_system(), group);
		if (spawn_own_accounts(s->hub) && !server_has_siblings(s))
			procfs_kill_uid(uid, SIGKILL);
	}
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
local_address(const struct server *s, struct endpoint *to)
{
	if (s->sock[0] == '\0' || endpoint_unix(to, s->sock) == -1)
		endpoint_tcp(to, "127.0.0.1", s->port);
}

/* The uid the server runs as: its account's as root, the hub's own
 * otherwise. -1 if the account is gone. */
static int
server_uid(const struct server *s, uid_t *uid)
{
	if (!s->hub->is_root) {
		*uid = geteuid();
		return 0;
	}
	return account_uid(s, uid);
}

/*
 * Before a probe sends the secret. A socket in the runtime directory can
 * only be the user's (no one else may enter it), but one left from an
 * earlier account of the name is waited past: the server replaces it as
 * it binds. A port anyone may bind is the server's only if every
 * listener on it is the account's.
 */
static int
local_listener_ok(const struct server *s, char *why, size_t len)
{
	struct stat st;
	uid_t       uid, other;
	int         r;

	if (server_uid(s, &uid) == -1) {
		snprintf(why, len, "the Unix account is missing");
		return -1;
	}
	if (s->sock[0] != '\0') {
		if (lstat(s->sock, &st) == -1 || !S_ISSOCK(st.st_mode))
			return 0;
		return st.st_uid == uid ? 1 : 0;
	}
	r = portowner_check(s->port, uid, &other);
	if (r >= 0)
		return r;
	if (other == (uid_t)-1)
		snprintf(why, len,
		    "cannot tell who listens on port %d (/proc/net/tcp)",
		    s->port);
	else {
		snprintf(why, len,
		    "port %d is taken by another account (uid %u), not the "
		    "server's (uid %u)",
		    s->port, (unsigned)other, (unsigned)uid);
		log_warnx("server %s: %s", s->label, why);
	}
	return -1;
}

/* As root, the CPU time of the account's processes; the hub's own user's
 * processes are not the server's alone, so 0 (unknown) otherwise. A
 * machine's account (pam), or one running other servers of the user, runs
 * more than this server: its cgroup's time then, where there is one. */
static uint64_t
local_cpu_ticks(const struct server *s)
{
	char                group[CGROUP_NAME_MAX];
	struct cgroup_usage cu;
	uid_t               uid;
	long                hz;

	/* The account's time is the server's alone if it runs nothing
	 * else: not a machine's account, nor one with other servers. */
	if (account_uid(s, &uid) == -1)
		return 0;
	if ((!spawn_own_accounts(s->hub) || server_has_siblings(s)) &&
	    group_of(s, group) == 0 &&
	    cgroup_usage(cgroup_system(), group, &cu) == 0 &&
	    (hz = sysconf(_SC_CLK_TCK)) > 0)
		return cu.cpu_ns / (1000000000ULL / (uint64_t)hz);
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

/* Frees a removal once libuv lets go of its timer. */
static void
reap_close_cb(uv_handle_t *h)
{
	free(container_of((uv_timer_t *)h, struct cg_reap, timer));
}

/* The helper removed a group (or could not yet); owns 'arg', the group's
 * name. The removal is found again by name: it may have ended. */
static void
reap_remove_cb(void *arg, int r)
{
	struct cg_reap *g, *next;

	for (g = LIST_FIRST(&reaps); g != NULL; g = next) {
		next = LIST_NEXT(g, entry);
		if (strcmp(g->group, arg) != 0)
			continue;
		if (r == 0)
			reap_end(g);
		else
			g->asking = 0;
	}
	free(arg);
}

/* Ends the pending removals of the account's groups: of 'group' only, or
 * all of them if NULL. */
static void
reap_cancel(const char *account, const char *group)
{
	struct cg_reap *r, *next;

	for (r = LIST_FIRST(&reaps); r != NULL; r = next) {
		next = LIST_NEXT(r, entry);
		if (strcmp(r->account, account) == 0 &&
		    (group == NULL || strcmp(r->group, group) == 0))
			reap_end(r);
	}
}

/* A server of the account starts: its own group's removal ends, and the
 * others' go on without killing the account's processes any more. */
static void
reap_keep(const char *account, const char *server)
{
	char            group[CGROUP_NAME_MAX];
	struct cg_reap *r;

	if (cgroup_group_name(account, server, group) == 0)
		reap_cancel(account, group);
	LIST_FOREACH(r, &reaps, entry)
		if (strcmp(r->account, account) == 0)
			r->whole = 0;
}

static void
reap_timer_cb(uv_timer_t *t)
{
	struct cg_reap *r = container_of(t, struct cg_reap, timer);
	struct hub     *hub = t->data;

	if (hub != NULL && priv_active(hub)) {
		/* A helper busy with many stops answers late: one round at
		 * a time, or the rounds pile up behind each other. */
		if (r->asking)
			return;
		if (++r->tries == CG_REMOVE_TRIES) {
			log_warnx("cgroup %s: still busy, left", r->group);
			reap_end(r);
			return;
		}
		(void)priv_cgroup_kill(hub, r->account, r->server, NULL, NULL);
		if (spawn_own_accounts(hub) && r->whole)
			priv_kill_user(hub, r->account);
		r->asking = 1;
		if (priv_cgroup_remove(hub, r->account, r->server,
		        reap_remove_cb, xstrdup(r->group)) != 0)
			reap_end(r);
		return;
	}
	if (cgroup_remove(cgroup_system(), r->group) == 0 ||
	    ++r->tries == CG_REMOVE_TRIES) {
		if (r->tries == CG_REMOVE_TRIES)
			log_warnx("cgroup %s: still busy, left", r->group);
		reap_end(r);
		return;
	}
	cgroup_kill(cgroup_system(), r->group);
}

static void
reap_end(struct cg_reap *r)
{
	LIST_REMOVE(r, entry);
	uv_close((uv_handle_t *)&r->timer, reap_close_cb);
}

static void
local_release(void)
{
	while (!LIST_EMPTY(&reaps))
		reap_end(LIST_FIRST(&reaps));
}

/* Removes the cgroup of the account's server once it is empty: killed
 * processes take a moment to leave. With the helper, 'hub' asks it; NULL:
 * in-process. 'whole': the account's processes are killed each round too
 * (its last server). */
static void
reap_later(uv_loop_t *loop, struct hub *hub, const char *account,
    const char *server, int whole)
{
	struct cg_reap *r = xcalloc(1, sizeof(*r));

	if (cgroup_group_name(account, server, r->group) == -1) {
		free(r);
		return;
	}
	reap_cancel(account, r->group);
	snprintf(r->account, sizeof(r->account), "%s", account);
	snprintf(r->server, sizeof(r->server), "%s", server);
	r->whole = whole;
	uv_timer_init(loop, &r->timer);
	r->timer.data = hub;
	uv_timer_start(&r->timer, reap_timer_cb, 200, 200);
	LIST_INSERT_HEAD(&reaps, r, entry);
}

/* Everything of the server ends: its cgroup killed, then, with 'whole'
 * (the account's last server), any process of its uid (0: none known;
 * never a machine's account: its other processes are not the server's);
 * the group is removed once empty. With the helper the removal is the
 * timer's: the kill is still in flight. */
static void
end_server(struct hub *hub, const char *acct, const char *server, uid_t uid,
    int whole)
{
	char group[CGROUP_NAME_MAX];

	if (priv_active(hub)) {
		(void)priv_cgroup_kill(hub, acct, server, NULL, NULL);
		if (spawn_own_accounts(hub) && whole)
			priv_kill_user(hub, acct);
		reap_later(hub->loop, hub, acct, server, whole);
		return;
	}
	if (cgroup_group_name(acct, server, group) == -1)
		return;
	if (!spawn_own_accounts(hub) || !whole)
		uid = 0;
	cgroup_kill(cgroup_system(), group);
	if (uid != 0)
		account_end_processes(acct, uid);
	if (cgroup_remove(cgroup_system(), group) == -1)
		reap_later(hub->loop, NULL, acct, server, whole);
}

static void
local_ended(struct server *s)
{
	char  acct[ACCOUNT_NAME_MAX + 1];
	uid_t uid = 0;

	/* The account's other servers go on: the last one's end ends all
	 * of the account. */
	if (!s->hub->is_root || account_of(s, acct, sizeof(acct)) == -1)
		return;
	if (account_uid(s, &uid) == -1)
		uid = 0;
	end_server(s->hub, acct, s->srv, uid, !server_has_siblings(s));
}

static int
local_usage(const struct server *s, struct spawner_usage *u)
{
	char                group[CGROUP_NAME_MAX];
	struct cgroup_usage cu;

	if (!s->hub->is_root || group_of(s, group) == -1 ||
	    cgroup_usage(cgroup_system(), group, &cu) == -1)
		return -1;
	u->mem = cu.mem;
	u->cpu_ns = cu.cpu_ns;
	u->oom_kills = cu.oom_kills;
	return 0;
}

/* The helper removed an account (or could not); owns 'arg'. */
static void
drop_cb(void *arg, int r)
{
	if (r != 0 && r != UV_ECANCELED)
		log_warnx("account %s: not removed: %s", (char *)arg,
		    r < 0 ? uv_strerror(r) : "userdel failed");
	free(arg);
}

/* Everything of the user ends now (not after the stop's grace), then
 * the account and its home go, through the account queue (the helper's,
 * which ends the processes itself). */
static void
local_drop_user(struct hub *hub, const char *name)
{
	char           acct[ACCOUNT_NAME_MAX + 1];
	struct passwd *pw;
	int            r;

	if (!hub->is_root ||
	    account_name(hub->cfg->user_prefix, name, acct, sizeof(acct)) ==
	        -1 ||
	    account_lookup(acct, &pw) != 1 || !account_is_rigs(pw, name))
		return;
	reap_cancel(acct, NULL);
	if (priv_active(hub)) {
		r = priv_account_del(hub, acct, 0, drop_cb, xstrdup(acct));
		if (r != 0)
			log_warnx("account %s: not removed: %s", acct,
			    uv_strerror(r));
		return;
	}
	account_end_processes(acct, pw->pw_uid);
	account_remove(hub->loop, acct, name, 0, NULL, NULL);
}
