/* SPDX-License-Identifier: MIT */
/*
 * The pool's power log (powerlog.h): records appended one line at a
 * time, and read back as powered seconds per node within a window.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "powerlog.h"
#include "util.h"
#include "banned.h"

/* A node as the log has shown it so far. */
struct pnode {
	char    name[POWERLOG_NAME_MAX + 1];
	int64_t up_since; /* -1 while down */
	int64_t seconds;
};

static struct pnode *find_node(struct pnode *, size_t *, const char *, size_t);
static int64_t       overlap(int64_t a, int64_t b, int64_t from, int64_t to);

int
powerlog_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > POWERLOG_NAME_MAX || name[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		        (name[i] >= 'A' && name[i] <= 'Z') ||
		        (name[i] >= '0' && name[i] <= '9') ||
		        strchr("._-", name[i]) != NULL))
			return 0;
	return 1;
}

int
powerlog_record(const char *path, const char *node, int up, int64_t when)
{
	char    line[128];
	int     fd, n;
	ssize_t w;

	if (!powerlog_name_ok(node))
		return error("'%s' is not a node's name", node);
	n = snprintf(line, sizeof(line), "%lld %s %s\n", (long long)when,
	    up ? "up" : "down", node);
	if (n < 0 || (size_t)n >= sizeof(line))
		return error("power record too long");
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		return error("cannot open '%s': %s", path, strerror(errno));
	w = write(fd, line, (size_t)n);
	if (w != n) {
		error("cannot write '%s': %s", path,
		    w == -1 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	if (close(fd) == -1)
		return error("cannot write '%s': %s", path, strerror(errno));
	return 0;
}

int64_t
powerlog_month_start(int64_t now)
{
	time_t    t = (time_t)now;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return now;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm);
}

/* The seconds of [a, b) inside [from, to). */
static int64_t
overlap(int64_t a, int64_t b, int64_t from, int64_t to)
{
	if (a < from)
		a = from;
	if (b > to)
		b = to;
	return b > a ? b - a : 0;
}

static struct pnode *
find_node(struct pnode *nodes, size_t *n, const char *name, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen(nodes[i].name) == len &&
		    memcmp(nodes[i].name, name, len) == 0)
			return &nodes[i];
	if (*n == POWERLOG_NODES_MAX || len > POWERLOG_NAME_MAX)
		return NULL;
	memcpy(nodes[*n].name, name, len);
	nodes[*n].name[len] = '\0';
	nodes[*n].up_since = -1;
	nodes[*n].seconds = 0;
	return &nodes[(*n)++];
}

int
powerlog_seconds(const char *path, int64_t from, int64_t to, powerlog_fn *fn,
    void *arg)
{
	struct pnode *nodes, *pn;
	size_t        n = 0, len;
	char         *text, *p, *end, *nl, *sp;
	char          name[POWERLOG_NAME_MAX + 1];
	long long     when;
	int           up;

	text = read_file(path, POWERLOG_MAX, &len);
	if (text == NULL)
		return errno == ENOENT ? 0 : -1;
	nodes = xcalloc(POWERLOG_NODES_MAX, sizeof(*nodes));
	for (p = text; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl == NULL)
			break; /* a line still being written */
		*nl = '\0';
		errno = 0;
		when = strtoll(p, &end, 10);
		if (errno != 0 || end == p || *end != ' ' || when < 0)
			continue;
		p = end + 1;
		if (strncmp(p, "up ", 3) == 0)
			up = 1, p += 3;
		else if (strncmp(p, "down ", 5) == 0)
			up = 0, p += 5;
		else
			continue;
		sp = p + strlen(p);
		if ((size_t)(sp - p) > POWERLOG_NAME_MAX)
			continue;
		memcpy(name, p, (size_t)(sp - p));
		name[sp - p] = '\0';
		if (!powerlog_name_ok(name))
			continue;
		pn = find_node(nodes, &n, name, strlen(name));
		if (pn == NULL)
			continue;
		if (up && pn->up_since < 0)
			pn->up_since = when;
		else if (!up && pn->up_since >= 0) {
			pn->seconds += overlap(pn->up_since, when, from, to);
			pn->up_since = -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (nodes[i].up_since >= 0)
			nodes[i].seconds +=
			    overlap(nodes[i].up_since, to, from, to);
		fn(arg, nodes[i].name, nodes[i].seconds);
	}
	free(nodes);
	free(text);
	return 0;
}
