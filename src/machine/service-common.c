/* SPDX-License-Identifier: MIT */
/*
 * What the four service files share (service-internal.h): paths in the
 * service's folder, a program on PATH, a command run with a deadline, pid
 * files, hub.conf's port, a process's start time. Below service.c,
 * service-systemd.c, service-supervisor.c and service-status.c, so none
 * of them needs another's helpers.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ini.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "service-internal.h"
#include "service.h"
#include "lib/util.h"
#include "lib/banned.h"

static int conf_port_cb(void *, const char *, const char *, const char *,
    const char *, int);

char *
service_path(const struct service *s, const char *name)
{
	return xasprintf("%s/%s", s->dir, name);
}

int
service_in_path(const char *name)
{
	const char *path = getenv("PATH");
	char       *full;
	int         found;

	full = proc_which(name,
	    path != NULL ? path : "/usr/local/bin:/usr/bin:/bin");
	found = full != NULL;
	free(full);
	return found;
}

int
service_run(struct proc_result *res, const char *arg0, ...)
{
	struct argv a;
	va_list     ap;
	const char *w;
	int         r;

	proc_result_init(res);
	argv_init(&a);
	va_start(ap, arg0);
	for (w = arg0; w != NULL; w = va_arg(ap, const char *))
		argv_add(&a, w);
	va_end(ap);
	r = proc_capture(a.v, NULL, -1, 60000, res);
	argv_release(&a);
	if (r == -1)
		return -1;
	return res->status == 0 ? 0 : -1;
}

int
service_read_pid(const struct service *s, const char *name)
{
	char     *path = service_path(s, name);
	char     *t = read_file(path, 64, NULL);
	long long n;

	free(path);
	if (t == NULL)
		return 0;
	t[strcspn(t, "\n")] = '\0';
	if (parse_int(t, 1, INT_MAX, &n) == -1)
		n = 0;
	free(t);
	return (int)n;
}

static int
conf_port_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	const char *colon;
	long long   n;

	(void)path;
	(void)lineno;
	if (strcmp(section, "hub") == 0 && strcmp(key, "listen") == 0) {
		colon = strrchr(value, ':');
		if (colon != NULL && parse_int(colon + 1, 1, 65535, &n) == 0)
			*(int *)arg = (int)n;
	}
	return 0;
}

int
service_conf_port(const struct service *s)
{
	int port = -1, r;

	r = ini_read(s->conf, conf_port_cb, &port);
	if (r == 1)
		return error("the hub is not set up in '%s' (run 'rig up')",
		    s->dir);
	if (r == -1 || port == -1)
		return error("'%s' has no usable listen = ADDR:PORT", s->conf);
	return port;
}

int64_t
pid_start_ticks(int pid)
{
	char      path[64], *t, *p;
	int       field = 2;
	long long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	t = read_file(path, 4096, NULL);
	if (t == NULL)
		return -1;
	p = strrchr(t, ')');
	for (p = p != NULL ? p + 1 : t + strlen(t); *p != '\0';) {
		while (*p == ' ')
			p++;
		if (++field == 22) {
			v = strtoll(p, NULL, 10);
			break;
		}
		p += strcspn(p, " ");
	}
	free(t);
	return v;
}
