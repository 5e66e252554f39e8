/* SPDX-License-Identifier: MIT */
/*
 * The Slurm spawner (spawner.h): a user's server is a batch job on one of
 * a pool's nodes, the batchspawner way, with the lessons of
 * ../shared/POOL-NOTES.md. The hub runs on the pool's head, beside
 * slurmctld, and uses Slurm's own commands there; it knows nothing of
 * the pool's setup (src/pool/), only what Slurm says.
 *
 * Start: as root, the user's Unix account is made on the head if missing
 * (the nodes make it at the job's first start there: the prolog rig up
 * installs takes the name and ids slurmctld sends with the job). Then
 * sbatch --parsable runs AS THAT ACCOUNT through the privileged helper
 * (priv_spawn(), its stdin and stdout one socketpair), its job script on
 * standard input: slurm_job_script, fixed text with nothing of the
 * user's in it. The server's command (server_cmd, its {port} left for
 * the node) and its secret travel in the job's environment (sbatch
 * --export=ALL of the short environment built here), never in argv or
 * the script, which Slurm keeps where the user's other processes may read
 * it. The job id is the server's pid, pid_start SLURM_PID_START, and the
 * row goes to SQLite at once: a stop cancels the job, a hub restart finds
 * it queued or running (adopt()).
 *
 * Where it runs: the job picks a free port on its node, starts the
 * server on it, waits until every listener on that port is its own uid
 * (another account of the node could bind it first), then sets its own
 * comment to SLURM_PORT_PREFIX PORT: only the job's owner (and Slurm's
 * administrators) may change a job's comment, so the port is the user's
 * word, and the host is not: it is the NodeAddr of the node Slurm
 * allocated (sinfo). The hub then probes NODEADDR:PORT with the secret
 * as for any server (server.c).
 *
 * Watching: one squeue for all of the hub's jobs (by job name), every
 * POLL_MS while a start waits, every POLL_IDLE_MS otherwise; never a
 * query per server per second. Its fields are Slurm's own (state,
 * reason, nodes, user): a comment, which a job's owner writes and may
 * break lines in, is asked for alone (squeue -j ID -o %k), for a job
 * that runs and has not said its port yet. A query that fails keeps the
 * last state ("could not ask" is not "gone"); a job missing from two
 * answers in a row is gone. Progress events follow the queue: pending
 * and Slurm's reason, its node powering up, running on NODE. The queue's
 * wait has no deadline; spawn_timeout counts from when the job runs.
 * A job's end (a time limit, its node's failure, a cancel) ends the
 * server with the state and reason Slurm gives (server_exited()).
 *
 * Stop: scancel of the job id, as the account (its owner: no new power
 * for the helper); SIGKILL to every process of the job after
 * SERVER_STOP_GRACE.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "accounts.h"
#include "hub.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "priv.h"
#include "progress.h"
#include "server.h"
#include "serverenv.h"
#include "spawn-cmd.h"
#include "spawn-slurm.h"
#include "spawn-account.h"
#include "spawner.h"

#define SBATCH "/usr/bin/sbatch"
#define SQUEUE "/usr/bin/squeue"
#define SCANCEL "/usr/bin/scancel"
#define SINFO "/usr/bin/sinfo"
#define SAFE_PATH CONFIG_SERVER_PATH
#define SLURM_PID_START "slurm" /* no /proc start time looks like it */
#define SLURM_LOG ".rig-server.log" /* the job's output, in the home */
#define POLL_MS 100 /* squeue while a start waits */
#define POLL_IDLE_MS 1000 /* squeue otherwise */
#define OUT_MAX (1024 * 1024) /* bytes of a command's output kept */
#define MISSING_GONE 2 /* answers without the job before it is gone */
#define NODES_MAX 4096
/* A job COMPLETING this long ends its server without its final state. */
#define COMPLETING_MS 5000

/* A command run for the spawner: its output (stdout and stderr, one
 * socketpair), its exit; 'cb' once both are in, or r != 0 if it did not
 * start (or was dropped by release()). */
typedef void (*run_cb)(void *arg, int r, int64_t status, const char *out);

struct run {
	uv_process_t  proc; /* a child of the hub (not through the helper) */
	uv_pipe_t     pipe; /* the hub's end of the socketpair */
	uv_write_t    wreq;
	uv_shutdown_t sreq;
	struct hub   *hub;
	struct buf    out;
	char         *input; /* for its stdin; then shut */
	int           have_proc, eof, exited, handles, done;
	int64_t       status;
	run_cb        cb;
	void         *arg;
	LIST_ENTRY(run) entry;
};

/* A server's job, while the spawner watches it. */
struct sjob {
	struct server *s; /* referenced */
	char           state[24]; /* as last seen, "" before */
	char           reason[64];
	char           node[128];
	char          *said; /* the last progress step of the start */
	uint64_t       running_ms; /* when first seen running */
	uint64_t       ending_ms; /* when first seen COMPLETING */
	int            missing; /* answers in a row without it */
	int            gone; /* ended: server_exited() was called */
	int            asking; /* a comment query is out */
	LIST_ENTRY(sjob) entry;
};

/* A node's address, as sinfo says (NodeAddr). */
struct node_addr {
	char name[64];
	char addr[64];
};

static LIST_HEAD(, sjob) jobs = LIST_HEAD_INITIALIZER(jobs);
static LIST_HEAD(, run) runs = LIST_HEAD_INITIALIZER(runs);
static uv_timer_t        poll_timer;
static struct hub       *poll_hub;
static int               timer_on, polling, asking_nodes;
static uint64_t          poll_every;
static struct node_addr *nodes;
static size_t            nnodes;

static void  slurm_start(struct server *);
static void  slurm_signal(struct server *, enum spawner_signal);
static int   slurm_alive(const struct server *);
static int   slurm_watched(const struct server *);
static void  slurm_address(const struct server *, struct endpoint *);
static char *slurm_log_tail(const struct server *, int);
static int   slurm_adopt(struct server *);
static void  slurm_forget(struct server *);
static void  slurm_drop_user(struct hub *, const char *);
static void  slurm_release(void);
static int run_start(struct hub *, const char *, char **, char **, const char *,
    const char *, run_cb, void *);
static void         run_check(struct run *);
static void         run_close_cb(uv_handle_t *);
static void         run_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void         run_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void         run_write_cb(uv_write_t *, int);
static void         run_shutdown_cb(uv_shutdown_t *, int);
static void         run_exit_cb(uv_process_t *, int64_t, int);
static void         run_helper_exit_cb(void *, int64_t, int);
static void         run_spawned_cb(void *, int, int);
static struct sjob *job_of(const struct server *);
static void         track(struct server *);
static void         poll_soon(struct hub *);
static void         poll_timer_cb(uv_timer_t *);
static void         poll_cb(void *, int, int64_t, const char *);
static void         job_seen(struct sjob *, const struct slurm_row *);
static void         job_end(struct sjob *, const char *, const char *);
static const char  *gloss(const char *);
static void         say(struct sjob *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void        ask_comment(struct sjob *);
static void        comment_cb(void *, int, int64_t, const char *);
static void        nodes_cb(void *, int, int64_t, const char *);
static const char *node_addr(const char *);
static void        listening(struct sjob *, int);
static void        submit(struct server *);
static void        submit_cb(void *, int, int64_t, const char *);
static void        cancel(struct hub *, const char *, long long, int);
static void        cancel_cb(void *, int, int64_t, const char *);
static int         account_of(const struct server *, char *, size_t);
static void        drop_cb(void *, int, int64_t, const char *);

const struct spawner spawner_slurm = {
	.name = "slurm",
	.start = slurm_start,
	.signal = slurm_signal,
	.alive = slurm_alive,
	.watched = slurm_watched,
	.address = slurm_address,
	/* The job checked the port's listener on its node before it said
	 * the port (see the top of the file): nothing to ask here, where
	 * that node's sockets cannot be seen. */
	.listener_ok = NULL,
	.log_tail = slurm_log_tail,
	.adopt = slurm_adopt,
	.forget = slurm_forget,
	.drop_user = slurm_drop_user,
	.release = slurm_release,
};

/*
 * The job's script, run by /usr/bin/python3 on the node as the user
 * (Jupyter needs Python there anyway). sbatch keeps it; nothing in it is
 * the user's or secret.
 */
const char slurm_job_script[] =
    "#!/usr/bin/python3\n"
    "# rig: a user's server as a Slurm job, submitted by rig's hub. The\n"
    "# command comes in RIG_SERVER_ARGV ({port} filled in here), the\n"
    "# server's secret in the environment. A free port of this node is\n"
    "# picked, the server started on it, and once every listener on the\n"
    "# port is this job's own uid the port goes into the job's comment,\n"
    "# where the hub reads it. Signals are passed on to the server.\n"
    "import json, os, signal, socket, subprocess, sys, time\n"
    "\n"
    "def owners(port):\n"
    "    uids = []\n"
    "    for name in ('/proc/net/tcp', '/proc/net/tcp6'):\n"
    "        try:\n"
    "            with open(name) as f:\n"
    "                rows = f.read().splitlines()[1:]\n"
    "        except OSError:\n"
    "            continue\n"
    "        for row in rows:\n"
    "            w = row.split()\n"
    "            if len(w) > 7 and w[3] == '0A' and \\\n"
    "                    int(w[1].rsplit(':', 1)[1], 16) == port:\n"
    "                uids.append(int(w[7]))\n"
    "    return uids\n"
    "\n"
    "argv = json.loads(os.environ.pop('RIG_SERVER_ARGV'))\n"
    "job = os.environ['SLURM_JOB_ID']\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
    "s.bind(('0.0.0.0', 0))\n"
    "port = s.getsockname()[1]\n"
    "s.close()\n"
    "argv = [a.replace('{port}', str(port)) for a in argv]\n"
    "print('rig: job %s on %s: the server on port %d' %\n"
    "      (job, socket.gethostname(), port), flush=True)\n"
    "child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)\n"
    "def forward(sig, frame):\n"
    "    child.send_signal(sig)\n"
    "for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP,\n"
    "            signal.SIGUSR1, signal.SIGUSR2):\n"
    "    signal.signal(sig, forward)\n"
    "def leave(rc):\n"
    "    sys.exit(rc if rc >= 0 else 128 - rc)\n"
    "while True:\n"
    "    if child.poll() is not None:\n"
    "        leave(child.returncode)\n"
    "    uids = owners(port)\n"
    "    if [u for u in uids if u != os.getuid()]:\n"
    "        print('rig: port %d was taken by another account (uid %s)' %\n"
    "              (port, uids), flush=True)\n"
    "        child.kill()\n"
    "        leave(1)\n"
    "    if uids:\n"
    "        break\n"
    "    time.sleep(0.05)\n"
    "subprocess.run(['scontrol', 'update', 'JobId=' + job,\n"
    "                'Comment=" SLURM_PORT_PREFIX "%d' % port], check=True)\n"
    "leave(child.wait())\n";

/* ---- parsing (spawn-slurm.h) ---- */

/* realloc() to 'n' items of 'size' bytes; fatal() without memory. */
static void *
grow(void *p, size_t n, size_t size)
{
	if (n > SIZE_MAX / size)
		fatalx("%s: too many items", __func__);
	p = realloc(p, n * size);
	if (p == NULL)
		fatalx("out of memory");
	return p;
}

/* Whether 'host' is a numeric IPv4 or IPv6 address. */
static int
numeric_host(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/* Copies field 'n' bytes of 'p' into 'dst'; -1 if it does not fit. */
static int
copy_field(char *dst, size_t size, const char *p, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

int
slurm_parse_row(const char *line, size_t len, struct slurm_row *row)
{
	const char *f[5], *end = line + len, *p = line;
	size_t      n[5];
	char        num[24];
	int         i;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < 5; i++) {
		const char *bar = memchr(p, '|', (size_t)(end - p));

		if (i < 4 && bar == NULL)
			return -1;
		if (i == 4 && bar != NULL)
			return -1;
		f[i] = p;
		n[i] = (size_t)((i < 4 ? bar : end) - p);
		if (memchr(p, '\0', n[i]) != NULL || memchr(p, '\n', n[i]))
			return -1;
		p = i < 4 ? bar + 1 : end;
	}
	if (n[0] == 0 || copy_field(num, sizeof(num), f[0], n[0]) == -1 ||
	    parse_int(num, 1, INT32_MAX, &row->id) == -1)
		return -1;
	if (n[1] == 0 ||
	    copy_field(row->state, sizeof(row->state), f[1], n[1]) == -1 ||
	    copy_field(row->reason, sizeof(row->reason), f[2], n[2]) == -1 ||
	    copy_field(row->nodes, sizeof(row->nodes), f[3], n[3]) == -1 ||
	    copy_field(row->user, sizeof(row->user), f[4], n[4]) == -1)
		return -1;
	return 0;
}

long long
slurm_parse_jobid(const char *out)
{
	const char *line = out, *p;
	char        num[24];
	long long   id;
	size_t      n;

	/* The last line that is not empty. */
	for (p = out; *p != '\0'; p++)
		if (p[0] == '\n' && p[1] != '\0' && p[1] != '\n')
			line = p + 1;
	n = strspn(line, "0123456789");
	if (n == 0 || n >= sizeof(num) ||
	    (line[n] != '\0' && line[n] != '\n' && line[n] != ';'))
		return -1;
	memcpy(num, line, n);
	num[n] = '\0';
	if (parse_int(num, 1, INT32_MAX, &id) == -1)
		return -1;
	return id;
}

int
slurm_parse_port(const char *comment)
{
	size_t    k = strlen(SLURM_PORT_PREFIX), n;
	char      num[8];
	long long port;

	if (strncmp(comment, SLURM_PORT_PREFIX, k) != 0)
		return -1;
	comment += k;
	n = strspn(comment, "0123456789");
	if (n == 0 || n >= sizeof(num) ||
	    strcmp(comment + n, n > 0 && comment[n] == '\n' ? "\n" : "") != 0)
		return -1;
	memcpy(num, comment, n);
	num[n] = '\0';
	if (parse_int(num, 1024, 65535, &port) == -1)
		return -1;
	return (int)port;
}

enum slurm_kind
slurm_state_kind(const char *state)
{
	static const char *const ended[] = { "COMPLETED", "CANCELLED", "FAILED",
		"TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
		"OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED" };
	static const char *const waiting[] = { "PENDING", "REQUEUED",
		"REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD" };

	for (size_t i = 0; i < nitems(ended); i++)
		if (strcmp(state, ended[i]) == 0)
			return SLURM_ENDED;
	for (size_t i = 0; i < nitems(waiting); i++)
		if (strcmp(state, waiting[i]) == 0)
			return SLURM_WAITING;
	if (strcmp(state, "CONFIGURING") == 0)
		return SLURM_BOOTING;
	if (strcmp(state, "RUNNING") == 0)
		return SLURM_RUNNING;
	if (strcmp(state, "COMPLETING") == 0)
		return SLURM_ENDING;
	return SLURM_OTHER;
}

/* ---- commands ---- */

static void
run_close_cb(uv_handle_t *h)
{
	struct run *r = h->data;

	if (--r->handles > 0)
		return;
	buf_release(&r->out);
	free(r->input);
	free(r);
}

/* Done once the output ended and the process exited: the callback, then
 * the handles go. */
static void
run_check(struct run *r)
{
	if (r->done || !r->eof || !r->exited)
		return;
	r->done = 1;
	LIST_REMOVE(r, entry);
	if (r->cb != NULL)
		r->cb(r->arg, 0, r->status, buf_str(&r->out));
	if (!uv_is_closing((uv_handle_t *)&r->pipe))
		uv_close((uv_handle_t *)&r->pipe, run_close_cb);
	if (r->have_proc && !uv_is_closing((uv_handle_t *)&r->proc))
		uv_close((uv_handle_t *)&r->proc, run_close_cb);
}

static void
run_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	static char chunk[16384];

	(void)h;
	(void)hint;
	b->base = chunk;
	b->len = sizeof(chunk);
}

static void
run_read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct run *r = st->data;

	if (n > 0) {
		/* Past OUT_MAX the rest is dropped: still read to the end. */
		(void)buf_add(&r->out, b->base, (size_t)n);
		return;
	}
	if (n == 0)
		return;
	uv_read_stop(st);
	r->eof = 1;
	run_check(r);
}

static void
run_write_cb(uv_write_t *w, int status)
{
	struct run *r = w->data;

	if (status == 0 &&
	    uv_shutdown(&r->sreq, (uv_stream_t *)&r->pipe, run_shutdown_cb) ==
	        0)
		return;
	/* The tool reads its end to EOF: it sees the error as one. */
	if (status != 0 && status != UV_ECANCELED)
		log_warnx("slurm: cannot write to %s: %s", SBATCH,
		    uv_strerror(status));
}

static void
run_shutdown_cb(uv_shutdown_t *s, int status)
{
	(void)s;
	(void)status;
}

static void
run_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	run_helper_exit_cb(p->data, status, sig);
}

static void
run_helper_exit_cb(void *arg, int64_t status, int sig)
{
	struct run *r = arg;

	r->status = sig != 0 ? 128 + sig : status;
	r->exited = 1;
	run_check(r);
}

/* The start's outcome; a failed one ends the run at once. */
static void
run_spawned_cb(void *arg, int rv, int pid)
{
	struct run *r = arg;

	(void)pid;
	if (rv == 0)
		return;
	r->status = rv;
	r->exited = 1;
	r->eof = 1;
	r->done = 1;
	LIST_REMOVE(r, entry);
	if (r->cb != NULL)
		r->cb(r->arg, rv, 0, "");
	r->cb = NULL;
	/* Closed when run_start() returns (the in-process case calls back
	 * before it does) or here, with the helper. */
	if (priv_active(r->hub)) {
		uv_close((uv_handle_t *)&r->pipe, run_close_cb);
	}
}

/*
 * Runs argv[0] (absolute) with 'argv': as 'account' through the helper
 * (priv_spawn(): its uid, its environment 'env', in 'cwd'), or with
 * 'account' NULL as the hub itself, in its environment. Its stdout and
 * stderr are one socketpair read here; 'input', if not NULL, is written to
 * its stdin (the same socket) and then shut. 0 and 'cb' later, or a libuv
 * error and no callback.
 */
static int
run_start(struct hub *hub, const char *account, char **argv, char **env,
    const char *cwd, const char *input, run_cb cb, void *arg)
{
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	struct run          *r;
	int                  fds[2], rv;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1)
		return uv_translate_sys_error(errno);
	r = xcalloc(1, sizeof(*r));
	r->hub = hub;
	r->cb = cb;
	r->arg = arg;
	buf_init(&r->out, OUT_MAX);
	uv_pipe_init(hub->loop, &r->pipe, 0);
	r->pipe.data = r;
	r->handles = 1;
	rv = uv_pipe_open(&r->pipe, fds[0]);
	if (rv != 0) {
		close(fds[0]);
		close(fds[1]);
		uv_close((uv_handle_t *)&r->pipe, run_close_cb);
		return rv;
	}
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = fds[1];
	stdio[2] = stdio[1];
	if (input != NULL)
		stdio[0] = stdio[1];
	o.file = argv[0];
	o.args = argv;
	o.env = env;
	o.cwd = cwd;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = run_exit_cb;
	r->proc.data = r;
	LIST_INSERT_HEAD(&runs, r, entry);
	if (account != NULL) {
		/* Without the helper priv_spawn() is uv_spawn() here. */
		if (!priv_active(hub)) {
			r->have_proc = 1;
			r->handles++;
		}
		rv = priv_spawn(hub, account, &o, NULL, &r->proc,
		    run_spawned_cb, run_helper_exit_cb, r);
		r->proc.data = r;
	} else {
		rv = uv_spawn(hub->loop, &r->proc, &o);
		r->proc.data = r;
		r->have_proc = 1;
		r->handles++;
		run_spawned_cb(r, rv, 0);
		rv = 0; /* said through the callback */
	}
	close(fds[1]);
	if (rv != 0) {
		/* Nothing started, and no callback came or will. */
		LIST_REMOVE(r, entry);
		r->cb = NULL;
		uv_close((uv_handle_t *)&r->pipe, run_close_cb);
		if (r->have_proc)
			uv_close((uv_handle_t *)&r->proc, run_close_cb);
		return rv;
	}
	if (r->done) {
		/* It failed to start, and said so: the handles go. */
		if (!uv_is_closing((uv_handle_t *)&r->pipe))
			uv_close((uv_handle_t *)&r->pipe, run_close_cb);
		if (r->have_proc)
			uv_close((uv_handle_t *)&r->proc, run_close_cb);
		return 0;
	}
	uv_read_start((uv_stream_t *)&r->pipe, run_alloc_cb, run_read_cb);
	if (input != NULL) {
		uv_buf_t b;

		r->input = xstrdup(input);
		b = uv_buf_init(r->input, (unsigned)strlen(r->input));
		r->wreq.data = r;
		if (uv_write(&r->wreq, (uv_stream_t *)&r->pipe, &b, 1,
		        run_write_cb) != 0)
			log_warnx("slurm: cannot write to %s", argv[0]);
	}
	return 0;
}

/* ---- the watch ---- */

static struct sjob *
job_of(const struct server *s)
{
	struct sjob *j;

	LIST_FOREACH(j, &jobs, entry)
		if (j->s == s)
			return j;
	return NULL;
}

static int
account_of(const struct server *s, char *out, size_t len)
{
	if (!s->hub->is_root) {
		struct passwd *pw = getpwuid(geteuid());

		if (pw == NULL || strlen(pw->pw_name) >= len)
			return -1;
		snprintf(out, len, "%s", pw->pw_name);
		return 0;
	}
	return account_name(s->hub->cfg->user_prefix, s->name, out, len);
}

/* The server's job is watched from now on. */
static void
track(struct server *s)
{
	struct sjob *j;

	if (job_of(s) != NULL)
		return;
	j = xcalloc(1, sizeof(*j));
	server_ref(s);
	j->s = s;
	LIST_INSERT_HEAD(&jobs, j, entry);
	poll_soon(s->hub);
}

/* Whether a start waits on Slurm (the fast poll). */
static int
starting(void)
{
	struct sjob *j;

	LIST_FOREACH(j, &jobs, entry)
		if (!j->gone && j->s->state == SERVER_PENDING &&
		    j->s->port == 0)
			return 1;
	return 0;
}

/* The next squeue: now, then at the pace the jobs need. */
static void
poll_soon(struct hub *hub)
{
	if (!timer_on) {
		uv_timer_init(hub->loop, &poll_timer);
		poll_hub = hub;
		timer_on = 1;
	}
	poll_every = starting() ? POLL_MS : POLL_IDLE_MS;
	uv_timer_start(&poll_timer, poll_timer_cb, 0, poll_every);
}

static void
poll_timer_cb(uv_timer_t *t)
{
	static char *argv[] = { (char *)SQUEUE, (char *)"-h", (char *)"-t",
		(char *)"all", (char *)"-n", (char *)SLURM_JOB_NAME,
		(char *)"-o", (char *)"%i|%T|%r|%N|%u", NULL };
	struct sjob *j;
	int          any = 0, r;

	LIST_FOREACH(j, &jobs, entry)
		any |= !j->gone;
	if (!any) {
		uv_timer_stop(t);
		return;
	}
	if (polling)
		return;
	r = run_start(poll_hub, NULL, argv, NULL, NULL, NULL, poll_cb, NULL);
	if (r != 0) {
		log_warnx("slurm: cannot run %s: %s", SQUEUE, uv_strerror(r));
		return;
	}
	polling = 1;
}

/* squeue's answer: each watched job as it is now. */
static void
poll_cb(void *arg, int r, int64_t status, const char *out)
{
	static uint64_t   warned;
	struct sjob      *j, *next;
	struct slurm_row *rows = NULL;
	size_t            n = 0, cap = 0;
	uint64_t          every;

	(void)arg;
	polling = 0;
	if (r == UV_ECANCELED)
		return;
	if (r != 0 || status != 0) {
		/* Could not ask: the last state stands. */
		if (now_ms() - warned > 60000) {
			warned = now_ms();
			log_warnx("slurm: %s failed (%s): jobs keep their last "
			          "state",
			    SQUEUE,
			    r != 0 ? uv_strerror(r)
			           : (*out != '\0' ? out : "no message"));
		}
		return;
	}
	for (const char *p = out; *p != '\0';) {
		size_t len = strcspn(p, "\n");

		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			rows = grow(rows, cap, sizeof(*rows));
		}
		if (slurm_parse_row(p, len, &rows[n]) == 0)
			n++;
		p += len;
		if (*p == '\n')
			p++;
	}
	for (j = LIST_FIRST(&jobs); j != NULL; j = next) {
		const struct slurm_row *row = NULL;
		char                    acct[ACCOUNT_NAME_MAX + 1];

		next = LIST_NEXT(j, entry);
		if (j->gone || j->s->pid <= 0)
			continue;
		for (size_t i = 0; i < n && row == NULL; i++)
			if (rows[i].id == j->s->pid)
				row = &rows[i];
		/* Another account's job of that id is not this server's
		 * (ids start again when Slurm loses its state). */
		if (row != NULL &&
		    (account_of(j->s, acct, sizeof(acct)) == -1 ||
		        strcmp(row->user, acct) != 0))
			row = NULL;
		if (row == NULL) {
			if (++j->missing >= MISSING_GONE)
				job_end(j, NULL, NULL);
			continue;
		}
		j->missing = 0;
		job_seen(j, row);
	}
	free(rows);
	every = starting() ? POLL_MS : POLL_IDLE_MS;
	if (timer_on && every != poll_every) {
		poll_every = every;
		uv_timer_start(&poll_timer, poll_timer_cb, every, every);
	}
}

/* A progress step of the start, once per message. */
static void
say(struct sjob *j, int pct, const char *fmt, ...)
{
	va_list ap;
	char   *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	if (j->said != NULL && strcmp(j->said, msg) == 0) {
		free(msg);
		return;
	}
	free(j->said);
	j->said = msg;
	if (j->s->state == SERVER_PENDING) {
		log_info("server %s: %s", j->s->label, msg);
		progress_step(j->s, pct, msg);
	}
}

/* The job as squeue shows it now. */
static void
job_seen(struct sjob *j, const struct slurm_row *row)
{
	struct server *s = j->s;
	const char    *g;

	snprintf(j->state, sizeof(j->state), "%s", row->state);
	snprintf(j->reason, sizeof(j->reason), "%s", row->reason);
	snprintf(j->node, sizeof(j->node), "%s", row->nodes);
	switch (slurm_state_kind(row->state)) {
	case SLURM_ENDED:
		job_end(j, row->state, row->reason);
		return;
	case SLURM_ENDING:
		/* Its final state (CANCELLED, TIMEOUT, ...) says why: a
		 * moment to wait for it. */
		if (j->ending_ms == 0)
			j->ending_ms = now_ms();
		if (now_ms() - j->ending_ms > COMPLETING_MS)
			job_end(j, row->state, row->reason);
		return;
	case SLURM_WAITING:
		g = gloss(row->reason);
		if (row->reason[0] == '\0' || strcmp(row->reason, "None") == 0)
			say(j, 25, "Slurm job %d is pending", s->pid);
		else
			say(j, 25, "Slurm job %d is pending: %s%s%s%s", s->pid,
			    row->reason, g != NULL ? " (" : "",
			    g != NULL ? g : "", g != NULL ? ")" : "");
		return;
	case SLURM_BOOTING:
		say(j, 30, "Slurm job %d: powering up node %s", s->pid,
		    row->nodes);
		return;
	case SLURM_OTHER:
		say(j, 30, "Slurm job %d is %s", s->pid, row->state);
		return;
	case SLURM_RUNNING:
		break;
	}
	if (s->state != SERVER_PENDING || s->port > 0)
		return;
	if (j->running_ms == 0)
		j->running_ms = now_ms();
	say(j, 40,
	    "Slurm job %d is running on %s, waiting for the server to "
	    "listen",
	    s->pid, row->nodes);
	if (now_ms() - j->running_ms >
	    (uint64_t)s->hub->cfg->spawn_timeout * 1000) {
		server_spawn_failed(s,
		    "Slurm job %d ran on %s for %d s without its server "
		    "listening (its output: ~/" SLURM_LOG ")",
		    s->pid, row->nodes, s->hub->cfg->spawn_timeout);
		return;
	}
	ask_comment(j);
}

/* What a state or reason means, for people; NULL if it says itself. */
static const char *
gloss(const char *word)
{
	static const char *const words[][2] = {
		{ "Resources", "the nodes are busy" },
		{ "Priority", "other jobs come first" },
		{ "PartitionDown", "the partition is down" },
		{ "TIMEOUT", "its time limit" },
		{ "NODE_FAIL", "its node failed" },
		{ "OUT_OF_MEMORY", "out of memory" },
		{ "PREEMPTED", "preempted by another job" },
		{ "BOOT_FAIL", "its node did not boot" },
		{ "DEADLINE", "its deadline passed" },
	};

	for (size_t i = 0; i < nitems(words); i++)
		if (strcmp(word, words[i][0]) == 0)
			return words[i][1];
	return NULL;
}

/* The job ended in 'state' (with Slurm's 'reason'), or ('state' NULL) is
 * no longer known: so does the server. */
static void
job_end(struct sjob *j, const char *state, const char *reason)
{
	char        why[320];
	const char *g;

	j->gone = 1;
	if (state == NULL)
		snprintf(why, sizeof(why),
		    "ended: Slurm no longer knows its job %d", j->s->pid);
	else {
		g = gloss(state);
		snprintf(why, sizeof(why),
		    "ended with its Slurm job %d: %s%s%s%s", j->s->pid, state,
		    g != NULL ? " (" : "", g != NULL ? g : "",
		    g != NULL ? ")" : "");
		if (reason[0] != '\0' && strcmp(reason, "None") != 0)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
			    ", %s", reason);
	}
	/* May remove the server, and with it 'j' (slurm_forget()). */
	server_exited(j->s, why);
}

/* A running job not yet heard from: its comment, alone (an owner may put
 * anything there, line breaks included). */
static void
ask_comment(struct sjob *j)
{
	char  id[24];
	char *argv[] = { (char *)SQUEUE, (char *)"-h", (char *)"-j", id,
		(char *)"-o", (char *)"%k", NULL };

	if (j->asking)
		return;
	snprintf(id, sizeof(id), "%d", j->s->pid);
	server_ref(j->s);
	if (run_start(j->s->hub, NULL, argv, NULL, NULL, NULL, comment_cb,
	        j->s) != 0) {
		server_unref(j->s);
		return;
	}
	j->asking = 1;
}

static void
comment_cb(void *arg, int r, int64_t status, const char *out)
{
	struct server *s = arg;
	struct sjob   *j = job_of(s);
	int            port;

	if (j != NULL)
		j->asking = 0;
	if (r != 0 || status != 0 || j == NULL || j->gone || s->removed ||
	    s->state != SERVER_PENDING || s->port > 0) {
		server_unref(s);
		return;
	}
	port = slurm_parse_port(out);
	if (port > 0)
		listening(j, port);
	server_unref(s);
}

/* The node's address, or NULL if sinfo has not named it (yet). */
static const char *
node_addr(const char *name)
{
	for (size_t i = 0; i < nnodes; i++)
		if (strcmp(nodes[i].name, name) == 0)
			return nodes[i].addr;
	return NULL;
}

/* sinfo's nodes and their addresses ("NAME|ADDR" lines); then the starts
 * that waited for them go on at the next poll. */
static void
nodes_cb(void *arg, int r, int64_t status, const char *out)
{
	(void)arg;
	asking_nodes = 0;
	if (r == UV_ECANCELED)
		return;
	if (r != 0 || status != 0) {
		log_warnx("slurm: %s failed: %s", SINFO,
		    r != 0 ? uv_strerror(r) : out);
		return;
	}
	free(nodes);
	nodes = NULL;
	nnodes = 0;
	for (const char *p = out; *p != '\0' && nnodes < NODES_MAX;) {
		size_t           len = strcspn(p, "\n");
		const char      *bar = memchr(p, '|', len);
		struct node_addr a;

		if (bar != NULL &&
		    copy_field(a.name, sizeof(a.name), p, (size_t)(bar - p)) ==
		        0 &&
		    copy_field(a.addr, sizeof(a.addr), bar + 1,
		        len - (size_t)(bar - p) - 1) == 0 &&
		    node_addr(a.name) == NULL) {
			nodes = grow(nodes, nnodes + 1, sizeof(*nodes));
			nodes[nnodes++] = a;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (poll_hub != NULL)
		poll_soon(poll_hub);
}

/*
 * The job says its server listens on 'port' of its node: the server is
 * there once the node's address is known (a numeric one: the proxy
 * connects without resolving names). spawn_timeout counts from now.
 */
static void
listening(struct sjob *j, int port)
{
	static char    *argv[] = { (char *)SINFO, (char *)"-h", (char *)"-N",
		   (char *)"-o", (char *)"%N|%o", NULL };
	struct server  *s = j->s;
	struct endpoint e;
	const char     *addr = node_addr(j->node);

	if (addr == NULL) {
		if (!asking_nodes &&
		    run_start(s->hub, NULL, argv, NULL, NULL, NULL, nodes_cb,
		        NULL) == 0)
			asking_nodes = 1;
		return;
	}
	endpoint_tcp(&e, addr, port);
	if (e.host[0] == '\0' || !numeric_host(addr)) {
		server_spawn_failed(s,
		    "node %s's address '%s' (NodeAddr) is not a numeric one: "
		    "the hub connects to servers without resolving names",
		    j->node, addr);
		return;
	}
	s->port = port;
	snprintf(s->host, sizeof(s->host), "%s", addr);
	s->deadline_ms = now_ms() + (uint64_t)s->hub->cfg->spawn_timeout * 1000;
	server_spawned(s);
}

/* ---- the spawner's operations ---- */

static void
slurm_start(struct server *s)
{
	if (s->hub->is_root)
		spawn_account_then(s, submit);
	else
		submit(s);
}

/*
 * sbatch as the account: the job script on stdin, its options from the
 * hub's settings only, the environment built here (the account's basics,
 * the server's from serverenv.h with its secret, the command as JSON).
 */
static void
submit(struct server *s)
{
	struct hub          *hub = s->hub;
	const struct config *cfg = hub->cfg;
	struct spawn_vars    vars;
	struct passwd       *pw;
	char        acct[ACCOUNT_NAME_MAX + 1], *base_url, *home, *shell;
	char       *argv[16], *env[16 + SERVERENV_MAX], **cmd, *json;
	const char *conf;
	json_t     *a;
	int         nargs = 0, nenv = 0, r;

	if (account_of(s, acct, sizeof(acct)) == -1 ||
	    (pw = getpwnam(acct)) == NULL) {
		server_spawn_failed(s, "the Unix account is missing");
		return;
	}
	home = xstrdup(pw->pw_dir);
	shell = xstrdup(pw->pw_shell);
	base_url = xstrdup(s->url);
	memset(&vars, 0, sizeof(vars));
	vars.sock = "";
	vars.port_text = "{port}";
	vars.base_url = base_url;
	vars.root_dir = home;
	vars.username = s->name;
	cmd = spawn_argv(config_server_cmd(cfg), &vars);
	if (cmd[0] == NULL) {
		server_spawn_failed(s, "server_cmd is empty");
		goto out_cmd;
	}
	a = json_array();
	for (size_t i = 0; cmd[i] != NULL; i++)
		json_array_append_new(a, json_string(cmd[i]));
	json = json_dumps(a, JSON_COMPACT);
	json_decref(a);

	argv[nargs++] = xstrdup(SBATCH);
	argv[nargs++] = xstrdup("--parsable");
	argv[nargs++] = xstrdup("--job-name=" SLURM_JOB_NAME);
	argv[nargs++] = xstrdup("--no-requeue");
	argv[nargs++] = xstrdup("--export=ALL");
	argv[nargs++] = xasprintf("--chdir=%s", home);
	argv[nargs++] = xasprintf("--output=%s/%s", home, SLURM_LOG);
	if (cfg->slurm_partition != NULL && cfg->slurm_partition[0] != '\0')
		argv[nargs++] =
		    xasprintf("--partition=%s", cfg->slurm_partition);
	if (cfg->limits.mem_limit > 0)
		argv[nargs++] = xasprintf("--mem=%lluM",
		    (unsigned long long)((cfg->limits.mem_limit + (1 << 20) -
		                             1) >>
		        20));
	if (cfg->limits.cpu_milli > 0)
		argv[nargs++] = xasprintf("--cpus-per-task=%u",
		    (cfg->limits.cpu_milli + 999) / 1000);
	argv[nargs] = NULL;

	env[nenv++] = xasprintf("PATH=%s", SAFE_PATH);
	env[nenv++] = xasprintf("HOME=%s", home);
	env[nenv++] = xasprintf("USER=%s", acct);
	env[nenv++] = xasprintf("LOGNAME=%s", acct);
	env[nenv++] = xasprintf("SHELL=%s", shell);
	env[nenv++] = xstrdup("LANG=C.UTF-8");
	conf = getenv("SLURM_CONF");
	if (conf != NULL)
		env[nenv++] = xasprintf("SLURM_CONF=%s", conf);
	env[nenv++] = xasprintf("RIG_SERVER_ARGV=%s", json);
	nenv = server_env(s, home, cmd[0], env, nenv);
	env[nenv] = NULL;
	free(json);

	server_ref(s);
	progress_step(s, 15, "Submitting the server's job to Slurm");
	r = run_start(hub, acct, argv, env, home, slurm_job_script, submit_cb,
	    s);
	if (r != 0) {
		server_unref(s);
		server_spawn_failed(s, "cannot run %s: %s", SBATCH,
		    uv_strerror(r));
	}
	for (int i = 0; i < nargs; i++)
		free(argv[i]);
	for (int i = 0; i < nenv; i++)
		free_secret(env[i]);
out_cmd:
	spawn_argv_free(cmd);
	free(base_url);
	free(home);
	free(shell);
}

/* sbatch's answer: the job id, or why not. */
static void
submit_cb(void *arg, int r, int64_t status, const char *out)
{
	struct server *s = arg;
	char           acct[ACCOUNT_NAME_MAX + 1];
	long long      id = -1;

	if (r == UV_ECANCELED) {
		server_unref(s);
		return;
	}
	if (r == 0 && status == 0)
		id = slurm_parse_jobid(out);
	if (s->removed || s->state != SERVER_PENDING) {
		/* Stopped meanwhile: the job goes at once. */
		if (id > 0 && account_of(s, acct, sizeof(acct)) == 0)
			cancel(s->hub, acct, id, 0);
		server_unref(s);
		return;
	}
	if (id <= 0) {
		size_t n = strcspn(out, "\n");

		if (r != 0)
			server_spawn_failed(s, "cannot run %s: %s", SBATCH,
			    uv_strerror(r));
		else
			server_spawn_failed(s,
			    "sbatch refused the job (status %lld): %.*s",
			    (long long)status, (int)(n > 300 ? 300 : n),
			    *out != '\0' ? out : "no message");
		server_unref(s);
		return;
	}
	s->pid = (int)id;
	snprintf(s->pid_start, sizeof(s->pid_start), "%s", SLURM_PID_START);
	server_save(s);
	log_info("server %s: submitted as Slurm job %lld", s->label, id);
	track(s);
	{
		struct sjob *j = job_of(s);

		if (j != NULL)
			say(j, 20, "Submitted to Slurm as job %lld", id);
	}
	server_unref(s);
}

/* scancel of job 'id' as 'account', its owner; with 'kill', SIGKILL to
 * all of the job's processes. Nothing is reported. */
static void
cancel(struct hub *hub, const char *account, long long id, int kill)
{
	char  num[24];
	char *argv[6], *env[] = { (char *)"PATH=" SAFE_PATH, NULL, NULL };
	char *conf = NULL;
	int   k = 0;

	snprintf(num, sizeof(num), "%lld", id);
	argv[k++] = (char *)SCANCEL;
	if (kill) {
		argv[k++] = (char *)"--full";
		argv[k++] = (char *)"--signal=KILL";
	}
	argv[k++] = num;
	argv[k] = NULL;
	if (getenv("SLURM_CONF") != NULL) {
		conf = xasprintf("SLURM_CONF=%s", getenv("SLURM_CONF"));
		env[1] = conf;
	}
	if (run_start(hub, account, argv, env, "/", NULL, cancel_cb, NULL) != 0)
		log_warnx("slurm: cannot cancel job %lld", id);
	free(conf);
}

static void
cancel_cb(void *arg, int r, int64_t status, const char *out)
{
	(void)arg;
	if (r == 0 && status != 0)
		log_warnx("slurm: %s: %.*s", SCANCEL, (int)strcspn(out, "\n"),
		    out);
}

static void
slurm_signal(struct server *s, enum spawner_signal sig)
{
	char acct[ACCOUNT_NAME_MAX + 1];

	struct sjob *j = job_of(s);

	if (s->pid <= 0 || (j != NULL && j->gone) ||
	    account_of(s, acct, sizeof(acct)) == -1)
		return;
	if (sig == SPAWNER_KILL) {
		log_warnx("server %s: Slurm job %d did not end in %d s, "
		          "killing it",
		    s->label, s->pid, SERVER_STOP_GRACE);
	}
	cancel(s->hub, acct, s->pid, sig == SPAWNER_KILL);
}

/* Alive unless its end was seen; a row of another spawner's (a pid with
 * a /proc start time) is not a job. */
static int
slurm_alive(const struct server *s)
{
	struct sjob *j = job_of(s);

	if (j != NULL)
		return !j->gone;
	return s->pid > 0 && strcmp(s->pid_start, SLURM_PID_START) == 0;
}

static int
slurm_watched(const struct server *s)
{
	struct sjob *j = job_of(s);

	return j != NULL && !j->gone;
}

static void
slurm_address(const struct server *s, struct endpoint *to)
{
	endpoint_tcp(to, s->host, s->port);
}

/* The job's output is on its node's side of the shared folder, the
 * user's to read. */
static char *
slurm_log_tail(const struct server *s, int lines)
{
	(void)s;
	(void)lines;
	return xstrdup("");
}

static int
slurm_adopt(struct server *s)
{
	track(s);
	return s->state == SERVER_PENDING && s->port == 0;
}

static void
slurm_forget(struct server *s)
{
	struct sjob *j = job_of(s);

	if (j == NULL)
		return;
	LIST_REMOVE(j, entry);
	free(j->said);
	free(j);
	server_unref(s);
}

/* The account's jobs are cancelled first (as the account, which must
 * still exist), then it goes as the local spawner removes it. */
struct drop {
	struct hub *hub;
	char       *name;
};

static void
drop_cb(void *arg, int r, int64_t status, const char *out)
{
	struct drop *d = arg;

	(void)status;
	(void)out;
	if (r != UV_ECANCELED)
		spawner_local.drop_user(d->hub, d->name);
	free(d->name);
	free(d);
}

static void
slurm_drop_user(struct hub *hub, const char *name)
{
	char           acct[ACCOUNT_NAME_MAX + 1], *conf = NULL;
	char          *argv[] = { (char *)SCANCEL, (char *)"--name",
		         (char *)SLURM_JOB_NAME, NULL };
	char          *env[] = { (char *)"PATH=" SAFE_PATH, NULL, NULL };
	struct passwd *pw;
	struct drop   *d;

	if (!hub->is_root ||
	    account_name(hub->cfg->user_prefix, name, acct, sizeof(acct)) ==
	        -1 ||
	    account_lookup(acct, &pw) != 1)
		return;
	if (getenv("SLURM_CONF") != NULL) {
		conf = xasprintf("SLURM_CONF=%s", getenv("SLURM_CONF"));
		env[1] = conf;
	}
	d = xcalloc(1, sizeof(*d));
	d->hub = hub;
	d->name = xstrdup(name);
	/* scancel as the account cancels only the account's own jobs. */
	if (run_start(hub, acct, argv, env, "/", NULL, drop_cb, d) != 0)
		drop_cb(d, 0, 0, "");
	free(conf);
}

/* The hub stops: commands in flight are let go (their callbacks get
 * UV_ECANCELED), the timer closed; jobs run on. */
static void
slurm_release(void)
{
	struct run *r;

	while ((r = LIST_FIRST(&runs)) != NULL) {
		LIST_REMOVE(r, entry);
		r->done = 1;
		if (r->cb != NULL)
			r->cb(r->arg, UV_ECANCELED, 0, "");
		r->cb = NULL;
		if (!uv_is_closing((uv_handle_t *)&r->pipe))
			uv_close((uv_handle_t *)&r->pipe, run_close_cb);
		if (r->have_proc && !uv_is_closing((uv_handle_t *)&r->proc))
			uv_close((uv_handle_t *)&r->proc, run_close_cb);
	}
	if (timer_on) {
		uv_close((uv_handle_t *)&poll_timer, NULL);
		timer_on = 0;
	}
	polling = asking_nodes = 0;
	free(nodes);
	nodes = NULL;
	nnodes = 0;
	poll_hub = NULL;
}
