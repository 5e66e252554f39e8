/* SPDX-License-Identifier: MIT */
/*
 * The machine's idle stop (autostop.h). Sampling /proc (and nvidia-smi)
 * blocks, so it runs on libuv's thread pool; the judgement and the stop
 * run on the loop. One hub per process: the state is this file's.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "autostop-pool.h"
#include "autostop.h"
#include "config.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "server.h"
#include "lib/util.h"
#include "lib/banned.h"

#define PROC_MAX 65536 /* processes looked at per sample */
#define NVIDIA_SMI "/usr/bin/nvidia-smi"

struct sample {
	int      ssh_sessions; /* processes run by an SSH session */
	uint64_t ticks; /* CPU ticks of the machine's processes */
	uint64_t at_ms;
	int      gpu; /* max utilisation %, -1 if no GPU */
	/* A pool's head: Slurm's jobs running and nodes powered up (-1:
	 * Slurm did not answer); pool 0 when the hub has no pool. */
	int pool, pool_jobs, pool_nodes;
};

static struct {
	struct hub   *hub;
	uv_timer_t    timer;
	uv_work_t     work;
	int           running; /* timer started */
	int           sampling; /* work in flight */
	struct sample cur, prev;
	int64_t       last_busy; /* last sample that was busy */
	int64_t       last; /* the machine's last use, as of the last sample */
	int64_t       last_use; /* autostop_touch() */
	int           busy;
	char          why[256];
	char          banner[512];
	int64_t       stop_at; /* 0: not warning */
	int           stopping; /* rig self-stop runs */
	int           stopped; /* it succeeded: not again until used */
	int64_t       retry_at; /* after a failed self-stop */
	char          month[32]; /* "YYYY-MM" of run_seconds */
	int64_t       run_seconds; /* this month, as far as the hub saw */
	int64_t       last_sample; /* for run_seconds */
	uv_process_t  proc;
} A;

static int  check_cpu_busy(void *, const char *, char *, size_t);
static void show_cpu_busy(const void *, char *, size_t);
static int  check_provider(void *, const char *, char *, size_t);
static int  check_currency(void *, const char *, char *, size_t);

#define S(field) offsetof(struct autostop_conf, field)
#define DAYS366 (366LL * 86400)

/*
 * The autostop_* keys of [hub]. rig up writes them into the machine's
 * hub.conf; the provider's and its endpoints are only passed on to
 * 'rig self-stop', which knows and checks them before any use.
 */
/* clang-format off */
const struct setting autostop_settings[] = {
	{ .section = "hub", .key = "autostop_after", .type = SETTING_SECONDS,
	    .off = S(after), .def = "0", .min = 0, .max = DAYS366,
	    .what = "a number of seconds",
	    .help = "seconds idle before the machine stops itself; 0 off" },
	{ .section = "hub", .key = "autostop_warn", .type = SETTING_SECONDS,
	    .off = S(warn), .def = "300", .min = 0, .max = DAYS366,
	    .what = "a number of seconds",
	    .help = "seconds of warning on the hub's pages first" },
	{ .section = "hub", .key = "autostop_cpu_busy",
	    .type = SETTING_CUSTOM, .off = S(cpu_busy), .def = "0.10",
	    .check = check_cpu_busy, .show = show_cpu_busy,
	    .help = "share of all cores from which the machine is busy" },
	{ .section = "hub", .key = "autostop_provider",
	    .type = SETTING_STRING, .off = S(provider),
	    .check = check_provider, .what = "a provider's name",
	    .help = "the provider whose 'rig self-stop' stops the machine" },
	{ .section = "hub", .key = "autostop_arm_endpoint",
	    .type = SETTING_URL, .off = S(arm_endpoint),
	    .help = "passed on to rig self-stop" },
	{ .section = "hub", .key = "autostop_imds_endpoint",
	    .type = SETTING_URL, .off = S(imds_endpoint),
	    .help = "passed on to rig self-stop" },
	{ .section = "hub", .key = "autostop_budget_month",
	    .type = SETTING_AMOUNT, .off = S(budget_month),
	    .help = "the month's budget; 0 none" },
	{ .section = "hub", .key = "autostop_cost_hour",
	    .type = SETTING_AMOUNT, .off = S(cost_hour),
	    .help = "the machine's price an hour" },
	{ .section = "hub", .key = "autostop_cost_month_fixed",
	    .type = SETTING_AMOUNT, .off = S(cost_month_fixed),
	    .help = "its disk's price a month" },
	{ .section = "hub", .key = "autostop_currency",
	    .type = SETTING_STRING, .off = S(currency),
	    .check = check_currency, .what = "a currency code",
	    .help = "the prices' currency" },
	{ .type = SETTING_END },
};
/* clang-format on */

/* More than 0 (0 would make every sample busy: the machine never
 * stops), at most 1: a share of all cores, not a percentage. */
static int
check_cpu_busy(void *obj, const char *v, char *why, size_t len)
{
	struct autostop_conf *c = obj;
	char                 *end;
	double                b = strtod(v, &end);

	if (*v == '\0' || *end != '\0' || !(b > 0 && b <= 1)) {
		snprintf(why, len, "'%s' is not more than 0 and at most 1", v);
		return -1;
	}
	c->cpu_busy = b;
	return 0;
}

static void
show_cpu_busy(const void *obj, char *out, size_t len)
{
	const struct autostop_conf *c = obj;

	snprintf(out, len, "%g", c->cpu_busy);
}

/* A provider's name as rig.conf's [machine] provider has it. */
static int
check_provider(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	if (*v == '\0' || strlen(v) > 32 ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v))
		return -1;
	return 0;
}

static int
check_currency(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	if (strlen(v) < 1 || strlen(v) > 8 ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(v))
		return -1;
	return 0;
}

void
autostop_conf_init(struct autostop_conf *c)
{
	memset(c, 0, sizeof(*c));
	settings_init(autostop_settings, c);
}

void
autostop_conf_release(struct autostop_conf *c)
{
	settings_release(autostop_settings, c);
	memset(c, 0, sizeof(*c));
}

int
autostop_judge(int ssh_sessions, double cpu, int gpu, double cpu_busy,
    char *why, size_t whylen)
{
	if (ssh_sessions > 0) {
		snprintf(why, whylen,
		    "busy: %d process%s run over SSH (a "
		    "shell, rig exec or rig sync)",
		    ssh_sessions, ssh_sessions == 1 ? "" : "es");
		return 1;
	}
	if (cpu >= cpu_busy) {
		snprintf(why, whylen,
		    "busy: CPU at %.0f %% (busy from %.0f %%)", cpu * 100,
		    cpu_busy * 100);
		return 1;
	}
	if (gpu >= AUTOSTOP_GPU_BUSY) {
		snprintf(why, whylen, "busy: GPU at %d %%", gpu);
		return 1;
	}
	snprintf(why, whylen, "no SSH sessions, CPU at %.0f %%%s", cpu * 100,
	    gpu >= 0 ? ", GPU idle" : "");
	return 0;
}

/* ---- the sample, on the thread pool ---- */

struct proc_info {
	int      pid, ppid;
	int      sshd; /* its command is sshd */
	int      here; /* in the hub's network namespace */
	uint64_t ticks;
};

/* /proc/PID/stat: "pid (comm) state ppid ... utime stime ...". */
static int
read_stat(int pid, struct proc_info *p)
{
	char               path[64], buf[1024], comm[64];
	FILE              *f;
	char              *close_paren;
	unsigned long long ut, st;
	int                ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	close_paren = strrchr(buf, ')');
	if (close_paren == NULL || strchr(buf, '(') == NULL)
		return -1;
	snprintf(comm, sizeof(comm), "%.*s",
	    (int)(close_paren - strchr(buf, '(') - 1), strchr(buf, '(') + 1);
	/* After ") ": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime. */
	if (sscanf(close_paren + 2,
	        "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ppid,
	        &ut, &st) != 3)
		return -1;
	p->pid = pid;
	p->ppid = ppid;
	p->sshd = strcmp(comm, "sshd") == 0;
	p->ticks = ut + st;
	return 0;
}

/* Whether 'pid' is in the same network namespace as the hub: the
 * machine, when machines share a kernel (containers, tests). */
static int
same_netns(int pid, const char *own)
{
	char    path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return strcmp(link, own) == 0;
}

static int
gpu_use(void)
{
	FILE *f;
	char  line[64];
	int   max = -1, v;

	if (access(NVIDIA_SMI, X_OK) != 0)
		return -1;
	f = popen(NVIDIA_SMI " --query-gpu=utilization.gpu "
	                     "--format=csv,noheader,nounits 2>/dev/null",
	    "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%d", &v) == 1 && v > max)
			max = v;
	pclose(f);
	return max;
}

static void
sample_work(uv_work_t *w)
{
	struct sample    *s = w->data;
	struct proc_info *ps;
	DIR              *d;
	struct dirent    *e;
	char              own[128];
	ssize_t           n;
	size_t            np = 0;
	int               self = getpid();

	memset(s, 0, sizeof(*s));
	s->at_ms = now_ms();
	s->gpu = gpu_use();
	/* The configuration does not change while the hub runs. */
	s->pool = A.hub->cfg->spawner == CONFIG_SPAWNER_SLURM;
	if (s->pool &&
	    autostop_pool_sample(&s->pool_jobs, &s->pool_nodes) == -1)
		s->pool_jobs = s->pool_nodes = -1;
	n = readlink("/proc/self/ns/net", own, sizeof(own) - 1);
	own[n > 0 ? n : 0] = '\0';
	d = opendir("/proc");
	if (d == NULL)
		return;
	ps = xcalloc(PROC_MAX, sizeof(*ps));
	while ((e = readdir(d)) != NULL && np < PROC_MAX) {
		int pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (int)strtol(e->d_name, NULL, 10);
		if (pid == self || read_stat(pid, &ps[np]) == -1)
			continue;
		/* sshd makes itself unreadable there: only the processes
		 * it runs are judged by their namespace. */
		ps[np].here = same_netns(pid, own);
		if (ps[np].here)
			s->ticks += ps[np].ticks;
		np++;
	}
	closedir(d);
	/* A process (not sshd) whose parent is an sshd: something an SSH
	 * session runs. A connection kept open with nothing running (ssh's
	 * ControlMaster) is not use. */
	for (size_t i = 0; i < np; i++) {
		if (ps[i].sshd || !ps[i].here)
			continue;
		for (size_t j = 0; j < np; j++)
			if (ps[j].pid == ps[i].ppid) {
				s->ssh_sessions += ps[j].sshd;
				break;
			}
	}
	free(ps);
}

double
autostop_spend(const struct autostop_conf *c, int64_t seconds)
{
	return c->cost_hour * (double)seconds / 3600.0 + c->cost_month_fixed;
}

/* ---- on the loop ---- */

/* Run time this month, kept in the state dir across restarts (a stopped
 * VM's hub is not running: that time is not counted, nor billed). */
static void
count_runtime(struct hub *hub, int64_t now)
{
	char      month[32], *path, *text;
	time_t    t = (time_t)now;
	struct tm tm;
	json_t   *j;
	int64_t   add;

	gmtime_r(&t, &tm);
	snprintf(month, sizeof(month), "%04d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1);
	path = xasprintf("%s/%s", hub->cfg->state_dir, AUTOSTOP_RUNTIME);
	if (A.month[0] == '\0') {
		j = json_load_file(path, 0, NULL);
		if (json_is_string(json_object_get(j, "month"))) {
			snprintf(A.month, sizeof(A.month), "%s",
			    json_string_value(json_object_get(j, "month")));
			A.run_seconds =
			    json_integer_value(json_object_get(j, "seconds"));
		}
		json_decref(j);
	}
	if (strcmp(month, A.month) != 0) {
		snprintf(A.month, sizeof(A.month), "%s", month);
		A.run_seconds = 0;
	}
	/* A gap (the hub was down, the loop stalled) is not counted. */
	add = A.last_sample != 0 ? now - A.last_sample : 0;
	if (add > 0 && add <= 3 * AUTOSTOP_CHECK_EVERY)
		A.run_seconds += add;
	A.last_sample = now;
	j = json_pack("{s:s, s:I}", "month", A.month, "seconds",
	    (json_int_t)A.run_seconds);
	text = json_dumps(j, JSON_COMPACT);
	if (text != NULL)
		write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	json_decref(j);
	free(path);
}

static int64_t
servers_last_activity(struct hub *hub)
{
	int64_t last = 0;

	for (size_t b = 0; b < SERVER_BUCKETS; b++)
		for (struct server *s = hub->servers[b]; s != NULL;
		     s = s->hnext)
			if (s->last_activity > last)
				last = s->last_activity;
	return last;
}

static void    write_status(void);
static json_t *status_json(void);

static void
self_stop_exit(uv_process_t *p, int64_t status, int sig)
{
	const struct autostop_conf *c = &A.hub->cfg->autostop;

	if (status == 0 && sig == 0) {
		log_info("autostop: the machine is deallocated");
		A.stopped = 1;
	} else {
		log_warnx("autostop: rig self-stop failed (status %lld, "
		          "signal %d); trying again in %lld s",
		    (long long)status, sig, (long long)c->warn);
		A.retry_at = now_sec() + (c->warn > 60 ? c->warn : 60);
	}
	A.stopping = 0;
	uv_close((uv_handle_t *)p, NULL);
}

/* Runs this binary's self-stop with the hub's endpoints; 'idle' is
 * -1 when the budget, not idleness, stops the machine. */
static void
self_stop(struct hub *hub, int64_t idle)
{
	const struct autostop_conf *c = &hub->cfg->autostop;
	uv_process_options_t        o;
	uv_stdio_container_t        io[3];
	char                        exe[4096];
	char                       *args[10];
	size_t                      n = 0, len = sizeof(exe);
	int                         r;

	if (uv_exepath(exe, &len) != 0)
		snprintf(exe, sizeof(exe), "/proc/self/exe");
	args[n++] = exe;
	args[n++] = (char *)"self-stop";
	if (c->provider != NULL) {
		args[n++] = (char *)"--provider";
		args[n++] = c->provider;
	}
	if (c->arm_endpoint != NULL) {
		args[n++] = (char *)"--arm-endpoint";
		args[n++] = c->arm_endpoint;
	}
	if (c->imds_endpoint != NULL) {
		args[n++] = (char *)"--imds-endpoint";
		args[n++] = c->imds_endpoint;
	}
	args[n] = NULL;
	memset(&o, 0, sizeof(o));
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_INHERIT_FD;
	io[1].data.fd = 2;
	io[2].flags = UV_INHERIT_FD;
	io[2].data.fd = 2;
	o.file = exe;
	o.args = args;
	o.stdio = io;
	o.stdio_count = 3;
	o.exit_cb = self_stop_exit;
	log_info("autostop: %s (%s): stopping the machine",
	    idle >= 0 ? "idle" : "over budget", A.why);
	r = uv_spawn(hub->loop, &A.proc, &o);
	if (r != 0) {
		log_warnx("autostop: cannot run %s self-stop: %s", exe,
		    uv_strerror(r));
		uv_close((uv_handle_t *)&A.proc, NULL);
		A.retry_at = now_sec() + 60;
		return;
	}
	A.stopping = 1;
}

static void
sample_done(uv_work_t *w, int status)
{
	struct hub                 *hub = A.hub;
	const struct autostop_conf *c;
	double                      cpu = 0;
	int64_t                     now = now_sec(), last, idle, t;
	double                      spend, used;
	long                        cores = sysconf(_SC_NPROCESSORS_ONLN);
	long                        hz = sysconf(_SC_CLK_TCK);

	(void)w;
	A.sampling = 0;
	if (status != 0 || hub == NULL || hub->stopping)
		return;
	c = &hub->cfg->autostop;
	if (A.prev.at_ms != 0 && A.cur.at_ms > A.prev.at_ms &&
	    A.cur.ticks >= A.prev.ticks && cores > 0 && hz > 0)
		cpu = (double)(A.cur.ticks - A.prev.ticks) / (double)hz /
		    ((double)(A.cur.at_ms - A.prev.at_ms) / 1000.0) /
		    (double)cores;
	A.busy = autostop_judge(A.cur.ssh_sessions, cpu, A.cur.gpu, c->cpu_busy,
	    A.why, sizeof(A.why));
	if (!A.busy && A.cur.pool)
		A.busy = autostop_pool_judge(A.cur.pool_jobs, A.cur.pool_nodes,
		    A.why, sizeof(A.why));
	if (A.busy)
		A.last_busy = now;
	A.prev = A.cur;
	last = A.last_busy > A.last_use ? A.last_busy : A.last_use;
	t = servers_last_activity(hub);
	A.last = last = t > last ? t : last;
	idle = now - last;
	count_runtime(hub, now);
	spend = autostop_spend(c, A.run_seconds);
	used = c->budget_month > 0 ? spend / c->budget_month : 0;
	if (used >= 1) {
		/* The budget decides, whatever the use. */
		snprintf(A.why, sizeof(A.why),
		    "the month's budget is spent: %.2f of %.2f %s (estimate)",
		    spend, c->budget_month, c->currency ? c->currency : "");
		idle = c->after > idle ? c->after : idle;
	}
	write_status();
	if (used < 1 && (c->after == 0 || idle < c->after)) {
		if (A.stop_at != 0)
			log_info("autostop: in use again (%s): not stopping",
			    A.why);
		A.stop_at = 0;
		A.stopped = 0;
		A.banner[0] = '\0';
		if (used >= AUTOSTOP_BUDGET_WARN)
			snprintf(A.banner, sizeof(A.banner),
			    "This machine has used %.0f %% of its monthly "
			    "budget (%.2f of %.2f %s, estimate); it stops at "
			    "100 %%.",
			    used * 100, spend, c->budget_month,
			    c->currency ? c->currency : "");
		return;
	}
	if (A.stop_at == 0) {
		A.stop_at = now + c->warn;
		log_info("autostop: %s%lld s (%s): stopping the machine in "
		         "%lld s%s",
		    used >= 1 ? "over budget after " : "idle for ",
		    (long long)idle, A.why, (long long)c->warn,
		    used >= 1 ? "" : " unless it is used");
	}
	if (used >= 1)
		snprintf(A.banner, sizeof(A.banner),
		    "This machine's monthly budget is spent (%.2f of %.2f %s, "
		    "estimate): it stops (deallocates) in %lld min.",
		    spend, c->budget_month, c->currency ? c->currency : "",
		    (long long)((A.stop_at > now ? A.stop_at - now : 0) + 59) /
		        60);
	else
		snprintf(A.banner, sizeof(A.banner),
		    "This machine has been idle for %lld min and stops "
		    "(deallocates) in %lld min unless it is used.",
		    (long long)(idle / 60),
		    (long long)((A.stop_at > now ? A.stop_at - now : 0) + 59) /
		        60);
	if (now >= A.stop_at && !A.stopping && !A.stopped && now >= A.retry_at)
		self_stop(hub, used >= 1 ? -1 : idle);
}

/* For 'rig service status' (and so rig status) on the machine. */
static void
write_status(void)
{
	json_t *st = status_json();
	char   *text = st != NULL ? json_dumps(st, JSON_COMPACT) : NULL;
	char   *path = xasprintf("%s/%s", A.hub->cfg->state_dir, AUTOSTOP_FILE);

	if (text != NULL)
		write_file_atomic(path, text, strlen(text), 0600);
	free(path);
	free(text);
	json_decref(st);
}

static void
timer_cb(uv_timer_t *t)
{
	(void)t;
	if (A.sampling || A.hub == NULL)
		return;
	A.sampling = 1;
	A.work.data = &A.cur;
	if (uv_queue_work(A.hub->loop, &A.work, sample_work, sample_done) != 0)
		A.sampling = 0;
}

void
autostop_start(struct hub *hub)
{
	const struct autostop_conf *c = &hub->cfg->autostop;

	if (c->after == 0 && c->budget_month == 0)
		return;
	A.hub = hub;
	A.last_busy = A.last_use = now_sec();
	uv_timer_init(hub->loop, &A.timer);
	uv_timer_start(&A.timer, timer_cb, 0, AUTOSTOP_CHECK_EVERY * 1000);
	A.running = 1;
	if (c->after > 0)
		log_info("autostop: the machine stops after %lld s idle (%s)",
		    (long long)c->after,
		    c->provider != NULL ? c->provider : "no provider");
	if (c->budget_month > 0)
		log_info("autostop: the machine stops when its monthly budget "
		         "of %.2f %s is spent",
		    c->budget_month, c->currency != NULL ? c->currency : "");
}

void
autostop_stop(struct hub *hub)
{
	(void)hub;
	if (!A.running)
		return;
	uv_timer_stop(&A.timer);
	uv_close((uv_handle_t *)&A.timer, NULL);
	A.running = 0;
}

void
autostop_touch(void)
{
	A.last_use = now_sec();
}

const char *
autostop_banner(void)
{
	return A.banner[0] != '\0' ? A.banner : NULL;
}

/* The idle timer as of the last sample, for rig status: {after, idle,
 * stop_in (-1: no idle stop), busy, why, warning, budget}. */
static json_t *
status_json(void)
{
	const struct autostop_conf *c = &A.hub->cfg->autostop;
	int64_t                     now = now_sec(), last = A.last;
	json_t                     *st;

	st = json_pack("{s:I, s:I, s:I, s:b, s:s, s:b}", "after",
	    (json_int_t)c->after, "idle", (json_int_t)(now - last), "stop_in",
	    (json_int_t)(A.stop_at != 0
	            ? (A.stop_at > now ? A.stop_at - now : 0)
	            : c->after > 0 ? c->after + c->warn - (now - last)
	                           : -1),
	    "busy", A.busy, "why", A.why, "warning", A.stop_at != 0);
	if (st != NULL && c->budget_month > 0) {
		json_object_set_new(st, "budget_month",
		    json_real(c->budget_month));
		json_object_set_new(st, "spend_month",
		    json_real(autostop_spend(c, A.run_seconds)));
	}
	return st;
}
