/* SPDX-License-Identifier: MIT */
/*
 * The machine side of the hub service (service.h).
 *
 * The supervisor is found through a lock, not a pid: it holds an flock
 * on dir/supervisor.lock for its whole life, so "is it running" cannot
 * be fooled by a stale pid file or a reused pid, and two starts at once
 * leave one supervisor (the second cannot take the lock and exits). Its
 * pid is in dir/supervisor.pid and the hub's in dir/hub.pid, for stop
 * and status. It waits for signals with sigtimedwait(), all of them
 * blocked, so a SIGTERM that comes while the hub is being restarted is
 * not lost. A hub that keeps dying is restarted after 1, 2, 4 ... 30 s.
 *
 * A hub left behind by a supervisor killed with SIGKILL would hold the
 * port; start and stop look for it by its command line and end it.
 */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "cmd.h"
#include "hub/db.h"
#include "hub/state.h"
#include "lib/ini.h"
#include "lib/log.h"
#include "remote.h"
#include "hub/autostop.h"
#include "service.h"
#include "hub/tls.h"
#include "lib/util.h"
#include "version.h"

#define BACKOFF_MAX 30 /* seconds between restarts of a failing hub */
#define STABLE_SECS 60 /* a hub that ran this long restarts at once */
#define STOP_WAIT_MS 20000
#define CRON_MARK "# rig hub"
#define LOG_TAIL 12 /* lines shown when a start fails */

static char   *path_in(const struct service *, const char *);
static int     lock_open(const struct service *, int *);
static int     supervisor_running(const struct service *, int *);
static int     read_pid(const char *);
static int     is_our_hub(const struct service *, int);
static void    kill_orphan_hub(const struct service *);
static int     conf_port(const struct service *);
static int     conf_port_cb(void *, const char *, const char *, const char *,
        const char *, int);
static int     in_path(const char *);
static int     run_quiet(struct proc_result *, const char *, ...);
static int     cron_update(const struct service *, int);
static char   *unit_text(const struct service *);
static void    print_log_tail(const struct service *, size_t);
static int     spawn_supervisor(const struct service *);
static pid_t   start_hub(const struct service *, const sigset_t *);
static int64_t proc_start_ticks(int);
static int     rm_cb(const char *, const struct stat *, int, struct FTW *);
static void    rm_rf(const char *);
static void    stop_servers(const struct service *);
static int     wait_listening(const struct service *, int, int, size_t);

static char *
path_in(const struct service *s, const char *name)
{
	return xasprintf("%s/%s", s->dir, name);
}

int
service_init(struct service *s, const char *dir)
{
	const char    *home = getenv("HOME");
	struct passwd *pw;
	char           exe[PATH_MAX];
	ssize_t        n;

	memset(s, 0, sizeof(*s));
	if (home == NULL || home[0] != '/') {
		pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (dir == NULL || dir[0] != '/') {
		if (home == NULL)
			return error("cannot find the home folder");
		s->dir =
		    xasprintf("%s/%s", home, dir != NULL ? dir : SERVICE_DIR);
	} else
		s->dir = xstrdup(dir);
	s->conf = path_in(s, "hub.conf");
	s->state = path_in(s, "state");
	s->log = path_in(s, "hub.log");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return error("cannot find rig's own path: %s", strerror(errno));
	exe[n] = '\0';
	if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
		exe[n - 10] = '\0';
	s->bin = xstrdup(exe);
	s->systemd = geteuid() == 0 &&
	    access("/run/systemd/system", F_OK) == 0 && in_path("systemctl");
	return 0;
}

void
service_release(struct service *s)
{
	free(s->dir);
	free(s->conf);
	free(s->state);
	free(s->log);
	free(s->bin);
	memset(s, 0, sizeof(*s));
}

/* Whether an executable 'name' is on $PATH. */
static int
in_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *e;
	char        full[PATH_MAX];

	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p &&
		    snprintf(full, sizeof(full), "%.*s/%s", (int)(e - p), p,
		        name) < (int)sizeof(full) &&
		    access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* Runs the command of the NULL-ended words, output into *res (which
 * the caller releases). 0 if it exited 0. */
static int
run_quiet(struct proc_result *res, const char *arg0, ...)
{
	struct argv a;
	va_list     ap;
	const char *w;
	int         r;

	proc_result_init(res);
	argv_init(&a);
	va_start(ap, arg0);
	for (w = arg0; w != NULL; w = va_arg(ap, const char *))
		argv_add(&a, w);
	va_end(ap);
	r = proc_capture(a.v, NULL, -1, 60000, res);
	argv_release(&a);
	if (r == -1)
		return -1;
	return res->status == 0 ? 0 : -1;
}

/* Opens the lock file into *fd. */
static int
lock_open(const struct service *s, int *fd)
{
	char *p = path_in(s, "supervisor.lock");

	*fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(p);
	return *fd == -1 ? -1 : 0;
}

/* 1 and *pid if the supervisor runs (it holds the lock), else 0. */
static int
supervisor_running(const struct service *s, int *pid)
{
	char *p;
	int   fd, running = 0;

	*pid = 0;
	if (lock_open(s, &fd) == -1)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK) {
		running = 1;
		p = path_in(s, "supervisor.pid");
		*pid = read_pid(p);
		free(p);
	}
	close(fd);
	return running;
}

static int
read_pid(const char *path)
{
	char     *t = read_file(path, 64, NULL);
	long long n;

	if (t == NULL)
		return 0;
	t[strcspn(t, "\n")] = '\0';
	if (parse_int(t, 1, INT_MAX, &n) == -1)
		n = 0;
	free(t);
	return (int)n;
}

/* Whether 'pid' runs "rig hub --config THIS/hub.conf ...". */
static int
is_our_hub(const struct service *s, int pid)
{
	char   path[64], *cmd, *p;
	size_t len;
	int    hub = 0, conf = 0;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	cmd = read_file(path, 64 * 1024, &len);
	if (cmd == NULL)
		return 0;
	for (p = cmd; p < cmd + len; p += strlen(p) + 1) {
		if (p != cmd && strcmp(p, "hub") == 0)
			hub = 1;
		if (strcmp(p, s->conf) == 0)
			conf = 1;
	}
	free(cmd);
	return hub && conf;
}

static void
kill_orphan_hub(const struct service *s)
{
	char *p = path_in(s, "hub.pid");
	int   pid = read_pid(p);

	free(p);
	if (!is_our_hub(s, pid))
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 150 && is_our_hub(s, pid); i++)
		usleep(100 * 1000);
	if (is_our_hub(s, pid))
		kill(pid, SIGKILL);
}

static int
conf_port_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	const char *colon;
	long long   n;

	(void)path;
	(void)lineno;
	if (strcmp(section, "hub") == 0 && strcmp(key, "listen") == 0) {
		colon = strrchr(value, ':');
		if (colon != NULL && parse_int(colon + 1, 1, 65535, &n) == 0)
			*(int *)arg = (int)n;
	}
	return 0;
}

/* The port of hub.conf's listen; -1 (printed) if not set up. */
static int
conf_port(const struct service *s)
{
	int port = -1, r;

	r = ini_read(s->conf, conf_port_cb, &port);
	if (r == 1)
		return error("the hub is not set up in '%s' (run 'rig up')",
		    s->dir);
	if (r == -1 || port == -1)
		return error("'%s' has no usable listen = ADDR:PORT", s->conf);
	return port;
}

static char *
unit_text(const struct service *s)
{
	return xasprintf(
	    "# Written by rig up.\n"
	    "[Unit]\nDescription=rig hub (JupyterHub-like)\n"
	    "After=network-online.target\nWants=network-online.target\n\n"
	    "[Service]\n"
	    "ExecStart=\"%s\" hub --config \"%s\" --state-dir \"%s\"\n"
	    "Restart=always\nRestartSec=2\n"
	    "# User servers outlive a hub restart, as the hub expects.\n"
	    "KillMode=process\n"
	    "# Connections and their back ends: the hub caps them (max_conns).\n"
	    "LimitNOFILE=1048576\n"
	    "StandardOutput=append:%s\nStandardError=append:%s\n\n"
	    "[Install]\nWantedBy=multi-user.target\n",
	    s->bin, s->conf, s->state, s->log, s->log);
}

/*
 * Adds ('add') or removes the @reboot line of this service in the
 * user's crontab. 1 if the line is there afterwards, 0 if not, -1 on
 * error (no cron: 0).
 */
static int
cron_update(const struct service *s, int add)
{
	struct proc_result res;
	struct buf         out;
	char              *mark, *line, *tmp, *qb, *qd, *p, *nl;
	int                have = 0, r = -1;

	if (!in_path("crontab"))
		return 0;
	mark = xasprintf("%s %s", CRON_MARK, s->dir);
	/* No crontab yet: status 1, nothing out. */
	run_quiet(&res, "crontab", "-l", (char *)NULL);
	buf_init(&out, 1024 * 1024);
	for (p = res.out.data; p != NULL && *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		if (strstr(p, mark) != NULL) {
			have = 1;
			continue;
		}
		buf_addf(&out, "%s\n", p);
	}
	proc_result_release(&res);
	if (have == add) {
		r = add;
		goto out;
	}
	if (add) {
		qb = sh_quote(s->bin);
		qd = sh_quote(s->dir);
		line = xasprintf("@reboot %s service start --dir %s "
		                 ">/dev/null 2>&1 %s",
		    qb, qd, mark);
		buf_addf(&out, "%s\n", line);
		free(line);
		free(qb);
		free(qd);
	}
	tmp = path_in(s, "crontab.new");
	if (write_file_atomic(tmp, buf_str(&out), out.len, 0600) == 0) {
		if (run_quiet(&res, "crontab", tmp, (char *)NULL) == 0)
			r = add;
		else
			error("crontab: %s", buf_str(&res.err));
		proc_result_release(&res);
		unlink(tmp);
	}
	free(tmp);
out:
	buf_release(&out);
	free(mark);
	return r;
}

int
service_setup(struct service *s, int port, char *const *extra)
{
	struct buf         b;
	struct proc_result res;
	char              *old, *unit, *upath;
	int                changed, r;

	if (mkdir_p(s->dir, 0700) == -1 || mkdir_p(s->state, 0700) == -1)
		return error("cannot create '%s': %s", s->dir, strerror(errno));
	buf_init(&b, 1024 * 1024);
	buf_addf(&b,
	    "# Written by rig up from the project's rig.conf; the "
	    "next rig up rewrites it.\n[hub]\nlisten = 0.0.0.0:%d\n",
	    port);
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
		buf_addf(&b, "%s\n", extra[i]);
	old = read_file(s->conf, 1024 * 1024, NULL);
	changed = old == NULL || strcmp(old, buf_str(&b)) != 0;
	free(old);
	if (changed &&
	    write_file_atomic(s->conf, buf_str(&b), b.len, 0600) == -1) {
		r = error("cannot write '%s': %s", s->conf, strerror(errno));
		buf_release(&b);
		return r;
	}
	buf_release(&b);
	printf("config=%s\n", changed ? "changed" : "unchanged");
	if (s->systemd) {
		unit = unit_text(s);
		upath = xasprintf("/etc/systemd/system/%s", SERVICE_UNIT);
		old = read_file(upath, 1024 * 1024, NULL);
		r = 0;
		if (old == NULL || strcmp(old, unit) != 0) {
			if (write_file_atomic(upath, unit, strlen(unit),
			        0644) == -1)
				r = error("cannot write '%s': %s", upath,
				    strerror(errno));
			else {
				if (run_quiet(&res, "systemctl",
				        "daemon-reload", (char *)NULL) == -1)
					r = error("systemctl daemon-reload "
					          "failed");
				proc_result_release(&res);
			}
		}
		free(old);
		free(unit);
		free(upath);
		if (r == 0) {
			if (run_quiet(&res, "systemctl", "enable", "--quiet",
			        SERVICE_UNIT, (char *)NULL) == -1)
				r = error("systemctl enable failed: %s",
				    buf_str(&res.err));
			proc_result_release(&res);
		}
		printf("mode=systemd\nboot=systemd\n");
		return r;
	}
	printf("mode=supervisor\n");
	r = cron_update(s, 1);
	printf("boot=%s\n", r == 1 ? "cron" : "none");
	return 0;
}

/* Prints the log's lines written after offset 'from', at most LOG_TAIL. */
static void
print_log_tail(const struct service *s, size_t from)
{
	size_t len;
	char  *t = read_file(s->log, 64 * 1024 * 1024, &len), *p;
	int    lines = 0;

	if (t == NULL)
		return;
	if (from > len)
		from = 0;
	p = t + len;
	while (p > t + from && lines <= LOG_TAIL) {
		p--;
		if (*p == '\n' && p != t + len - 1)
			lines++;
	}
	if (*p == '\n')
		p++;
	fprintf(stderr, "--- %s:\n%s", s->log, p);
	free(t);
}

/*
 * Starts the supervisor detached: its own session, stdio on /dev/null
 * and the log, so the SSH session that asked can end.
 */
static int
spawn_supervisor(const struct service *s)
{
	pid_t pid;
	int   st;

	pid = fork();
	if (pid == -1)
		return error("fork: %s", strerror(errno));
	if (pid == 0) {
		int in, out;

		setsid();
		if (fork() != 0)
			_exit(0);
		in = open("/dev/null", O_RDONLY);
		out = open(s->log, O_WRONLY | O_APPEND | O_CREAT, 0600);
		if (in == -1 || out == -1)
			_exit(1);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		if (chdir(s->dir) == -1)
			_exit(1);
		execl(s->bin, "rig", "service", "supervise", "--dir", s->dir,
		    (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	return 0;
}

/* Whether something accepts connections on 127.0.0.1:port, with our
 * hub's pid alive twice in a row 300 ms apart (so a hub that binds and
 * dies, or another program on the port, does not count). */
static int
wait_listening(const struct service *s, int port, int wait_ms, size_t off)
{
	uint64_t end = now_ms() + (uint64_t)wait_ms;
	char    *hp = path_in(s, "hub.pid"), *logt;
	int      pid, spid;

	uint64_t t0 = now_ms();

	while (now_ms() < end) {
		/* The supervisor just spawned may not hold its lock yet. */
		if (!s->systemd && !supervisor_running(s, &spid) &&
		    now_ms() - t0 > 3000) {
			free(hp);
			print_log_tail(s, off);
			return error("the hub's supervisor stopped");
		}
		logt = read_file(s->log, 64 * 1024 * 1024, NULL);
		if (logt != NULL && strlen(logt) > off &&
		    strstr(logt + off, "cannot listen on") != NULL) {
			free(logt);
			free(hp);
			print_log_tail(s, off);
			return error("the hub cannot listen on port %d", port);
		}
		free(logt);
		if (tcp_answers("127.0.0.1", port, 1000)) {
			pid = s->systemd ? 0 : read_pid(hp);
			usleep(300 * 1000);
			if (s->systemd ||
			    (is_our_hub(s, pid) && read_pid(hp) == pid)) {
				free(hp);
				return 0;
			}
		}
		usleep(100 * 1000);
	}
	free(hp);
	print_log_tail(s, off);
	return error("the hub did not listen on port %d within %d s", port,
	    wait_ms / 1000);
}

int
service_start(struct service *s, int wait_ms)
{
	struct proc_result res;
	struct stat        sb;
	size_t             off;
	int                port, pid, r;

	port = conf_port(s);
	if (port == -1)
		return -1;
	off = stat(s->log, &sb) == 0 ? (size_t)sb.st_size : 0;
	if (s->systemd) {
		r = run_quiet(&res, "systemctl", "start", SERVICE_UNIT,
		    (char *)NULL);
		if (r == -1)
			error("systemctl start %s: %s", SERVICE_UNIT,
			    buf_str(&res.err));
		proc_result_release(&res);
		if (r == -1)
			return -1;
	} else if (supervisor_running(s, &pid)) {
		printf("hub=running\n");
	} else {
		kill_orphan_hub(s);
		if (spawn_supervisor(s) == -1)
			return -1;
		printf("hub=started\n");
	}
	if (wait_listening(s, port, wait_ms, off) == -1)
		return -1;
	printf("port=%d\n", port);
	return 0;
}

int
service_stop(struct service *s)
{
	struct proc_result res;
	uint64_t           end;
	char              *hp;
	int                pid, hpid, r;

	if (s->systemd) {
		r = run_quiet(&res, "systemctl", "stop", SERVICE_UNIT,
		    (char *)NULL);
		if (r == -1)
			error("systemctl stop %s: %s", SERVICE_UNIT,
			    buf_str(&res.err));
		proc_result_release(&res);
		printf("hub=stopped\n");
		return r;
	}
	if (!supervisor_running(s, &pid)) {
		kill_orphan_hub(s);
		printf("hub=not-running\n");
		return 0;
	}
	hp = path_in(s, "hub.pid");
	hpid = read_pid(hp);
	free(hp);
	if (pid > 0)
		kill(pid, SIGTERM);
	end = now_ms() + STOP_WAIT_MS;
	while (supervisor_running(s, &pid) && now_ms() < end)
		usleep(100 * 1000);
	if (supervisor_running(s, &pid)) {
		if (pid > 0)
			kill(pid, SIGKILL);
		if (is_our_hub(s, hpid))
			kill(hpid, SIGKILL);
	}
	printf("hub=stopped\n");
	return 0;
}

/* /proc/PID/stat's start time in clock ticks since boot; -1 if gone. */
static int64_t
proc_start_ticks(int pid)
{
	char      path[64], *t, *p;
	int       field = 2;
	long long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	t = read_file(path, 4096, NULL);
	if (t == NULL)
		return -1;
	p = strrchr(t, ')');
	for (p = p != NULL ? p + 1 : t + strlen(t); *p != '\0';) {
		while (*p == ' ')
			p++;
		if (++field == 22) {
			v = strtoll(p, NULL, 10);
			break;
		}
		p += strcspn(p, " ");
	}
	free(t);
	return v;
}

json_t *
service_status(struct service *s)
{
	json_t *o = json_object(), *hub = json_object(), *mach = json_object(),
	       *users = json_array();
	struct sysinfo si;
	struct statvfs vfs;
	double         load[3];
	char           fp[128], *cert, *hp, *osr, *p, *dbp, host[256];
	int            pid = 0, spid, running = 0, port;
	int64_t        ticks;
	struct stat    sb;
	long long      memtotal = 0, memavail = 0;

	json_object_set_new(o, "version", json_string(RIG_VERSION));
	json_object_set_new(o, "dir", json_string(s->dir));
	json_object_set_new(o, "installed",
	    json_boolean(stat(s->conf, &sb) == 0));
	json_object_set_new(o, "mode",
	    json_string(s->systemd ? "systemd" : "supervisor"));

	/* The hub. */
	hp = path_in(s, "hub.pid");
	if (s->systemd) {
		struct proc_result res;

		if (run_quiet(&res, "systemctl", "show", "-p", "MainPID",
		        "--value", SERVICE_UNIT, (char *)NULL) == 0) {
			long long n;

			p = res.out.data;
			if (p != NULL) {
				p[strcspn(p, "\n")] = '\0';
				if (parse_int(p, 1, INT_MAX, &n) == 0)
					pid = (int)n;
			}
		}
		proc_result_release(&res);
		running = pid > 0;
	} else if (supervisor_running(s, &spid)) {
		pid = read_pid(hp);
		running = is_our_hub(s, pid);
	}
	free(hp);
	json_object_set_new(hub, "running", json_boolean(running));
	if (running) {
		json_object_set_new(hub, "pid", json_integer(pid));
		ticks = proc_start_ticks(pid);
		if (ticks >= 0 && sysinfo(&si) == 0)
			json_object_set_new(hub, "uptime",
			    json_integer((json_int_t)si.uptime -
			        ticks / sysconf(_SC_CLK_TCK)));
	}
	port = stat(s->conf, &sb) == 0 ? conf_port(s) : -1;
	if (port > 0)
		json_object_set_new(hub, "port", json_integer(port));
	cert = xasprintf("%s/cert.pem", s->state);
	if (tls_fingerprint(cert, fp, sizeof(fp)) == 0)
		json_object_set_new(hub, "fingerprint", json_string(fp));
	free(cert);
	dbp = xasprintf("%s/rig.db", s->state);
	if (stat(dbp, &sb) == 0) {
		struct db        *db = state_open_db(s->state);
		struct db_server *sv;
		size_t            n;
		int64_t           nusers;

		if (db != NULL && db_server_list_active(db, &sv, &n) == 0) {
			for (size_t i = 0; i < n; i++) {
				struct db_user u;

				if (db_user_get_id(db, sv[i].user_id, &u) != 0)
					continue;
				json_array_append_new(users,
				    json_string(u.name));
				db_user_release(&u);
			}
			db_servers_free(sv, n);
		}
		if (db != NULL && db_user_count(db, &nusers) == 0)
			json_object_set_new(hub, "users", json_integer(nusers));
		db_close(db);
	}
	free(dbp);
	json_object_set_new(hub, "servers", users);
	/* The idle stop's timer, as the running hub last wrote it. */
	{
		char   *ap = xasprintf("%s/%s", s->state, AUTOSTOP_FILE);
		json_t *a = running ? json_load_file(ap, 0, NULL) : NULL;

		if (json_is_object(a))
			json_object_set_new(hub, "autostop", a);
		else
			json_decref(a);
		free(ap);
	}
	json_object_set_new(o, "hub", hub);

	/* The machine. */
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		json_object_set_new(mach, "hostname", json_string(host));
	}
	osr = read_file("/etc/os-release", 64 * 1024, NULL);
	if (osr != NULL && (p = strstr(osr, "PRETTY_NAME=")) != NULL) {
		p += 12;
		if (*p == '"')
			p++;
		p[strcspn(p, "\"\n")] = '\0';
		json_object_set_new(mach, "os", json_string(p));
	}
	free(osr);
	json_object_set_new(mach, "cores",
	    json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	osr = read_file("/proc/meminfo", 64 * 1024, NULL);
	if (osr != NULL) {
		if ((p = strstr(osr, "MemTotal:")) != NULL)
			memtotal = strtoll(p + 9, NULL, 10) * 1024;
		if ((p = strstr(osr, "MemAvailable:")) != NULL)
			memavail = strtoll(p + 13, NULL, 10) * 1024;
		json_object_set_new(mach, "memory_total",
		    json_integer(memtotal));
		json_object_set_new(mach, "memory_available",
		    json_integer(memavail));
	}
	free(osr);
	if (statvfs(stat(s->dir, &sb) == 0 ? s->dir : "/", &vfs) == 0) {
		json_object_set_new(mach, "disk_total",
		    json_integer(
		        (json_int_t)vfs.f_blocks * (json_int_t)vfs.f_frsize));
		json_object_set_new(mach, "disk_free",
		    json_integer(
		        (json_int_t)vfs.f_bavail * (json_int_t)vfs.f_frsize));
	}
	if (getloadavg(load, 3) == 3)
		json_object_set_new(mach, "load",
		    json_pack("[fff]", load[0], load[1], load[2]));
	if (sysinfo(&si) == 0)
		json_object_set_new(mach, "uptime", json_integer(si.uptime));
	json_object_set_new(o, "machine", mach);
	return o;
}

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void
rm_rf(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Ends the users' servers the database knows as running: each runs in
 * its own session, so the whole group goes. */
static void
stop_servers(const struct service *s)
{
	struct db        *db;
	struct db_server *sv;
	size_t            n;
	char             *dbp = xasprintf("%s/rig.db", s->state);
	struct stat       sb;

	if (stat(dbp, &sb) == -1) {
		free(dbp);
		return;
	}
	free(dbp);
	db = state_open_db(s->state);
	if (db == NULL || db_server_list_active(db, &sv, &n) == -1) {
		db_close(db);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (sv[i].pid > 0 && proc_start_ticks(sv[i].pid) >= 0) {
			kill(-sv[i].pid, SIGTERM);
			kill(sv[i].pid, SIGTERM);
		}
	for (int t = 0; t < 50; t++) {
		int left = 0;

		for (size_t i = 0; i < n; i++)
			if (sv[i].pid > 0 && kill(sv[i].pid, 0) == 0)
				left = 1;
		if (!left)
			break;
		usleep(100 * 1000);
	}
	for (size_t i = 0; i < n; i++)
		if (sv[i].pid > 0 && kill(sv[i].pid, 0) == 0) {
			kill(-sv[i].pid, SIGKILL);
			kill(sv[i].pid, SIGKILL);
		}
	db_servers_free(sv, n);
	db_close(db);
}

int
service_remove(struct service *s, int purge)
{
	struct proc_result res;
	DIR               *d;
	struct dirent     *e;
	char              *p;

	if (service_stop(s) == -1)
		return -1;
	if (s->systemd) {
		run_quiet(&res, "systemctl", "disable", "--quiet", SERVICE_UNIT,
		    (char *)NULL);
		proc_result_release(&res);
		p = xasprintf("/etc/systemd/system/%s", SERVICE_UNIT);
		unlink(p);
		free(p);
		run_quiet(&res, "systemctl", "daemon-reload", (char *)NULL);
		proc_result_release(&res);
	} else
		cron_update(s, 0);
	stop_servers(s);
	if (purge) {
		rm_rf(s->dir);
		printf("removed=%s\n", s->dir);
		return 0;
	}
	/* Everything but the users' files (state/workspaces). */
	d = opendir(s->state);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "workspaces") == 0)
			continue;
		p = xasprintf("%s/%s", s->state, e->d_name);
		rm_rf(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(s->state); /* only if empty */
	d = opendir(s->dir);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "state") == 0)
			continue;
		p = xasprintf("%s/%s", s->dir, e->d_name);
		rm_rf(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(s->dir);
	printf("removed=%s\n", s->dir);
	return 0;
}

/* Forks the hub with the signal mask the supervisor had before. */
static pid_t
start_hub(const struct service *s, const sigset_t *old)
{
	pid_t pid = fork();
	char *hp, *txt;

	if (pid == -1) {
		log_warn("fork");
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		execl(s->bin, "rig", "hub", "--config", s->conf, "--state-dir",
		    s->state, (char *)NULL);
		_exit(127);
	}
	hp = path_in(s, "hub.pid");
	txt = xasprintf("%ld\n", (long)pid);
	write_file_atomic(hp, txt, strlen(txt), 0600);
	free(txt);
	free(hp);
	return pid;
}

int
service_supervise(struct service *s)
{
	sigset_t        set, old;
	siginfo_t       si;
	struct timespec ts;
	char           *pp, *txt;
	pid_t           hub = -1;
	int             fd, st, stopping = 0, backoff = 1, delay = 1, sig;
	int64_t         started = 0, stop_by = 0;

	if (lock_open(s, &fd) == -1)
		return error("cannot open the lock in '%s': %s", s->dir,
		           strerror(errno)),
		       1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1)
		return 0; /* another supervisor runs: it is its job */
	pp = path_in(s, "supervisor.pid");
	txt = xasprintf("%ld\n", (long)getpid());
	write_file_atomic(pp, txt, strlen(txt), 0600);
	free(txt);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	log_info("rig service: supervisor %ld starts the hub", (long)getpid());
	hub = start_hub(s, &old);
	started = now_sec();
	while (hub > 0 || !stopping) {
		if (hub <= 0) {
			/* Waiting out the backoff; a stop ends it. */
			ts.tv_sec = delay;
			ts.tv_nsec = 0;
			sig = sigtimedwait(&set, &si, &ts);
			if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
				break;
			if (sig == -1 && errno == EAGAIN) {
				hub = start_hub(s, &old);
				started = now_sec();
			}
			continue;
		}
		ts.tv_sec = stopping ? 1 : 3600;
		ts.tv_nsec = 0;
		sig = sigtimedwait(&set, &si, &ts);
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
			if (!stopping) {
				log_info("rig service: stopping the hub");
				kill(hub, SIGTERM);
				stopping = 1;
				stop_by = now_sec() + STOP_WAIT_MS / 1000 - 5;
			}
			continue;
		}
		if (stopping && now_sec() >= stop_by)
			kill(hub, SIGKILL);
		if (waitpid(hub, &st, WNOHANG) != hub)
			continue;
		if (stopping)
			break;
		if (now_sec() - started >= STABLE_SECS)
			backoff = 1;
		delay = backoff;
		backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
		log_warnx("rig service: the hub exited (%s %d); again in %d s",
		    WIFSIGNALED(st) ? "signal" : "status",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), delay);
		hub = -1;
	}
	unlink(pp);
	free(pp);
	pp = path_in(s, "hub.pid");
	unlink(pp);
	free(pp);
	log_info("rig service: supervisor stopped");
	close(fd);
	return 0;
}
