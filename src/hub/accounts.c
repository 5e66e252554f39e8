/* SPDX-License-Identifier: MIT */
/*
 * Unix accounts (accounts.h): names, look-ups, and useradd and userdel
 * as children, one at a time from a queue, their output to the hub's
 * stderr, so the loop goes on while they work (one can take a second on
 * a busy machine).
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "cgroup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "procfs.h"
#include "lib/banned.h"

#define ACCOUNT_COMMENT "rig user " /* + the rig user's name */
#define ACCOUNT_LDAP_COMMENT "rig ldap " /* + the person's login name */
#define END_WAIT_MS 1000
#define LOCK_RETRIES 5 /* runs after one failed on another's lock */
#define LOCK_RETRY_MS 300 /* times the number of tries */

/* One useradd or userdel, queued or running. */
struct account_job {
	uv_process_t proc;
	uv_loop_t   *loop;
	int          remove; /* userdel, else useradd */
	int          keep_home;
	int          started; /* its handle is open */
	int          tries; /* runs that failed on the lock */
	int          retry; /* run again once the handle is closed */
	int          timer_open;
	uv_timer_t   timer; /* the wait before a retry */
	char         name[ACCOUNT_NAME_MAX + 1];
	char        *user;
	/* authenticator = ldap: the directory's numbers and paths. */
	const struct account_ldap *ldap;
	account_cb                 cb;
	void                      *arg;
	TAILQ_ENTRY(account_job) entry;
};
TAILQ_HEAD(account_jobs, account_job);

static struct account_jobs queue = TAILQ_HEAD_INITIALIZER(queue);
static int                 running; /* the queue's head is running */

static void                job_free(struct account_job *);
static void                job_end(struct account_job *);
static void                timer_close_cb(uv_handle_t *);
static void                retry_cb(uv_timer_t *);
static int                 lock_failed(const struct account_job *, int64_t);
static void                job_close_cb(uv_handle_t *);
static void                job_exit_cb(uv_process_t *, int64_t, int);
static void                job_done(struct account_job *, int64_t status);
static struct account_job *job_new(uv_loop_t *, const char *, const char *,
    account_cb, void *);
static void                queue_add(struct account_job *);
static void                run_next(void);
static int                 spawn_job(struct account_job *);
static int                 made_already(const struct account_job *);
static int  comment_names(const struct passwd *, const char *, const char *);
static void private_home(const char *name);
static void delete_cb(void *, int64_t, int);
static int  ldap_args(struct account_job *, char **, char *);

int
account_name(const char *prefix, const char *user, char *out, size_t outlen)
{
	int n;

	n = snprintf(out, outlen, "%s%s", prefix, user);
	if (n < 0 || (size_t)n >= outlen || n > ACCOUNT_NAME_MAX)
		return -1;
	return username_error(out) == NULL ? 0 : -1;
}

size_t
account_user_max(const char *prefix)
{
	size_t n = strlen(prefix);

	return n < ACCOUNT_NAME_MAX ? ACCOUNT_NAME_MAX - n : 0;
}

const char *
account_user_error(const char *prefix, const char *user, char *why, size_t len)
{
	const char *e = username_error(user);
	size_t      max = account_user_max(prefix);

	if (e != NULL)
		return e;
	if (strlen(user) <= max)
		return NULL;
	snprintf(why, len,
	    "a username has at most %zu characters here (its Unix account "
	    "%sNAME has at most %d)",
	    max, prefix, ACCOUNT_NAME_MAX);
	return why;
}

int
account_lookup(const char *name, struct passwd **pw)
{
	*pw = getpwnam(name);
	if (*pw == NULL)
		return 0;
	return account_uid_ok((*pw)->pw_uid) ? 1 : -1;
}

int
account_uid_ok(uid_t uid)
{
	return uid >= account_uid_min() && uid < ACCOUNT_UID_END;
}

long
login_defs_uid_min(const char *text, long def)
{
	const char *p = text;
	long        v = def;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '\n');
		size_t      n = end != NULL ? (size_t)(end - p) : strlen(p);
		char        line[256], word[64], extra[8];
		long long   num;
		char        numtext[32];

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			line[strcspn(line, "#")] = '\0';
			if (sscanf(line, "%63s %31s %7s", word, numtext,
			        extra) == 2 &&
			    strcmp(word, "UID_MIN") == 0 &&
			    parse_int(numtext, 1, ACCOUNT_UID_END - 1, &num) ==
			        0)
				v = (long)num;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return v;
}

uid_t
account_uid_min(void)
{
	static long min = -1;
	char       *text;

	if (min == -1) {
		text = read_file(ACCOUNT_LOGIN_DEFS, 1 << 20, NULL);
		min = text != NULL ? login_defs_uid_min(text, ACCOUNT_MIN_UID)
		                   : ACCOUNT_MIN_UID;
		free(text);
		if (min < ACCOUNT_MIN_UID)
			min = ACCOUNT_MIN_UID;
	}
	return (uid_t)min;
}

int
account_in_groups(const char *user, gid_t gid, const char *groups)
{
	gid_t *list = NULL;
	int    n = 64, r = 0;
	char  *copy, *save = NULL, *g;

	if (groups == NULL || *groups == '\0')
		return 0;
	/* Asked again with the size it says, while the list grows. */
	for (int tries = 0;; tries++) {
		int want = n;

		list = xrealloc(list, (size_t)n * sizeof(*list));
		if (getgrouplist(user, gid, list, &want) != -1) {
			n = want;
			break;
		}
		if (tries == 4 || want > 65536) {
			free(list);
			return -1;
		}
		n = want > n ? want : 2 * n;
	}
	copy = xstrdup(groups);
	for (g = strtok_r(copy, " ,\t", &save); g != NULL && r == 0;
	     g = strtok_r(NULL, " ,\t", &save)) {
		struct group gr, *res = NULL;
		char         buf[16384];

		if (getgrnam_r(g, &gr, buf, sizeof(buf), &res) != 0 ||
		    res == NULL)
			continue;
		for (int i = 0; i < n; i++)
			if (list[i] == gr.gr_gid)
				r = 1;
	}
	free(copy);
	free(list);
	return r;
}

/* Whether pw's comment is 'prefix' and then 'user' (anyone's if NULL):
 * how rig marks the accounts it made. */
static int
comment_names(const struct passwd *pw, const char *prefix, const char *user)
{
	size_t n = strlen(prefix);

	return pw->pw_gecos != NULL && strncmp(pw->pw_gecos, prefix, n) == 0 &&
	    (user == NULL || strcmp(pw->pw_gecos + n, user) == 0);
}

int
account_is_rigs(const struct passwd *pw, const char *user)
{
	return pw->pw_uid >= ACCOUNT_MIN_UID &&
	    comment_names(pw, ACCOUNT_COMMENT, user);
}

static void
job_free(struct account_job *job)
{
	if (job->ldap != NULL) {
		free(job->ldap->home);
		free(job->ldap->shell);
		free((void *)job->ldap);
	}
	free(job->user);
	free(job);
}

static void
timer_close_cb(uv_handle_t *h)
{
	job_free(h->data);
}

/* Frees a job out of the queue, once its retry timer is closed. */
static void
job_end(struct account_job *job)
{
	if (job->timer_open)
		uv_close((uv_handle_t *)&job->timer, timer_close_cb);
	else
		job_free(job);
}

/* The wait is over: the job, still the queue's head, runs again. */
static void
retry_cb(uv_timer_t *t)
{
	struct account_job *job = t->data;

	if (spawn_job(job) == 0) {
		job->started = 1;
		return;
	}
	job_done(job, 127);
	job_end(job);
	running = 0;
	run_next();
}

/*
 * Whether the run failed only because another program held the password
 * or group file's lock (exit 1 or 10, "cannot lock /etc/passwd; try
 * again later"): the hub runs one at a time, but an admin's adduser or
 * another hub may not.
 */
static int
lock_failed(const struct account_job *job, int64_t status)
{
	return (status == 1 || status == 10) && job->tries < LOCK_RETRIES;
}

/* The job's process handle is closed: the job ends, and the next may
 * run; or it waits to run again. */
static void
job_close_cb(uv_handle_t *h)
{
	struct account_job *job = h->data;

	if (job->retry) {
		job->retry = 0;
		job->started = 0;
		if (!job->timer_open) {
			uv_timer_init(job->loop, &job->timer);
			job->timer.data = job;
			job->timer_open = 1;
		}
		uv_timer_start(&job->timer, retry_cb,
		    (uint64_t)(LOCK_RETRY_MS * job->tries), 0);
		return;
	}
	job_end(job);
	running = 0;
	run_next();
}

/* The job is over: tell the caller, then leave the queue. */
static void
job_done(struct account_job *job, int64_t status)
{
	TAILQ_REMOVE(&queue, job, entry);
	if (job->cb != NULL)
		job->cb(job->arg, status, 0);
}

static void
job_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct account_job *job = p->data;

	if (sig != 0 && status == 0)
		status = 128 + sig;
	if (lock_failed(job, status)) {
		job->tries++;
		log_info("account %s: %s exited with %lld (a lock?), trying "
		         "again",
		    job->name, job->remove ? "userdel" : "useradd",
		    (long long)status);
		job->retry = 1;
		uv_close((uv_handle_t *)p, job_close_cb);
		return;
	}
	if (!job->remove && status == 0 && job->ldap == NULL)
		private_home(job->name);
	if (status != 0)
		log_warnx("account %s: %s exited with %lld", job->name,
		    job->remove ? "userdel" : "useradd", (long long)status);
	else
		log_info("account %s: %s", job->name,
		    job->remove ? "removed" : "created");
	job_done(job, status);
	uv_close((uv_handle_t *)p, job_close_cb);
}

/* The new account's home: 0700 whatever useradd's HOME_MODE did. */
static void
private_home(const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (pw != NULL && pw->pw_dir != NULL && chmod(pw->pw_dir, 0700) == -1)
		log_warn("account %s: chmod 0700 %s", name, pw->pw_dir);
}

static void
queue_add(struct account_job *job)
{
	TAILQ_INSERT_TAIL(&queue, job, entry);
	run_next();
}

/*
 * Whether the account a job is to make is there, as the job would have
 * made it: made by a job queued before it for the same person (two of
 * their servers starting at once). Then there is nothing to do, and the
 * home just made must not be taken for an old one and moved aside.
 */
static int
made_already(const struct account_job *job)
{
	struct passwd *pw;

	if (job->remove || (pw = getpwnam(job->name)) == NULL)
		return 0;
	if (job->ldap == NULL)
		return account_is_rigs(pw, job->user);
	return pw->pw_uid == job->ldap->uid &&
	    comment_names(pw, ACCOUNT_LDAP_COMMENT, job->user);
}

/* Starts the queue's head unless one runs; a job that cannot start ends
 * at once and the next is tried. */
static void
run_next(void)
{
	struct account_job *job;

	while (!running && (job = TAILQ_FIRST(&queue)) != NULL) {
		if (made_already(job)) {
			log_info("account %s: made already", job->name);
			job_done(job, 0);
			job_end(job);
			continue;
		}
		if (spawn_job(job) == 0) {
			running = 1;
			job->started = 1;
			return;
		}
		job_done(job, 127);
		job_end(job);
	}
}

/*
 * useradd's words for a directory's person: their uid, their home and
 * shell, and their gidNumber's group where the machine has it, else a
 * group of their own (-U: useradd gives it the uid's number when free).
 * A home that exists is the person's already (a shared /home): used as
 * it is, not moved aside. The comment is not rig's ("rig ldap NAME"):
 * the account is the directory's person's, never deleted by rig.
 */
static int
ldap_args(struct account_job *job, char **args, char *comment)
{
	/* Static: uv_spawn() copies them, and one job runs at a time. */
	static char uid[24], gid[24];
	struct stat st;
	int         n = 0;

	snprintf(uid, sizeof(uid), "%lld", (long long)job->ldap->uid);
	snprintf(gid, sizeof(gid), "%lld", (long long)job->ldap->gid);
	args[n++] = (char *)ACCOUNT_USERADD;
	if (lstat(job->ldap->home, &st) == -1) {
		args[n++] = (char *)"-m";
		args[n++] = (char *)"-K";
		args[n++] = (char *)"HOME_MODE=0700";
	} else
		args[n++] = (char *)"-M";
	args[n++] = (char *)"-u";
	args[n++] = uid;
	if (getgrgid((gid_t)job->ldap->gid) != NULL) {
		args[n++] = (char *)"-g";
		args[n++] = gid;
	} else {
		log_info("account %s: no group %s here (the directory's "
		         "gidNumber): a group of its own",
		    job->name, gid);
		args[n++] = (char *)"-U";
	}
	args[n++] = (char *)"-s";
	args[n++] = job->ldap->shell;
	args[n++] = (char *)"-d";
	args[n++] = job->ldap->home;
	args[n++] = (char *)"-c";
	args[n++] = comment;
	return n;
}

/* uv_spawn of useradd or userdel for the job; -1 if it did not start. */
static int
spawn_job(struct account_job *job)
{
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	struct passwd       *pw;
	char                *home, *comment, *aside, *args[16];
	int                  n = 0, r;

	home = xasprintf("/home/%s", job->name);
	comment = xasprintf("%s%s",
	    job->ldap != NULL ? ACCOUNT_LDAP_COMMENT : ACCOUNT_COMMENT,
	    job->user);
	if (job->ldap != NULL) {
		n = ldap_args(job, args, comment);
	} else if (!job->remove) {
		struct stat st;

		/* An old home must not become the new user's. */
		if (lstat(home, &st) == 0) {
			aside = account_home_aside(home, "old");
			if (aside == NULL) {
				log_warn("account %s: cannot move the old "
				         "home %s aside",
				    job->name, home);
				free(home);
				free(comment);
				return -1;
			}
			log_info("account %s: an old home was left at %s: "
			         "moved to %s",
			    job->name, home, aside);
			free(aside);
		}
		args[n++] = (char *)ACCOUNT_USERADD;
		args[n++] = (char *)"-m";
		args[n++] = (char *)"-U";
		args[n++] = (char *)"-K";
		args[n++] = (char *)"HOME_MODE=0700";
		args[n++] = (char *)"-s";
		args[n++] = (char *)"/bin/bash";
		args[n++] = (char *)"-d";
		args[n++] = home;
		args[n++] = (char *)"-c";
		args[n++] = comment;
	} else {
		pw = getpwnam(job->name);
		if (pw == NULL || !account_is_rigs(pw, job->user)) {
			log_warnx("account %s: not removed: not the account "
			          "rig made for %s",
			    job->name, job->user);
			free(home);
			free(comment);
			return -1;
		}
		if (job->keep_home && pw->pw_dir != NULL) {
			aside = account_home_aside(pw->pw_dir, "deleted");
			if (aside != NULL)
				log_info("account %s: home kept as %s",
				    job->name, aside);
			else
				log_warn("account %s: cannot move %s aside",
				    job->name, pw->pw_dir);
			free(aside);
		}
		args[n++] = (char *)ACCOUNT_USERDEL;
		args[n++] = (char *)"-f";
		if (!job->keep_home)
			args[n++] = (char *)"-r";
	}
	args[n++] = (char *)"--";
	args[n++] = job->name;
	args[n] = NULL;
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_IGNORE;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	o.file = args[0];
	o.args = args;
	o.exit_cb = job_exit_cb;
	o.stdio = stdio;
	o.stdio_count = 3;
	job->proc.data = job;
	r = uv_spawn(job->loop, &job->proc, &o);
	free(home);
	free(comment);
	if (r != 0) {
		log_warnx("account %s: cannot run %s: %s", job->name, args[0],
		    uv_strerror(r));
		/* A failed uv_spawn() leaves the handle on the loop: close
		 * it; its close callback frees the job and runs the next. */
		TAILQ_REMOVE(&queue, job, entry);
		if (job->cb != NULL)
			job->cb(job->arg, 127, 0);
		running = 1;
		uv_close((uv_handle_t *)&job->proc, job_close_cb);
		return 0;
	}
	return 0;
}

/* A useradd or userdel for the queue. */
static struct account_job *
job_new(uv_loop_t *loop, const char *name, const char *user, account_cb cb,
    void *arg)
{
	struct account_job *job = xcalloc(1, sizeof(*job));

	job->loop = loop;
	snprintf(job->name, sizeof(job->name), "%s", name);
	job->user = xstrdup(user);
	job->cb = cb;
	job->arg = arg;
	return job;
}

void
account_create(uv_loop_t *loop, const char *name, const char *user,
    account_cb cb, void *arg)
{
	queue_add(job_new(loop, name, user, cb, arg));
}

void
account_create_ldap(uv_loop_t *loop, const char *name,
    const struct account_ldap *a, account_cb cb, void *arg)
{
	struct account_job  *job = job_new(loop, name, name, cb, arg);
	struct account_ldap *copy = xcalloc(1, sizeof(*copy));

	copy->uid = a->uid;
	copy->gid = a->gid;
	copy->home = xstrdup(a->home);
	copy->shell = xstrdup(a->shell);
	job->ldap = copy;
	queue_add(job);
}

void
account_remove(uv_loop_t *loop, const char *name, const char *user,
    int keep_home, account_cb cb, void *arg)
{
	struct account_job *job = job_new(loop, name, user, cb, arg);

	job->remove = 1;
	job->keep_home = keep_home;
	queue_add(job);
}

void
account_end_processes(const char *name, uid_t uid)
{
	const struct cgroup_sys *sys = cgroup_system();

	cgroup_kill(sys, name);
	/* Whatever ran outside the cgroup (an ssh login, cron): by uid. */
	for (int t = 0; t < END_WAIT_MS / 20; t++) {
		struct timespec ts = { 0, 20 * 1000000L };

		if (procfs_kill_uid(uid, SIGKILL) == 0)
			break;
		nanosleep(&ts, NULL);
	}
	(void)cgroup_remove(sys, name);
}

void
account_remove_rundir(const char *name)
{
	char *dir = xasprintf("%s/%s", ACCOUNTS_RUN_DIR, name);

	remove_tree(dir);
	free(dir);
}

char *
account_home_aside(const char *home, const char *tag)
{
	char      when[32], *to = NULL;
	time_t    t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	for (int i = 0; i < 100; i++) {
		struct stat st;

		free(to);
		to = i == 0 ? xasprintf("%s.%s-%s", home, tag, when)
		            : xasprintf("%s.%s-%s-%d", home, tag, when, i);
		if (lstat(to, &st) == -1 && errno == ENOENT)
			break;
	}
	/* Owned by root and closed before the rename: nobody, a new
	 * account with the old uid included, can enter it afterwards. */
	if (lchown(home, 0, 0) == -1 || chmod(home, 0700) == -1 ||
	    rename(home, to) == -1) {
		int saved = errno;

		free(to);
		errno = saved;
		return NULL;
	}
	return to;
}

void
accounts_fix_homes(const char *prefix)
{
	struct passwd *pw;
	size_t         n = strlen(prefix);

	setpwent();
	while ((pw = getpwent()) != NULL) {
		struct stat st;

		if (strncmp(pw->pw_name, prefix, n) != 0 ||
		    !account_is_rigs(pw, NULL) || pw->pw_dir == NULL)
			continue;
		if (lstat(pw->pw_dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != pw->pw_uid || (st.st_mode & 077) == 0)
			continue;
		if (chmod(pw->pw_dir, st.st_mode & 07700) == -1)
			log_warn("account %s: chmod %s", pw->pw_name,
			    pw->pw_dir);
		else
			log_info("account %s: home %s was mode %04o, others "
			         "could read it: now %04o",
			    pw->pw_name, pw->pw_dir,
			    (unsigned)(st.st_mode & 07777),
			    (unsigned)(st.st_mode & 07700));
	}
	endpwent();
}

int
accounts_save_prefix(const char *state_dir, const char *prefix)
{
	char *path = xasprintf("%s/%s", state_dir, ACCOUNT_PREFIX_FILE);
	char *line = xasprintf("%s\n", prefix);
	int   r;

	r = write_file_atomic(path, line, strlen(line), 0600);
	if (r == -1)
		log_warn("cannot write %s", path);
	free(path);
	free(line);
	return r;
}

char *
accounts_read_prefix(const char *state_dir)
{
	char  *path = xasprintf("%s/%s", state_dir, ACCOUNT_PREFIX_FILE);
	char  *data = read_file(path, 64, NULL);
	size_t n;

	free(path);
	if (data == NULL)
		return NULL;
	n = strcspn(data, "\n");
	data[n] = '\0';
	if (n > 16 || (n > 0 && username_error(data) != NULL)) {
		free(data);
		return NULL;
	}
	return data;
}

/* The CLI's userdel ended: its status for accounts_delete_user(). */
static void
delete_cb(void *arg, int64_t status, int sig)
{
	*(int64_t *)arg = sig != 0 ? 128 + sig : status;
}

int
accounts_delete_user(const char *state_dir, const char *user, int keep_home)
{
	char           acct[ACCOUNT_NAME_MAX + 1], *prefix;
	struct passwd *pw;
	uv_loop_t      loop;
	int64_t        status = -1;
	int            r;

	if (geteuid() != 0)
		return 0;
	prefix = accounts_read_prefix(state_dir);
	if (prefix == NULL)
		return 0; /* no hub made accounts here */
	r = account_name(prefix, user, acct, sizeof(acct));
	free(prefix);
	if (r == -1 || account_lookup(acct, &pw) != 1 ||
	    !account_is_rigs(pw, user))
		return 0;
	account_end_processes(acct, pw->pw_uid);
	account_remove_rundir(acct);
	/* The same queue the hub uses, on a loop of our own. */
	if (uv_loop_init(&loop) != 0)
		return error("cannot remove account '%s': no event loop", acct);
	account_remove(&loop, acct, user, keep_home, delete_cb, &status);
	uv_run(&loop, UV_RUN_DEFAULT);
	(void)uv_loop_close(&loop);
	if (status != 0)
		return error("cannot remove account '%s': userdel exited "
		             "with %lld",
		    acct, (long long)status);
	return 0;
}

/* Callers hear of every job (they hold references for them): those that
 * never ran get status 127. The running one's handle is closed here, so
 * that its close callback frees it; its process goes on. */
void
accounts_release(void)
{
	struct account_job *job;

	while ((job = TAILQ_FIRST(&queue)) != NULL) {
		job_done(job, 127);
		job->retry = 0;
		if (job->started && !uv_is_closing((uv_handle_t *)&job->proc))
			uv_close((uv_handle_t *)&job->proc, job_close_cb);
		else if (!job->started)
			job_end(job);
		/* else closing: its close callback frees it */
	}
}
