/* SPDX-License-Identifier: MIT */
/*
 * Reading /proc (procfs.h). Everything here is a look at the system as it
 * is now; nothing is cached, so callers decide how often to ask.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "procfs.h"

#define STAT_MAX 4096 /* a stat line is a few hundred bytes */

static int is_pid_name(const char *, long long *);

/* Whether a /proc entry names a process (digits, not "self"). */
static int
is_pid_name(const char *name, long long *pid)
{
	return parse_int(name, 2, 1 << 22, pid) == 0;
}

int
procfs_parse_stat(const char *text, struct procfs_stat *st)
{
	const char *p;
	int         field = 2;

	memset(st, 0, sizeof(*st));
	p = strrchr(text, ')');
	if (p == NULL)
		return -1;
	p++;
	while (*p != '\0') {
		size_t n;

		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		field++;
		n = strcspn(p, " \n");
		if (field == 3)
			st->state = *p;
		else if (field == 14)
			st->utime = strtoull(p, NULL, 10);
		else if (field == 15)
			st->stime = strtoull(p, NULL, 10);
		else if (field == 22) {
			if (n >= sizeof(st->start))
				return -1;
			memcpy(st->start, p, n);
			st->start[n] = '\0';
			return 0;
		}
		p += n;
	}
	return -1;
}

int
procfs_stat(int pid, struct procfs_stat *st)
{
	char path[64], *data;
	int  r;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	data = read_file(path, STAT_MAX, NULL);
	if (data == NULL)
		return -1;
	r = procfs_parse_stat(data, st);
	free(data);
	return r;
}

int
procfs_alive(int pid, const char *start)
{
	struct procfs_stat st;

	if (pid <= 0 || procfs_stat(pid, &st) == -1)
		return 0;
	return strcmp(st.start, start) == 0 && st.state != 'Z' &&
	    st.state != 'X';
}

int
procfs_kill_uid(uid_t uid, int sig)
{
	DIR           *d = opendir("/proc");
	struct dirent *de;
	int            n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char               path[300];
		struct stat        st;
		struct procfs_stat ps;
		long long          pid;

		if (!is_pid_name(de->d_name, &pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%s", de->d_name);
		if (stat(path, &st) == -1 || st.st_uid != uid)
			continue;
		/* A zombie waits for its parent, not for a signal. */
		if (procfs_stat((int)pid, &ps) == 0 &&
		    (ps.state == 'Z' || ps.state == 'X'))
			continue;
		if (kill((pid_t)pid, sig) == 0)
			n++;
	}
	closedir(d);
	return n;
}

uint64_t
procfs_uid_cpu_ticks(uid_t uid)
{
	DIR           *d = opendir("/proc");
	struct dirent *de;
	uint64_t       total = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char               path[300], *data;
		struct stat        sb;
		struct procfs_stat st;
		long long          pid;

		if (!is_pid_name(de->d_name, &pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (stat(path, &sb) == -1 || sb.st_uid != uid)
			continue;
		data = read_file(path, STAT_MAX, NULL);
		if (data == NULL)
			continue;
		/* A process that vanished mid-read counts as nothing. */
		if (procfs_parse_stat(data, &st) == 0)
			total += st.utime + st.stime;
		free(data);
	}
	closedir(d);
	return total;
}
