/* SPDX-License-Identifier: MIT */
/*
 * User servers.
 *
 * A start goes: make sure the Unix account exists (as root), pick a free
 * loopback port and a new secret, start the command detached (its own
 * session, so it survives the hub) with the secret in its environment and
 * its output in a log file, record pid, port and secret in SQLite, then
 * probe GET /user/NAME/api every 50 ms until it answers with anything but a
 * 5xx, or give up after spawn_timeout seconds and say why, with the last
 * lines of the log.
 *
 * A server started by this hub tells us it died through libuv's exit
 * callback; one taken over from an earlier hub is not our child, so the
 * once-a-second tick checks that its pid still runs the same process (the
 * start time in /proc/PID/stat guards against pid reuse).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "probe.h"
#include "proxy.h"
#include "server.h"
#include "lib/util.h"

#define PROBE_EVERY_MS 50
#define SAFE_PATH      "/usr/local/bin:/usr/bin:/bin"
#define MIN_USER_UID   1000

static void server_fail(struct server *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void server_gone(struct server *, const char *why);
static void launch(struct server *);

/* The user-name hash table. */
static unsigned
name_hash(const char *s, size_t len)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h % SERVER_BUCKETS;
}

struct server *
hub_server(struct hub *hub, const char *name, size_t len)
{
	struct server *s;

	for (s = hub->servers[name_hash(name, len)]; s != NULL; s = s->hnext)
		if (strlen(s->name) == len && memcmp(s->name, name, len) == 0)
			return s;
	return NULL;
}

static void
server_unref(struct server *s)
{
	if (--s->refs > 0)
		return;
	free(s->secret);
	free(s->error);
	free(s->log_path);
	for (int i = 0; i < s->nev; i++)
		free(s->ev[i].message);
	free(s);
}

static void
handle_close_cb(uv_handle_t *h)
{
	server_unref(h->data);
}

static struct server *
server_new(struct hub *hub, const char *name, int64_t user_id)
{
	struct server *s = xcalloc(1, sizeof(*s));
	unsigned       b = name_hash(name, strlen(name));

	s->hub = hub;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->user_id = user_id;
	TAILQ_INIT(&s->listeners);
	uv_timer_init(hub->loop, &s->timer);
	s->timer.data = s;
	s->refs = 2; /* the table, the timer */
	s->hnext = hub->servers[b];
	hub->servers[b] = s;
	hub->nservers++;
	s->log_path = xasprintf("%s/logs/%s.log", hub->cfg->state_dir, name);
	return s;
}

static void
end_listeners(struct server *s)
{
	struct server_listener *l;

	while ((l = TAILQ_FIRST(&s->listeners)) != NULL) {
		TAILQ_REMOVE(&s->listeners, l, entry);
		l->end(l);
	}
}

/* Takes the server out of the table; freed once its handles close. */
static void
server_remove(struct server *s)
{
	struct server **pp;

	if (s->removed)
		return;
	s->removed = 1;
	end_listeners(s);
	for (pp = &s->hub->servers[name_hash(s->name, strlen(s->name))];
	     *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	}
	s->hub->nservers--;
	uv_close((uv_handle_t *)&s->timer, handle_close_cb);
	if (s->have_proc && !uv_is_closing((uv_handle_t *)&s->proc)) {
		s->proc.data = s;
		s->refs++;
		uv_close((uv_handle_t *)&s->proc, handle_close_cb);
	}
	server_unref(s);
}

static void
save(struct server *s)
{
	struct db_server row;

	memset(&row, 0, sizeof(row));
	row.user_id = s->user_id;
	row.state = s->state;
	row.pid = s->pid;
	row.pid_start = s->pid_start;
	row.port = s->port;
	row.secret = s->secret != NULL ? s->secret : (char *)"";
	row.started = s->started;
	row.last_activity = s->last_activity;
	row.error = s->error != NULL ? s->error : (char *)"";
	if (db_server_put(s->hub->db, &row) == -1)
		log_warnx("server %s: cannot record its state", s->name);
}

static json_t *
progress_event(int pct, const char *message)
{
	return json_pack("{s:i, s:s, s:s}", "progress", pct, "message",
	    message, "html_message", message);
}

/* Sends one progress event to every listener; the final one ends them. */
static void
emit(struct server *s, json_t *ev, int final)
{
	struct server_listener *l, *next;

	if (final == 0 && s->nev < SERVER_MAX_EVENTS) {
		s->ev[s->nev].progress =
		    (int)json_integer_value(json_object_get(ev, "progress"));
		s->ev[s->nev].message = xstrdup(
		    json_string_value(json_object_get(ev, "message")));
		s->nev++;
	}
	for (l = TAILQ_FIRST(&s->listeners); l != NULL; l = next) {
		next = TAILQ_NEXT(l, entry);
		if (l->event(l, ev) == -1 || final) {
			TAILQ_REMOVE(&s->listeners, l, entry);
			l->end(l);
		}
	}
	json_decref(ev);
}


static json_t *
final_event(const struct server *s)
{
	char url[64];

	snprintf(url, sizeof(url), "/user/%s/", s->name);
	if (s->state == SERVER_READY) {
		char *msg = xasprintf("Server ready at %s", url);
		json_t *ev = json_pack("{s:i, s:b, s:s, s:s, s:s}",
		    "progress", 100, "ready", 1, "message", msg,
		    "html_message", msg, "url", url);

		free(msg);
		return ev;
	}
	{
		char *msg = xasprintf("Spawn failed: %s",
		    s->error ? s->error : "stopped");
		json_t *ev = json_pack("{s:i, s:b, s:s, s:s}", "progress", 100,
		    "failed", 1, "message", msg, "html_message", msg);

		free(msg);
		return ev;
	}
}

static void
progress(struct server *s, int pct, const char *message)
{
	emit(s, progress_event(pct, message), 0);
}

void
server_progress_listen(struct server *s, struct server_listener *l)
{
	json_t *ev;

	for (int i = 0; i < s->nev; i++) {
		ev = progress_event(s->ev[i].progress, s->ev[i].message);
		l->event(l, ev);
		json_decref(ev);
	}
	if (s->state != SERVER_PENDING) {
		ev = final_event(s);
		l->event(l, ev);
		json_decref(ev);
		l->end(l);
		return;
	}
	TAILQ_INSERT_TAIL(&s->listeners, l, entry);
}

/* Reads "/proc/PID/stat" field 22 (start time in clock ticks). */
static int
pid_start_time(int pid, char *out, size_t outlen, char *state)
{
	char  path[64], *data, *p;
	int   field = 2;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	data = read_file(path, 4096, NULL);
	if (data == NULL)
		return -1;
	p = strrchr(data, ')');
	if (p == NULL) {
		free(data);
		return -1;
	}
	p++;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		field++;
		if (field == 3 && state != NULL)
			*state = *p;
		if (field == 22) {
			size_t n = strcspn(p, " ");

			snprintf(out, outlen, "%.*s", (int)n, p);
			free(data);
			return 0;
		}
		p += strcspn(p, " ");
	}
	free(data);
	return -1;
}

/* Whether 'pid' still runs the process that started at 'start'. */
static int
pid_alive(int pid, const char *start)
{
	char now[32], state = '?';

	if (pid <= 0 || pid_start_time(pid, now, sizeof(now), &state) == -1)
		return 0;
	return strcmp(now, start) == 0 && state != 'Z' && state != 'X';
}

/* The Unix account of a user, when the hub runs as root. */
static char *
account_name(const struct server *s)
{
	return xasprintf("%s%s", s->hub->cfg->user_prefix, s->name);
}

/* Sends 'sig' to every process of 'uid': kernels that outlive their
 * server. Only for the per-user accounts the hub made. */
static void
kill_uid(uid_t uid, int sig)
{
	DIR           *d = opendir("/proc");
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char        path[300];
		struct stat st;
		long long   pid;

		if (parse_int(de->d_name, 2, 1 << 22, &pid) == -1)
			continue;
		snprintf(path, sizeof(path), "/proc/%s", de->d_name);
		if (stat(path, &st) == 0 && st.st_uid == uid)
			kill((pid_t)pid, sig);
	}
	closedir(d);
}

/* CPU time (user + system, in clock ticks) of every process of 'uid'. */
static uint64_t
uid_cpu_ticks(uid_t uid)
{
	DIR           *d = opendir("/proc");
	struct dirent *de;
	uint64_t       total = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char              path[300], *data, *p;
		struct stat       st;
		long long         pid;
		unsigned long     ut = 0, stime = 0;

		if (parse_int(de->d_name, 2, 1 << 22, &pid) == -1)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (stat(path, &st) == -1 || st.st_uid != uid)
			continue;
		data = read_file(path, 4096, NULL);
		if (data == NULL)
			continue;
		/* After the command's ")": state, then fields 4..13, then
		 * utime and stime (proc(5)). */
		p = strrchr(data, ')');
		if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u "
		    "%*u %*u %*u %*u %lu %lu", &ut, &stime) != 2)
			ut = stime = 0;
		total += ut + stime;
		free(data);
	}
	closedir(d);
	return total;
}

/* As root: whether the account's processes (the server and its kernels)
 * used CPU since the last look. Catches a computing kernel even when the
 * server does not report kernel states (notebook 6 does not). */
static int
used_cpu(struct server *s)
{
	char          *acct;
	struct passwd *pw;
	uint64_t       now, before = s->cpu_ticks, min;

	if (!s->hub->is_root)
		return 0;
	acct = account_name(s);
	pw = getpwnam(acct);
	free(acct);
	if (pw == NULL || pw->pw_uid < MIN_USER_UID)
		return 0;
	now = uid_cpu_ticks(pw->pw_uid);
	s->cpu_ticks = now;
	/* More than 2 % of one core over the interval, at least 0.2 s: more
	 * than answering the hub's own questions costs. */
	min = (uint64_t)s->hub->cfg->cull_interval * 2;
	if (min < 20)
		min = 20;
	return before > 0 && now > before + min;
}

static void
stop_timer_cb(uv_timer_t *t)
{
	struct server *s = t->data;

	if (s->pid > 0 && pid_alive(s->pid, s->pid_start)) {
		log_warnx("server %s: pid %d did not stop in %d s, killing",
		    s->name, s->pid, SERVER_STOP_GRACE);
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
	if (s->hub->is_root) {
		char          *acct = account_name(s);
		struct passwd *pw = getpwnam(acct);

		if (pw != NULL && pw->pw_uid >= MIN_USER_UID)
			kill_uid(pw->pw_uid, SIGKILL);
		free(acct);
	}
}

static void
terminate(struct server *s)
{
	if (s->pid > 0 && pid_alive(s->pid, s->pid_start))
		kill(s->pid, SIGTERM);
	uv_timer_start(&s->timer, stop_timer_cb, SERVER_STOP_GRACE * 1000, 0);
}

static void
server_fail(struct server *s, const char *fmt, ...)
{
	va_list ap;
	char   *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	log_warnx("server %s: start failed: %s", s->name, msg);
	free(s->error);
	s->error = msg;
	s->hub->m.spawn_failures++;
	uv_timer_stop(&s->timer);
	if (s->pid > 0 && pid_alive(s->pid, s->pid_start))
		terminate(s);
	s->state = SERVER_FAILED;
	if (db_server_del(s->hub->db, s->user_id) == -1)
		log_warnx("server %s: cannot clear its record", s->name);
	emit(s, final_event(s), 1);
	if (s->port > 0)
		proxy_forget_port(s->hub, s->port);
}

/* The process is gone: a failed start, or the end of a running server. */
static void
server_gone(struct server *s, const char *why)
{
	if (s->state == SERVER_PENDING) {
		s->pid = 0;
		server_fail(s, "the server %s before it answered", why);
		return;
	}
	if (s->state == SERVER_READY)
		log_warnx("server %s: %s", s->name, why);
	else
		log_info("server %s: stopped", s->name);
	uv_timer_stop(&s->timer);
	s->state = SERVER_STOPPED;
	s->pid = 0;
	if (db_server_del(s->hub->db, s->user_id) == -1)
		log_warnx("server %s: cannot clear its record", s->name);
	if (s->last_activity > 0)
		db_user_touch(s->hub->db, s->user_id, s->last_activity);
	if (s->port > 0)
		proxy_forget_port(s->hub, s->port);
	server_remove(s);
}

static void
exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct server *s = container_of(p, struct server, proc);
	char           why[64];

	if (sig != 0)
		snprintf(why, sizeof(why), "was killed by signal %d", sig);
	else
		snprintf(why, sizeof(why), "exited with status %lld",
		    (long long)status);
	s->proc.data = s;
	s->refs++;
	uv_close((uv_handle_t *)p, handle_close_cb);
	s->have_proc = 0;
	if (!s->removed && s->state != SERVER_FAILED &&
	    s->state != SERVER_STOPPED)
		server_gone(s, why);
}

static void
ready_probe_cb(void *arg, int status, const char *body, size_t len)
{
	struct server *s = arg;
	double         secs;

	(void)body;
	(void)len;
	s->probing = 0;
	if (s->removed || s->state != SERVER_PENDING) {
		server_unref(s);
		return;
	}
	server_unref(s);
	if (status < 0 || status >= 500)
		return;
	s->state = SERVER_READY;
	s->last_activity = now_sec();
	uv_timer_stop(&s->timer);
	save(s);
	secs = (double)(now_ms() - s->spawn_ms) / 1000.0;
	s->hub->m.spawns++;
	s->hub->m.spawn_seconds_sum += secs;
	{
		static const double le[] = { 0.5, 1, 2, 5, 10, 30, 60 };
		size_t              i;

		for (i = 0; i < nitems(le) && secs > le[i]; i++)
			;
		s->hub->m.spawn_buckets[i]++;
	}
	log_info("server %s: ready on port %d in %.3f s", s->name, s->port,
	    secs);
	emit(s, final_event(s), 1);
}

static void
probe_timer_cb(uv_timer_t *t)
{
	struct server *s = t->data;
	char          *path;

	if (s->state != SERVER_PENDING)
		return;
	if (now_ms() > s->deadline_ms) {
		server_fail(s, "the server did not answer within %d s",
		    s->hub->cfg->spawn_timeout);
		return;
	}
	if (s->probing)
		return;
	s->probing = 1;
	s->refs++;
	path = xasprintf("/user/%s/api", s->name);
	probe_get(s->hub->loop, s->port, path, s->secret, 2000, ready_probe_cb,
	    s);
	free(path);
}

/* Splits the command like a shell word list (quotes group, no expansion)
 * and fills in {port}, {base_url}, {root_dir}, {username}. */
static void argv_free(char **);

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
	argv_free(*argv);
	free(*file);
	*argv = v;
	*file = xstrdup(exe);
	return 0;
}

static char **
command_argv(const char *cmd, const struct server *s, const char *root)
{
	char      **argv = xcalloc(1, sizeof(char *));
	size_t      n = 0;
	const char *p = cmd;

	while (*p != '\0') {
		struct buf w;
		char       q = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		buf_init(&w, 64 * 1024);
		while (*p != '\0' && (q != 0 || (*p != ' ' && *p != '\t'))) {
			if (q == 0 && (*p == '"' || *p == '\'')) {
				q = *p++;
				continue;
			}
			if (q != 0 && *p == q) {
				q = 0;
				p++;
				continue;
			}
			if (q == '"' && *p == '\\' && p[1] != '\0')
				p++;
			if (q != '\'' && *p == '{') {
				char v[64];

				if (strncmp(p, "{port}", 6) == 0) {
					snprintf(v, sizeof(v), "%d", s->port);
					buf_adds(&w, v);
					p += 6;
					continue;
				}
				if (strncmp(p, "{base_url}", 10) == 0) {
					buf_addf(&w, "/user/%s/", s->name);
					p += 10;
					continue;
				}
				if (strncmp(p, "{root_dir}", 10) == 0) {
					buf_adds(&w, root);
					p += 10;
					continue;
				}
				if (strncmp(p, "{username}", 10) == 0) {
					buf_adds(&w, s->name);
					p += 10;
					continue;
				}
			}
			buf_add(&w, p, 1);
			p++;
		}
		argv = xrealloc(argv, (n + 2) * sizeof(char *));
		argv[n++] = buf_detach(&w, NULL);
		argv[n] = NULL;
	}
	return argv;
}

static void
argv_free(char **argv)
{
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
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

static void
useradd_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct server *s = p->data;

	uv_close((uv_handle_t *)p, (uv_close_cb)free);
	if (s->removed || s->state != SERVER_PENDING) {
		server_unref(s);
		return;
	}
	server_unref(s);
	if (status != 0 || sig != 0) {
		server_fail(s, "could not create the Unix account (useradd "
		    "exited with %lld)", (long long)status);
		return;
	}
	launch(s);
}

/* As root: creates the user's account if it is missing. Returns 1 if
 * creation is under way (launch follows), 0 if it exists, -1 on error. */
static int
ensure_account(struct server *s)
{
	char            *acct = account_name(s), *home, *comment;
	struct passwd   *pw = getpwnam(acct);
	uv_process_t    *p;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	char            *args[12];
	int              r;

	if (pw != NULL) {
		free(acct);
		if (pw->pw_uid < MIN_USER_UID) {
			server_fail(s, "refusing to run as system account "
			    "'%s'", pw->pw_name);
			return -1;
		}
		return 0;
	}
	home = xasprintf("/home/%s", acct);
	comment = xasprintf("rig user %s", s->name);
	args[0] = (char *)"/usr/sbin/useradd";
	args[1] = (char *)"-m";
	args[2] = (char *)"-U";
	args[3] = (char *)"-s";
	args[4] = (char *)"/bin/bash";
	args[5] = (char *)"-d";
	args[6] = home;
	args[7] = (char *)"-c";
	args[8] = comment;
	args[9] = (char *)"--";
	args[10] = acct;
	args[11] = NULL;
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_IGNORE;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	o.file = args[0];
	o.args = args;
	o.exit_cb = useradd_exit_cb;
	o.stdio = stdio;
	o.stdio_count = 3;
	p = xcalloc(1, sizeof(*p));
	p->data = s;
	s->refs++;
	progress(s, 10, "Creating the Unix account");
	r = uv_spawn(s->hub->loop, p, &o);
	free(home);
	free(comment);
	free(acct);
	if (r != 0) {
		free(p);
		server_unref(s);
		server_fail(s, "cannot run useradd: %s", uv_strerror(r));
		return -1;
	}
	return 1;
}

static void
launch(struct server *s)
{
	struct hub          *hub = s->hub;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	char               **argv = NULL, *file = NULL, *root = NULL;
	char                *env[16];
	int                  nenv = 0, fd = -1, r;
	struct passwd       *pw = NULL;
	char                *logdir;

	memset(&o, 0, sizeof(o));
	if (hub->is_root) {
		char *acct = account_name(s);

		pw = getpwnam(acct);
		free(acct);
		if (pw == NULL) {
			server_fail(s, "the Unix account is missing");
			return;
		}
		root = xstrdup(pw->pw_dir);
		o.flags |= UV_PROCESS_SETUID | UV_PROCESS_SETGID;
		o.uid = pw->pw_uid;
		o.gid = pw->pw_gid;
	} else {
		root = xasprintf("%s/workspaces/%s", hub->cfg->state_dir,
		    s->name);
		if (mkdir_p(root, 0700) == -1) {
			server_fail(s, "cannot create workspace: %s",
			    strerror(errno));
			free(root);
			return;
		}
	}
	s->port = free_loopback_port();
	if (s->port < 0) {
		server_fail(s, "no free port");
		goto out;
	}
	free_secret(s->secret);
	s->secret = random_hex(32);
	argv = command_argv(hub->cfg->server_cmd, s, root);
	if (argv[0] == NULL || (file = resolve(argv[0])) == NULL) {
		server_fail(s, "command not found: %s",
		    argv[0] ? argv[0] : "(empty server_cmd)");
		goto out;
	}
	if (hub->cfg->server_deny_ports != NULL &&
	    sandboxed(&argv, &file, hub->cfg->server_deny_ports) == -1) {
		server_fail(s, "cannot find rig itself to sandbox the server");
		goto out;
	}
	logdir = xasprintf("%s/logs", hub->cfg->state_dir);
	mkdir_p(logdir, 0700);
	free(logdir);
	fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		server_fail(s, "cannot open its log: %s", strerror(errno));
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
	env[nenv++] = xasprintf("JUPYTERHUB_SERVICE_PREFIX=/user/%s/",
	    s->name);
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
	r = uv_spawn(hub->loop, &s->proc, &o);
	for (int i = 0; i < nenv; i++)
		free_secret(env[i]);
	if (r != 0) {
		/* libuv still wants the handle closed. */
		s->proc.data = s;
		s->refs++;
		uv_close((uv_handle_t *)&s->proc, handle_close_cb);
		server_fail(s, "cannot start %s: %s", file, uv_strerror(r));
		goto out;
	}
	s->have_proc = 1;
	s->pid = s->proc.pid;
	if (pid_start_time(s->pid, s->pid_start, sizeof(s->pid_start),
		NULL) == -1)
		snprintf(s->pid_start, sizeof(s->pid_start), "?");
	s->started = now_sec();
	save(s);
	log_info("server %s: started pid %d on port %d", s->name, s->pid,
	    s->port);
	progress(s, 50, "Server process started, waiting for it to answer");
	uv_timer_start(&s->timer, probe_timer_cb, PROBE_EVERY_MS,
	    PROBE_EVERY_MS);
out:
	if (fd != -1)
		close(fd);
	free(file);
	free(root);
	if (argv != NULL)
		argv_free(argv);
}

int
server_start(struct hub *hub, const struct db_user *u, const char **err)
{
	struct server *s = hub_server(hub, u->name, strlen(u->name));

	if (hub->stopping) {
		*err = "the hub is shutting down";
		return -1;
	}
	if (s != NULL && (s->state == SERVER_PENDING ||
	    s->state == SERVER_READY))
		return 1;
	if (s != NULL && s->state == SERVER_STOPPING) {
		*err = "the server is still stopping";
		return -1;
	}
	if (s != NULL)
		server_remove(s); /* an old failure */
	s = server_new(hub, u->name, u->id);
	s->state = SERVER_PENDING;
	s->spawn_ms = now_ms();
	s->deadline_ms = s->spawn_ms + (uint64_t)hub->cfg->spawn_timeout * 1000;
	progress(s, 0, "Server requested");
	if (hub->is_root) {
		int r = ensure_account(s);

		if (r != 0)
			return 0; /* under way, or failed and said so */
	}
	launch(s);
	return 0;
}

int
server_stop(struct server *s)
{
	if (s->state == SERVER_FAILED) {
		server_remove(s);
		return 0;
	}
	if (s->state == SERVER_STOPPING)
		return 1;
	if (s->state == SERVER_PENDING && s->pid <= 0) {
		/* Still creating the account: nothing runs yet. */
		s->state = SERVER_STOPPED;
		server_remove(s);
		return 0;
	}
	if (s->state == SERVER_PENDING) {
		free(s->error);
		s->error = xstrdup("stopped before it was ready");
		emit(s, final_event(s), 1);
	}
	log_info("server %s: stopping pid %d", s->name, s->pid);
	s->state = SERVER_STOPPING;
	uv_timer_stop(&s->timer);
	save(s);
	if (s->port > 0)
		proxy_forget_port(s->hub, s->port);
	terminate(s);
	return 1;
}

void
server_touch(struct server *s)
{
	s->last_activity = now_sec();
}

void
server_unreachable(struct server *s)
{
	if (s->state == SERVER_READY && s->pid > 0 && !s->have_proc &&
	    !pid_alive(s->pid, s->pid_start))
		server_gone(s, "is gone");
}

void
servers_restore(struct hub *hub)
{
	struct db_server *rows;
	size_t            n;

	if (db_server_list_active(hub->db, &rows, &n) == -1) {
		log_warnx("cannot read the servers of the last run");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct db_user u;
		struct server *s;

		if (db_user_get_id(hub->db, rows[i].user_id, &u) != 0) {
			db_server_del(hub->db, rows[i].user_id);
			continue;
		}
		if (!pid_alive(rows[i].pid, rows[i].pid_start)) {
			log_info("server %s: gone while the hub was down",
			    u.name);
			db_server_del(hub->db, rows[i].user_id);
			db_user_release(&u);
			continue;
		}
		s = server_new(hub, u.name, u.id);
		s->state = rows[i].state;
		s->pid = rows[i].pid;
		snprintf(s->pid_start, sizeof(s->pid_start), "%s",
		    rows[i].pid_start);
		s->port = rows[i].port;
		s->secret = xstrdup(rows[i].secret);
		s->started = rows[i].started;
		s->last_activity = rows[i].last_activity > 0 ?
		    rows[i].last_activity : now_sec();
		s->spawn_ms = now_ms();
		log_info("server %s: taken over (pid %d, port %d, %s)", s->name,
		    s->pid, s->port, server_state_name(s->state));
		if (s->state == SERVER_PENDING) {
			s->deadline_ms = now_ms() +
			    (uint64_t)hub->cfg->spawn_timeout * 1000;
			uv_timer_start(&s->timer, probe_timer_cb, 0,
			    PROBE_EVERY_MS);
		} else if (s->state == SERVER_STOPPING)
			terminate(s);
		db_user_release(&u);
	}
	db_servers_free(rows, n);
}

void
servers_tick(struct hub *hub)
{
	for (size_t b = 0; b < SERVER_BUCKETS; b++) {
		struct server *s, *next;

		for (s = hub->servers[b]; s != NULL; s = next) {
			next = s->hnext;
			if (s->have_proc || s->pid <= 0)
				continue;
			if (s->state != SERVER_PENDING &&
			    s->state != SERVER_READY &&
			    s->state != SERVER_STOPPING)
				continue;
			if (!pid_alive(s->pid, s->pid_start))
				server_gone(s, "is gone");
		}
	}
}

struct cull_check {
	struct server *s;
	int64_t        reported;
};

static void
kernels_cb(void *arg, int status, const char *body, size_t len)
{
	struct cull_check *cc = arg;
	struct server     *s = cc->s;
	json_t            *list;
	int                busy = 0;

	free(cc);
	s->culling = 0;
	if (s->removed || s->state != SERVER_READY) {
		server_unref(s);
		return;
	}
	log_debug("%s: %s: status %d, %zu bytes", __func__, s->name, status,
	    len);
	list = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	if (json_is_array(list)) {
		size_t  i;
		json_t *k;

		json_array_foreach(list, i, k)
		{
			const char *st = json_string_value(
			    json_object_get(k, "execution_state"));

			if (st != NULL && strcmp(st, "busy") == 0)
				busy = 1;
		}
	}
	json_decref(list);
	if (busy) {
		s->last_activity = now_sec();
	} else {
		log_info("server %s: idle for %lld s, stopping", s->name,
		    (long long)(now_sec() - s->last_activity));
		s->hub->m.culled++;
		server_stop(s);
	}
	server_unref(s);
}

static void
status_cb(void *arg, int status, const char *body, size_t len)
{
	struct cull_check *cc = arg;
	struct server     *s = cc->s;
	struct db_user     u;
	json_t            *j;
	int64_t            idle;
	char              *path;

	if (s->removed || s->state != SERVER_READY) {
		s->culling = 0;
		free(cc);
		server_unref(s);
		return;
	}
	if (db_user_get_id(s->hub->db, s->user_id, &u) == 1) {
		/* Deleted with the CLI while its server ran. */
		log_info("server %s: the user is gone, stopping", s->name);
		s->culling = 0;
		free(cc);
		server_stop(s);
		server_unref(s);
		return;
	}
	db_user_release(&u);
	j = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	if (j != NULL) {
		int64_t t = iso_parse(
		    json_string_value(json_object_get(j, "last_activity")));

		if (t > s->last_activity)
			s->last_activity = t;
		json_decref(j);
	}
	if (used_cpu(s))
		s->last_activity = now_sec();
	db_user_touch(s->hub->db, s->user_id, s->last_activity);
	idle = now_sec() - s->last_activity;
	if (s->hub->cfg->idle_timeout == 0 ||
	    idle < s->hub->cfg->idle_timeout) {
		s->culling = 0;
		free(cc);
		server_unref(s);
		return;
	}
	/* Idle by every measure we have; a busy kernel still counts as use.
	 * (Asking for the kernels counts as activity to Jupyter, so ask only
	 * now, when the answer decides.) */
	path = xasprintf("/user/%s/api/kernels", s->name);
	probe_get(s->hub->loop, s->port, path, s->secret, 5000, kernels_cb, cc);
	free(path);
}

void
servers_cull(struct hub *hub)
{
	for (size_t b = 0; b < SERVER_BUCKETS; b++) {
		for (struct server *s = hub->servers[b]; s != NULL;
		     s = s->hnext) {
			struct cull_check *cc;
			char              *path;

			if (s->state != SERVER_READY || s->culling)
				continue;
			cc = xcalloc(1, sizeof(*cc));
			cc->s = s;
			s->culling = 1;
			s->refs++;
			path = xasprintf("/user/%s/api/status", s->name);
			probe_get(hub->loop, s->port, path, s->secret, 5000,
			    status_cb, cc);
			free(path);
		}
	}
}

void
servers_drop_user(struct hub *hub, const char *name)
{
	struct server *s = hub_server(hub, name, strlen(name));

	if (s != NULL)
		server_stop(s);
}

char *
server_log_tail(const struct server *s, int lines)
{
	struct stat st;
	char       *data, *p;
	int         fd, n = 0;
	off_t       off;
	ssize_t     r;
	size_t      cap = 8192;

	fd = open(s->log_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return xstrdup("");
	if (fstat(fd, &st) == -1) {
		close(fd);
		return xstrdup("");
	}
	off = st.st_size > (off_t)cap ? st.st_size - (off_t)cap : 0;
	data = xmalloc(cap + 1);
	r = pread(fd, data, cap, off);
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

void
servers_release(struct hub *hub)
{
	for (size_t b = 0; b < SERVER_BUCKETS; b++) {
		struct server *s;

		while ((s = hub->servers[b]) != NULL) {
			if (s->last_activity > 0)
				db_user_touch(hub->db, s->user_id,
				    s->last_activity);
			server_remove(s);
		}
	}
}
