/* SPDX-License-Identifier: MIT */
/*
 * The hub under rig's own supervisor, where there is no systemd (or rig
 * is not root): 'rig service supervise', started detached (double fork,
 * its own session, output to hub.log), runs 'rig hub' and restarts it
 * when it dies; a crontab @reboot line starts it at boot where cron
 * exists.
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
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "remote.h"
#include "service-internal.h"
#include "service.h"
#include "lib/util.h"

#define BACKOFF_MAX 30 /* seconds between restarts of a failing hub */
#define STABLE_SECS 60 /* a hub that ran this long restarts at once */
#define CRON_MARK "# rig hub"
#define STOP_WAIT_MS 20000 /* for a stop, before SIGKILL */

static int   lock_open(const struct service *, int *);
static pid_t start_hub(const struct service *, const sigset_t *);

/* Opens the lock file into *fd. */
static int
lock_open(const struct service *s, int *fd)
{
	char *p = service_path(s, "supervisor.lock");

	*fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(p);
	return *fd == -1 ? -1 : 0;
}

int
supervisor_running(const struct service *s, int *pid)
{
	int fd, running = 0;

	*pid = 0;
	if (lock_open(s, &fd) == -1)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK) {
		running = 1;
		*pid = service_read_pid(s, "supervisor.pid");
	}
	close(fd);
	return running;
}

int
hub_is_ours(const struct service *s, int pid)
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

void
hub_kill_orphan(const struct service *s)
{
	int pid = service_read_pid(s, "hub.pid");

	if (!hub_is_ours(s, pid))
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 150 && hub_is_ours(s, pid); i++)
		usleep(100 * 1000);
	if (hub_is_ours(s, pid))
		kill(pid, SIGKILL);
}

int
supervisor_cron(const struct service *s, int add)
{
	struct proc_result res;
	struct buf         out;
	char              *mark, *line, *tmp, *qb, *qd, *p, *nl;
	int                have = 0, r = -1;

	if (!service_in_path("crontab"))
		return 0;
	mark = xasprintf("%s %s", CRON_MARK, s->dir);
	/* No crontab yet: status 1, nothing out. */
	service_run(&res, "crontab", "-l", (char *)NULL);
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
	tmp = service_path(s, "crontab.new");
	if (write_file_atomic(tmp, buf_str(&out), out.len, 0600) == 0) {
		if (service_run(&res, "crontab", tmp, (char *)NULL) == 0)
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
supervisor_spawn(const struct service *s)
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

int
supervisor_stop(const struct service *s)
{
	uint64_t end;
	int      pid, hpid;

	if (!supervisor_running(s, &pid)) {
		hub_kill_orphan(s);
		return 0;
	}
	hpid = service_read_pid(s, "hub.pid");
	if (pid > 0)
		kill(pid, SIGTERM);
	end = now_ms() + STOP_WAIT_MS;
	while (supervisor_running(s, &pid) && now_ms() < end)
		usleep(100 * 1000);
	if (supervisor_running(s, &pid)) {
		if (pid > 0)
			kill(pid, SIGKILL);
		if (hub_is_ours(s, hpid))
			kill(hpid, SIGKILL);
	}
	return 1;
}

int
supervisor_hub_pid(const struct service *s)
{
	int spid, pid;

	if (!supervisor_running(s, &spid))
		return 0;
	pid = service_read_pid(s, "hub.pid");
	return hub_is_ours(s, pid) ? pid : 0;
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
	hp = service_path(s, "hub.pid");
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
	pp = service_path(s, "supervisor.pid");
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
	pp = service_path(s, "hub.pid");
	unlink(pp);
	free(pp);
	log_info("rig service: supervisor stopped");
	close(fd);
	return 0;
}
