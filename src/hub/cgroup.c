/* SPDX-License-Identifier: MIT */
/*
 * Control groups per user server (cgroup.h). Everything is a read or a
 * write of a small file under /sys/fs/cgroup; nothing is cached but the
 * mounts, which the caller keeps in a struct cgroup_sys. Write errors on
 * limits are reported (a limit asked for must hold); those on reading use
 * only make a number unknown.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "lib/util.h"
#include "lib/banned.h"

#define CG_FILE_MAX 65536 /* cgroup.procs of a busy server: a few KB */
#define CG_CPU_PERIOD 100000 /* microseconds, the kernel's default */
#define CG_FREEZE_WAIT_MS 1000

/* The v1 hierarchies rig uses, by their name in /proc/cgroups. */
static const char *const v1_names[] = { "memory", "cpu", "cpuacct", "pids",
	"freezer" };

static char *v1_slot(struct cgroup_sys *, const char *);
static int   has_word(const char *list, const char *word, const char *sep);
static void  parse_mount_line(struct cgroup_sys *, char *, char *, size_t);
static int   hierarchy_of(const char *proc_cgroups, const char *name);
static int   write_str(const char *dir, const char *file, const char *v);
static int   read_u64(const char *dir, const char *file, const char *key,
      uint64_t *);
static int   kill_procs(const char *dir);
static void  sleep_ms(int);
static void  weigh_base(const struct cgroup_sys *);

/* Where v1 hierarchy 'name' goes in 'sys'; NULL if rig does not use it. */
static char *
v1_slot(struct cgroup_sys *sys, const char *name)
{
	if (strcmp(name, "memory") == 0)
		return sys->memory;
	if (strcmp(name, "cpu") == 0)
		return sys->cpu;
	if (strcmp(name, "cpuacct") == 0)
		return sys->cpuacct;
	if (strcmp(name, "pids") == 0)
		return sys->pids;
	if (strcmp(name, "freezer") == 0)
		return sys->freezer;
	return NULL;
}

/* Whether 'word' is one of the 'sep'-separated words of 'list'. */
static int
has_word(const char *list, const char *word, const char *sep)
{
	size_t n = strlen(word);

	while (*list != '\0') {
		size_t len = strcspn(list, sep);

		if (len == n && strncmp(list, word, n) == 0)
			return 1;
		list += len;
		list += strspn(list, sep);
	}
	return 0;
}

/*
 * One line of /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT
 * OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS". A v1 hierarchy lists its
 * controllers in SUPEROPTS ("rw,cpu,cpuacct"). The cgroup2 mount goes in
 * 'v2'.
 */
static void
parse_mount_line(struct cgroup_sys *sys, char *line, char *v2, size_t v2len)
{
	char *f[6], *dash, *save = NULL, *fstype, *superopts;
	int   n = 0;

	dash = strstr(line, " - ");
	if (dash == NULL)
		return;
	*dash = '\0';
	for (char *t = strtok_r(line, " ", &save); t != NULL && n < 6;
	     t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n < 5 || strlen(f[4]) >= CGROUP_MOUNT_MAX || strchr(f[4], '\\'))
		return; /* escaped names (spaces) are not for us */
	save = NULL;
	fstype = strtok_r(dash + 3, " ", &save);
	(void)strtok_r(NULL, " ", &save);
	superopts = strtok_r(NULL, " \n", &save);
	if (fstype == NULL)
		return;
	if (strcmp(fstype, "cgroup2") == 0) {
		snprintf(v2, v2len, "%s", f[4]);
		return;
	}
	if (strcmp(fstype, "cgroup") != 0 || superopts == NULL)
		return;
	for (size_t i = 0; i < nitems(v1_names); i++) {
		char *slot = v1_slot(sys, v1_names[i]);

		if (has_word(superopts, v1_names[i], ",") && slot[0] == '\0')
			snprintf(slot, CGROUP_MOUNT_MAX, "%s", f[4]);
	}
}

/* Controller 'name''s hierarchy in /proc/cgroups: 0 is v2, -1 if it is
 * missing or disabled. */
static int
hierarchy_of(const char *proc_cgroups, const char *name)
{
	const char *p = proc_cgroups;

	while (p != NULL && *p != '\0') {
		char sub[64];
		int  hier, num, enabled;

		if (*p != '#' &&
		    sscanf(p, "%63s %d %d %d", sub, &hier, &num, &enabled) ==
		        4 &&
		    strcmp(sub, name) == 0)
			return enabled ? hier : -1;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

void
cgroup_parse(struct cgroup_sys *sys, const char *proc_cgroups,
    const char *mountinfo, const char *v2_controllers)
{
	char *copy, *line, *save = NULL, v2[CGROUP_MOUNT_MAX] = "";
	int   v1 = 0;

	memset(sys, 0, sizeof(*sys));
	copy = xstrdup(mountinfo != NULL ? mountinfo : "");
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		parse_mount_line(sys, line, v2, sizeof(v2));
	free(copy);
	snprintf(sys->unified, sizeof(sys->unified), "%s", v2);
	if (v2[0] != '\0' && v2_controllers != NULL &&
	    hierarchy_of(proc_cgroups, "memory") == 0 &&
	    hierarchy_of(proc_cgroups, "cpu") == 0 &&
	    hierarchy_of(proc_cgroups, "pids") == 0 &&
	    has_word(v2_controllers, "memory", " \n") &&
	    has_word(v2_controllers, "cpu", " \n") &&
	    has_word(v2_controllers, "pids", " \n")) {
		memset(sys->memory, 0, sizeof(sys->memory));
		sys->cpu[0] = sys->cpuacct[0] = sys->pids[0] = '\0';
		sys->freezer[0] = '\0';
		sys->version = CGROUP_V2;
		snprintf(sys->v2, sizeof(sys->v2), "%s", v2);
		return;
	}
	/* v1: only the hierarchies /proc/cgroups says are v1 and enabled. */
	for (size_t i = 0; i < nitems(v1_names); i++) {
		char *slot = v1_slot(sys, v1_names[i]);

		if (hierarchy_of(proc_cgroups, v1_names[i]) <= 0)
			slot[0] = '\0';
		else if (slot[0] != '\0')
			v1 = 1;
	}
	sys->version = v1 ? CGROUP_V1 : CGROUP_NONE;
}

void
cgroup_detect(struct cgroup_sys *sys)
{
	char *pc, *mi, *ctl = NULL;

	pc = read_file("/proc/cgroups", CG_FILE_MAX, NULL);
	mi = read_file("/proc/self/mountinfo", 1 << 20, NULL);
	/* A first pass finds the cgroup2 mount, whose controllers decide. */
	cgroup_parse(sys, pc, mi, NULL);
	if (sys->unified[0] != '\0') {
		char *path = xasprintf("%s/cgroup.controllers", sys->unified);

		ctl = read_file(path, 4096, NULL);
		free(path);
		if (ctl != NULL)
			cgroup_parse(sys, pc, mi, ctl);
	}
	free(pc);
	free(mi);
	free(ctl);
}

const struct cgroup_sys *
cgroup_system(void)
{
	static struct cgroup_sys sys;
	static int               done;

	if (!done) {
		cgroup_detect(&sys);
		done = 1;
	}
	return &sys;
}

int
cgroup_group_name(const char *account, const char *server, char *out)
{
	int n = server[0] == '\0'
	    ? snprintf(out, CGROUP_NAME_MAX, "%s", account)
	    : snprintf(out, CGROUP_NAME_MAX, "%s@%s", account, server);

	return n < 0 || n >= CGROUP_NAME_MAX ? -1 : 0;
}

int
cgroup_dirs(const struct cgroup_sys *sys, const char *account,
    char out[CGROUP_MAX_DIRS][CGROUP_PATH_MAX])
{
	const char *mounts[] = { sys->memory, sys->cpu, sys->cpuacct, sys->pids,
		sys->freezer };
	int         n = 0;

	if (sys->version == CGROUP_V2) {
		snprintf(out[0], CGROUP_PATH_MAX, "%s/%s/%s", sys->v2,
		    CGROUP_BASE, account);
		return 1;
	}
	if (sys->version != CGROUP_V1)
		return 0;
	for (size_t i = 0; i < nitems(mounts); i++) {
		char dir[CGROUP_PATH_MAX];
		int  dup = 0;

		if (mounts[i][0] == '\0')
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%s/%s", mounts[i],
		        CGROUP_BASE, account) >= (int)sizeof(dir))
			continue;
		for (int j = 0; j < n; j++)
			dup |= strcmp(out[j], dir) == 0;
		if (!dup)
			snprintf(out[n++], CGROUP_PATH_MAX, "%s", dir);
	}
	return n;
}

/* Writes 'v' to DIR/FILE; -1 with errno set. */
static int
write_str(const char *dir, const char *file, const char *v)
{
	char    path[CGROUP_PATH_MAX + 64];
	int     fd, saved;
	ssize_t r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	r = write(fd, v, strlen(v));
	saved = errno;
	close(fd);
	errno = saved;
	return r == (ssize_t)strlen(v) ? 0 : -1;
}

/* The number in DIR/FILE, or on its line "KEY N" if 'key' is set. */
static int
read_u64(const char *dir, const char *file, const char *key, uint64_t *v)
{
	char   path[CGROUP_PATH_MAX + 64], *data, *p;
	size_t klen = key != NULL ? strlen(key) : 0;
	int    r = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	data = read_file(path, CG_FILE_MAX, NULL);
	if (data == NULL)
		return -1;
	for (p = data; p != NULL && *p != '\0';) {
		if (key == NULL) {
			*v = strtoull(p, NULL, 10);
			r = 0;
			break;
		}
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			*v = strtoull(p + klen + 1, NULL, 10);
			r = 0;
			break;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	free(data);
	return r;
}

int
cgroup_create(const struct cgroup_sys *sys, const char *account,
    const struct cgroup_limits *lim, char *dirs[CGROUP_MAX_DIRS], int *n,
    char *why, size_t whylen)
{
	char dir[CGROUP_MAX_DIRS][CGROUP_PATH_MAX], v[64],
	    base[CGROUP_PATH_MAX];
	int nd;

	*n = 0;
	nd = cgroup_dirs(sys, account, dir);
	if (sys->version == CGROUP_V2) {
		/* Controllers for rig/ and for rig/ACCOUNT below it. */
		snprintf(base, sizeof(base), "%s/%s", sys->v2, CGROUP_BASE);
		if (mkdir(base, 0755) == -1 && errno != EEXIST)
			goto fail_dir;
		(void)chmod(base, 0755);
		for (int i = 0; i < 2; i++) {
			const char *d = i == 0 ? sys->v2 : base;

			if (write_str(d, "cgroup.subtree_control", "+memory") ||
			    write_str(d, "cgroup.subtree_control", "+cpu") ||
			    write_str(d, "cgroup.subtree_control", "+pids")) {
				snprintf(why, whylen,
				    "cannot enable the "
				    "memory, cpu and pids controllers in %s: "
				    "%s",
				    d, strerror(errno));
				return -1;
			}
		}
	}
	for (int i = 0; i < nd; i++) {
		snprintf(base, sizeof(base), "%s", dir[i]);
		*strrchr(base, '/') = '\0';
		if ((mkdir(base, 0755) == -1 && errno != EEXIST) ||
		    (mkdir(dir[i], 0755) == -1 && errno != EEXIST)) {
			snprintf(base, sizeof(base), "%s", dir[i]);
			goto fail_dir;
		}
		/* Whatever the umask (the helper's is 077): the hub reads
		 * the use as 'rig'. */
		(void)chmod(base, 0755);
		(void)chmod(dir[i], 0755);
	}
	if (sys->version == CGROUP_V2) {
		const char *d = dir[0];

		if (lim->mem > 0)
			snprintf(v, sizeof(v), "%llu",
			    (unsigned long long)lim->mem);
		else
			snprintf(v, sizeof(v), "max");
		if (write_str(d, "memory.max", v) == -1)
			goto fail_limit;
		/* Past the limit is an OOM kill, not swapping. */
		(void)write_str(d, "memory.swap.max",
		    lim->mem > 0 ? "0" : "max");
		if (lim->cpu_milli > 0)
			snprintf(v, sizeof(v), "%u %d",
			    lim->cpu_milli * (CG_CPU_PERIOD / 1000),
			    CG_CPU_PERIOD);
		else
			snprintf(v, sizeof(v), "max %d", CG_CPU_PERIOD);
		if (write_str(d, "cpu.max", v) == -1)
			goto fail_limit;
		if (lim->pids > 0)
			snprintf(v, sizeof(v), "%d", lim->pids);
		else
			snprintf(v, sizeof(v), "max");
		if (write_str(d, "pids.max", v) == -1)
			goto fail_limit;
	} else if (sys->version == CGROUP_V1) {
		char d[CGROUP_PATH_MAX + 8];

		if (sys->memory[0] != '\0') {
			snprintf(d, sizeof(d), "%s/%s/%s", sys->memory,
			    CGROUP_BASE, account);
			/* memsw (memory + swap) must stay >= the memory
			 * limit: lift it, set memory, then match it. */
			(void)write_str(d, "memory.memsw.limit_in_bytes", "-1");
			if (lim->mem > 0)
				snprintf(v, sizeof(v), "%llu",
				    (unsigned long long)lim->mem);
			else
				snprintf(v, sizeof(v), "-1");
			if (write_str(d, "memory.limit_in_bytes", v) == -1)
				goto fail_limit;
			(void)write_str(d, "memory.memsw.limit_in_bytes", v);
		}
		if (sys->cpu[0] != '\0') {
			snprintf(d, sizeof(d), "%s/%s/%s", sys->cpu,
			    CGROUP_BASE, account);
			snprintf(v, sizeof(v), "%d", CG_CPU_PERIOD);
			if (write_str(d, "cpu.cfs_period_us", v) == -1)
				goto fail_limit;
			if (lim->cpu_milli > 0)
				snprintf(v, sizeof(v), "%u",
				    lim->cpu_milli * (CG_CPU_PERIOD / 1000));
			else
				snprintf(v, sizeof(v), "-1");
			if (write_str(d, "cpu.cfs_quota_us", v) == -1)
				goto fail_limit;
		}
		if (sys->pids[0] != '\0') {
			snprintf(d, sizeof(d), "%s/%s/%s", sys->pids,
			    CGROUP_BASE, account);
			if (lim->pids > 0)
				snprintf(v, sizeof(v), "%d", lim->pids);
			else
				snprintf(v, sizeof(v), "max");
			if (write_str(d, "pids.max", v) == -1)
				goto fail_limit;
		}
	}
	weigh_base(sys);
	for (int i = 0; i < nd; i++)
		dirs[i] = xstrdup(dir[i]);
	*n = nd;
	return 0;
fail_dir:
	snprintf(why, whylen, "cannot create cgroup %s: %s", base,
	    strerror(errno));
	return -1;
fail_limit:
	snprintf(why, whylen,
	    "cannot set a limit (%s) in the cgroups of %s: "
	    "%s",
	    v, account, strerror(errno));
	return -1;
}

int
cgroup_join(const char *dir)
{
	char pid[32];

	if (strncmp(dir, CGROUP_FS, strlen(CGROUP_FS)) != 0 ||
	    strstr(dir, "/..") != NULL || strlen(dir) >= CGROUP_PATH_MAX) {
		errno = EINVAL;
		return -1;
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return write_str(dir, "cgroup.procs", pid);
}

/* SIGKILL to each process listed in DIR/cgroup.procs; how many. */
static int
kill_procs(const char *dir)
{
	char path[CGROUP_PATH_MAX + 32], *data, *p, *end;
	int  n = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	data = read_file(path, CG_FILE_MAX, NULL);
	if (data == NULL)
		return 0;
	for (p = data; *p != '\0'; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 1 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
	}
	free(data);
	return n;
}

/*
 * The servers' common parent (MOUNT/rig) gets the CPU weight of this
 * process's nice level, the hub's (the helper is forked from it). Without
 * cgroups a server would inherit the hub's nice; in them, all servers
 * together weigh what the group does, a nice-0 task by default. A hub run
 * at nice 10 (weight 110) then gets a tenth of a core while its servers
 * start: its pages took 100-300 ms in the spawn burst (bench/README.md).
 * Best effort: a weight is no limit a server relies on.
 */
static void
weigh_base(const struct cgroup_sys *sys)
{
	/* The kernel's sched_prio_to_weight[], nice -20 .. 19. */
	static const int weight[40] = { 88761, 71755, 56483, 46273, 36291,
		29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904, 3906,
		3121, 2501, 1991, 1586, 1277, 1024, 820, 655, 526, 423, 335,
		272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23, 18, 15 };
	char             base[CGROUP_PATH_MAX + 8], v[32];
	int              nice, w;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (errno != 0)
		return;
	if (nice < -20)
		nice = -20;
	if (nice > 19)
		nice = 19;
	w = weight[nice + 20];
	if (sys->version == CGROUP_V2) {
		/* cpu.weight 100 is shares 1024; 1 to 10000. */
		w = (w * 100 + 512) / 1024;
		snprintf(v, sizeof(v), "%d", w < 1 ? 1 : w > 10000 ? 10000 : w);
		snprintf(base, sizeof(base), "%s/%s", sys->v2, CGROUP_BASE);
		(void)write_str(base, "cpu.weight", v);
	} else if (sys->version == CGROUP_V1 && sys->cpu[0] != '\0') {
		snprintf(v, sizeof(v), "%d", w);
		snprintf(base, sizeof(base), "%s/%s", sys->cpu, CGROUP_BASE);
		(void)write_str(base, "cpu.shares", v);
	}
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
cgroup_kill(const struct cgroup_sys *sys, const char *account)
{
	char dir[CGROUP_MAX_DIRS][CGROUP_PATH_MAX], fz[CGROUP_PATH_MAX + 8];
	int  nd, n = 0;

	nd = cgroup_dirs(sys, account, dir);
	if (nd == 0)
		return 0;
	if (sys->version == CGROUP_V2) {
		if (write_str(dir[0], "cgroup.kill", "1") == 0)
			return -1;
		/* Before Linux 5.14: freeze, kill, thaw. */
		(void)write_str(dir[0], "cgroup.freeze", "1");
		n = kill_procs(dir[0]);
		(void)write_str(dir[0], "cgroup.freeze", "0");
		return n;
	}
	if (sys->freezer[0] != '\0') {
		snprintf(fz, sizeof(fz), "%s/%s/%s", sys->freezer, CGROUP_BASE,
		    account);
		/* Frozen, nothing in it can fork while we read the list;
		 * the kills land when it thaws. */
		if (write_str(fz, "freezer.state", "FROZEN") == 0) {
			for (int t = 0; t < CG_FREEZE_WAIT_MS / 10; t++) {
				char  path[CGROUP_PATH_MAX + 32];
				char *st;
				int   frozen;

				snprintf(path, sizeof(path), "%s/freezer.state",
				    fz);
				st = read_file(path, 64, NULL);
				frozen =
				    st != NULL && strncmp(st, "FROZEN", 6) == 0;
				free(st);
				if (frozen)
					break;
				sleep_ms(10);
			}
			n += kill_procs(fz);
			(void)write_str(fz, "freezer.state", "THAWED");
		}
	}
	/* Without a freezer (or for what slipped past it): until empty. */
	for (int round = 0; round < 20; round++) {
		int k = 0;

		for (int i = 0; i < nd; i++)
			k += kill_procs(dir[i]);
		n += k;
		if (k == 0)
			break;
		sleep_ms(5);
	}
	return n;
}

int
cgroup_remove(const struct cgroup_sys *sys, const char *account)
{
	char dir[CGROUP_MAX_DIRS][CGROUP_PATH_MAX];
	int  nd, ret = 0;

	nd = cgroup_dirs(sys, account, dir);
	for (int i = 0; i < nd; i++)
		if (rmdir(dir[i]) == -1 && errno != ENOENT)
			ret = -1;
	return ret;
}

int
cgroup_usage(const struct cgroup_sys *sys, const char *account,
    struct cgroup_usage *u)
{
	char d[CGROUP_PATH_MAX + 8];

	memset(u, 0, sizeof(*u));
	if (sys->version == CGROUP_V2) {
		uint64_t us = 0;

		snprintf(d, sizeof(d), "%s/%s/%s", sys->v2, CGROUP_BASE,
		    account);
		if (read_u64(d, "memory.current", NULL, &u->mem) == -1)
			return -1;
		if (read_u64(d, "cpu.stat", "usage_usec", &us) == 0)
			u->cpu_ns = us * 1000;
		(void)read_u64(d, "memory.events", "oom_kill", &u->oom_kills);
		return 0;
	}
	if (sys->version != CGROUP_V1 || sys->memory[0] == '\0')
		return -1;
	snprintf(d, sizeof(d), "%s/%s/%s", sys->memory, CGROUP_BASE, account);
	if (read_u64(d, "memory.usage_in_bytes", NULL, &u->mem) == -1)
		return -1;
	(void)read_u64(d, "memory.oom_control", "oom_kill", &u->oom_kills);
	if (sys->cpuacct[0] != '\0') {
		snprintf(d, sizeof(d), "%s/%s/%s", sys->cpuacct, CGROUP_BASE,
		    account);
		(void)read_u64(d, "cpuacct.usage", NULL, &u->cpu_ns);
	}
	return 0;
}
