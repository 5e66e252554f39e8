/* SPDX-License-Identifier: MIT */
/*
 * The text of a pool's Slurm, cgroup, export and mount configuration
 * (slurmconf.h). Paths are Debian's (slurm-wlm 22.05, munge): the
 * daemons find them without flags, so systemd's units and a plain start
 * agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/slurmjob.h"
#include "lib/util.h"
#include "machine/remote.h"
#include "pool.h"
#include "slurmconf.h"
#include "lib/banned.h"

#define CONF_MAX (4 * 1024 * 1024)

static long field(const char *, const char *);

/* "KEY=N" as a word of 'text'; -1 if absent or not a number. */
static long
field(const char *text, const char *key)
{
	size_t      klen = strlen(key);
	const char *p = text;
	long long   v;
	char        num[32];
	size_t      n;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == text || p[-1] == ' ' || p[-1] == '\n') &&
		    p[klen] == '=') {
			p += klen + 1;
			n = strspn(p, "0123456789");
			if (n == 0 || n >= sizeof(num))
				return -1;
			memcpy(num, p, n);
			num[n] = '\0';
			if (parse_int(num, 0, 1LL << 40, &v) == -1)
				return -1;
			return (long)v;
		}
		p += klen;
	}
	return -1;
}

int
slurmconf_node_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 63 || name[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		        (name[i] >= 'A' && name[i] <= 'Z') ||
		        (name[i] >= '0' && name[i] <= '9') ||
		        strchr("-_.", name[i])))
			return 0;
	return 1;
}

int
slurmconf_parse_c(const char *text, struct pool_node *n)
{
	const char *p = strstr(text, "NodeName=");
	size_t      len;

	if (p == NULL || (p != text && p[-1] != '\n'))
		return -1;
	p += 9;
	len = strcspn(p, " \n");
	free(n->name);
	n->name = xstrndup(p, len);
	if (!slurmconf_node_name_ok(n->name))
		return -1;
	n->cpus = field(text, "CPUs");
	n->boards = field(text, "Boards");
	n->sockets = field(text, "SocketsPerBoard");
	n->cores = field(text, "CoresPerSocket");
	n->threads = field(text, "ThreadsPerCore");
	n->mem_mb = field(text, "RealMemory");
	if (n->cpus < 1 || n->boards < 1 || n->sockets < 1 || n->cores < 1 ||
	    n->threads < 1 || n->mem_mb < 1)
		return -1;
	return 0;
}

char *
slurmconf_text(const struct pool *pl, const struct pool_head *head,
    const struct pool_node *nodes, size_t n)
{
	struct buf              b;
	const struct partition *pt;
	long                    mem;
	int                     first;

	buf_init(&b, CONF_MAX);
	buf_addf(&b,
	    "# Written by rig up from rig.conf's [pool] and [partition]s: "
	    "rig up writes it\n# again, on the head and every node.\n"
	    "ClusterName=rig\n"
	    "SlurmctldHost=%s(%s)\n"
	    "SlurmUser=slurm\n"
	    "AuthType=auth/munge\n"
	    "CredType=cred/munge\n"
	    "StateSaveLocation=/var/lib/slurm/slurmctld\n"
	    "SlurmdSpoolDir=/var/lib/slurm/slurmd\n"
	    "SlurmctldPidFile=/run/slurmctld.pid\n"
	    "SlurmdPidFile=/run/slurmd.pid\n"
	    "SlurmctldLogFile=/var/log/slurm/slurmctld.log\n"
	    "SlurmdLogFile=/var/log/slurm/slurmd.log\n"
	    "ProctrackType=proctrack/cgroup\n"
	    "TaskPlugin=task/cgroup\n"
	    "SelectType=select/cons_tres\n"
	    "SelectTypeParameters=CR_Core_Memory\n"
	    "SchedulerType=sched/backfill\n"
	    /* Jobs start when submitted, not at the next 3 s pass. */
	    "SchedulerParameters=batch_sched_delay=0,sched_min_interval=0\n"
	    "MpiDefault=none\n"
	    /* A node that was down is back once its slurmd registers. */
	    "ReturnToService=2\n"
	    "JobAcctGatherType=jobacct_gather/none\n"
	    "AccountingStorageType=accounting_storage/none\n"
	    "JobCompType=jobcomp/none\n"
	    "MailProg=/bin/true\n"
	    "MinJobAge=300\n"
	    /* Accounts the head made after rig up reach a node with
	     * their first job there (slurmconf_prolog_text()). */
	    "Prolog=" SLURMCONF_PROLOG_PATH "\n"
	    /* The job's folder goes however the job ended. */
	    "Epilog=" SLURMCONF_EPILOG_PATH "\n"
	    /* An account sees its own jobs only (names, comments, nodes,
	     * in squeue, scontrol and sacct); root and SlurmUser see all,
	     * and the hub asks as SlurmUser (hub/slurm-ask.h). With power
	     * saving, "cloud": else sinfo hides the powered down nodes. */
	    "PrivateData=" SLURMCONF_PRIVATE_DATA "%s\n",
	    head->name, head->addr, pool_powered(pl) ? ",cloud" : "");
	if (pool_powered(pl))
		slurmconf_add_power(&b, pl, nodes, n);
	for (size_t i = 0; i < n; i++) {
		if (nodes[i].old_line != NULL) {
			buf_addf(&b,
			    "# leaving (not in rig.conf): drained\n%s\n",
			    nodes[i].old_line);
			continue;
		}
		if (nodes[i].kept_line != NULL) {
			buf_addf(&b, "%s\n", nodes[i].kept_line);
			continue;
		}
		/* Less than the node has: slurmd refuses to register (and
		 * drains) with less memory than configured, and the kernel
		 * and daemons need some. */
		mem = nodes[i].mem_mb * 95 / 100;
		if (nodes[i].mem_mb > 2048 && nodes[i].mem_mb - 1024 < mem)
			mem = nodes[i].mem_mb - 1024;
		if (mem < 1)
			mem = 1;
		buf_addf(&b,
		    "NodeName=%s NodeAddr=%s CPUs=%ld Boards=%ld "
		    "SocketsPerBoard=%ld CoresPerSocket=%ld ThreadsPerCore=%ld "
		    "RealMemory=%ld State=%s\n",
		    nodes[i].name, nodes[i].host, nodes[i].cpus,
		    nodes[i].boards, nodes[i].sockets, nodes[i].cores,
		    nodes[i].threads, mem,
		    partition_powered(nodes[i].part) ? "CLOUD" : "UNKNOWN");
	}
	for (pt = pl->parts; pt != NULL; pt = pt->next) {
		buf_addf(&b, "PartitionName=%s Nodes=", pt->name);
		first = 1;
		for (size_t i = 0; i < n; i++) {
			if (nodes[i].part != pt || nodes[i].old_line != NULL)
				continue;
			buf_addf(&b, "%s%s", first ? "" : ",", nodes[i].name);
			first = 0;
		}
		if (first)
			buf_adds(&b, "\"\"");
		buf_addf(&b, "%s MaxTime=INFINITE State=UP\n",
		    pt == pl->parts ? " Default=YES" : "");
	}
	return buf_detach(&b, NULL);
}

char *
slurmconf_prolog_text(const struct pool *pl)
{
	char *home = xasprintf("%s/", pl->shared_dir), *q = sh_quote(home);
	char *text;

	text = xasprintf(
	    "#!/bin/sh\n"
	    "# Written by rig up: slurmd runs it as root before each job on "
	    "this node.\n"
	    "# The job's account is made here if the node lacks it, with "
	    "the name,\n"
	    "# uid and gid slurmctld sends with the job (the head's). It "
	    "never fails:\n"
	    "# a failing prolog drains the node, and the job runs by uid "
	    "anyway.\n"
	    "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
	    "u=$SLURM_JOB_USER uid=$SLURM_JOB_UID gid=$SLURM_JOB_GID\n"
	    "job=$SLURM_JOB_ID\n"
	    "case $uid in ''|*[!0-9]*) exit 0 ;; esac\n"
	    "case $gid in ''|*[!0-9]*) exit 0 ;; esac\n"
	    "# The job's own folder (its server's TLS key), which the epilog\n"
	    "# removes: in a root folder, so nobody made it first.\n"
	    "case $job in ''|*[!0-9]*) ;; *)\n"
	    "  mkdir -p -m 0755 " SLURMJOB_NODE_DIR " &&\n"
	    "  rm -rf -- \"" SLURMJOB_NODE_DIR "/$job\" &&\n"
	    "  install -d -m 0700 -o \"$uid\" -g \"$gid\" "
	    "\"" SLURMJOB_NODE_DIR "/$job\" 2>/dev/null ;;\n"
	    "esac\n"
	    "# The firewall of servers' ports, after a reboot.\n"
	    "[ -r " SLURMCONF_NFT_PATH
	    " ] && ! nft list table " SLURMCONF_NFT_TABLE
	    " >/dev/null 2>&1 &&\n"
	    "  nft -f " SLURMCONF_NFT_PATH " >/dev/null 2>&1\n"
	    "case $u in ''|-*|*[!a-zA-Z0-9._-]*) exit 0 ;; esac\n"
	    "getent passwd \"$u\" >/dev/null && exit 0\n"
	    "getent passwd \"$uid\" >/dev/null && exit 0\n"
	    "lo=$(awk '$1 == \"UID_MIN\" { print $2 }' /etc/login.defs "
	    "2>/dev/null)\n"
	    "hi=$(awk '$1 == \"UID_MAX\" { print $2 }' /etc/login.defs "
	    "2>/dev/null)\n"
	    "[ \"$uid\" -ge \"${lo:-1000}\" ] && [ \"$uid\" -le "
	    "\"${hi:-60000}\" ] || exit 0\n"
	    "getent group \"$gid\" >/dev/null || groupadd -g \"$gid\" "
	    "\"$u\" 2>/dev/null\n"
	    "useradd -M -u \"$uid\" -g \"$gid\" -d %s\"$u\" -s /bin/bash "
	    "\"$u\" 2>/dev/null\n"
	    "exit 0\n",
	    q);
	free(q);
	free(home);
	return text;
}

char *
slurmconf_nft_text(const struct pool *pl, const struct pool_head *head)
{
	int lo = 0, hi = 0;

	(void)pool_server_ports(pl->server_ports, &lo, &hi);
	return xasprintf(
	    "# Written by rig up: users' servers listen on ports %d-%d of "
	    "this node\n# (their jobs pick one), and only the head may "
	    "connect to them.\n"
	    "table " SLURMCONF_NFT_TABLE "\n"
	    "delete table " SLURMCONF_NFT_TABLE "\n"
	    "table " SLURMCONF_NFT_TABLE " {\n"
	    "\tchain input {\n"
	    "\t\ttype filter hook input priority 0; policy accept;\n"
	    "\t\ttcp dport %d-%d %s saddr %s accept\n"
	    "\t\ttcp dport %d-%d reject with tcp reset\n"
	    "\t}\n"
	    "}\n",
	    lo, hi, lo, hi, strchr(head->addr, ':') != NULL ? "ip6" : "ip",
	    head->addr, lo, hi);
}

char *
slurmconf_ports_text(const struct pool *pl)
{
	int lo = 0, hi = 0;

	(void)pool_server_ports(pl->server_ports, &lo, &hi);
	return xasprintf("%d %d\n", lo, hi);
}

const char *
slurmconf_epilog_text(void)
{
	return "#!/bin/sh\n"
	       "# Written by rig up: slurmd runs it as root after each job on "
	       "this node,\n"
	       "# however it ended: the job's folder the prolog made goes "
	       "(its server's\n"
	       "# TLS key). It never fails: a failing epilog drains the "
	       "node.\n"
	       "job=$SLURM_JOB_ID\n"
	       "case $job in ''|*[!0-9]*) exit 0 ;; esac\n"
	       "rm -rf -- \"" SLURMJOB_NODE_DIR "/$job\"\n"
	       "exit 0\n";
}

const char *
slurmconf_cgroup_text(void)
{
	return "# Written by rig up: jobs get the cores and memory they "
	       "asked for.\n"
	       "CgroupPlugin=autodetect\n"
	       "ConstrainCores=yes\n"
	       "ConstrainRAMSpace=yes\n"
	       "ConstrainDevices=no\n";
}

char *
slurmconf_exports_text(const struct pool *pl, const struct pool_node *nodes,
    size_t n)
{
	struct buf b;

	buf_init(&b, CONF_MAX);
	buf_addf(&b,
	    "# Written by rig up: the pool's shared folder for its "
	    "nodes.\n%s",
	    pl->shared_dir);
	for (size_t i = 0; i < n; i++)
		if (nodes[i].old_line == NULL && !nodes[i].made)
			buf_addf(&b,
			    " %s(rw,sync,no_subtree_check,root_squash)",
			    nodes[i].host);
	buf_adds(&b, "\n");
	return buf_detach(&b, NULL);
}

char *
slurmconf_fstab_line(const struct pool *pl, const struct pool_head *head)
{
	/* An IPv6 address is bracketed in an NFS source. */
	int v6 = strchr(head->addr, ':') != NULL;

	return xasprintf("%s%s%s:%s %s nfs4 defaults,_netdev 0 0 %s\n",
	    v6 ? "[" : "", head->addr, v6 ? "]" : "", pl->shared_dir,
	    pl->shared_dir, SLURMCONF_FSTAB_MARK);
}

void
slurmconf_each_node(const char *conf,
    void (*fn)(void *arg, const char *name, const char *line), void *arg)
{
	const char *p = conf;
	char       *line, *name;
	size_t      n;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, "\n");
		if (strncmp(p, "NodeName=", 9) == 0) {
			line = xstrndup(p, n);
			name = xstrndup(line + 9, strcspn(line + 9, " \t"));
			fn(arg, name, line);
			free(name);
			free(line);
		}
		p += n;
		if (*p == '\n')
			p++;
	}
}

char *
slurmconf_ctld_addr(const char *conf)
{
	const char *p, *open, *close;
	size_t      n;

	if (strncmp(conf, "SlurmctldHost=", 14) == 0)
		p = conf + 14;
	else if ((p = strstr(conf, "\nSlurmctldHost=")) != NULL)
		p += 15;
	else
		return NULL;
	n = strcspn(p, "\n");
	open = memchr(p, '(', n);
	close = open != NULL ? memchr(open, ')', n - (size_t)(open - p)) : NULL;
	if (close == NULL || close == open + 1 || close[1] != '\n' ||
	    strspn(open + 1, "0123456789abcdefABCDEF.:") !=
	        (size_t)(close - open - 1))
		return NULL;
	return xstrndup(open + 1, (size_t)(close - open - 1));
}
