/* SPDX-License-Identifier: MIT */
/*
 * A control group per user server: every process the server starts
 * (kernels, terminals, nohup and setsid children) is in it, so that its
 * memory, CPU and process count can be limited and measured, and so that
 * stopping the server can kill all of it at once.
 *
 * rig's groups are MOUNT/rig/ACCOUNT for each hierarchy it uses, named
 * after the server's Unix account so that a restarted hub finds them
 * again. With cgroup v2 (when the unified hierarchy has the memory, cpu
 * and pids controllers) that is one directory; with v1 one in each of
 * the memory, cpu, cpuacct, pids and freezer hierarchies that is mounted.
 * Which one is read from /proc/cgroups (a controller's hierarchy 0 means
 * v2) and /proc/self/mountinfo (where each hierarchy is mounted).
 *
 * The hub makes the groups and writes the limits; the server's launcher
 * (rig sandbox --cgroup, still root) joins them before it drops to the
 * user and runs the server, so nothing runs outside them even for an
 * instant. Killing freezes the group first (v1 freezer, or v2's
 * cgroup.kill), so a fork loop cannot outrun it.
 */
#ifndef CGROUP_H
#define CGROUP_H

#include <stddef.h>
#include <stdint.h>

#define CGROUP_PATH_MAX 256
#define CGROUP_MOUNT_MAX 128 /* a mount point, with its NUL */
#define CGROUP_MAX_DIRS 6 /* v1: memory, cpu, cpuacct, pids, freezer */
#define CGROUP_BASE "rig" /* MOUNT/rig/ACCOUNT */
#define CGROUP_FS "/sys/fs/cgroup/" /* every group rig joins is under it */

enum cgroup_version {
	CGROUP_NONE, /* no usable hierarchy: no limits */
	CGROUP_V1,
	CGROUP_V2,
};

/* The hierarchies rig uses; an empty string is one not mounted. */
struct cgroup_sys {
	enum cgroup_version version;
	char v2[CGROUP_MOUNT_MAX]; /* the cgroup2 mount, if version is V2 */
	char unified[CGROUP_MOUNT_MAX]; /* the cgroup2 mount, any version */
	char memory[CGROUP_MOUNT_MAX], cpu[CGROUP_MOUNT_MAX],
	    cpuacct[CGROUP_MOUNT_MAX], pids[CGROUP_MOUNT_MAX],
	    freezer[CGROUP_MOUNT_MAX]; /* v1 mounts */
};

struct cgroup_limits {
	uint64_t mem; /* bytes; 0: none */
	unsigned cpu_milli; /* thousandths of a core; 0: none */
	int      pids; /* 0: none */
};

/* What a server's group used. */
struct cgroup_usage {
	uint64_t mem; /* bytes now (v1: with page cache) */
	uint64_t cpu_ns; /* CPU time so far */
	uint64_t oom_kills; /* processes the kernel killed at mem_limit */
};

/*
 * Works out the version and mounts from the text of /proc/cgroups,
 * /proc/self/mountinfo and the unified hierarchy's cgroup.controllers
 * (NULL if none). Pure, for tests; cgroup_detect() reads the files.
 */
void cgroup_parse(struct cgroup_sys *, const char *proc_cgroups,
    const char *mountinfo, const char *v2_controllers);
/*
 * The group of a server: ACCOUNT for a user's default server,
 * ACCOUNT@SRV for named server SRV (servername.h), '@' being in no
 * account's name, so no account's group is another's server's. Into
 * 'out' (CGROUP_NAME_MAX bytes); -1 if it does not fit.
 */
#define CGROUP_NAME_MAX 80
int cgroup_group_name(const char *account, const char *server, char *out);
/* Reads the files and calls cgroup_parse(). */
void cgroup_detect(struct cgroup_sys *);
/* This machine's, detected on the first call and kept. */
const struct cgroup_sys *cgroup_system(void);

/*
 * Makes ACCOUNT's groups (kept if they exist) and writes 'lim' into
 * them. The directories the server must join go into 'dirs' (the
 * caller frees each), their number in *n. 0, or -1 with the reason in
 * 'why'.
 */
int cgroup_create(const struct cgroup_sys *, const char *account,
    const struct cgroup_limits *lim, char *dirs[CGROUP_MAX_DIRS], int *n,
    char *why, size_t whylen);

/* ACCOUNT's group directories, one per distinct mount, made or not;
 * how many (0 without cgroups). */
int cgroup_dirs(const struct cgroup_sys *, const char *account,
    char out[CGROUP_MAX_DIRS][CGROUP_PATH_MAX]);

/* Moves the calling process into group directory 'dir', which must be
 * under CGROUP_FS and hold no "..". 0, or -1 with errno set. */
int cgroup_join(const char *dir);

/* Kills every process in ACCOUNT's groups (SIGKILL, with the group
 * frozen meanwhile). Returns how many were signalled (v2: -1 unknown). */
int cgroup_kill(const struct cgroup_sys *, const char *account);

/* Removes ACCOUNT's groups. 0 once they are all gone, -1 while a group
 * still has processes (they take a moment to die after SIGKILL). */
int cgroup_remove(const struct cgroup_sys *, const char *account);

/* ACCOUNT's use; -1 if it has no group. */
int cgroup_usage(const struct cgroup_sys *, const char *account,
    struct cgroup_usage *);

#endif
