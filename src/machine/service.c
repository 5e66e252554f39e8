/* SPDX-License-Identifier: MIT */
/*
 * The hub as a service on its machine (service.h): where its files are,
 * hub.conf, and the orchestration of setup, start, stop and removal,
 * which hand the mode's own work to service-systemd.c (a systemd unit)
 * or service-supervisor.c (rig's own supervisor, started at boot by
 * cron). A start counts as done when the hub's port accepts connections
 * and the hub's pid survives 300 ms, and fails fast on "cannot listen"
 * in its log; service-status.c answers 'rig service status'.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "hub/db.h"
#include "hub/state.h"
#include "lib/ini.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "service-internal.h"
#include "service.h"
#include "lib/util.h"

#define LOG_TAIL 12 /* lines shown when a start fails */

static void print_log_tail(const struct service *, size_t);
static int  wait_listening(const struct service *, int, int, size_t);
static void stop_servers(const struct service *);
static void remove_all_but(const char *, const char *);

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
	s->conf = service_path(s, "hub.conf");
	s->state = service_path(s, "state");
	s->log = service_path(s, "hub.log");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return error("cannot find rig's own path: %s", strerror(errno));
	exe[n] = '\0';
	if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
		exe[n - 10] = '\0';
	s->bin = xstrdup(exe);
	s->systemd = geteuid() == 0 &&
	    access("/run/systemd/system", F_OK) == 0 &&
	    service_in_path("systemctl");
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

int
service_setup(struct service *s, int loopback, int port, char *const *extra)
{
	struct buf b;
	char      *old;
	int        changed, r;

	if (mkdir_p(s->dir, 0700) == -1 || mkdir_p(s->state, 0700) == -1)
		return error("cannot create '%s': %s", s->dir, strerror(errno));
	buf_init(&b, 1024 * 1024);
	buf_addf(&b,
	    "# Written by rig up from the project's rig.conf; the "
	    "next rig up rewrites it.\n[hub]\nlisten = %s:%d\n",
	    loopback ? "127.0.0.1" : "0.0.0.0", port);
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
		r = systemd_install(s);
		printf("mode=systemd\nboot=systemd\n");
		return r;
	}
	printf("mode=supervisor\n");
	r = supervisor_cron(s, 1);
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

/* Whether something accepts connections on 127.0.0.1:port, with our
 * hub's pid alive twice in a row 300 ms apart (so a hub that binds and
 * dies, or another program on the port, does not count). */
static int
wait_listening(const struct service *s, int port, int wait_ms, size_t off)
{
	uint64_t end = now_ms() + (uint64_t)wait_ms;
	char    *logt;
	uint64_t t0 = now_ms();
	int      pid, spid;

	while (now_ms() < end) {
		/* The supervisor just spawned may not hold its lock yet. */
		if (!s->systemd && !supervisor_running(s, &spid) &&
		    now_ms() - t0 > 3000) {
			print_log_tail(s, off);
			return error("the hub's supervisor stopped");
		}
		logt = read_file(s->log, 64 * 1024 * 1024, NULL);
		if (logt != NULL && strlen(logt) > off &&
		    strstr(logt + off, "cannot listen on") != NULL) {
			free(logt);
			print_log_tail(s, off);
			return error("the hub cannot listen on port %d", port);
		}
		free(logt);
		if (tcp_answers("127.0.0.1", port, 1000)) {
			pid = s->systemd ? 0 : service_read_pid(s, "hub.pid");
			usleep(300 * 1000);
			if (s->systemd ||
			    (hub_is_ours(s, pid) &&
			        service_read_pid(s, "hub.pid") == pid))
				return 0;
		}
		usleep(100 * 1000);
	}
	print_log_tail(s, off);
	return error("the hub did not listen on port %d within %d s", port,
	    wait_ms / 1000);
}

int
service_start(struct service *s, int wait_ms)
{
	struct stat sb;
	size_t      off;
	int         port, pid;

	port = service_conf_port(s);
	if (port == -1)
		return -1;
	off = stat(s->log, &sb) == 0 ? (size_t)sb.st_size : 0;
	if (s->systemd) {
		if (systemd_run("start") == -1)
			return -1;
	} else if (supervisor_running(s, &pid)) {
		printf("hub=running\n");
	} else {
		hub_kill_orphan(s);
		if (supervisor_spawn(s) == -1)
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
	int r;

	if (s->systemd) {
		r = systemd_run("stop");
		printf("hub=stopped\n");
		return r;
	}
	if (supervisor_stop(s) == 0)
		printf("hub=not-running\n");
	else
		printf("hub=stopped\n");
	return 0;
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
		if (sv[i].pid > 0 && pid_start_ticks(sv[i].pid) >= 0) {
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

/* Removes what is in 'dir' but its entry 'keep', then 'dir' itself if
 * that left it empty. */
static void
remove_all_but(const char *dir, const char *keep)
{
	DIR           *d = opendir(dir);
	struct dirent *e;
	char          *p;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, keep) == 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		remove_tree(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir); /* only if empty */
}

int
service_remove(struct service *s, int purge)
{
	if (service_stop(s) == -1)
		return -1;
	if (s->systemd)
		systemd_remove();
	else
		supervisor_cron(s, 0);
	stop_servers(s);
	if (purge) {
		remove_tree(s->dir);
		printf("removed=%s\n", s->dir);
		return 0;
	}
	/* Everything but the users' files (state/workspaces). */
	remove_all_but(s->state, "workspaces");
	remove_all_but(s->dir, "state");
	printf("removed=%s\n", s->dir);
	return 0;
}
