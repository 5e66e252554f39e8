/* SPDX-License-Identifier: MIT */
/*
 * The privileged helper (priv.h): the root half of 'rig hub'. Forked
 * before the hub's loop exists, holding only its end of a SOCK_SEQPACKET
 * socketpair (fd 3) and stdin, stdout and stderr, it runs a loop of its own
 * that reads one request per packet, decodes and checks it (priv-msg.c),
 * checks it again against the system (the account exists, is of the
 * prefix, has a uid of a user and not of the system; a pid belongs to it
 * now, in /proc), does it, and answers. It never runs a shell: useradd,
 * userdel and servers start from argv arrays. A refusal is logged and
 * answered with -EINVAL or -EPERM; the helper goes on. When the hub's end
 * closes (the hub stopped, crashed or was killed) it exits at once,
 * leaving servers running for the next hub, as the hub itself does.
 *
 * Servers it starts are its children: it reports each one's end to the
 * hub (PRIV_EXIT) so the hub learns of it as if it were its own child.
 */
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "accounts.h"
#include "cgroup.h"
#include "firewall-rules.h"
#include "lib/log.h"
#include "lib/util.h"
#include "priv-msg.h"
#include "slurm-ask.h"
#include "priv.h"
#include "procfs.h"
#include "lib/banned.h"

#define WRAP_WORDS (10 + 2 * CGROUP_MAX_DIRS) /* rig sandbox's own words */
#define PAM_INFLIGHT_MAX 32 /* password checks running at once */
#define PAM_AUTH_TIMEOUT_MS 60000 /* then the check is killed */
#define FDS_MAX 4 /* descriptors read with a request; 1 is allowed */
#define OUT_MAX 65536 /* answers waiting for room in the socket */

/* An answer or exit event that found the socket full (the hub has not
 * read the net.unix.max_dgram_qlen packets before it yet): sent, in
 * order, when the socket is writable again. */
struct out {
	STAILQ_ENTRY(out) entry;
	size_t        len;
	unsigned char msg[];
};

/* The helper's state: one per process. */
struct helper {
	uv_loop_t   loop;
	uv_poll_t   poll;
	int         fd;
	const char *prefix;
	gid_t       rig_gid;
	const char *pam_service; /* authenticator = pam; NULL: local */
	int         ldap; /* authenticator = ldap */
	int         pam_inflight; /* pam-auth children running */
	STAILQ_HEAD(, out) out;
	unsigned      nout;
	unsigned char in[PRIV_MSG_MAX + 1]; /* one more: a longer one is
	                                     * truncated, and refused */
};

/* A child whose end the hub awaits, or a tool whose status answers a
 * request. */
struct child {
	uv_process_t   proc;
	struct helper *h;
	uint32_t       seq; /* 0 for a server: its end is a PRIV_EXIT */
};

/* A password check in flight: 'rig pam-auth' and its deadline, freed
 * once both handles are closed. */
struct pam_job {
	uv_process_t   proc;
	uv_timer_t     timer;
	struct helper *h;
	uint32_t       seq;
	int            open; /* handles not yet closed */
	int            timed_out;
};

/* A useradd or userdel in flight (accounts.c calls back). */
struct add_job {
	struct helper *h;
	uint32_t       seq;
};

static void serve(struct helper *, size_t, int, const int *, int);
static void reply(struct helper *, uint32_t, int, int, const char *);
static void reply_full(struct helper *, const struct priv_reply *);
static void flush_out(struct helper *);
static int  lookup(const char *, struct passwd *, char *, size_t);
static int  uid_ok(uid_t, gid_t);
static void poll_cb(uv_poll_t *, int, int);
static void add_cb(void *, int64_t, int);
static void child_exit_cb(uv_process_t *, int64_t, int);
static void child_close_cb(uv_handle_t *);
static int  do_spawn(struct helper *, const struct priv_req *,
     const struct passwd *, int);
static int  do_signal(const struct priv_req *, uid_t);
static int  pid_pgrp(int);
static int  signal_pid(int, int, uid_t);
static int  do_del(struct helper *, const struct priv_req *,
     const struct passwd *);
static int  do_cgroup(const struct priv_req *, struct priv_reply *);
static int  do_runtime_dir(struct helper *, const struct passwd *, char *,
     size_t);
static void do_usage(uid_t, struct priv_reply *);
static int  fw_uid_rig(struct helper *, uint32_t);
static int  do_pam_auth(struct helper *, const struct priv_req *,
     const struct passwd *);
static void pam_exit_cb(uv_process_t *, int64_t, int);
static void pam_timer_cb(uv_timer_t *);
static void pam_close_cb(uv_handle_t *);
static int  do_firewall(struct helper *, const struct priv_req *,
     struct priv_reply *);
static void do_account_ldap(struct helper *, const struct priv_req *);
static int  do_slurm_ask(struct helper *, const struct priv_req *, int);

/* The account of a request, from the password database, copied into
 * 'pw' and 'buf': 0, -ENOENT if there is none, -EPERM if it is not a
 * user's. */
static int
lookup(const char *name, struct passwd *pw, char *buf, size_t len)
{
	struct passwd *res = NULL;

	if (getpwnam_r(name, pw, buf, len, &res) != 0 || res == NULL)
		return -ENOENT;
	return uid_ok(pw->pw_uid, pw->pw_gid) ? 0 : -EPERM;
}

/* A user's uid and gid: not root, not a system account on either side
 * of the users' range. */
static int
uid_ok(uid_t uid, gid_t gid)
{
	return account_uid_ok(uid) && gid != 0;
}

int
priv_pid_owned(int pid, uid_t uid)
{
	char path[64], *data, *p;
	long r, e;
	int  ok = 0;

	if (pid <= 1)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	data = read_file(path, 16384, NULL);
	if (data == NULL)
		return 0;
	p = strstr(data, "\nUid:");
	if (p != NULL && sscanf(p + 5, "%ld %ld", &r, &e) == 2)
		ok = r == (long)uid && e == (long)uid;
	free(data);
	return ok;
}

/* The process group of 'pid' (field 5 of /proc/PID/stat), or -1. */
static int
pid_pgrp(int pid)
{
	char path[64], *data, *p, state;
	int  ppid, pgrp = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	data = read_file(path, 4096, NULL);
	if (data == NULL)
		return -1;
	p = strrchr(data, ')');
	if (p == NULL || sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
		pgrp = -1;
	free(data);
	return pgrp;
}

/*
 * Signals 'pid' if it belongs to 'uid'. The pid is pinned with a pidfd
 * before the check, so a process that ends and whose pid is reused in
 * between is not the one signalled. 0, or -errno.
 */
static int
signal_pid(int pid, int sig, uid_t uid)
{
	int pfd, r;

	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd == -1)
		return -errno;
	if (!priv_pid_owned(pid, uid)) {
		close(pfd);
		return -EPERM;
	}
	r = (int)syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
	r = r == -1 ? -errno : 0;
	close(pfd);
	return r;
}

/* One process, or each process of the group it leads that is the
 * account's: never kill(-pgid), which would reach any process that
 * joined the group. */
static int
do_signal(const struct priv_req *req, uid_t uid)
{
	DIR           *d;
	struct dirent *de;
	int            n = 0;

	if (!(req->flags & PRIV_F_GROUP))
		return signal_pid(req->pid, req->sig, uid);
	d = opendir("/proc");
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		long long pid;

		if (parse_int(de->d_name, 2, INT32_MAX, &pid) == -1)
			continue;
		if (pid_pgrp((int)pid) == req->pid &&
		    signal_pid((int)pid, req->sig, uid) == 0)
			n++;
	}
	closedir(d);
	return n > 0 ? 0 : -ESRCH;
}

static void
child_close_cb(uv_handle_t *hd)
{
	free(hd->data);
}

static void
child_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct child     *c = p->data;
	struct priv_reply rep;

	memset(&rep, 0, sizeof(rep));
	if (c->seq == 0) {
		rep.type = PRIV_EXIT;
		rep.pid = p->pid;
		rep.result = (int32_t)status;
		rep.val[0] = sig;
	} else {
		rep.type = PRIV_REPLY;
		rep.seq = c->seq;
		rep.result = sig != 0 ? 128 + sig : (int32_t)status;
	}
	reply_full(c->h, &rep);
	uv_close((uv_handle_t *)p, child_close_cb);
}

/* Starts a child the helper watches (its end is a PRIV_EXIT): stdio
 * and what to run are the caller's. The pid, or -errno. */
static int
spawn_child(struct helper *h, uv_process_options_t *o)
{
	struct child *c = xcalloc(1, sizeof(*c));
	int           r;

	o->stdio_count = 3;
	o->exit_cb = child_exit_cb;
	c->h = h;
	c->proc.data = c;
	r = uv_spawn(&h->loop, &c->proc, o);
	if (r != 0) {
		uv_close((uv_handle_t *)&c->proc, child_close_cb);
		return r;
	}
	return c->proc.pid;
}

/*
 * A server as the account: the uid and gid are the account's (never the
 * hub's say), detached in its own session, umask 077 (inherited from the
 * helper), stdout and stderr the fd the hub sent or nothing (and stdin
 * too with PRIV_F_STDIN, else /dev/null). The pid, or
 * a libuv error (-errno) if it did not start.
 *
 * With PRIV_F_CGROUP the server must be in the account's cgroup before
 * it runs a single instruction of its own, and only root may join one:
 * the helper starts this binary's 'rig sandbox' as root, which joins the
 * groups, sets umask 077 and becomes the account (cmd-sandbox.c), then
 * runs the hub's command. Its words come from the account alone; the
 * hub's environment was checked for what a root process must not obey
 * (priv_env_safe()), and its command runs only after the drop.
 */
static int
do_spawn(struct helper *h, const struct priv_req *req, const struct passwd *pw,
    int fd)
{
	uv_process_options_t     o;
	uv_stdio_container_t     stdio[3];
	const struct cgroup_sys *sys = cgroup_system();
	char        dirs[CGROUP_MAX_DIRS][CGROUP_PATH_MAX], exe[4096];
	const char *argv[WRAP_WORDS + PRIV_ARGC_MAX + 1];
	size_t      len = sizeof(exe);
	int         nd = 0, k = 0;

	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = fd != -1 ? UV_INHERIT_FD : UV_IGNORE;
	stdio[1].data.fd = fd;
	stdio[2] = stdio[1];
	if (req->flags & PRIV_F_STDIN)
		stdio[0] = stdio[1];
	o.file = req->file;
	o.args = (char **)req->argv;
	o.env = (char **)req->env;
	o.cwd = req->cwd;
	o.flags = UV_PROCESS_DETACHED | UV_PROCESS_SETUID | UV_PROCESS_SETGID;
	o.uid = pw->pw_uid;
	o.gid = pw->pw_gid;
	if (req->flags & PRIV_F_CGROUP) {
		char group[CGROUP_NAME_MAX];

		if (cgroup_group_name(pw->pw_name, req->user, group) == -1)
			return -ENAMETOOLONG;
		nd = cgroup_dirs(sys, group, dirs);
	}
	for (int i = 0; i < nd; i++) {
		struct stat st;

		/* PRIV_CGROUP_SETUP made them, as root: no link. */
		if (lstat(dirs[i], &st) == -1 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != 0)
			return -ENOENT;
	}
	/* With pam, always: rig sandbox opens the account's session. */
	if (nd > 0 || h->pam_service != NULL) {
		if (uv_exepath(exe, &len) != 0)
			return -ENOENT;
		argv[k++] = exe;
		argv[k++] = "sandbox";
		for (int i = 0; i < nd; i++) {
			argv[k++] = "--cgroup";
			argv[k++] = dirs[i];
		}
		argv[k++] = "--umask";
		argv[k++] = "077";
		argv[k++] = "--user";
		argv[k++] = pw->pw_name;
		if (h->pam_service != NULL) {
			argv[k++] = "--pam-service";
			argv[k++] = h->pam_service;
		}
		argv[k++] = "--";
		argv[k++] = req->file;
		for (uint32_t i = 1; i < req->argc; i++)
			argv[k++] = req->argv[i];
		argv[k] = NULL;
		o.file = exe;
		o.args = (char **)argv;
		o.flags = UV_PROCESS_DETACHED;
	}
	o.stdio = stdio;
	return spawn_child(h, &o);
}

/*
 * A question to Slurm about every account's jobs (slurm-ask.h): its
 * command line is the helper's, from the question's number, run as
 * Slurm's own user (who, like root, sees all under PrivateData=jobs, and
 * whose rights on this machine are less than root's), with PATH (and the
 * helper's own SLURM_CONF) alone in its environment, in '/', its output
 * the hub's fd. The pid, or -errno;
 * its end is a PRIV_EXIT, as a server's.
 */
static int
do_slurm_ask(struct helper *h, const struct priv_req *req, int fd)
{
	char *env[3] = { (char *)"PATH=/usr/bin:/bin", NULL, NULL };
	char *conf = NULL;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	struct passwd        pw, *pp = NULL;
	const char          *argv[SLURM_ASK_ARGV_MAX];
	char                 pwbuf[4096], id[24];
	int                  r;

	if (slurm_ask_argv((int)req->num[0], req->num[1], id, argv) == -1)
		return -EINVAL;
	if (getpwnam_r(SLURM_ASK_USER, &pw, pwbuf, sizeof(pwbuf), &pp) != 0 ||
	    pp == NULL || pw.pw_uid == 0) {
		log_warnx("priv: no account '%s' (Slurm's) to ask Slurm as",
		    SLURM_ASK_USER);
		return -ENOENT;
	}
	/* The administrator's SLURM_CONF, from when the hub started as
	 * root (the helper's own environment), never the hub's word: a
	 * configuration names plugins to load. */
	if (getenv("SLURM_CONF") != NULL)
		env[1] = conf =
		    xasprintf("SLURM_CONF=%s", getenv("SLURM_CONF"));
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = fd;
	stdio[2] = stdio[1];
	o.file = argv[0];
	o.args = (char **)argv;
	o.env = (char **)env;
	o.cwd = "/";
	o.flags = UV_PROCESS_SETUID | UV_PROCESS_SETGID;
	o.uid = pw.pw_uid;
	o.gid = pw.pw_gid;
	o.stdio = stdio;
	r = spawn_child(h, &o);
	free(conf);
	return r;
}

/* Ends what runs as the account (its cgroup, then by uid), then userdel
 * through accounts.c's queue (-r, or the home moved aside and kept):
 * only an account rig made for that user. userdel's status answers. */
static int
do_del(struct helper *h, const struct priv_req *req, const struct passwd *pw)
{
	struct add_job *j = xcalloc(1, sizeof(*j));
	const char     *user = req->account + strlen(h->prefix);

	account_end_processes(pw->pw_name, pw->pw_uid);
	account_remove_rundir(pw->pw_name);
	j->h = h;
	j->seq = req->seq;
	account_remove(&h->loop, pw->pw_name, user,
	    (req->flags & PRIV_F_KEEP_HOME) != 0, add_cb, j);
	return 0;
}

/* The cgroup of the account's server (cgroup.h; the request's user field
 * names the server): made with the request's limits, killed, or removed
 * (-EBUSY while processes are still leaving it). */
static int
do_cgroup(const struct priv_req *req, struct priv_reply *rep)
{
	const struct cgroup_sys *sys = cgroup_system();
	struct cgroup_limits     lim;
	char                    *dirs[CGROUP_MAX_DIRS];
	char                     group[CGROUP_NAME_MAX];
	int                      n = 0;

	if (cgroup_group_name(req->account, req->user, group) == -1) {
		rep->result = -ENAMETOOLONG;
		return rep->result;
	}
	switch (req->type) {
	case PRIV_CGROUP_SETUP:
		if (sys->version == CGROUP_NONE) {
			rep->result = req->num[0] > 0 || req->num[1] > 0 ||
			        req->num[2] > 0
			    ? -ENOTSUP
			    : 0;
			snprintf(rep->text, sizeof(rep->text),
			    "no cgroups rig can use");
			break;
		}
		lim.mem = (uint64_t)req->num[0];
		lim.cpu_milli = (unsigned)req->num[1];
		lim.pids = (int)req->num[2];
		if (cgroup_create(sys, group, &lim, dirs, &n, rep->text,
		        sizeof(rep->text)) == -1) {
			log_warnx("priv: %s", rep->text);
			rep->result = -EIO;
		}
		for (int i = 0; i < n; i++)
			free(dirs[i]);
		break;
	case PRIV_CGROUP_KILL:
		(void)cgroup_kill(sys, group);
		break;
	default:
		rep->result = cgroup_remove(sys, group) == 0 ? 0 : -EBUSY;
		break;
	}
	return rep->result;
}

/* PRIV_RUN_DIR/ACCOUNT: the account's, group 'rig', 02750, never
 * through a symbolic link. */
static int
do_runtime_dir(struct helper *h, const struct passwd *pw, char *path,
    size_t len)
{
	struct stat st;
	int         fd;

	if (mkdir(PRIV_RUN_DIR, 0755) == -1 && errno != EEXIST)
		return -errno;
	if (lstat(PRIV_RUN_DIR, &st) == -1)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return -EPERM;
	/* Everyone passes through it (the umask may have narrowed it): each
	 * account's directory inside keeps the others out. */
	if ((st.st_mode & 07777) != 0755 && chmod(PRIV_RUN_DIR, 0755) == -1)
		return -errno;
	if (snprintf(path, len, "%s/%s", PRIV_RUN_DIR, pw->pw_name) >= (int)len)
		return -ENAMETOOLONG;
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -errno;
	if (fchown(fd, pw->pw_uid, h->rig_gid) == -1 ||
	    fchmod(fd, 02750) == -1) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

/* CPU time, resident memory and number of the account's processes. */
static void
do_usage(uid_t uid, struct priv_reply *rep)
{
	DIR           *d = opendir("/proc");
	struct dirent *de;
	long           page = sysconf(_SC_PAGESIZE);

	if (d == NULL) {
		rep->result = -errno;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char               path[300], *data;
		struct procfs_stat st;
		unsigned long      size, rss;
		long long          pid;

		if (parse_int(de->d_name, 1, INT32_MAX, &pid) == -1 ||
		    !priv_pid_owned((int)pid, uid))
			continue;
		if (procfs_stat((int)pid, &st) == 0)
			rep->val[0] += (int64_t)(st.utime + st.stime);
		snprintf(path, sizeof(path), "/proc/%lld/statm", pid);
		data = read_file(path, 256, NULL);
		if (data != NULL && sscanf(data, "%lu %lu", &size, &rss) == 2)
			rep->val[1] += (int64_t)rss * page;
		free(data);
		rep->val[2]++;
	}
	closedir(d);
}

/* Whether 'uid' is an account of the prefix, as the password database
 * says now: the firewall's rules name no other. */
static int
fw_uid_rig(struct helper *h, uint32_t uid)
{
	struct passwd pw, *res = NULL;
	char          buf[4096];

	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL)
		return 0;
	return uid_ok(pw.pw_uid, pw.pw_gid) &&
	    priv_account_valid(h->prefix, pw.pw_name);
}

/* The user firewall's table, built here from checked lists (firewall.c
 * makes the nft script), or deleted. */
static int
do_firewall(struct helper *h, const struct priv_req *req,
    struct priv_reply *rep)
{
	struct firewall_rules r;

	if (req->type == PRIV_FIREWALL_UNLOAD) {
		rep->result = firewall_nft_unload() == 0 ? 0 : -EIO;
		return rep->result;
	}
	priv_req_fw_rules(req, &r);
	for (size_t i = 0; i < r.nuids; i++)
		if (!fw_uid_rig(h, r.uids[i])) {
			log_warnx("priv: refused: firewall uid %u is not an "
			          "account of the prefix",
			    r.uids[i]);
			snprintf(rep->text, sizeof(rep->text),
			    "uid %u is not a rig account", r.uids[i]);
			rep->result = -EPERM;
			goto out;
		}
	for (size_t i = 0; i < r.nlisteners; i++)
		if (!fw_uid_rig(h, r.listeners[i].uid)) {
			snprintf(rep->text, sizeof(rep->text),
			    "listener uid %u is not a rig account",
			    r.listeners[i].uid);
			rep->result = -EPERM;
			goto out;
		}
	rep->result = firewall_nft_load(&r) == 0 ? 0 : -EIO;
	if (rep->result != 0)
		snprintf(rep->text, sizeof(rep->text), "nft refused the rules");
out:
	firewall_rules_release(&r);
	return rep->result;
}

static void
pam_close_cb(uv_handle_t *hd)
{
	struct pam_job *j = hd->data;

	if (--j->open == 0)
		free(j);
}

/* The check's outcome is its exit status (enum authpam_result); killed
 * at its deadline, -ETIMEDOUT; any other end, -EIO. */
static void
pam_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct pam_job *j = p->data;
	int             r;

	if (j->timed_out)
		r = -ETIMEDOUT;
	else if (sig != 0 || status < 0 || status > 3)
		r = -EIO;
	else
		r = (int)status;
	j->h->pam_inflight--;
	reply(j->h, j->seq, r, 0, "");
	uv_close((uv_handle_t *)&j->timer, pam_close_cb);
	uv_close((uv_handle_t *)p, pam_close_cb);
}

static void
pam_timer_cb(uv_timer_t *t)
{
	struct pam_job *j = t->data;

	log_warnx("priv: a PAM check ran %d s: killed",
	    PAM_AUTH_TIMEOUT_MS / 1000);
	j->timed_out = 1;
	uv_process_kill(&j->proc, SIGKILL);
}

/*
 * The password check of authenticator = pam: 'rig pam-auth SERVICE
 * ACCOUNT' as root, the password on its standard input (a pipe holding
 * it whole, closed behind it), its exit status the answer. PAM's modules
 * may take seconds (pam_faildelay) or hang on a network: each check is a
 * child with a deadline, at most PAM_INFLIGHT_MAX at once. 0 (answered
 * later), or -errno.
 */
static int
do_pam_auth(struct helper *h, const struct priv_req *req,
    const struct passwd *pw)
{
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	struct pam_job      *j;
	char                 exe[4096];
	const char          *argv[5];
	size_t               len = sizeof(exe), n = strlen(req->secret);
	int                  fds[2], r;
	ssize_t              w;

	if (h->pam_inflight >= PAM_INFLIGHT_MAX)
		return -EAGAIN;
	if (uv_exepath(exe, &len) != 0)
		return -ENOENT;
	if (uv_pipe(fds, 0, 0) != 0)
		return -EMFILE;
	do
		w = write(fds[1], req->secret, n);
	while (w == -1 && errno == EINTR);
	close(fds[1]);
	if (w != (ssize_t)n) {
		close(fds[0]);
		return -EIO;
	}
	argv[0] = exe;
	argv[1] = "pam-auth";
	argv[2] = h->pam_service;
	argv[3] = pw->pw_name;
	argv[4] = NULL;
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_INHERIT_FD;
	stdio[0].data.fd = fds[0];
	stdio[1].flags = UV_IGNORE;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	o.file = exe;
	o.args = (char **)argv;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = pam_exit_cb;
	j = xcalloc(1, sizeof(*j));
	j->h = h;
	j->seq = req->seq;
	j->proc.data = j;
	j->open = 1;
	r = uv_spawn(&h->loop, &j->proc, &o);
	close(fds[0]);
	if (r != 0) {
		uv_close((uv_handle_t *)&j->proc, pam_close_cb);
		return r;
	}
	uv_timer_init(&h->loop, &j->timer);
	j->timer.data = j;
	j->open = 2;
	uv_timer_start(&j->timer, pam_timer_cb, PAM_AUTH_TIMEOUT_MS, 0);
	h->pam_inflight++;
	return 0;
}

/*
 * authenticator = ldap: the account of the directory's person, matched by
 * its uid or made. An account of that name with another uid, a uid that
 * is another account's, or one outside the users' range (below UID_MIN)
 * is refused, answered -EEXIST or -EPERM and logged with the numbers;
 * else useradd is queued (accounts.c), whose status answers.
 */
static void
do_account_ldap(struct helper *h, const struct priv_req *req)
{
	struct account_ldap a;
	struct add_job     *j;
	struct passwd       pw, *res = NULL;
	char                buf[4096], why[PRIV_TEXT_MAX];
	uid_t               uid = (uid_t)req->num[0];

	if (!h->ldap) {
		log_warnx("priv: refused: an LDAP account, and the "
		          "authenticator is not ldap");
		reply(h, req->seq, -EPERM, 0, "the authenticator is not ldap");
		return;
	}
	if (getpwnam_r(req->account, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL) {
		if (pw.pw_uid == uid && uid_ok(pw.pw_uid, pw.pw_gid)) {
			reply(h, req->seq, 0, 0, "exists");
			return;
		}
		if (pw.pw_uid == uid) {
			snprintf(why, sizeof(why),
			    "the Unix account %s (uid %u, group %u) is not a "
			    "person's",
			    req->account, (unsigned)uid, (unsigned)pw.pw_gid);
			log_warnx("priv: refused: %s", why);
			reply(h, req->seq, -EPERM, 0, why);
			return;
		}
		snprintf(why, sizeof(why),
		    "the Unix account %s exists with uid %u, but the "
		    "directory's uidNumber is %u",
		    req->account, (unsigned)pw.pw_uid, (unsigned)uid);
		log_warnx("priv: refused: %s", why);
		reply(h, req->seq, -EEXIST, 0, why);
		return;
	}
	if (!account_uid_ok(uid)) {
		snprintf(why, sizeof(why),
		    "the directory's uidNumber %u of %s is outside the "
		    "users' range (UID_MIN %u up to %u)",
		    (unsigned)uid, req->account, (unsigned)account_uid_min(),
		    ACCOUNT_UID_END - 1);
		log_warnx("priv: refused: %s", why);
		reply(h, req->seq, -EPERM, 0, why);
		return;
	}
	res = NULL;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
		snprintf(why, sizeof(why),
		    "uid %u, the directory's uidNumber of %s, is the Unix "
		    "account %s's",
		    (unsigned)uid, req->account, pw.pw_name);
		log_warnx("priv: refused: %s", why);
		reply(h, req->seq, -EEXIST, 0, why);
		return;
	}
	a.uid = uid;
	a.gid = (gid_t)req->num[1];
	a.home = (char *)req->home;
	a.shell = (char *)req->shell;
	j = xcalloc(1, sizeof(*j));
	j->h = h;
	j->seq = req->seq;
	log_info("priv: making the Unix account %s (uid %u) for the "
	         "directory's person",
	    req->account, (unsigned)uid);
	account_create_ldap(&h->loop, req->account, &a, add_cb, j);
}

static void
add_cb(void *arg, int64_t status, int sig)
{
	struct add_job *j = arg;

	reply(j->h, j->seq, sig != 0 ? 128 + sig : (int)status, 0, "");
	free(j);
}

/* Sends 'n' bytes now: 1 if sent, 0 if the socket is full, -1 if the hub
 * is gone (the poll sees it next and the helper exits). */
static int
send_now(struct helper *h, const unsigned char *b, size_t n)
{
	ssize_t r;

	do
		r = send(h->fd, b, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return r == -1 ? -1 : 1;
}

static void
poll_events(struct helper *h)
{
	uv_poll_start(&h->poll,
	    UV_READABLE | UV_DISCONNECT |
	        (STAILQ_EMPTY(&h->out) ? 0 : UV_WRITABLE),
	    poll_cb);
}

/* What waits goes out in order, until the socket is full again. */
static void
flush_out(struct helper *h)
{
	struct out *o;

	while ((o = STAILQ_FIRST(&h->out)) != NULL) {
		if (send_now(h, o->msg, o->len) == 0)
			break;
		STAILQ_REMOVE_HEAD(&h->out, entry);
		h->nout--;
		free(o);
	}
	poll_events(h);
}

static void
reply_full(struct helper *h, const struct priv_reply *rep)
{
	unsigned char out[PRIV_HDR_SIZE + PRIV_REPLY_FIXED];
	size_t        n = priv_reply_encode(rep, out, sizeof(out));
	struct out   *o;

	if (STAILQ_EMPTY(&h->out) && send_now(h, out, n) != 0)
		return;
	if (h->nout >= OUT_MAX) {
		log_warnx("priv: %u answers wait for the hub: one dropped",
		    h->nout);
		return;
	}
	o = xmalloc(sizeof(*o) + n);
	o->len = n;
	memcpy(o->msg, out, n);
	STAILQ_INSERT_TAIL(&h->out, o, entry);
	h->nout++;
	poll_events(h);
}

static void
reply(struct helper *h, uint32_t seq, int result, int pid, const char *text)
{
	struct priv_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.type = PRIV_REPLY;
	rep.seq = seq;
	rep.result = result;
	rep.pid = pid;
	snprintf(rep.text, sizeof(rep.text), "%s", text);
	reply_full(h, &rep);
}

/* One packet of 'len' bytes in h->in, with 'nfd' descriptors. Every
 * request is answered, a refused one with its reason (the hub does not
 * wait for the answers to signals). */
static void
serve(struct helper *h, size_t len, int truncated, const int *fds, int nfd)
{
	struct priv_req   req;
	struct priv_reply rep;
	struct passwd     pw;
	char              pwbuf[4096], path[256];
	const char       *why = NULL;
	int               r, fd = -1;
	uint32_t          seq = 0;

	if (len >= 8)
		memcpy(&seq, h->in + 4, sizeof(seq));
	if (truncated)
		why = "longer than any request, or too many descriptors";
	else if (priv_req_decode(h->in, len, h->prefix, &req, &why) == 0) {
		if ((req.flags & PRIV_F_FD) ? nfd != 1 : nfd != 0)
			why = "descriptors do not match the request";
		else if (nfd == 1)
			fd = fds[0];
	}
	if (why != NULL) {
		log_warnx("priv: refused a request: %s", why);
		reply(h, seq, -EINVAL, 0, why);
		return;
	}
	if (req.type == PRIV_FIREWALL_LOAD ||
	    req.type == PRIV_FIREWALL_UNLOAD) {
		memset(&rep, 0, sizeof(rep));
		rep.type = PRIV_REPLY;
		rep.seq = seq;
		do_firewall(h, &req, &rep);
		reply_full(h, &rep);
		return;
	}
	if (req.type == PRIV_ACCOUNT_LDAP) {
		do_account_ldap(h, &req);
		return;
	}
	if (req.type == PRIV_SLURM_ASK) {
		r = do_slurm_ask(h, &req, fd);
		reply(h, seq, r < 0 ? r : 0, r < 0 ? 0 : r,
		    r < 0 ? "cannot ask Slurm" : "");
		return;
	}
	r = lookup(req.account, &pw, pwbuf, sizeof(pwbuf));
	if ((h->pam_service != NULL || h->ldap) &&
	    (req.type == PRIV_ACCOUNT_ADD || req.type == PRIV_ACCOUNT_DEL ||
	        req.type == PRIV_KILL_USER)) {
		/* The accounts are the machine's own, and so are their
		 * other processes (an ssh login): made, removed and killed
		 * by no one but their administrator. */
		if (req.type == PRIV_ACCOUNT_ADD && r == 0) {
			reply(h, seq, 0, 0, "exists");
			return;
		}
		log_warnx("priv: refused: %s %s with the machine's accounts "
		          "(authenticator = pam or ldap)",
		    req.type == PRIV_ACCOUNT_ADD ? "making the account"
		        : req.type == PRIV_KILL_USER
		        ? "killing every process of"
		        : "removing the account",
		    req.account);
		reply(h, seq, r == 0 ? -EPERM : r, 0,
		    "not with authenticator = pam or ldap");
		return;
	}
	if (req.type == PRIV_PAM_AUTH && h->pam_service == NULL) {
		log_warnx("priv: refused: a PAM check, and the authenticator "
		          "is not pam");
		reply(h, seq, -EPERM, 0, "the authenticator is not pam");
		return;
	}
	if (req.type == PRIV_ACCOUNT_ADD) {
		struct add_job *j;

		if (r == -EPERM) {
			log_warnx("priv: refused: %s is a system account",
			    req.account);
			reply(h, seq, -EPERM, 0, "a system account");
			return;
		}
		if (r == 0) {
			reply(h, seq, 0, 0, "exists");
			return;
		}
		/* Queued in accounts.c: one at a time, with retries. */
		j = xcalloc(1, sizeof(*j));
		j->h = h;
		j->seq = seq;
		account_create(&h->loop, req.account, req.user, add_cb, j);
		return;
	}
	if (r != 0) {
		log_warnx("priv: refused: %s: %s", req.account,
		    r == -EPERM ? "a system account" : "no such account");
		reply(h, seq, r, 0, "not a user's account");
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rep.type = PRIV_REPLY;
	rep.seq = seq;
	switch (req.type) {
	case PRIV_ACCOUNT_DEL:
		r = do_del(h, &req, &pw);
		if (r != 0)
			reply(h, seq, r, 0, strerror(-r));
		return; /* userdel's end answers */
	case PRIV_PAM_AUTH:
		r = do_pam_auth(h, &req, &pw);
		if (r != 0)
			reply(h, seq, r, 0, strerror(-r));
		return; /* rig pam-auth's end answers */
	case PRIV_RUNTIME_DIR:
		rep.result = do_runtime_dir(h, &pw, path, sizeof(path));
		if (rep.result == 0)
			snprintf(rep.text, sizeof(rep.text), "%s", path);
		break;
	case PRIV_SPAWN:
		r = do_spawn(h, &req, &pw, fd);
		if (r < 0)
			rep.result = r;
		else
			rep.pid = r;
		break;
	case PRIV_SIGNAL:
		r = do_signal(&req, pw.pw_uid);
		if (r == -EPERM)
			log_warnx("priv: refused: pid %d is not %s's", req.pid,
			    req.account);
		rep.result = r;
		break;
	case PRIV_KILL_USER:
		procfs_kill_uid(pw.pw_uid, SIGKILL);
		break;
	case PRIV_USAGE:
		do_usage(pw.pw_uid, &rep);
		break;
	default:
		do_cgroup(&req, &rep);
		break;
	}
	reply_full(h, &rep);
}

static void
poll_cb(uv_poll_t *p, int status, int events)
{
	struct helper *h = p->data;

	if (status == 0 && (events & UV_WRITABLE))
		flush_out(h);
	for (;;) {
		union {
			struct cmsghdr c;
			char           b[CMSG_SPACE(FDS_MAX * sizeof(int))];
		} ctl;
		struct msghdr   msg;
		struct iovec    iov;
		struct cmsghdr *cm;
		int             fds[FDS_MAX], nfd = 0, trunc;
		ssize_t         n;

		if (status != 0)
			_exit(0);
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = h->in;
		iov.iov_len = sizeof(h->in);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.b;
		msg.msg_controllen = sizeof(ctl.b);
		n = recvmsg(h->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			_exit(0); /* the hub's end closed */
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		     cm = CMSG_NXTHDR(&msg, cm)) {
			size_t k;

			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k && nfd < FDS_MAX; i++)
				memcpy(&fds[nfd++],
				    CMSG_DATA(cm) + i * sizeof(int),
				    sizeof(int));
		}
		trunc = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
		    (size_t)n > PRIV_MSG_MAX;
		serve(h, (size_t)n, trunc, fds, nfd);
		for (int i = 0; i < nfd; i++)
			close(fds[i]);
		explicit_bzero(h->in, (size_t)n);
	}
}

void
priv_helper_main(int fd, const struct priv_helper_conf *conf)
{
	struct helper   *h = xcalloc(1, sizeof(*h));
	struct sigaction sa;
	sigset_t         none;

	/* Ctrl-C reaches the whole process group: the hub stops on it, and
	 * the helper with it when the hub's end closes, not before. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "rig-priv", 0, 0, 0);
	umask(077);
	h->fd = fd;
	STAILQ_INIT(&h->out);
	h->prefix = conf->prefix;
	h->rig_gid = conf->rig_gid;
	h->pam_service = conf->pam_service;
	h->ldap = conf->ldap;
	if (uv_loop_init(&h->loop) != 0)
		_exit(1);
	uv_poll_init(&h->loop, &h->poll, fd);
	h->poll.data = h;
	uv_poll_start(&h->poll, UV_READABLE | UV_DISCONNECT, poll_cb);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	_exit(0);
}
