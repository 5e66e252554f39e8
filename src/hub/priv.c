/* SPDX-License-Identifier: MIT */
/*
 * The hub's end of privilege separation (priv.h): the 'rig' account and
 * the state directory handed to it, the helper forked before the hub's
 * loop exists, the drop to 'rig', and the calls, each a request of
 * priv-msg.h sent without blocking and answered later through the loop
 * (a uv_poll on the socket, matched by sequence number). Without a helper
 * each call falls back to what the hub did in-process before.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firewall-rules.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "priv-msg.h"
#include "priv.h"
#include "procfs.h"
#include "state.h"
#include "lib/banned.h"

#define USERADD "/usr/sbin/useradd"
#define PRIV_SYNC_WAIT 30000 /* ms for an answer call_sync() waits for */
#define PRIV_QUEUE_MAX 4096 /* requests waiting for room in the socket */

/* A request waiting for its answer. */
struct priv_call {
	TAILQ_ENTRY(priv_call) entry;
	uint32_t seq;
	uint16_t type;
	union {
		account_cb    account;
		priv_done_cb  done;
		priv_spawn_cb spawn;
		priv_path_cb  path;
		priv_usage_cb usage;
	} cb;
	priv_exit_cb exit_cb; /* PRIV_SPAWN */
	void        *arg;
};

/* A process started through the helper, whose end is awaited. */
struct priv_watch {
	TAILQ_ENTRY(priv_watch) entry;
	int          pid;
	priv_exit_cb cb;
	void        *arg;
};

/*
 * A request that found the socket full. A SOCK_SEQPACKET socketpair holds
 * net.unix.max_dgram_qlen packets (10 on Debian) the helper has not read
 * yet; while it runs a useradd or kills a cgroup, a burst of starts or
 * stops is more than that. Such requests wait here, in order, and go out
 * when the socket is writable again; every later request waits behind
 * them. The encoded message may hold a secret: wiped when sent.
 */
struct priv_out {
	STAILQ_ENTRY(priv_out) entry;
	int           fd; /* a dup of the descriptor to pass, or -1 */
	size_t        len;
	unsigned char msg[];
};

struct priv {
	struct hub *hub;
	int         fd; /* our end of the socketpair */
	pid_t       helper;
	uid_t       uid; /* the 'rig' account */
	gid_t       gid;
	uv_poll_t   poll; /* freed with the struct in poll_close_cb */
	int         polling;
	int         gone; /* the helper is: the poll stays stopped */
	uint32_t    seq;
	void (*lost)(struct hub *);
	TAILQ_HEAD(, priv_call) calls;
	TAILQ_HEAD(, priv_watch) watches;
	STAILQ_HEAD(, priv_out) out;
	unsigned      nout;
	unsigned char buf[PRIV_MSG_MAX];
};

static int  ensure_account(uid_t *, gid_t *);
static void helper_fork_child(int, const struct priv_helper_conf *)
    __attribute__((noreturn));
static int  send_req(struct priv *, struct priv_req *, int fd);
static int  send_msg(struct priv *, const unsigned char *, size_t, int fd);
static int  flush_out(struct priv *);
static void out_free(struct priv_out *);
static int  call(struct hub *, struct priv_req *, int fd, struct priv_call *);
static void dispatch(struct priv_call *, const struct priv_reply *);
static void fail_calls(struct priv *, int r);
static void poll_cb(uv_poll_t *, int, int);
static int  recv_one(struct priv *, struct priv_reply *, const char **);
static void handle_reply(struct priv *, const struct priv_reply *);
static int  call_sync(struct hub *, struct priv_req *, struct priv_reply *);
static void poll_close_cb(uv_handle_t *);
static void poll_events(struct priv *);
static void req_init(struct priv_req *, uint16_t, const char *);
static struct priv_call *call_new(void *);
static int cgroup_call(struct hub *, uint16_t, const char *, const char *,
    const struct priv_limits *, priv_done_cb, void *);

/* Finds or makes the 'rig' account (a system account, no home, no
 * login); refuses one that is root. */
static int
ensure_account(uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(PRIV_ACCOUNT);

	if (pw == NULL) {
		char *const argv[] = { (char *)USERADD, (char *)"--system",
			(char *)"--no-create-home", (char *)"--home-dir",
			(char *)"/nonexistent", (char *)"--shell",
			(char *)"/usr/sbin/nologin", (char *)"--user-group",
			(char *)"--comment", (char *)"rig hub", (char *)"--",
			(char *)PRIV_ACCOUNT, NULL };
		pid_t       pid = fork();
		int         st;

		if (pid == -1)
			return error("fork: %s", strerror(errno));
		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		pw = getpwnam(PRIV_ACCOUNT);
		if (pw == NULL)
			return error("cannot create the '%s' account (useradd "
			             "--system)",
			    PRIV_ACCOUNT);
		log_info("created the system account '%s' (uid %d) for the "
		         "hub",
		    PRIV_ACCOUNT, (int)pw->pw_uid);
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		return error("the '%s' account is root: refusing to run",
		    PRIV_ACCOUNT);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* In the forked child: keep only stdin, stdout, stderr and the socket
 * (as fd 3), so the helper holds no listener, database or key. */
static void
helper_fork_child(int fd, const struct priv_helper_conf *conf)
{
	if (fd != 3) {
		if (dup2(fd, 3) == -1)
			_exit(1);
		fd = 3;
	}
	/* dup2() clears close-on-exec: without it every server the helper
	 * starts would hold a way to ask the helper. */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		_exit(1);
	if (close_range(4, ~0U, 0) == -1)
		_exit(1);
	priv_helper_main(fd, conf);
}

int
priv_setup(struct hub *hub)
{
	struct priv *p;
	uid_t        uid = 0;
	gid_t        gid = 0;
	int          sv[2], n;
	pid_t        pid;

	if (geteuid() != 0)
		return 0;
	if (ensure_account(&uid, &gid) == -1)
		return -1;
	n = state_chown(hub->cfg->state_dir, uid, gid);
	if (n == -1)
		return -1;
	if (n > 0)
		log_info("state directory %s: %d files handed to '%s'",
		    hub->cfg->state_dir, n, PRIV_ACCOUNT);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return error("socketpair: %s", strerror(errno));
	log_flush();
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == -1) {
		close(sv[0]);
		close(sv[1]);
		return error("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		struct priv_helper_conf conf = {
			.prefix = hub->cfg->user_prefix,
			.rig_gid = gid,
			.pam_service = hub->cfg->authenticator == AUTH_PAM
			    ? hub->cfg->pam_service
			    : NULL,
			.ldap = hub->cfg->authenticator == AUTH_LDAP,
		};

		close(sv[0]);
		helper_fork_child(sv[1], &conf);
	}
	close(sv[1]);
	p = xcalloc(1, sizeof(*p));
	p->hub = hub;
	p->fd = sv[0];
	p->helper = pid;
	p->uid = uid;
	p->gid = gid;
	TAILQ_INIT(&p->calls);
	TAILQ_INIT(&p->watches);
	STAILQ_INIT(&p->out);
	hub->priv = p;
	log_info("privileged helper started (pid %d)", (int)pid);
	return 0;
}

int
priv_drop(struct hub *hub)
{
	struct priv *p = hub->priv;

	if (p == NULL)
		return 0;
	/* What root made since priv_setup() (a new certificate and key). */
	if (state_chown(hub->cfg->state_dir, p->uid, p->gid) == -1)
		return -1;
	/* The hub works in its state directory from here on, by relative
	 * paths: 'rig' then needs no way through its parents, which may be
	 * root's own (the service's /root/.local/share/rig/state). */
	if (chdir(hub->cfg->state_dir) == -1)
		return error("cannot enter '%s': %s", hub->cfg->state_dir,
		    strerror(errno));
	if (setgroups(1, &p->gid) == -1 || setgid(p->gid) == -1 ||
	    setuid(p->uid) == -1)
		return error("cannot drop to '%s': %s", PRIV_ACCOUNT,
		    strerror(errno));
	/* Every way back must be shut: a saved uid of 0 would undo it. */
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1 ||
	    setegid(0) != -1 || getuid() != p->uid || geteuid() != p->uid ||
	    getgid() != p->gid || getegid() != p->gid)
		return error("dropped to '%s' but root is still reachable",
		    PRIV_ACCOUNT);
	/* Nor through a set-uid program the hub might run. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return error("prctl(NO_NEW_PRIVS): %s", strerror(errno));
	if (access(".", R_OK | W_OK | X_OK) == -1)
		return error("the '%s' account cannot use '%s': %s",
		    PRIV_ACCOUNT, hub->cfg->state_dir, strerror(errno));
	log_info("dropped root: the hub runs as '%s' (uid %d) in %s, the "
	         "helper (pid %d) stays root",
	    PRIV_ACCOUNT, (int)p->uid, hub->cfg->state_dir, (int)p->helper);
	free(hub->cfg->state_dir);
	hub->cfg->state_dir = xstrdup(".");
	return 0;
}

void
priv_attach(struct hub *hub, void (*lost)(struct hub *))
{
	struct priv *p = hub->priv;

	if (p == NULL)
		return;
	p->lost = lost;
	uv_poll_init(hub->loop, &p->poll, p->fd);
	p->poll.data = p;
	uv_poll_start(&p->poll, UV_READABLE | UV_DISCONNECT, poll_cb);
	p->polling = 1;
}

static void
poll_close_cb(uv_handle_t *h)
{
	free(h->data);
}

void
priv_close(struct hub *hub)
{
	struct priv       *p = hub->priv;
	struct priv_watch *w;
	int                st;

	if (p == NULL)
		return;
	/* Callbacks first, while priv_active() still says how the
	 * processes were started. */
	fail_calls(p, UV_ECANCELED);
	while ((w = TAILQ_FIRST(&p->watches)) != NULL) {
		TAILQ_REMOVE(&p->watches, w, entry);
		free(w);
	}
	hub->priv = NULL;
	while (!STAILQ_EMPTY(&p->out)) {
		struct priv_out *o = STAILQ_FIRST(&p->out);

		STAILQ_REMOVE_HEAD(&p->out, entry);
		out_free(o);
	}
	close(p->fd);
	/* The helper exits on our end's close; it may finish a useradd. */
	while (waitpid(p->helper, &st, 0) == -1 && errno == EINTR)
		;
	if (p->polling)
		uv_close((uv_handle_t *)&p->poll, poll_close_cb);
	else
		free(p);
}

int
priv_active(const struct hub *hub)
{
	return hub->priv != NULL;
}

static void
req_init(struct priv_req *req, uint16_t type, const char *account)
{
	memset(req, 0, sizeof(*req));
	req->type = type;
	snprintf(req->account, sizeof(req->account), "%s", account);
}

/* Sends one encoded message now, with 'fd' as SCM_RIGHTS if not -1.
 * 0 or a libuv error (UV_EAGAIN: the socket is full). */
static int
send_msg(struct priv *p, const unsigned char *buf, size_t n, int fd)
{
	union {
		struct cmsghdr h;
		char           b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg;
	struct iovec  iov;
	ssize_t       r;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)buf;
	iov.iov_len = n;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd != -1) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.b;
		msg.msg_controllen = sizeof(ctl.b);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		r = sendmsg(p->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	if (r == -1 && errno == EWOULDBLOCK)
		return UV_EAGAIN;
	return r == -1 ? -errno : 0;
}

static void
out_free(struct priv_out *o)
{
	explicit_bzero(o->msg, o->len);
	if (o->fd != -1)
		close(o->fd);
	free(o);
}

/* The poll's events: readable always, writable while requests wait. */
static void
poll_events(struct priv *p)
{
	if (p->polling && !p->gone)
		uv_poll_start(&p->poll,
		    UV_READABLE | UV_DISCONNECT |
		        (STAILQ_EMPTY(&p->out) ? 0 : UV_WRITABLE),
		    poll_cb);
}

/* Sends what waits, in order, until the socket is full again. 0, or a
 * libuv error other than UV_EAGAIN (the helper is gone: poll_cb() sees
 * it). */
static int
flush_out(struct priv *p)
{
	struct priv_out *o;
	int              r = 0;

	while ((o = STAILQ_FIRST(&p->out)) != NULL) {
		r = send_msg(p, o->msg, o->len, o->fd);
		if (r == UV_EAGAIN) {
			r = 0;
			break;
		}
		STAILQ_REMOVE_HEAD(&p->out, entry);
		p->nout--;
		if (r != 0)
			log_warnx("privileged helper: cannot send a request: "
			          "%s",
			    uv_strerror(r));
		out_free(o);
	}
	poll_events(p);
	return r;
}

/* Sends one request, with 'fd' as SCM_RIGHTS if not -1; if the socket is
 * full (or requests already wait), it waits in order with a copy of 'fd'.
 * The encoded message may hold a secret: wiped after. 0 or a libuv
 * error. */
static int
send_req(struct priv *p, struct priv_req *req, int fd)
{
	struct priv_out *o;
	size_t           n;
	int              r = UV_EAGAIN;

	req->seq = ++p->seq;
	n = priv_req_encode(req, p->buf, sizeof(p->buf));
	if (n == 0)
		return UV_E2BIG;
	if (STAILQ_EMPTY(&p->out))
		r = send_msg(p, p->buf, n, fd);
	if (r == UV_EAGAIN) {
		if (p->nout >= PRIV_QUEUE_MAX) {
			r = UV_ENOBUFS;
			goto out;
		}
		o = xmalloc(sizeof(*o) + n);
		o->fd = -1;
		if (fd != -1 && (o->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1) {
			r = -errno;
			free(o);
			goto out;
		}
		o->len = n;
		memcpy(o->msg, p->buf, n);
		STAILQ_INSERT_TAIL(&p->out, o, entry);
		p->nout++;
		poll_events(p);
		r = 0;
	}
out:
	explicit_bzero(p->buf, n);
	return r;
}

/* Sends 'req' and, if 'c' is given, keeps it until the answer. */
static int
call(struct hub *hub, struct priv_req *req, int fd, struct priv_call *c)
{
	struct priv *p = hub->priv;
	int          r;

	r = send_req(p, req, fd);
	if (r != 0) {
		log_warnx("privileged helper: cannot send a request: %s",
		    uv_strerror(r));
		free(c);
		return r;
	}
	if (c != NULL) {
		c->seq = req->seq;
		c->type = req->type;
		TAILQ_INSERT_TAIL(&p->calls, c, entry);
	}
	return 0;
}

static struct priv_call *
call_new(void *arg)
{
	struct priv_call *c = xcalloc(1, sizeof(*c));

	c->arg = arg;
	return c;
}

/* Hands an answer to its caller; frees 'c'. */
static void
dispatch(struct priv_call *c, const struct priv_reply *rep)
{
	struct priv_usage u;

	switch (c->type) {
	case PRIV_ACCOUNT_ADD:
		if (c->cb.account != NULL)
			c->cb.account(c->arg, rep->result, 0);
		break;
	case PRIV_RUNTIME_DIR:
		if (c->cb.path != NULL)
			c->cb.path(c->arg, rep->result, rep->text);
		break;
	case PRIV_SPAWN:
	case PRIV_SLURM_ASK:
		if (c->cb.spawn != NULL)
			c->cb.spawn(c->arg, rep->result, rep->pid);
		break;
	case PRIV_USAGE:
		u.cpu_ticks = (uint64_t)rep->val[0];
		u.rss_bytes = (uint64_t)rep->val[1];
		u.nprocs = (uint64_t)rep->val[2];
		if (c->cb.usage != NULL)
			c->cb.usage(c->arg, rep->result, &u);
		break;
	default:
		if (c->cb.done != NULL)
			c->cb.done(c->arg, rep->result);
		break;
	}
	free(c);
}

/* Every call in flight ends with 'r'. */
static void
fail_calls(struct priv *p, int r)
{
	struct priv_call *c;
	struct priv_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.result = r;
	while ((c = TAILQ_FIRST(&p->calls)) != NULL) {
		TAILQ_REMOVE(&p->calls, c, entry);
		dispatch(c, &rep);
	}
}

/*
 * Reads one packet without waiting and decodes it into 'rep'. 1 if there
 * was one, 0 if none is waiting, -1 if the helper is gone or sent
 * something that is not a reply (*why says which).
 */
static int
recv_one(struct priv *p, struct priv_reply *rep, const char **why)
{
	union {
		struct cmsghdr h;
		char           b[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct msghdr   msg;
	struct iovec    iov;
	struct cmsghdr *cm;
	ssize_t         n;

	do {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = p->buf;
		iov.iov_len = sizeof(p->buf);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.b;
		msg.msg_controllen = sizeof(ctl.b);
		n = recvmsg(p->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	/* The helper sends no descriptors: close any. */
	for (cm = CMSG_FIRSTHDR(&msg); n > 0 && cm != NULL;
	     cm = CMSG_NXTHDR(&msg, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			close(fd);
		}
	}
	if (n <= 0) {
		*why = n == 0 ? "closed its end" : strerror(errno);
		return -1;
	}
	return priv_reply_decode(p->buf, (size_t)n, rep, why) == 0 ? 1 : -1;
}

/* An answer or exit event to whoever waits for it. */
static void
handle_reply(struct priv *p, const struct priv_reply *rep)
{
	struct priv_call  *c;
	struct priv_watch *w;

	if (rep->type == PRIV_EXIT) {
		TAILQ_FOREACH(w, &p->watches, entry)
			if (w->pid == rep->pid)
				break;
		if (w != NULL) {
			TAILQ_REMOVE(&p->watches, w, entry);
			w->cb(w->arg, rep->result, (int)rep->val[0]);
			free(w);
		}
		return;
	}
	TAILQ_FOREACH(c, &p->calls, entry)
		if (c->seq == rep->seq)
			break;
	if (c == NULL)
		return; /* fire and forget: signals */
	TAILQ_REMOVE(&p->calls, c, entry);
	if ((c->type == PRIV_SPAWN || c->type == PRIV_SLURM_ASK) &&
	    rep->result == 0 && rep->pid > 0) {
		w = xcalloc(1, sizeof(*w));
		w->pid = rep->pid;
		w->cb = c->exit_cb;
		w->arg = c->arg;
		TAILQ_INSERT_TAIL(&p->watches, w, entry);
	}
	dispatch(c, rep);
}

/* Answers and exit events; EOF or an error means the helper is gone. */
static void
poll_cb(uv_poll_t *h, int status, int events)
{
	struct priv      *p = h->data;
	struct hub       *hub = p->hub;
	struct priv_reply rep;
	const char       *why = "closed its end";
	int               r;

	if (status == 0 && (events & UV_WRITABLE))
		(void)flush_out(p);
	while (status == 0) {
		r = recv_one(p, &rep, &why);
		if (r == 0)
			return;
		if (r == -1)
			break;
		handle_reply(p, &rep);
		if (hub->priv != p)
			return; /* a callback closed it */
	}
	if (status != 0)
		why = uv_strerror(status);
	log_warnx("privileged helper (pid %d): %s; the hub cannot go on "
	          "without it",
	    (int)p->helper, why);
	uv_poll_stop(&p->poll);
	p->gone = 1;
	if (p->lost != NULL)
		p->lost(hub);
	if (hub->priv == p)
		fail_calls(p, UV_EPIPE);
}

/*
 * Sends 'req' and waits for its answer, at most PRIV_SYNC_WAIT ms. What
 * arrives before it (answers to other calls, exit events) is handed on at
 * once, as poll_cb() would: the caller must be ready for those callbacks
 * to run inside this call. For the few requests whose caller cannot go on
 * without the answer (the firewall's table). 0 or a libuv error; the
 * answer in *rep.
 */
static int
call_sync(struct hub *hub, struct priv_req *req, struct priv_reply *rep)
{
	struct priv  *p = hub->priv;
	const char   *why = "closed its end";
	uint64_t      deadline = uv_hrtime() / 1000000 + PRIV_SYNC_WAIT;
	struct pollfd pfd;
	int           r;

	r = send_req(p, req, -1);
	if (r != 0)
		return r;
	for (;;) {
		uint64_t now = uv_hrtime() / 1000000;

		r = recv_one(p, rep, &why);
		if (r == -1) {
			/* poll_cb() sees the same and stops the hub. */
			log_warnx("privileged helper: %s", why);
			return UV_EPIPE;
		}
		if (r == 1 && rep->type == PRIV_REPLY && rep->seq == req->seq)
			return 0;
		if (r == 1) {
			handle_reply(p, rep);
			continue;
		}
		if (now >= deadline)
			return UV_ETIMEDOUT;
		/* Its request may wait behind others for room. */
		if (!STAILQ_EMPTY(&p->out) && flush_out(p) != 0)
			return UV_EPIPE;
		pfd.fd = p->fd;
		pfd.events = POLLIN | (STAILQ_EMPTY(&p->out) ? 0 : POLLOUT);
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)(deadline - now)) == -1 &&
		    errno != EINTR)
			return -errno;
	}
}

int
priv_firewall_load(struct hub *hub, const struct firewall_rules *r)
{
	struct priv_req   req;
	struct priv_reply rep;
	int               ret;

	if (hub->priv == NULL)
		return firewall_nft_load(r);
	req_init(&req, PRIV_FIREWALL_LOAD, "");
	req.fw = r;
	ret = call_sync(hub, &req, &rep);
	if (ret == 0)
		ret = rep.result;
	if (ret != 0)
		return error("firewall: the helper did not load the rules: %s",
		    rep.text[0] != '\0' && ret != UV_EPIPE ? rep.text
		                                           : uv_strerror(ret));
	return 0;
}

int
priv_firewall_unload(struct hub *hub)
{
	struct priv_req   req;
	struct priv_reply rep;
	int               ret;

	if (hub->priv == NULL)
		return firewall_nft_unload();
	req_init(&req, PRIV_FIREWALL_UNLOAD, "");
	ret = call_sync(hub, &req, &rep);
	return ret == 0 && rep.result == 0 ? 0 : -1;
}

int
priv_account_add(struct hub *hub, const char *account, const char *user,
    account_cb cb, void *arg)
{
	struct priv_req   req;
	struct priv_call *c;

	if (hub->priv == NULL) {
		account_create(hub->loop, account, user, cb, arg);
		return 0;
	}
	req_init(&req, PRIV_ACCOUNT_ADD, account);
	snprintf(req.user, sizeof(req.user), "%s", user);
	c = call_new(arg);
	c->cb.account = cb;
	return call(hub, &req, -1, c);
}

int
priv_pam_auth(struct hub *hub, const char *account, const char *password,
    priv_done_cb cb, void *arg)
{
	struct priv_req   req;
	struct priv_call *c;

	if (hub->priv == NULL)
		return UV_ENOTSUP;
	req_init(&req, PRIV_PAM_AUTH, account);
	req.secret = password;
	c = call_new(arg);
	c->cb.done = cb;
	return call(hub, &req, -1, c);
}

int
priv_account_ldap(struct hub *hub, const char *account,
    const struct account_ldap *a, priv_done_cb cb, void *arg)
{
	struct priv_req   req;
	struct priv_call *c;

	if (hub->priv == NULL)
		return UV_ENOTSUP;
	req_init(&req, PRIV_ACCOUNT_LDAP, account);
	req.num[0] = (int64_t)a->uid;
	req.num[1] = (int64_t)a->gid;
	req.home = a->home;
	req.shell = a->shell;
	c = call_new(arg);
	c->cb.done = cb;
	return call(hub, &req, -1, c);
}

int
priv_account_del(struct hub *hub, const char *account, int keep_home,
    priv_done_cb cb, void *arg)
{
	struct priv_req   req;
	struct priv_call *c;

	if (hub->priv == NULL)
		return UV_ENOTSUP;
	req_init(&req, PRIV_ACCOUNT_DEL, account);
	req.flags = keep_home ? PRIV_F_KEEP_HOME : 0;
	c = call_new(arg);
	c->cb.done = cb;
	return call(hub, &req, -1, c);
}

int
priv_prepare_runtime_dir(struct hub *hub, const char *account, priv_path_cb cb,
    void *arg)
{
	struct priv_req   req;
	struct priv_call *c;

	if (hub->priv == NULL)
		return UV_ENOTSUP;
	req_init(&req, PRIV_RUNTIME_DIR, account);
	c = call_new(arg);
	c->cb.path = cb;
	return call(hub, &req, -1, c);
}

int
priv_spawn(struct hub *hub, const char *account, const uv_process_options_t *o,
    const char *cgroup_server, uv_process_t *proc, priv_spawn_cb cb,
    priv_exit_cb exit_cb, void *arg)
{
	struct priv_req   req;
	struct priv_call *c;
	int               fd = -1, r;
	size_t            i;

	if (hub->priv == NULL) {
		r = uv_spawn(hub->loop, proc, o);
		cb(arg, r, r == 0 ? proc->pid : 0);
		return 0;
	}
	req_init(&req, PRIV_SPAWN, account);
	req.file = o->file;
	req.cwd = o->cwd;
	for (i = 0; o->args[i] != NULL; i++) {
		if (i == PRIV_ARGC_MAX)
			return UV_E2BIG;
		req.argv[i] = o->args[i];
	}
	for (i = 0; o->env != NULL && o->env[i] != NULL; i++) {
		if (i == PRIV_ENVC_MAX)
			return UV_E2BIG;
		req.env[i] = o->env[i];
	}
	if (o->stdio_count > 1 && (o->stdio[1].flags & UV_INHERIT_FD)) {
		fd = o->stdio[1].data.fd;
		req.flags |= PRIV_F_FD;
		if ((o->stdio[0].flags & UV_INHERIT_FD) &&
		    o->stdio[0].data.fd == fd)
			req.flags |= PRIV_F_STDIN;
	}
	if (cgroup_server != NULL) {
		req.flags |= PRIV_F_CGROUP;
		snprintf(req.user, sizeof(req.user), "%s", cgroup_server);
	}
	c = call_new(arg);
	c->cb.spawn = cb;
	c->exit_cb = exit_cb;
	return call(hub, &req, fd, c);
}

int
priv_slurm_ask(struct hub *hub, int question, long long job, int fd,
    priv_spawn_cb cb, priv_exit_cb exit_cb, void *arg)
{
	struct priv_req   req;
	struct priv_call *c;

	if (hub->priv == NULL)
		return UV_ENOTSUP;
	req_init(&req, PRIV_SLURM_ASK, "");
	req.num[0] = question;
	req.num[1] = job;
	req.flags = PRIV_F_FD;
	c = call_new(arg);
	c->cb.spawn = cb;
	c->exit_cb = exit_cb;
	return call(hub, &req, fd, c);
}

int
priv_unwatch(struct hub *hub, int pid)
{
	struct priv_watch *w;

	if (hub->priv == NULL)
		return 0;
	TAILQ_FOREACH(w, &hub->priv->watches, entry)
		if (w->pid == pid) {
			TAILQ_REMOVE(&hub->priv->watches, w, entry);
			free(w);
			return 1;
		}
	return 0;
}

void
priv_signal(struct hub *hub, const char *account, int pid, int sig, int group)
{
	struct priv_req req;

	if (pid <= 1)
		return;
	if (hub->priv == NULL) {
		kill(group ? -pid : pid, sig);
		return;
	}
	req_init(&req, PRIV_SIGNAL, account);
	req.pid = pid;
	req.sig = sig;
	req.flags = group ? PRIV_F_GROUP : 0;
	call(hub, &req, -1, NULL);
}

void
priv_kill_user(struct hub *hub, const char *account)
{
	struct priv_req req;
	struct passwd  *pw;

	if (hub->priv == NULL) {
		if (geteuid() == 0 && account_lookup(account, &pw) == 1)
			procfs_kill_uid(pw->pw_uid, SIGKILL);
		return;
	}
	req_init(&req, PRIV_KILL_USER, account);
	call(hub, &req, -1, NULL);
}

int
priv_usage(struct hub *hub, const char *account, priv_usage_cb cb, void *arg)
{
	struct priv_req   req;
	struct priv_call *c;
	struct passwd    *pw;

	if (hub->priv == NULL) {
		struct priv_usage u;

		memset(&u, 0, sizeof(u));
		if (account_lookup(account, &pw) != 1)
			return UV_ENOENT;
		u.cpu_ticks = procfs_uid_cpu_ticks(pw->pw_uid);
		cb(arg, 0, &u);
		return 0;
	}
	req_init(&req, PRIV_USAGE, account);
	c = call_new(arg);
	c->cb.usage = cb;
	return call(hub, &req, -1, c);
}

/* The three cgroup calls differ only in their type. */
static int
cgroup_call(struct hub *hub, uint16_t type, const char *account,
    const char *server, const struct priv_limits *l, priv_done_cb cb, void *arg)
{
	struct priv_req   req;
	struct priv_call *c;

	if (hub->priv == NULL)
		return UV_ENOTSUP;
	req_init(&req, type, account);
	snprintf(req.user, sizeof(req.user), "%s", server);
	if (l != NULL) {
		req.num[0] = l->mem_bytes;
		req.num[1] = l->cpu_milli;
		req.num[2] = l->pids;
	}
	c = call_new(arg);
	c->cb.done = cb;
	return call(hub, &req, -1, c);
}

int
priv_cgroup_setup(struct hub *hub, const char *account, const char *server,
    const struct priv_limits *limits, priv_done_cb cb, void *arg)
{
	return cgroup_call(hub, PRIV_CGROUP_SETUP, account, server, limits, cb,
	    arg);
}

int
priv_cgroup_kill(struct hub *hub, const char *account, const char *server,
    priv_done_cb cb, void *arg)
{
	return cgroup_call(hub, PRIV_CGROUP_KILL, account, server, NULL, cb,
	    arg);
}

int
priv_cgroup_remove(struct hub *hub, const char *account, const char *server,
    priv_done_cb cb, void *arg)
{
	return cgroup_call(hub, PRIV_CGROUP_REMOVE, account, server, NULL, cb,
	    arg);
}
