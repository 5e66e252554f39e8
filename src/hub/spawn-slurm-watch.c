/* SPDX-License-Identifier: MIT */
/*
 * The Slurm spawner's watch over its jobs (spawn-slurm-internal.h).
 *
 * One squeue for all of the hub's jobs (by job name), every POLL_MS
 * while a start waits, every POLL_IDLE_MS otherwise; never a query per
 * server per second. Its fields are Slurm's own (state, reason, nodes,
 * user): a comment, which a job's owner writes and may break lines in,
 * is asked for alone (squeue -j ID -o %k), for a job that runs and has
 * not said its port yet (spawn-slurm-script.c). A query that fails keeps
 * the last state ("could not ask" is not "gone"); a job missing from two
 * answers in a row is gone. Progress events follow the queue: pending
 * and Slurm's reason, its node powering up, running on NODE. The queue's
 * wait has no deadline; spawn_timeout counts from when the job runs. A
 * job's end (a time limit, its node's failure, a cancel) ends the server
 * with the state and reason Slurm gives (server_exited()).
 *
 * Where it listens: the port is the job's word, reported to the hub's
 * API at once when the job can reach it (spawn-slurm-report.c), and in
 * its comment in any case (a hub restarted meanwhile, an API the nodes
 * cannot reach: the comment is read once squeue shows it running); the host
 * is the NodeAddr of the node Slurm allocated (sinfo), numeric only. The
 * hub then probes NODEADDR:PORT with the secret as for any server
 * (server.c).
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "accounts.h"
#include "endpoint.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "progress.h"
#include "server.h"
#include "spawn-slurm-internal.h"
#include "spawn-slurm-parse.h"
#include "spawn-slurm-run.h"
#include "slurm-ask.h"

#define POLL_MS 100 /* squeue while a start waits */
#define POLL_IDLE_MS 1000 /* squeue otherwise */
#define LINK_PROBE_MS 10 /* readiness probes once the job says its port */
#define MISSING_GONE 2 /* answers without the job before it is gone */
#define NODES_MAX 4096
/* A job COMPLETING this long ends its server without its final state. */
#define COMPLETING_MS 5000

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
	int            reported; /* the port the job reported, 0 before */
	LIST_ENTRY(sjob) entry;
};

static LIST_HEAD(, sjob) jobs = LIST_HEAD_INITIALIZER(jobs);
static uv_timer_t         poll_timer;
static struct hub        *poll_hub;
static int                timer_on, polling, asking_nodes;
static uint64_t           poll_every;
static struct slurm_node *nodes;
static size_t             nnodes;

static void        *grow(void *, size_t, size_t);
static int          numeric_host(const char *);
static struct sjob *job_of(const struct server *);
static int          starting(void);
static void         poll_soon(struct hub *);
static void         poll_timer_cb(uv_timer_t *);
static void         poll_cb(void *, int, int64_t, const char *);
static void         job_seen(struct sjob *, const struct slurm_row *);
static void         job_end(struct sjob *, const char *, const char *);
static const char  *gloss(const char *);
static void         say(struct sjob *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void say_v(struct sjob *, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));
static void        ask_comment(struct sjob *);
static void        comment_cb(void *, int, int64_t, const char *);
static void        nodes_cb(void *, int, int64_t, const char *);
static const char *node_addr(const char *);
static void        ask_nodes(struct hub *);
static void        listening(struct sjob *, int);
static void        link_up(struct server *);

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

static struct sjob *
job_of(const struct server *s)
{
	struct sjob *j;

	LIST_FOREACH(j, &jobs, entry)
		if (j->s == s)
			return j;
	return NULL;
}

void
slurm_watch_add(struct server *s)
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
	r = slurm_ask(poll_hub, SLURM_Q_SERVERS, 0, poll_cb, NULL);
	if (r != 0) {
		log_warnx("slurm: cannot run %s: %s", SLURM_SQUEUE,
		    uv_strerror(r));
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
			    SLURM_SQUEUE,
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
		    (slurm_account_of(j->s, acct, sizeof(acct)) == -1 ||
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

	va_start(ap, fmt);
	say_v(j, pct, fmt, ap);
	va_end(ap);
}

static void
say_v(struct sjob *j, int pct, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);

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
	/* Its output so far, for the spawn page (and a failure's); not
	 * kept once the server runs (up to 8 kB a server, never shown). */
	if (s->state == SERVER_PENDING)
		slurm_log_fetch(s);
	else if (s->state == SERVER_READY)
		slurm_log_forget(s);
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
		char log[SLURM_LOG_MAX];

		slurm_log_name(s, log);
		server_spawn_failed(s,
		    "Slurm job %d ran on %s for %d s without its server "
		    "listening (its output: ~/%s)",
		    s->pid, row->nodes, s->hub->cfg->spawn_timeout, log);
		return;
	}
	if (j->reported > 0) {
		listening(j, j->reported);
		return;
	}
	/* The node's address asked for now, not once the port is known. */
	if (node_addr(row->nodes) == NULL)
		ask_nodes(s->hub);
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
	slurm_link_end(j->s);
	/* May remove the server, and with it 'j' (slurm_forget()). */
	server_exited(j->s, why);
}

/* A running job not yet heard from: its comment, alone (an owner may put
 * anything there, line breaks included). */
static void
ask_comment(struct sjob *j)
{
	if (j->asking)
		return;
	server_ref(j->s);
	if (slurm_ask(j->s->hub, SLURM_Q_COMMENT, j->s->pid, comment_cb,
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
		log_warnx("slurm: %s failed: %s", SLURM_SINFO,
		    r != 0 ? uv_strerror(r) : out);
		return;
	}
	free(nodes);
	nodes = NULL;
	nnodes = 0;
	for (const char *p = out; *p != '\0' && nnodes < NODES_MAX;) {
		size_t            len = strcspn(p, "\n");
		struct slurm_node a;

		if (slurm_parse_node(p, len, &a) == 0 &&
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

/* sinfo's nodes and addresses, unless a query is out. */
static void
ask_nodes(struct hub *hub)
{
	static char *argv[] = { (char *)SLURM_SINFO, (char *)"-h", (char *)"-N",
		(char *)"-o", (char *)"%N|%o", NULL };

	if (!asking_nodes &&
	    slurm_run(hub, NULL, argv, NULL, NULL, NULL, nodes_cb, NULL) == 0)
		asking_nodes = 1;
}

/*
 * The job says its server listens on 'port' of its node: the server is
 * there once the node's address is known (a numeric one: the proxy
 * connects without resolving names). spawn_timeout counts from now.
 */
static void
listening(struct sjob *j, int port)
{
	struct server  *s = j->s;
	struct endpoint e;
	const char     *addr = node_addr(j->node);

	if (addr == NULL) {
		ask_nodes(s->hub);
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
	slurm_link_start(s, link_up);
}

/* The way in is there: the server is probed through it from now on, and
 * spawn_timeout counts from now. */
static void
link_up(struct server *s)
{
	if (s->removed || s->state != SERVER_PENDING)
		return;
	s->deadline_ms = now_ms() + (uint64_t)s->hub->cfg->spawn_timeout * 1000;
	server_spawned(s);
	/* The job saw its server listen: probed at once, and again soon
	 * (the job's report may come just before the server accepts). */
	server_probe_every(s, 0, LINK_PROBE_MS);
}

int
slurm_watch_reported(struct server *s, int port)
{
	struct sjob *j = job_of(s);

	if (j == NULL || j->gone)
		return -1;
	log_info("server %s: Slurm job %d reports its server on port %d",
	    s->label, s->pid, port);
	j->reported = port;
	/* Seen running on its node: there now; else at the next poll. */
	if (slurm_state_kind(j->state) == SLURM_RUNNING && j->node[0] != '\0')
		listening(j, port);
	else
		poll_soon(s->hub);
	return 0;
}

void
slurm_watch_remove(struct server *s)
{
	struct sjob *j = job_of(s);

	if (j == NULL)
		return;
	LIST_REMOVE(j, entry);
	free(j->said);
	free(j);
	server_unref(s);
}

int
slurm_watch_gone(const struct server *s)
{
	struct sjob *j = job_of(s);

	return j == NULL ? -1 : j->gone;
}

void
slurm_watch_say(struct server *s, int pct, const char *fmt, ...)
{
	struct sjob *j = job_of(s);
	va_list      ap;

	if (j == NULL)
		return;
	va_start(ap, fmt);
	say_v(j, pct, fmt, ap);
	va_end(ap);
}

void
slurm_watch_release(void)
{
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
