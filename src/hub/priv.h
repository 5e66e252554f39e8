/* SPDX-License-Identifier: MIT */
/*
 * Privilege separation. 'rig hub' started as root does what needs root
 * first (binds its port, reads the TLS key, makes the 'rig' system
 * account, hands the state directory to it), then splits in two, the
 * OpenSSH and relayd way:
 *
 *  - the privileged helper (priv-helper.c), a child that stays root and
 *    only answers the fixed requests of priv-msg.h over a socketpair, each
 *    checked as if the hub were hostile; it has no network socket, never
 *    runs a shell, and exits when the hub's end closes;
 *  - the hub itself, which drops to 'rig' (priv_drop()) before it reads a
 *    byte from the network, and asks the helper through the calls below.
 *
 * Without root there is no helper and no drop: each call does what the
 * hub did before in-process (an unprivileged hub runs servers as itself),
 * or refuses with UV_ENOTSUP where only root could act. The callbacks run
 * on the hub's loop, once each; with the helper always later, without it
 * possibly before the call returns (said per call).
 */
#ifndef PRIV_H
#define PRIV_H

#include <sys/types.h>

#include <stdint.h>

#include <uv.h>

#include "accounts.h"

#define PRIV_ACCOUNT "rig" /* the hub's own system account */
#define PRIV_RUN_DIR ACCOUNTS_RUN_DIR /* users' runtime directories */

struct firewall_rules;
struct hub;

/* What a rig account uses now (PRIV_USAGE). */
struct priv_usage {
	uint64_t cpu_ticks; /* user + system of all its processes */
	uint64_t rss_bytes; /* resident memory of all its processes */
	uint64_t nprocs;
};

/* A cgroup's limits; 0 is no limit. JupyterHub's mem_limit and cpu_limit. */
struct priv_limits {
	int64_t mem_bytes;
	int64_t cpu_milli; /* thousandths of a CPU: 1500 is 1.5 CPUs */
	int64_t pids;
};

typedef void (*priv_done_cb)(void *arg, int r); /* r: 0 or a libuv error */
typedef void (*priv_spawn_cb)(void *arg, int r, int pid);
typedef void (*priv_exit_cb)(void *arg, int64_t status, int sig);
typedef void (*priv_path_cb)(void *arg, int r, const char *path);
typedef void (*priv_usage_cb)(void *arg, int r, const struct priv_usage *);

/*
 * As root, before anything reads from the network: makes sure the 'rig'
 * account exists (useradd --system, no home, no login shell), hands the
 * state directory and its files to it (logged when anything changed) and
 * starts the helper. Not root: does nothing. 0, or -1 (said why).
 */
int priv_setup(struct hub *);

/*
 * Drops the hub to 'rig': groups, gid, uid, then checks that root cannot
 * be had back. The hub's working directory becomes the state directory
 * and hub->cfg->state_dir "." (the parents need not let 'rig' through).
 * Not root: does nothing. 0, or -1 (said why): the hub must not go on.
 */
int priv_drop(struct hub *);

/*
 * Starts reading the helper's answers on the hub's loop. 'lost' is called
 * once if the helper goes away; the hub must then stop, as it can neither
 * start nor stop servers. Calls in flight then fail with UV_EPIPE.
 */
void priv_attach(struct hub *, void (*lost)(struct hub *));

/* Closes the hub's end (the helper exits) and waits for the helper; calls
 * in flight are dropped without their callbacks. Safe without a helper. */
void priv_close(struct hub *);

/* Whether a helper does the privileged work (the hub dropped root). */
int priv_active(const struct hub *);

/*
 * Creates account 'account' (PREFIX + 'user': accounts.h) with useradd.
 * 0 and 'cb' is called once, later; or a libuv error and it is never
 * called. Without the helper: account_create() in-process (as root).
 */
int priv_account_add(struct hub *, const char *account, const char *user,
    account_cb cb, void *arg);

/*
 * Kills every process of 'account' (its cgroup, then by uid) and removes
 * the cgroup, then removes the account with userdel through accounts.c's
 * queue, only if rig made it for that user, and its home unless
 * 'keep_home' (then the home is moved aside, root-owned). 0 and 'cb'
 * later (r: userdel's status, or -errno), or a libuv error. Without the
 * helper: UV_ENOTSUP (the root CLI uses accounts_delete_user()).
 */
/*
 * authenticator = ldap: the Unix account 'account' of a directory's
 * person matched by uid 'a->uid', or made with it (accounts.h's
 * account_create_ldap()). 'cb' gets 0, -EEXIST (the name or the uid is
 * another's), -EPERM (a uid outside the users' range) or useradd's exit
 * status. Root only: UV_ENOTSUP without the helper.
 */
int priv_account_ldap(struct hub *, const char *account,
    const struct account_ldap *a, priv_done_cb cb, void *arg);
int priv_account_del(struct hub *, const char *account, int keep_home,
    priv_done_cb cb, void *arg);

/*
 * Makes PRIV_RUN_DIR/ACCOUNT, owned by the account, group 'rig', mode
 * 02750 (the hub may enter, no one else), and gives its path to 'cb'
 * later. Without the helper: UV_ENOTSUP.
 */
int priv_prepare_runtime_dir(struct hub *, const char *account, priv_path_cb cb,
    void *arg);

/*
 * Starts a server as 'account' with o->file, o->args, o->env and o->cwd,
 * detached in its own session, umask 077, stdin /dev/null, stdout and
 * stderr the fd of o->stdio[1] (UV_INHERIT_FD) or /dev/null; stdin that
 * fd too if o->stdio[0] names the same one (PRIV_F_STDIN: a tool such as
 * sbatch fed through a socketpair). The helper
 * takes the uid and gid from the account, never from 'o', and refuses
 * system accounts and root. With 'cgroup_server' not NULL (the helper
 * only) the server is in the cgroup of the account's server of that name
 * ("" the default), made by priv_cgroup_setup() before, from before it
 * runs (PRIV_F_CGROUP); the start fails if there is none.
 *
 * With the helper: 0, then cb(arg, r, pid) once, later; if r is 0, then
 * exit_cb(arg, status, sig) once when the process ends, unless
 * priv_unwatch() came first. Without it: uv_spawn(proc, o) in-process,
 * cb called before this returns (on failure 'proc' must be closed as
 * uv_spawn() leaves it), and the process's end is o->exit_cb's. A libuv
 * error returned means nothing started and no callback comes.
 */
int priv_spawn(struct hub *, const char *account, const uv_process_options_t *o,
    const char *cgroup_server, uv_process_t *proc, priv_spawn_cb cb,
    priv_exit_cb exit_cb, void *arg);

/*
 * Has the helper ask Slurm 'question' (slurm-ask.h; 'job' the id of
 * SLURM_Q_COMMENT, else 0) as Slurm's user, its stdout and stderr 'fd'.
 * Answers as priv_spawn() does with the helper: 0, cb(arg, r, pid), then
 * exit_cb once it ends. UV_ENOTSUP without the helper (the hub asks as
 * itself then).
 */
int priv_slurm_ask(struct hub *, int question, long long job, int fd,
    priv_spawn_cb cb, priv_exit_cb exit_cb, void *arg);

/* Stops waiting for the end of 'pid' (started by priv_spawn() with the
 * helper): its exit_cb will not come. 1 if it was watched, else 0. */
int priv_unwatch(struct hub *, int pid);

/*
 * Sends 'sig' (SIGTERM, SIGKILL, SIGINT or SIGHUP) to 'pid', or with
 * 'group' to every process of the group it leads. The helper sends it
 * only to processes of the account's uid, read from /proc at that moment
 * (a server taken over after a restart is found the same way). Nothing
 * is reported; without the helper, kill() in-process.
 */
void priv_signal(struct hub *, const char *account, int pid, int sig,
    int group);

/* SIGKILL to every process of 'account' (what outlives a server). Without
 * the helper: in-process as root, else nothing. */
void priv_kill_user(struct hub *, const char *account);

/* What 'account' uses now, to 'cb' (before this returns without the
 * helper). 0, or a libuv error and no callback. */
int priv_usage(struct hub *, const char *account, priv_usage_cb cb, void *arg);

/*
 * A cgroup for the server 'server' ("" the default, else a named one) of
 * 'account' (named after them, cgroup_group_name()): made with
 * 'limits' (v2 where its controllers are, else v1: memory, cpu, pids,
 * freezer), and the server's processes started by priv_spawn() go into
 * it; killed (every process in it, v2 cgroup.kill or v1 freeze + kill +
 * thaw); removed once empty (UV_EBUSY while processes are leaving).
 * 0 and 'cb' later (may be NULL), or a libuv error. Without the helper:
 * UV_ENOTSUP (a root hub without it uses cgroup.h in-process).
 */
int priv_cgroup_setup(struct hub *, const char *account, const char *server,
    const struct priv_limits *limits, priv_done_cb cb, void *arg);
int priv_cgroup_kill(struct hub *, const char *account, const char *server,
    priv_done_cb cb, void *arg);
int priv_cgroup_remove(struct hub *, const char *account, const char *server,
    priv_done_cb cb, void *arg);

/*
 * The user firewall's table (firewall.h): loaded from 'r' by the helper,
 * which builds the nft script itself and takes only uids of the prefix's
 * accounts; or deleted. These wait for the helper's answer (nft takes a
 * few ms, and the firewall's state follows the outcome); answers to other
 * calls that arrive meanwhile are handed on inside the call. Without the
 * helper: nft in-process. 0, or -1 (said why).
 */
int priv_firewall_load(struct hub *, const struct firewall_rules *r);
int priv_firewall_unload(struct hub *);

/*
 * authenticator = pam: 'password' of 'account' checked by PAM, in a root
 * child of the helper ('rig pam-auth', auth-pam.h). 0 and cb(arg, r)
 * once, later, r an enum authpam_result (0: the password is right and
 * the account usable) or a libuv error (UV_EAGAIN: too many checks at
 * once; UV_ETIMEDOUT); or a libuv error returned and no callback.
 * Without the helper: UV_ENOTSUP.
 */
int priv_pam_auth(struct hub *, const char *account, const char *password,
    priv_done_cb cb, void *arg);

/* What the helper is given when it is forked. */
struct priv_helper_conf {
	const char *prefix; /* accounts start with it ("" with pam) */
	gid_t       rig_gid; /* the group of runtime directories */
	/* authenticator = pam: the PAM service of password checks and of
	 * the sessions around servers; the accounts are the machine's, so
	 * the helper neither makes, removes nor kills them. NULL: local. */
	const char *pam_service;
	/* authenticator = ldap: the accounts are the directory's people,
	 * made by PRIV_ACCOUNT_LDAP alone (never removed or killed whole). */
	int ldap;
};

/*
 * The helper's side (priv-helper.c): serves requests on 'fd' until it
 * closes, then exits. Runs in the forked child; never returns.
 */
void priv_helper_main(int fd, const struct priv_helper_conf *)
    __attribute__((noreturn));

/* Whether process 'pid' belongs to 'uid' (real and effective, from
 * /proc/PID/status); for the helper's checks, and tests. */
int priv_pid_owned(int pid, uid_t uid);

#endif
