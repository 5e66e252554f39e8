/* SPDX-License-Identifier: MIT */
/*
 * rig pool power (pool-power.h). Runs as root from slurmctld's programs:
 * it trusts only a configuration root alone may have written, checks
 * every node name before anything runs, gives commands argv (never a
 * shell) and talks to Slurm with scontrol.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostlist.h"
#include "lib/buf.h"
#include "lib/ini.h"
#include "lib/log.h"
#include "lib/powerlog.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "machine/provider.h"
#include "pool-node-join.h"
#include "pool-power.h"
#include "slurmconf.h"
#include "lib/banned.h"

#define SCONTROL_MS (30 * 1000)
#define JOIN_POLL_MS 500
#define LOCK_POLL_MS 100
/* Each node's power lock, beside the providers' state. */
#define POWER_LOCK_DIR POOL_POWER_STATE "/power"

static int   load_cb(void *, const char *, const char *, const char *,
      const char *, int);
static int   conf_trusted(const char *);
static int   node_down(const char *, const char *);
static void  power_back_down(const struct power_node *, struct provider_node *);
static int   node_state(const char *, char *, size_t);
static char *slurm_cmd(struct argv *);
static void  restart_jobs(const char *, const char *);
static void  record_power(const char *, int);
static char *node_jobs(const char *);
static int   wait_joined(const struct power_conf *, char **, int *, size_t);
static int   node_addr(const char *, const char *);

static int
load_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	struct power_conf *pc = arg;
	struct power_node *nd;
	const char        *sp = strchr(value, ' ');
	char              *part;

	if (strcmp(section, "head") == 0) {
		pc->has_head = 1;
		if (machine_set(&pc->head, "machine", key, value) == -1)
			return error("%s:%d: in [head]", path, lineno);
		return 0;
	}
	if (strcmp(section, "pool") != 0 &&
	    strncmp(section, "partition ", 10) != 0 &&
	    strcmp(section, "nodes") != 0) {
		/* The head's provider's own section. */
		if (machine_set(&pc->head, section, key, value) == -1)
			return error("%s:%d: in [%s]", path, lineno, section);
		return 0;
	}
	if (strcmp(section, "nodes") != 0) {
		if (pool_set(&pc->pl, section, key, value) == -1)
			return error("%s:%d: in [%s]", path, lineno, section);
		return 0;
	}
	if (sp == NULL || !slurmconf_node_name_ok(key))
		return error("%s:%d: expected NAME = PARTITION HOST", path,
		    lineno);
	pc->nodes = xrealloc(pc->nodes, (pc->n + 1) * sizeof(*pc->nodes));
	nd = &pc->nodes[pc->n++];
	memset(nd, 0, sizeof(*nd));
	nd->name = xstrdup(key);
	nd->host = xstrdup(sp + 1);
	part = xstrndup(value, (size_t)(sp - value));
	for (const struct partition *pt = pc->pl.parts; pt != NULL;
	     pt = pt->next)
		if (strcmp(pt->name, part) == 0)
			nd->part = pt;
	free(part);
	if (nd->part == NULL || !partition_powered(nd->part))
		return error("%s:%d: node %s: no powered partition '%.*s'",
		    path, lineno, key, (int)(sp - value), value);
	return 0;
}

/* Root's file, which no one else may change (the commands in it run as
 * root), in a folder no one else may change. */
static int
conf_trusted(const char *path)
{
	struct stat st;
	char       *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int         r = 0;

	if (slash != NULL && slash != dir)
		*slash = '\0';
	if (lstat(path, &st) == -1)
		r = error("%s: %s (rig up writes it on the head of a pool "
		          "with power_on/power_off)",
		    path, strerror(errno));
	else if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022) != 0)
		r = error("%s: not a file root alone may change: not used",
		    path);
	else if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != 0 || (st.st_mode & 022) != 0)
		r = error("%s: not a folder root alone may change: not used",
		    dir);
	free(dir);
	return r;
}

int
power_conf_load(struct power_conf *pc, const char *path)
{
	int r;

	memset(pc, 0, sizeof(*pc));
	pool_init(&pc->pl);
	machine_init(&pc->head);
	/* What providers keep of their nodes is root's, beside none of a
	 * project's .rig. */
	pc->head.state_dir = xstrdup(POOL_POWER_STATE);
	pc->head.conf_path = xstrdup(path);
	if (conf_trusted(path) == -1)
		return -1;
	r = ini_read(path, load_cb, pc);
	if (r == 1)
		return error("%s: does not exist", path);
	if (r == 0 && pc->has_head) {
		pc->head.provider = provider_find(pc->head.provider_name);
		if (mkdir_p(POOL_POWER_STATE, 0700) == -1)
			return error("%s: %s", POOL_POWER_STATE,
			    strerror(errno));
	}
	return r;
}

void
power_conf_release(struct power_conf *pc)
{
	for (size_t i = 0; i < pc->n; i++) {
		free(pc->nodes[i].name);
		free(pc->nodes[i].host);
	}
	free(pc->nodes);
	pool_release(&pc->pl);
	machine_release(&pc->head);
	memset(pc, 0, sizeof(*pc));
}

const struct power_node *
power_conf_node(const struct power_conf *pc, const char *name)
{
	for (size_t i = 0; i < pc->n; i++)
		if (strcmp(pc->nodes[i].name, name) == 0)
			return &pc->nodes[i];
	return NULL;
}

void
power_reason(const char *why, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = why; *p != '\0' && o + 1 < len; p++)
		out[o++] = (*p >= ' ' && *p <= '~' && *p != '"' && *p != '\'')
		    ? *p
		    : ' ';
	out[o] = '\0';
}

/* scontrol update: the node DOWN with 'why', so its jobs go elsewhere. */
static int
node_down(const char *name, const char *why)
{
	char               reason[256];
	struct argv        av;
	struct proc_result res;
	int                r;

	power_reason(why, reason, sizeof(reason));
	argv_init(&av);
	argv_add(&av, "scontrol");
	argv_add(&av, "update");
	argv_addf(&av, "nodename=%s", name);
	argv_add(&av, "state=down");
	argv_addf(&av, "reason=rig: %s", reason);
	proc_result_init(&res);
	r = proc_capture(av.v, "/", -1, SCONTROL_MS, &res);
	argv_release(&av);
	if (r == 0 && res.status != 0)
		r = error("node %s: scontrol update state=down: %s", name,
		    buf_str(&res.err));
	else if (r == 0)
		log_info("node %s: marked down: %s", name, reason);
	proc_result_release(&res);
	return r;
}

int
power_joined(const char *state)
{
	static const char *const waiting[] = { "POWERING_UP", "POWERED_DOWN",
		"POWERING_DOWN", "NOT_RESPONDING", NULL };
	size_t                   n;

	/* BASE+FLAG+FLAG... */
	if (strncmp(state, "DOWN", 4) == 0 &&
	    (state[4] == '+' || state[4] == '\0'))
		return -1;
	for (const char *p = state; *p != '\0'; p += n, p += *p == '+') {
		n = strcspn(p, "+");
		for (size_t i = 0; waiting[i] != NULL; i++)
			if (strlen(waiting[i]) == n &&
			    strncmp(p, waiting[i], n) == 0)
				return 0;
	}
	return 1;
}

/* Runs 'av' (scontrol, squeue); its output in *out (caller frees), NULL
 * if it failed. */
static char *
slurm_cmd(struct argv *av)
{
	struct proc_result res;
	char              *out = NULL;

	proc_result_init(&res);
	if (proc_capture(av->v, "/", -1, SCONTROL_MS, &res) == 0 &&
	    res.status == 0)
		out = buf_detach(&res.out, NULL);
	else
		log_warnx("%s %s: %s", av->v[0], av->v[1], buf_str(&res.err));
	proc_result_release(&res);
	argv_release(av);
	return out;
}

/*
 * Jobs Slurm requeued from a node that did not power up may start again
 * at once: Slurm may hold them cred_expire (2 min) so that messages of
 * the old run are ignored, and that node never ran them.
 * 'jobs' are the ids that were on it ("1\n2\n").
 */
static void
restart_jobs(const char *name, const char *jobs)
{
	struct argv av;
	char       *id, *out;

	for (const char *p = jobs; *p != '\0';
	     p += strcspn(p, "\n"), p += *p == '\n') {
		size_t n = strcspn(p, "\n");

		if (n == 0 || n > 20 || strspn(p, "0123456789") != n)
			continue;
		id = xstrndup(p, n);
		argv_init(&av);
		argv_add(&av, "scontrol");
		argv_add(&av, "update");
		argv_addf(&av, "jobid=%s", id);
		argv_add(&av, "starttime=now");
		out = slurm_cmd(&av);
		if (out != NULL)
			log_info("job %s, requeued from %s: may start now on "
			         "another node",
			    id, name);
		free(out);
		free(id);
	}
}

/* The ids of the jobs on 'name' (NULL if squeue failed). */
static char *
node_jobs(const char *name)
{
	struct argv av;

	argv_init(&av);
	argv_add(&av, "squeue");
	argv_add(&av, "-h");
	argv_add(&av, "-o");
	argv_add(&av, "%i");
	argv_add(&av, "-w");
	argv_add(&av, name);
	return slurm_cmd(&av);
}

/* A node its provider made: where it is now, for slurmctld to reach its
 * slurmd (NodeAddr; the name stays its host name). */
static int
node_addr(const char *name, const char *addr)
{
	struct argv av;
	char       *out;

	argv_init(&av);
	argv_add(&av, "scontrol");
	argv_add(&av, "update");
	argv_addf(&av, "nodename=%s", name);
	argv_addf(&av, "nodeaddr=%s", addr);
	argv_addf(&av, "nodehostname=%s", name);
	out = slurm_cmd(&av);
	if (out == NULL)
		return error("node %s: its address %s not given to Slurm", name,
		    addr);
	free(out);
	log_info("node %s: at %s", name, addr);
	return 0;
}

/* The node's State=... as scontrol shows it; -1 if it could not say. */
static int
node_state(const char *name, char *state, size_t len)
{
	struct argv        av;
	struct proc_result res;
	const char        *p;
	int                r = -1, ran;

	argv_init(&av);
	argv_add(&av, "scontrol");
	argv_add(&av, "-o");
	argv_add(&av, "show");
	argv_add(&av, "node");
	argv_add(&av, name);
	proc_result_init(&res);
	ran = proc_capture(av.v, "/", -1, SCONTROL_MS, &res);
	argv_release(&av);
	if (ran == 0 && res.status == 0 &&
	    (p = strstr(buf_str(&res.out), " State=")) != NULL) {
		p += 7;
		snprintf(state, len, "%.*s", (int)strcspn(p, " \n"), p);
		r = 0;
	}
	proc_result_release(&res);
	return r;
}

/*
 * Waits until each node with pending[i] set has joined (its State no
 * longer POWERING_UP nor NOT_RESPONDING) or failed; those that do not
 * by the resume timeout are marked down. -1 if any failed.
 */
static int
wait_joined(const struct power_conf *pc, char **names, int *pending, size_t n)
{
	uint64_t deadline = now_ms() + (uint64_t)pc->pl.resume_timeout * 1000;
	char     state[256], why[320];
	size_t   left = 0;
	int      r = 0;

	for (size_t i = 0; i < n; i++)
		left += pending[i] != 0;
	while (left > 0) {
		for (size_t i = 0; i < n; i++) {
			if (!pending[i] ||
			    node_state(names[i], state, sizeof(state)) == -1)
				continue;
			switch (power_joined(state)) {
			case -1:
				/* Slurm gave up on it (ResumeTimeout). */
				log_warnx("node %s: did not join (%s)",
				    names[i], state);
				r = -1;
				break;
			case 0:
				continue;
			default:
				log_info("node %s: joined (%s)", names[i],
				    state);
			}
			pending[i] = 0;
			left--;
		}
		if (left == 0)
			break;
		if (now_ms() >= deadline) {
			for (size_t i = 0; i < n; i++) {
				if (!pending[i])
					continue;
				snprintf(why, sizeof(why),
				    "powered up, but its slurmd did not join "
				    "within %lld s",
				    (long long)pc->pl.resume_timeout);
				node_down(names[i], why);
			}
			return -1;
		}
		usleep(JOIN_POLL_MS * 1000);
	}
	return r;
}

/* The power log is the spend's, not the power's: a failure to write it
 * is said and changes nothing else. */
static void
record_power(const char *node, int up)
{
	if (powerlog_record(POWERLOG_PATH, node, up, now_sec()) == -1)
		log_warnx("node %s: not recorded in %s", node, POWERLOG_PATH);
}

/*
 * One power operation on a node at a time, its set-up included: Slurm
 * powers a node once, but a rig pool power by hand may overlap it, and a
 * set-up that fails powers the node down again under the other. Waits
 * up to 'secs' (Slurm gives up on a resume by then anyway). The fd, or
 * -1 and why.
 */
static int
power_lock(const char *name, int64_t secs, char *why, size_t len)
{
	char    *path = xasprintf(POWER_LOCK_DIR "/%s.lock", name);
	uint64_t deadline = now_ms() + (uint64_t)secs * 1000;
	int      fd = -1, said = 0;

	if (mkdir_p(POWER_LOCK_DIR, 0700) == 0)
		fd =
		    open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK || now_ms() >= deadline) {
			snprintf(why, len,
			    "another power operation on it held %s for %lld s",
			    path, (long long)secs);
			close(fd);
			fd = -1;
			break;
		}
		if (!said++)
			log_info("node %s: waiting for another power "
			         "operation on it",
			    name);
		usleep(LOCK_POLL_MS * 1000);
	}
	free(path);
	return fd;
}

/*
 * A node powered up whose set-up then failed goes down again at once: not
 * left running (and billed) until Slurm's ResumeTimeout gives up on it.
 */
static void
power_back_down(const struct power_node *pn, struct provider_node *nd)
{
	const struct provider *pv = pn->part->provider;
	char                   why[256];

	nd->cmd = pn->part->power_off;
	if (pv->power_down == NULL ||
	    pv->power_down(nd, why, sizeof(why)) == -1)
		log_warnx("node %s: not set up, and not powered down again: %s",
		    pn->name,
		    pv->power_down == NULL ? "its provider cannot" : why);
	else {
		log_info("node %s: not set up: powered down again", pn->name);
		record_power(pn->name, 0);
	}
}

/*
 * Powers one node up or down with its provider; a node the provider
 * made and powered up is given to Slurm at its address and set up over
 * SSH (pool-node-join.c). 0, or -1 and why.
 */
static int
power_one(const struct power_conf *pc, const struct power_node *pn, int up,
    char *why, size_t len)
{
	const struct provider *pv = pn->part->provider;
	int (*op)(const struct provider_node *, char *, size_t) =
	    up ? pv->power_up : pv->power_down;
	int                  made = partition_makes_nodes(pn->part), r = -1;
	char                 addr[64] = "", *login = NULL;
	struct machine       nm;
	struct provider_node nd = { .name = pn->name,
		.host = made ? NULL : pn->host,
		.cmd = up ? pn->part->power_on : pn->part->power_off,
		.size = pn->part->size,
		.spot = pn->part->spot,
		.delete_after = pn->part->node_delete_after,
		.head = pc->has_head ? (struct machine *)&pc->head : NULL,
		.addr = addr,
		.addr_len = sizeof(addr) };

	machine_init(&nm);
	if (op == NULL) {
		snprintf(why, len, "provider %s cannot power nodes",
		    pn->part->provider_name);
		goto out;
	}
	/* The head's key and the node's folder, for its set-up. */
	if (up && made) {
		machine_release(&nm);
		if ((login = pool_ssh_key(why, len)) == NULL)
			goto out;
		if (pool_join_machine(&nm, pc, pn->name) == -1) {
			snprintf(why, len, "no folder of its own in %s",
			    POOL_POWER_STATE);
			goto out;
		}
		nd.login_key = login;
		nd.dir = nm.state_dir;
	}
	if (op(&nd, why, len) == -1)
		goto out;
	if (!up || addr[0] == '\0') {
		r = 0;
		goto out;
	}
	if (node_addr(pn->name, addr) == -1)
		snprintf(why, len, "powered up at %s, which Slurm did not take",
		    addr);
	else
		r = made ? pool_node_join(&nm, pc, pn->name, addr, why, len)
		         : 0;
	if (r == -1)
		power_back_down(pn, &nd);
out:
	free(login);
	machine_release(&nm);
	return r;
}

int
pool_power(int up, const char *hostlist, const char *path)
{
	struct power_conf pc;
	char            **names = NULL, why[512], *jobs;
	int              *pending = NULL, r = 0, lock, ok;
	size_t            n = 0;

	if (hostlist_expand(hostlist, &names, &n, why, sizeof(why)) == -1)
		return error("rig pool power: %s", why);
	if (power_conf_load(&pc, path) == -1) {
		hostlist_free(names, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (power_conf_node(&pc, names[i]) == NULL) {
			r = error("rig pool power: '%s' is not a node with "
			          "power control in %s: nothing done",
			    names[i], path);
			goto out;
		}
	pending = xcalloc(n, sizeof(*pending));
	for (size_t i = 0; i < n; i++) {
		const struct power_node *pn = power_conf_node(&pc, names[i]);

		log_info("node %s (%s): powering %s", pn->name, pn->host,
		    up ? "up" : "down");
		/* For the spend (powerlog.h): a node costs from the moment
		 * it is asked to start until it is off. */
		if (up)
			record_power(pn->name, 1);
		why[0] = '\0';
		lock = power_lock(pn->name, pc.pl.resume_timeout, why,
		    sizeof(why));
		ok =
		    lock != -1 && power_one(&pc, pn, up, why, sizeof(why)) == 0;
		if (lock != -1)
			close(lock);
		if (ok) {
			log_info("node %s: powered %s", pn->name,
			    up ? "up, waiting for its slurmd to join" : "down");
			if (!up)
				record_power(pn->name, 0);
			pending[i] = up;
			continue;
		}
		log_warnx("node %s: %s", pn->name, why);
		/* Marked down either way: up, so its job goes elsewhere;
		 * down, because it may still run (and cost). */
		jobs = up ? node_jobs(pn->name) : NULL;
		if (node_down(pn->name, why) == 0 && jobs != NULL)
			restart_jobs(pn->name, jobs);
		free(jobs);
		r = -1;
	}
	if (up && wait_joined(&pc, names, pending, n) == -1)
		r = -1;
out:
	free(pending);
	hostlist_free(names, n);
	power_conf_release(&pc);
	return r;
}
