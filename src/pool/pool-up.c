/* SPDX-License-Identifier: MIT */
/*
 * rig up's pool steps (pool-up.h). Every node is a struct machine made
 * from [machine]'s login and the partition's host, reached through its
 * provider and remote.c like the head (its own ssh_config and known
 * hosts in .rig/nodes/HOST/). Scripts run as root: directly when the
 * login is root, else through 'sudo -n'.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "machine/hubctl.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "machine/remote.h"
#include "machine/service.h"
#include "pool-node-setup.h"
#include "pool-node.h"
#include "pool-sh.h"
#include "pool-up.h"
#include "pool.h"
#include "slurmconf.h"
#include "lib/banned.h"

#define SCRIPT_MAX (8 * 1024 * 1024)
#define STEP_MS (5 * 60 * 1000)
#define INSTALL_MS (30 * 60 * 1000)
#define JOIN_TRIES 120 /* half seconds for the nodes to register */

/* One node being set up. */
struct node {
	struct machine m;
	struct remote  rm;
	int            sudo; /* root through sudo -n */
	int            open;
};

struct up {
	struct remote     *head;
	int                head_sudo;
	char               head_name[128];
	char              *head_rig; /* the login's rig on the head */
	const struct pool *pl;
	struct pool_node  *pn; /* n, then the leaving ones */
	struct node       *nodes;
	size_t             n, total;
	char              *key; /* base64 munge key, wiped at the end */
	struct buf accts; /* "H:NAME:UID:..." lines, the head's people */
};

static void stop_leaving(struct up *, const char *);
static int  head_rig(struct up *);
static int  step_nodes(struct up *);
static int  keep_powered_down(struct up *, size_t);
static int  step_head_key(struct up *);
static int  step_accounts(struct up *);
static int  step_leaving(struct up *);
static int  step_allow(struct up *);
static int  step_head(struct up *, const char *, const char *);
static void add_power(struct up *, struct buf *);
static int  step_node(struct up *, size_t, const struct node_files *);
static int  step_join(struct up *);
static void add_leaving(void *, const char *, const char *);

/* Where up.c put rig on the head: in the login's home. */
static int
head_rig(struct up *u)
{
	struct proc_result res;
	const char        *out;
	int                r;

	proc_result_init(&res);
	r = remote_capture(u->head, "printf '%s\\n' \"$HOME/" SERVICE_BIN "\"",
	    -1, STEP_MS, &res);
	out = buf_str(&res.out);
	if (r == 0 && (res.status != 0 || out[0] != '/'))
		r = error("the head's home folder is not known");
	if (r == 0)
		u->head_rig = xstrndup(out, strcspn(out, "\n"));
	proc_result_release(&res);
	return r;
}

/*
 * A node of a powered partition that does not answer is powered down,
 * as Slurm left it: its line in the head's slurm.conf (State=CLOUD, at
 * the same address) is kept as it was, and the node is set up when rig
 * up finds it running. -1 (printed) for any other node.
 */
static int
keep_powered_down(struct up *u, size_t i)
{
	struct proc_result res;
	char              *addr;
	const char        *p, *line = NULL;
	size_t             n;
	int                r;

	if (!partition_powered(u->pn[i].part))
		return error("node %s: cannot be reached", u->pn[i].host);
	r = pool_root_run(u->head, u->head_sudo,
	    "cat " SLURMCONF_PATH " 2>/dev/null; true", -1, STEP_MS, &res);
	addr = xasprintf(" NodeAddr=%s ", u->pn[i].host);
	for (p = buf_str(&res.out); r == 0 && *p != '\0' && line == NULL;
	     p += n, p += *p == '\n') {
		n = strcspn(p, "\n");
		if (strncmp(p, "NodeName=", 9) == 0 &&
		    memmem(p, n, addr, strlen(addr)) != NULL &&
		    memmem(p, n, " State=CLOUD", 12) != NULL)
			line = p;
	}
	free(addr);
	if (line != NULL) {
		n = strcspn(line, "\n");
		u->pn[i].kept_line = xstrndup(line, n);
		u->pn[i].name = xstrndup(line + 9, strcspn(line + 9, " "));
		printf("%s: powered down (not reached), kept as it was; ",
		    u->pn[i].host);
	}
	proc_result_release(&res);
	if (line == NULL)
		return error("node %s: cannot be reached (and it is not a "
		             "powered down node of the pool)",
		    u->pn[i].host);
	return 0;
}

/* Each node reached, its packages installed, what it has read. */
static int
step_nodes(struct up *u)
{
	struct proc_result res;
	const char        *out;
	char              *script;
	size_t             i = 0;
	uint64_t           t0 = now_ms();

	printf("[pool] nodes     ");
	fflush(stdout);
	for (const struct partition *pt = u->pl->parts; pt != NULL;
	     pt = pt->next) {
		if (partition_makes_nodes(pt))
			continue;
		for (const char *p = pt->hosts;
		     *(p += strspn(p, " \t")) != '\0'; p += strcspn(p, " \t")) {
			struct node *nd = &u->nodes[i];
			char        *host = xstrndup(p, strcspn(p, " \t"));

			u->pn[i].host = host;
			u->pn[i].part = pt;
			if (pool_node_machine(&nd->m, u->head->m,
			        pt->provider_name, host) == -1 ||
			    remote_open(&nd->rm, &nd->m) == -1)
				return error("node %s: cannot be reached",
				    host);
			nd->open = 1;
			if (remote_connect(&nd->rm) == -1) {
				if (keep_powered_down(u, i) == -1)
					return -1;
				i++;
				continue;
			}
			if (pool_probe_root(&nd->rm, &nd->sudo, host) == -1)
				return -1;
			script = xasprintf("PKGS=%s\n%s"
			                   "echo \"name=$(hostname -s)\"\n"
			                   "slurmd -C\n",
			    "'" POOL_NODE_PACKAGES "'", pool_sh_packages);
			if (pool_root_run(&nd->rm, nd->sudo, script, -1,
			        INSTALL_MS, &res) == -1 ||
			    res.status != 0) {
				free(script);
				pool_show_failure("node setup", &res);
				proc_result_release(&res);
				return error("node %s: cannot install or run "
				             "slurmd",
				    host);
			}
			free(script);
			out = buf_str(&res.out);
			if (slurmconf_parse_c(out, &u->pn[i]) == -1) {
				proc_result_release(&res);
				return error(
				    "node %s: 'slurmd -C' said nothing "
				    "rig can read",
				    host);
			}
			if (strstr(out, "installed=") != NULL)
				printf("%s: packages installed; ", host);
			proc_result_release(&res);
			i++;
		}
	}
	for (size_t a = 0; a < u->n; a++)
		for (size_t b = a + 1; b < u->n; b++)
			if (strcmp(u->pn[a].name, u->pn[b].name) == 0 ||
			    strcmp(u->pn[a].name, u->head_name) == 0)
				return error(
				    "nodes %s and %s have the same host "
				    "name '%s' (or the head's): Slurm "
				    "knows nodes by name",
				    u->pn[a].host, u->pn[b].host,
				    u->pn[a].name);
	for (size_t a = 0; a < u->n; a++)
		if (u->pn[a].kept_line != NULL)
			printf("%s%s (%s, powered down)", a > 0 ? ", " : "",
			    u->pn[a].name, u->pn[a].host);
		else
			printf("%s%s (%s, %ld CPUs, %ld MB)", a > 0 ? ", " : "",
			    u->pn[a].name, u->pn[a].host, u->pn[a].cpus,
			    u->pn[a].mem_mb);
	printf(" (%.2f s)\n", (double)(now_ms() - t0) / 1000.0);
	fflush(stdout);
	return 0;
}

/* The head's packages and its munge key (made once). */
static int
step_head_key(struct up *u)
{
	struct proc_result res;
	char              *script;
	const char        *k;
	int                r;

	script = xasprintf("PKGS=%s\n%s%s"
	                   "echo \"name=$(hostname -s)\"\n",
	    "'" POOL_HEAD_PACKAGES "'", pool_sh_packages, pool_sh_head_key);
	r = pool_root_run(u->head, u->head_sudo, script, -1, INSTALL_MS, &res);
	free(script);
	if (r == -1 || res.status != 0) {
		pool_show_failure("the head's packages and munge key", &res);
		proc_result_release(&res);
		return -1;
	}
	if (hubctl_value(buf_str(&res.out), "name", u->head_name,
	        sizeof(u->head_name)) == -1 ||
	    !slurmconf_node_name_ok(u->head_name)) {
		proc_result_release(&res);
		return error("the head's host name is not one Slurm takes");
	}
	k = strstr(buf_str(&res.out), "key=");
	if (k == NULL || (k != buf_str(&res.out) && k[-1] != '\n')) {
		proc_result_release(&res);
		return error("the head's munge key could not be read");
	}
	k += 4;
	u->key = xstrndup(k, strcspn(k, "\n"));
	printf("[pool] munge     key %s on the head\n",
	    strstr(buf_str(&res.out), "made=yes") ? "made" : "kept");
	fflush(stdout);
	explicit_bzero(res.out.data, res.out.len);
	proc_result_release(&res);
	return 0;
}

/* The accounts of people on the head, as sh lines for the nodes. */
static int
step_accounts(struct up *u)
{
	struct proc_result res;
	int                r;

	r = pool_root_run(u->head, u->head_sudo, pool_sh_head_accounts, -1,
	    STEP_MS, &res);
	if (r == -1 || res.status != 0) {
		pool_show_failure("listing the head's accounts", &res);
		proc_result_release(&res);
		return -1;
	}
	pool_accounts_add(&u->accts, buf_str(&res.out));
	proc_result_release(&res);
	return 0;
}

static void
add_leaving(void *arg, const char *name, const char *line)
{
	struct up *u = arg;

	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->pn[i].name, name) == 0)
			return;
	if (u->total == u->n + POOL_HOSTS_MAX)
		return;
	u->pn[u->total].name = xstrdup(name);
	u->pn[u->total].host = xstrdup("");
	u->pn[u->total].old_line = xstrdup(line);
	u->total++;
}

/*
 * Nodes in the head's slurm.conf that rig.conf no longer has: drained
 * (no new jobs); kept in the configuration while they run a job, dropped
 * once they run none.
 */
static int
step_leaving(struct up *u)
{
	struct proc_result res;
	struct buf         s;
	size_t             keep, i;
	int                r;

	r = pool_root_run(u->head, u->head_sudo,
	    "cat " SLURMCONF_PATH " 2>/dev/null; true", -1, STEP_MS, &res);
	if (r == -1 || res.status != 0) {
		pool_show_failure("reading the head's slurm.conf", &res);
		proc_result_release(&res);
		return -1;
	}
	slurmconf_each_node(buf_str(&res.out), add_leaving, u);
	proc_result_release(&res);
	if (u->total == u->n)
		return 0;
	buf_init(&s, SCRIPT_MAX);
	for (i = u->n; i < u->total; i++)
		buf_addf(&s,
		    "scontrol update NodeName=%s State=DRAIN "
		    "Reason='removed from rig.conf' >/dev/null 2>&1\n"
		    "[ -n \"$(squeue -h -w %s -o %%i 2>/dev/null)\" ] && "
		    "echo busy=%s\n",
		    u->pn[i].name, u->pn[i].name, u->pn[i].name);
	buf_adds(&s, "true\n");
	r = pool_root_run(u->head, u->head_sudo, buf_str(&s), -1, STEP_MS,
	    &res);
	buf_release(&s);
	if (r == -1 || res.status != 0) {
		pool_show_failure("draining removed nodes", &res);
		proc_result_release(&res);
		return -1;
	}
	printf("[pool] leaving   ");
	for (i = keep = u->n; i < u->total; i++) {
		char *busy = xasprintf("busy=%s\n", u->pn[i].name);
		int   is_busy = strstr(buf_str(&res.out), busy) != NULL;

		free(busy);
		printf("%s%s %s", i > u->n ? ", " : "", u->pn[i].name,
		    is_busy ? "drained, runs jobs: removed by a later rig up"
		            : "removed");
		if (is_busy) {
			u->pn[keep++] = u->pn[i];
			continue;
		}
		stop_leaving(u, u->pn[i].name);
		free(u->pn[i].name);
		free(u->pn[i].host);
		free(u->pn[i].old_line);
	}
	printf("\n");
	u->total = keep;
	proc_result_release(&res);
	return 0;
}

/*
 * A node left out of slurm.conf: its slurmd stopped (it would keep
 * asking to register), reached as rig up reached it when it joined
 * (.rig/state's pool.node.NAME: provider and host).
 */
static void
stop_leaving(struct up *u, const char *name)
{
	struct machine     nm;
	struct remote      rm;
	struct proc_result res;
	char              *key = xasprintf("pool.node.%s", name);
	char              *was = machine_state_get(u->head->m, key);
	char              *host, *script;
	int                sudo = 0, ok = 0;

	memset(&rm, 0, sizeof(rm));
	host = was != NULL ? strchr(was, ' ') : NULL;
	if (host != NULL) {
		*host++ = '\0';
		if (pool_node_machine(&nm, u->head->m, was, host) == 0 &&
		    remote_open(&rm, &nm) == 0 && remote_connect(&rm) == 0 &&
		    pool_probe_root(&rm, &sudo, host) == 0) {
			script =
			    xasprintf("%ssvc slurmd slurmd /run/slurmd.pid "
			              "stop",
			        pool_sh_funcs);
			ok = pool_root_run(&rm, sudo, script, -1, STEP_MS,
			         &res) == 0 &&
			    res.status == 0;
			free(script);
			proc_result_release(&res);
		}
		remote_close(&rm);
		machine_release(&nm);
	}
	if (ok)
		machine_state_set(u->head->m, key, NULL);
	printf(ok ? " (its slurmd stopped)"
	          : " (its slurmd not stopped: stop it on the node)");
	free(was);
	free(key);
}

/*
 * Power saving's files on the head (slurmconf-power.c): slurmctld's
 * programs, what rig pool power reads (root's alone: the commands may
 * hold secrets), the root-owned copy of rig they run and the sudoers rule
 * for exactly that; without a powered partition, the rule and the file
 * are removed, so the right goes with the need.
 */
static void
add_power(struct up *u, struct buf *s)
{
	char *conf, *src;

	if (!pool_powered(u->pl)) {
		buf_adds(s,
		    "rm -f " POOL_POWER_SUDOERS " " POOL_POWER_CONF
		    " || exit 6\n");
		return;
	}
	conf = slurmconf_power_conf_text(u->pl, u->head->m, u->pn, u->total);
	buf_addf(s,
	    "mkdir -p /etc/rig /usr/local/lib/rig && chmod 755 /etc/rig "
	    "/usr/local/lib/rig || exit 6\n"
	    "put %s 600 <<'RIG_POOL_EOF' || exit 6\n%sRIG_POOL_EOF\n"
	    "put %s 755 <<'RIG_POOL_EOF' || exit 6\n%sRIG_POOL_EOF\n"
	    "put %s 755 <<'RIG_POOL_EOF' || exit 6\n%sRIG_POOL_EOF\n",
	    POOL_POWER_CONF, conf, SLURMCONF_RESUME_PATH,
	    slurmconf_power_program(1), SLURMCONF_SUSPEND_PATH,
	    slurmconf_power_program(0));
	free(conf);
	/* The head's key for the nodes a provider makes, made once
	 * (rig pool power makes it too if it went missing). */
	for (const struct partition *pt = u->pl->parts; pt != NULL;
	     pt = pt->next)
		if (partition_makes_nodes(pt)) {
			buf_adds(s,
			    "[ -e " POOL_SSH_KEY
			    " ] || ssh-keygen -q -t ed25519 "
			    "-N '' -C rig-pool-head -f " POOL_SSH_KEY
			    " >&2 || exit 6\n");
			break;
		}
	/* The login's rig (up.c copied it), as root's. */
	src = sh_quote(u->head_rig);
	buf_addf(s, "put %s 755 <%s || exit 6\n", POOL_POWER_RIG, src);
	free(src);
	buf_addf(s,
	    "put %s.rig-check 440 <<'RIG_POOL_EOF' || exit 6\n"
	    "%sRIG_POOL_EOF\n"
	    "visudo -cqf %s.rig-check || { rm -f %s.rig-check; "
	    "echo 'the sudoers rule for rig pool power does not check' >&2; "
	    "exit 6; }\n"
	    "mv %s.rig-check %s || exit 6\n",
	    POOL_POWER_SUDOERS, slurmconf_power_sudoers(), POOL_POWER_SUDOERS,
	    POOL_POWER_SUDOERS, POOL_POWER_SUDOERS, POOL_POWER_SUDOERS);
}

/* A partition whose nodes a provider makes beside the head: the head is
 * one of its machines (pool_check()), and may make them once its
 * provider says so. */
static int
step_allow(struct up *u)
{
	for (const struct partition *pt = u->pl->parts; pt != NULL;
	     pt = pt->next)
		if (partition_makes_nodes(pt)) {
			if (u->head->m->provider->nodes_allow == NULL)
				return 0;
			return u->head->m->provider->nodes_allow(u->head->m);
		}
	return 0;
}

/* The head's files, munged and slurmctld. */
static int
step_head(struct up *u, const char *conf, const char *exports)
{
	struct proc_result res;
	struct buf         s;
	uint64_t           t0 = now_ms();
	int                r;

	buf_init(&s, SCRIPT_MAX);
	buf_adds(&s, pool_sh_funcs);
	buf_adds(&s, "mkdir -p /etc/slurm /etc/exports.d || exit 6\n");
	pool_add_put(&s, SLURMCONF_PATH, conf);
	pool_add_put(&s, SLURMCONF_CGROUP_PATH, slurmconf_cgroup_text());
	pool_add_put(&s, SLURMCONF_EXPORTS_PATH, exports);
	add_power(u, &s);
	buf_adds(&s,
	    "munge_up ensure || { echo 'munged does not start' >&2; exit 7; }\n"
	    /* The kernel's NFS server, where there is one. */
	    "if grep -qw nfsd /proc/filesystems 2>/dev/null; then\n"
	    "  exportfs -ra && echo nfs=exported\n"
	    "else echo nfs=none; fi\n"
	    "act=ensure\n"
	    "case $changed in *slurm*) act=restart ;; esac\n"
	    "svc slurmctld slurmctld /run/slurmctld.pid $act "
	    "/usr/sbin/slurmctld || "
	    "{ tail -n 5 /var/log/slurm/slurmctld.log >&2; exit 8; }\n"
	    "echo \"changed=$changed\"; echo \"act=$act\"\n");
	r = pool_root_run(u->head, u->head_sudo, buf_str(&s), -1, STEP_MS,
	    &res);
	buf_release(&s);
	if (r == -1 || res.status != 0) {
		pool_show_failure("setting up the head's Slurm", &res);
		proc_result_release(&res);
		return -1;
	}
	printf("[pool] head      %s: slurm.conf %s; slurmctld %s; NFS export "
	       "%s (%.2f s)\n",
	    u->head_name,
	    strstr(buf_str(&res.out), SLURMCONF_PATH) ? "written" : "unchanged",
	    strstr(buf_str(&res.out), "act=restart") ? "(re)started"
	                                             : "running",
	    strstr(buf_str(&res.out), "nfs=exported")
	        ? "applied"
	        : "written, not applied: this kernel has no NFS server",
	    (double)(now_ms() - t0) / 1000.0);
	proc_result_release(&res);
	return 0;
}

/* One node: munge key, accounts, files, mount, munged and slurmd. */
static int
step_node(struct up *u, size_t i, const struct node_files *files)
{
	struct node       *nd = &u->nodes[i];
	struct proc_result res;
	struct node_files  f = *files;
	char              *state, *key;
	int                r;
	uint64_t           t0 = now_ms();
	const char        *out, *a;

	f.accts = buf_str(&u->accts);
	f.shared_dir = u->pl->shared_dir;
	if (pool_node_setup(&nd->rm, nd->sudo, &f, u->key, &res) == -1) {
		proc_result_release(&res);
		return error("node %s (%s) is not set up", u->pn[i].name,
		    u->pn[i].host);
	}
	out = buf_str(&res.out);
	/* How to reach it once it leaves rig.conf (stop_leaving()). */
	state = xasprintf("%s %s", u->pn[i].part->provider_name, u->pn[i].host);
	key = xasprintf("pool.node.%s", u->pn[i].name);
	r = machine_state_set(u->head->m, key, state);
	free(state);
	free(key);
	if (r == -1) {
		proc_result_release(&res);
		return -1;
	}
	printf("[pool] node      %s: ", u->pn[i].name);
	if (strstr(out, "key=copied") != NULL)
		printf("munge key copied; ");
	for (a = out; (a = strstr(a, "added=")) != NULL; a += 6)
		printf("account %.*s added; ", (int)strcspn(a + 6, "\n"),
		    a + 6);
	if ((a = strstr(out, "clash=")) != NULL) {
		printf("\n");
		error("node %s: account %.*s has another uid there than on "
		      "the head, or its uid or group is another's: Slurm "
		      "runs jobs by uid, so they would run as someone else. "
		      "Make it match on the node, then rig up again",
		    u->pn[i].name, (int)strcspn(a + 6, "\n"), a + 6);
		proc_result_release(&res);
		return -1;
	}
	printf("slurmd %s; %s; %s (%.2f s)\n",
	    strstr(out, "act=restart") ? "(re)started" : "running",
	    strstr(out, "nfs=mounted")
	        ? "shared folder mounted"
	        : "fstab written, not mounted: this kernel has no NFS client",
	    strstr(out, "nft=loaded")
	        ? "servers' ports for the head alone"
	        : "WARNING: the firewall of servers' ports did not load (nft)",
	    (double)(now_ms() - t0) / 1000.0);
	proc_result_release(&res);
	return 0;
}

/* Waits for every node to register with slurmctld; prints their state. */
static int
step_join(struct up *u)
{
	struct proc_result res;
	uint64_t           t0 = now_ms();
	int                r, tries, ready = 0;
	const char        *out = "";

	proc_result_init(&res);
	for (tries = 0; tries < JOIN_TRIES && !ready; tries++) {
		if (tries > 0)
			usleep(500 * 1000);
		proc_result_release(&res);
		r = pool_root_run(u->head, u->head_sudo,
		    "sinfo -h -N -o '%N %t' 2>&1", -1, STEP_MS, &res);
		if (r == -1)
			return -1;
		out = buf_str(&res.out);
		ready = res.status == 0;
		for (size_t i = 0; i < u->n && ready; i++) {
			char       *want = xasprintf("%s ", u->pn[i].name);
			const char *p = strstr(out, want);

			/* A node that says anything but not responding,
			 * not registered or down has joined. */
			ready = p != NULL && (p == out || p[-1] == '\n') &&
			    strncmp(p + strlen(want), "unk", 3) != 0 &&
			    strncmp(p + strlen(want), "down", 4) != 0 &&
			    strncmp(p + strlen(want), "fail", 4) != 0 &&
			    strncmp(p + strlen(want), "inval", 5) != 0;
			free(want);
		}
	}
	printf("[pool] slurm     ");
	for (const char *p = out; *p != '\0';
	     p += strcspn(p, "\n"), p += *p == '\n') {
		int n = (int)strcspn(p, "\n");

		printf("%s%.*s", p == out ? "" : ", ", n, p);
	}
	printf(" (%.2f s)\n", (double)(now_ms() - t0) / 1000.0);
	r = ready ? 0
	          : error("not every node joined the pool within %d s (see "
	                  "/var/log/slurm/ on the head and the nodes)",
	                JOIN_TRIES / 2);
	proc_result_release(&res);
	return r;
}

int
pool_up(struct remote *head, const struct pool *pl)
{
	struct up        u;
	struct pool_head ph;
	size_t           count = 0, made;
	char *conf = NULL, *exports = NULL, *fstab = NULL, *prolog = NULL;
	char *nft = NULL, *ports = NULL, *pool_addr = NULL;
	int   r = -1;

	if (pool_check(pl, head->m) == -1)
		return -1;
	memset(&u, 0, sizeof(u));
	u.head = head;
	u.pl = pl;
	buf_init(&u.accts, SCRIPT_MAX);
	for (const struct partition *pt = pl->parts; pt != NULL; pt = pt->next)
		for (const char *p = pt->hosts != NULL ? pt->hosts : "";
		     *(p += strspn(p, " \t")) != '\0'; p += strcspn(p, " \t"))
			count++;
	u.pn = xcalloc(count + 2 * POOL_HOSTS_MAX, sizeof(*u.pn));
	/* The nodes providers make come after those at hosts, which
	 * step_nodes() fills in from 0. */
	made = count;
	if (slurmconf_made_nodes(pl, u.pn, &made) == -1) {
		free(u.pn);
		return -1;
	}
	u.n = u.total = made;
	u.nodes = xcalloc(made + 1, sizeof(*u.nodes));
	/* The address rig reaches the head at: [machine] host, or the
	 * one its provider gives (a cloud VM's). */
	if (head->host == NULL) {
		error("a pool's head must be reached over the network: its "
		      "nodes need its address ([machine] host)");
		goto out;
	}
	if (pool_probe_root(head, &u.head_sudo, "the head") == -1 ||
	    head_rig(&u) == -1 || step_head_key(&u) == -1 ||
	    step_nodes(&u) == -1 || step_accounts(&u) == -1 ||
	    step_leaving(&u) == -1)
		goto out;
	ph.name = u.head_name;
	ph.addr = head->host;
	/* Where the nodes reach it, if not there (a cloud VM's private
	 * address: its nodes have no way to its public one). */
	if (head->m->provider->pool_address != NULL) {
		if (head->m->provider->pool_address(head->m, &pool_addr) == -1)
			goto out;
		ph.addr = pool_addr;
	}
	conf = slurmconf_text(pl, &ph, u.pn, u.total);
	exports = slurmconf_exports_text(pl, u.pn, u.n);
	fstab = slurmconf_fstab_line(pl, &ph);
	prolog = slurmconf_prolog_text(pl);
	nft = slurmconf_nft_text(pl, &ph);
	ports = slurmconf_ports_text(pl);
	if (step_allow(&u) == -1 || step_head(&u, conf, exports) == -1)
		goto out;
	for (size_t i = 0; i < u.n; i++) {
		if (u.pn[i].made) {
			printf("[pool] node      %s: made by provider %s when "
			       "Slurm powers it up\n",
			    u.pn[i].name, u.pn[i].part->provider_name);
			continue;
		}
		if (u.pn[i].kept_line != NULL) {
			printf("[pool] node      %s: powered down, set up when "
			       "rig up finds it running\n",
			    u.pn[i].name);
			continue;
		}
		struct node_files f = { .conf = conf,
			.fstab = fstab,
			.prolog = prolog,
			.nft = nft,
			.ports = ports };

		if (step_node(&u, i, &f) == -1)
			goto out;
	}
	r = step_join(&u);
out:
	free(pool_addr);
	free(conf);
	free(exports);
	free(fstab);
	free(prolog);
	free(nft);
	free(ports);
	if (u.key != NULL) {
		explicit_bzero(u.key, strlen(u.key));
		free(u.key);
	}
	buf_release(&u.accts);
	free(u.head_rig);
	for (size_t i = 0; i < u.n; i++) {
		if (u.nodes[i].open)
			remote_close(&u.nodes[i].rm);
		machine_release(&u.nodes[i].m);
	}
	for (size_t i = 0; i < u.total; i++) {
		free(u.pn[i].name);
		free(u.pn[i].host);
		free(u.pn[i].old_line);
		free(u.pn[i].kept_line);
	}
	free(u.pn);
	free(u.nodes);
	return r;
}
