/* SPDX-License-Identifier: MIT */
/*
 * The files rig up writes for a pool, made from rig.conf's partitions and
 * what each node said about itself (slurmd -C): slurm.conf and
 * cgroup.conf (the same on the head and every node), the head's NFS
 * export of shared_dir and the nodes' fstab line for it. Text only: no
 * I/O, so each is tested as it is written.
 */
#ifndef SLURMCONF_H
#define SLURMCONF_H

#include <stddef.h>

struct pool;
struct partition;

#define SLURMCONF_PATH "/etc/slurm/slurm.conf"
#define SLURMCONF_CGROUP_PATH "/etc/slurm/cgroup.conf"
#define SLURMCONF_EXPORTS_PATH "/etc/exports.d/rig-pool.exports"
#define SLURMCONF_FSTAB_MARK "# rig pool: shared_dir"
#define SLURMCONF_PROLOG_PATH "/etc/slurm/rig-prolog"
#define SLURMCONF_EPILOG_PATH "/etc/slurm/rig-epilog"
/* The nodes' firewall for servers' ports (nft -f), and its table. */
#define SLURMCONF_NFT_PATH "/etc/slurm/rig-nft.conf"
#define SLURMCONF_NFT_TABLE "inet rig_pool"
/* What slurm.conf hides from other accounts (and ",cloud" when
 * powered: then sinfo shows nodes that are powered down). */
#define SLURMCONF_PRIVATE_DATA "jobs,usage,users,accounts,reservations"
/* Power saving (slurmconf-power.c): slurmctld's programs, the root-owned
 * rig they run through sudo, the one sudoers rule that lets them, and
 * what rig pool power reads. */
#define SLURMCONF_RESUME_PATH "/etc/slurm/rig-resume"
#define SLURMCONF_SUSPEND_PATH "/etc/slurm/rig-suspend"
#define SLURMCONF_POWER_LOG "/var/log/slurm/rig-power.log"
#define POOL_POWER_RIG "/usr/local/lib/rig/rig"
#define POOL_POWER_SUDOERS "/etc/sudoers.d/rig-pool-power"
#define POOL_POWER_CONF "/etc/rig/pool-power.conf"
/* Root's, 0600: the head's key for the nodes its provider makes (made
 * once by rig up, by rig pool power if it went missing; its public half
 * goes on each node). */
#define POOL_SSH_KEY "/etc/rig/pool_ssh_key"
/* Root's: what providers keep of the nodes they make (the head's
 * state_dir in rig pool power). */
#define POOL_POWER_STATE "/var/lib/rig/pool"

/* One node: where rig reaches it and what slurmd -C said there. */
struct machine;

struct pool_node {
	char                   *host; /* as in rig.conf: NodeAddr */
	char                   *name; /* its short hostname: NodeName */
	const struct partition *part;
	long                    cpus, boards, sockets, cores, threads;
	long                    mem_mb; /* RealMemory that slurmd -C saw */
	char                   *old_line; /* leaving: its line as it was */
	/* Powered down and not reached: its line as it was, in its
	 * partition still. */
	char *kept_line;
	/* Made by its partition's provider when Slurm powers it up: no
	 * address before (NodeAddr is set then, by rig pool power). Its
	 * number N in PART-N, 1 up; 0 for a node at a host. */
	int made;
};

/*
 * The nodes a provider makes for partitions that have no hosts
 * (PART-1..PART-max_nodes, State=CLOUD, their CPUs and memory from the
 * provider's size), added to 'nodes' from index *n on (room for
 * POOL_HOSTS_MAX more). -1 with a message if a size is unknown or there
 * are too many.
 */
int slurmconf_made_nodes(const struct pool *, struct pool_node *nodes,
    size_t *n);

/* The head: its short hostname and the address its nodes reach it at. */
struct pool_head {
	const char *name, *addr;
};

/*
 * Reads slurmd -C's "NodeName=... CPUs=N Boards=N SocketsPerBoard=N
 * CoresPerSocket=N ThreadsPerCore=N RealMemory=N" into 'n' (name
 * included, which must be a valid Slurm node name). -1 if a field is
 * missing or not a number.
 */
int slurmconf_parse_c(const char *text, struct pool_node *n);

/* Whether 'name' may be a Slurm node name here: letters, digits, '-',
 * '_', '.', no hostlist brackets or commas. */
int slurmconf_node_name_ok(const char *name);

/*
 * slurm.conf for 'nodes' (n of them, the leaving ones with their
 * old_line) in the partitions of 'pl'. Caller frees.
 */
char *slurmconf_text(const struct pool *pl, const struct pool_head *head,
    const struct pool_node *nodes, size_t n);

/*
 * The nodes' Prolog (slurm.conf names it): slurmd runs it as root before
 * each job. It makes the job's folder, SLURMJOB_NODE_DIR/JOBID (0700,
 * the job's uid and gid; the folder above is root's, so no account can
 * put anything there first), and the job's account if the node lacks it (one
 * made on the head after rig up, as the hub makes its users' at their
 * first server), with the name, uid and gid slurmctld sends with the job,
 * its home SHARED_DIR/NAME. Only people's uids (the node's UID_MIN to
 * UID_MAX), only plain names; it never fails (a failing prolog drains
 * the node; the job runs by uid either way). Caller frees.
 */
char *slurmconf_prolog_text(const struct pool *pl);

/* The nodes' Epilog: slurmd runs it as root after each job on the node,
 * however the job ended (done, cancelled, killed, its time up), and it
 * removes the job's folder, SLURMJOB_NODE_DIR/JOBID, that the prolog
 * made. Static. */
const char *slurmconf_epilog_text(void);

/*
 * The nodes' firewall (an nft script, loaded by rig up and again by the
 * prolog if the table is gone, after a reboot): TCP to server_ports
 * only from the head's address, every other connection to them reset,
 * local ones included (the kernel's own ports are above them). Caller
 * frees.
 */
char *slurmconf_nft_text(const struct pool *pl, const struct pool_head *);

/* SLURMJOB_NODE_PORTS's text, "LO HI\n", from server_ports. Caller
 * frees. */
char *slurmconf_ports_text(const struct pool *pl);

/* cgroup.conf: cores and memory of jobs confined. Static. */
const char *slurmconf_cgroup_text(void);

/* The head's exports(5) line: shared_dir to each node's address, NFSv4,
 * root squashed. Caller frees. */
char *slurmconf_exports_text(const struct pool *pl,
    const struct pool_node *nodes, size_t n);

/* A node's fstab(5) line for shared_dir from the head (ending in
 * SLURMCONF_FSTAB_MARK, by which rig up finds it again). Caller frees. */
char *slurmconf_fstab_line(const struct pool *pl, const struct pool_head *);

/* The head's address in slurm.conf text ('SlurmctldHost=NAME(ADDR)', a
 * line of its own, ADDR an IPv4 or IPv6 address), for a node's fstab
 * line; NULL if there is none such. Caller frees. */
char *slurmconf_ctld_addr(const char *conf);

/*
 * slurm.conf's power saving lines (slurmconf_text() adds them when a
 * partition is powered): SuspendTime and the timeouts from [pool], the
 * programs, and SuspendExcNodes for the nodes that are always on.
 */
struct buf;
void slurmconf_add_power(struct buf *, const struct pool *pl,
    const struct pool_node *nodes, size_t n);

/* ResumeProgram (up = 1; ResumeFailProgram and SuspendProgram: 0): fds
 * 0-2 to the log (slurmctld closes them), then 'sudo -n POOL_POWER_RIG
 * pool power up|down HOSTLIST'. Static. */
const char *slurmconf_power_program(int up);

/* The sudoers rule: SlurmUser may run POOL_POWER_RIG pool power up and
 * down as root, and nothing else. Static. */
const char *slurmconf_power_sudoers(void);

/*
 * POOL_POWER_CONF: [pool]'s power keys, each powered partition with its
 * provider and power commands, and [nodes] "NAME = PARTITION HOST" for
 * its nodes: all rig pool power knows of the pool. Caller frees.
 */
char *slurmconf_power_conf_text(const struct pool *pl,
    const struct machine *head, const struct pool_node *nodes, size_t n);

/* The NodeName=... lines of a slurm.conf, by node name: calls 'fn' with
 * each name and line (both NUL-terminated copies, freed after). */
void slurmconf_each_node(const char *conf,
    void (*fn)(void *arg, const char *name, const char *line), void *arg);

#endif
