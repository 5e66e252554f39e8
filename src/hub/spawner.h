/* SPDX-License-Identifier: MIT */
/*
 * The spawner: how a user's server runs, behind a struct of operations,
 * so that the rest of the hub (the state machine in server.c, the probes
 * in server.c, culling, take-over after a restart, the proxy) does not
 * know. spawn-local.c: a child of the hub on this machine, as the user's
 * Unix account when the hub is root; spawn-slurm.c: a Slurm batch job on
 * a pool's node, submitted as that account. What a spawner needs to
 * remember across a hub restart goes in the server's pid, pid_start,
 * sock, port and host, which SQLite keeps.
 *
 * The calls go both ways. The hub calls the operations; a spawner tells
 * the hub how things went with the server_spawned(), server_spawn_failed()
 * and server_exited() calls at the end of this file, and reports steps
 * with progress_step() (progress.h). Everything runs on the hub's loop.
 */
#ifndef SPAWNER_H
#define SPAWNER_H

#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"

struct hub;
struct server;

/* What a server's processes use (the local spawner: its cgroup). */
struct spawner_usage {
	uint64_t mem; /* bytes now */
	uint64_t cpu_ns; /* CPU time so far */
	uint64_t oom_kills; /* processes killed at mem_limit so far */
};

enum spawner_signal {
	SPAWNER_TERM, /* please stop (SIGTERM) */
	SPAWNER_KILL, /* stop now, with everything the server left behind
	               * (kernels in their own sessions): SIGKILL */
};

struct spawner {
	const char *name; /* "local" */
	/* Whether a server's output is a pipe the hub reads (serverlog.h),
	 * which a restarted hub opens again from /proc/PID/fd/1: only for
	 * a pid of this machine. */
	int output_pipe;

	/*
	 * Starts the server of s->name (user s->user_id) with secret
	 * s->secret, which it must hand to the server (server_env()) and
	 * never put on a command line. s->state is SERVER_PENDING. Every
	 * outcome is a call: server_spawned() once the process runs (pid,
	 * pid_start and sock or port filled in), or server_spawn_failed();
	 * either may come before start() returns. While it works it may hold a
	 * reference (server_ref()); it must check s->removed and s->state
	 * when it comes back, as the server may have been stopped. A start
	 * that waits in a queue before its process runs (a Slurm job) sets
	 * s->pid as soon as there is something to stop, and pushes
	 * s->deadline_ms (spawn_timeout, counted from when it runs) before
	 * server_spawned(): the queue's wait is not the server's.
	 */
	void (*start)(struct server *);

	/* Sends the server a signal; nothing if it is gone already. */
	void (*signal)(struct server *, enum spawner_signal);

	/* Whether the process that s->pid and s->pid_start name still runs
	 * (asks the system now; called once a second per server that is
	 * not watched, below, and when a connection to it is refused). */
	int (*alive)(const struct server *);

	/* Whether the spawner itself will call server_exited() when the
	 * process ends (a child of this hub); then the hub does not poll
	 * alive(). 0 for servers taken over from an earlier hub. */
	int (*watched)(const struct server *);

	/* Where the server listens: a Unix socket (the local spawner's
	 * servers, with {sock}) or a TCP address (a command with {port}
	 * only; a server on another node). */
	void (*address)(const struct server *, struct endpoint *);

	/*
	 * Whether what listens at address() is the server's own, checked
	 * before each readiness probe (which carries the secret): 1 it is,
	 * 0 nothing listens yet (the probe waits), -1 another account's
	 * listener holds the place, said in 'why' (the start fails). NULL:
	 * nothing the hub can check (an address on another node, whose
	 * sockets it cannot see: there the job checks before it says
	 * where it listens, spawn-slurm.c).
	 */
	int (*listener_ok)(const struct server *, char *why, size_t len);

	/* CPU time the server and its kernels used so far, in clock ticks,
	 * or 0 if unknown: culling counts a rise as use. May be NULL. */
	uint64_t (*cpu_ticks)(const struct server *);

	/* The last 'lines' lines of the server's output, for the spawn
	 * page; "" if none. Caller frees result. */
	char *(*log_tail)(const struct server *, int lines);

	/* A server taken over from an earlier hub (takeover.h), its fields
	 * read back: the spawner watches it again. 1 if it carries a pending
	 * start on itself (a job still queued: it calls server_spawned()
	 * later), 0 for the hub to go on as for any server (probe a pending
	 * one, stop a stopping one). May be NULL. */
	int (*adopt)(struct server *);

	/* The server leaves the hub's table: let go of what the spawner
	 * holds for it (a child's handle). The process keeps running. */
	void (*forget)(struct server *);

	/* The server's process is gone (it exited, was stopped, or its
	 * start failed): end everything it left behind (kernels, setsid
	 * children) and free what was set up for it (its cgroup). May be
	 * NULL. */
	void (*ended)(struct server *);

	/* What the server uses now; -1 if unknown. May be NULL. */
	int (*usage)(const struct server *, struct spawner_usage *);

	/* User 'name' was deleted: end all of theirs at once and remove
	 * what the spawner made for them (a Unix account and its home).
	 * May be NULL. */
	void (*drop_user)(struct hub *, const char *name);

	/* The hub is stopping: let go of the spawner's own work in flight
	 * (not of servers, which keep running). May be NULL. */
	void (*release)(void);
};

/* The local spawner (spawn-local.c) and the Slurm one (spawn-slurm.c);
 * daemon.c chooses by [hub] spawner. */
extern const struct spawner spawner_local;
extern const struct spawner spawner_slurm;

/*
 * From a spawner to the hub (server.c).
 *
 * server_spawned(): the process runs; s->pid, s->pid_start and s->sock
 * or s->port say which and where. The hub records it and probes until it
 * answers. server_spawn_failed(): the start failed; the message is what the
 * user is shown ("command not found: jupyter-lab"). server_exited(): a watched
 * process ended; 'why' is "exited with status 1", "was killed by signal 9".
 * Safe to call in any state.
 */
void server_spawned(struct server *);
void server_spawn_failed(struct server *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void server_exited(struct server *, const char *why);

#endif
