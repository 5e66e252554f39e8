/* SPDX-License-Identifier: MIT */
/*
 * Writing ssh_config: values are quoted when they hold spaces, and '%' is
 * doubled because ssh expands %-tokens in IdentityFile, ControlPath and
 * UserKnownHostsFile. The user's ~/.ssh/config is only ever given one
 * Include line at its top (an Include after a Host line would belong to
 * that Host); everything else goes in rig's own file. Its Host names
 * carry a prefix (SSHCONFIG_PREFIX): a project named "github.com" must
 * not make the user's 'ssh github.com' go to the project's machine. A
 * file that is a symlink (dotfiles kept in a repository) is written
 * through the link, never replaced by a regular file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "machine.h"
#include "sshconfig.h"
#include "lib/util.h"

#define SSHCONFIG_MAX (1024 * 1024) /* bytes of a config file we edit */

static int   add_value(struct buf *, const char *, const char *, int);
static int   add_files(struct buf *, const char *, const char *const *);
static int   line_is(const char *, size_t, const char *);
static int   keyword_at(const char *, size_t, const char *);
static char *link_target(const char *);
static int   write_through(const char *, const char *);

/*
 * Appends "\tKEY VALUE\n", VALUE in double quotes if it has white space,
 * '%' doubled if 'percent'. -1 (printed) for what ssh_config cannot hold.
 */
static int
add_value(struct buf *b, const char *key, const char *v, int percent)
{
	int quote = strpbrk(v, " \t") != NULL;

	if (strpbrk(v, "\"\n\r") != NULL || *v == '\0')
		return error("cannot write %s '%s' into an ssh config", key, v);
	buf_addf(b, "\t%s %s", key, quote ? "\"" : "");
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '%' && percent)
			buf_add(b, "%", 1);
		buf_add(b, p, 1);
	}
	buf_adds(b, quote ? "\"\n" : "\n");
	return 0;
}

/* Appends "\tKEY F1 F2 ...\n" for the non-NULL files of 'f' (up to
 * SSHCONFIG_KH_MAX), each quoted if it has white space, '%' doubled. */
static int
add_files(struct buf *b, const char *key, const char *const *f)
{
	buf_addf(b, "\t%s", key);
	for (size_t i = 0; i < SSHCONFIG_KH_MAX && f[i] != NULL; i++) {
		int quote = strpbrk(f[i], " \t") != NULL;

		if (strpbrk(f[i], "\"\n\r") != NULL || *f[i] == '\0')
			return error("cannot write %s '%s' into an ssh config",
			    key, f[i]);
		buf_adds(b, quote ? " \"" : " ");
		for (const char *p = f[i]; *p != '\0'; p++) {
			if (*p == '%')
				buf_add(b, "%", 1);
			buf_add(b, p, 1);
		}
		if (quote)
			buf_adds(b, "\"");
	}
	buf_adds(b, "\n");
	return 0;
}

char *
sshconfig_block(const struct sshconfig_host *h)
{
	struct buf  b;
	const char *kh[SSHCONFIG_KH_MAX + 1] = { NULL };
	char       *own[2] = { NULL, NULL };
	const char *home;
	int         r = 0;

	buf_init(&b, SSHCONFIG_MAX);
	if (strpbrk(h->alias, " \t\"\n*?!") != NULL) {
		error("cannot use '%s' as an ssh Host name", h->alias);
		return NULL;
	}
	buf_addf(&b, "Host %s\n", h->alias);
	r |= add_value(&b, "HostName", h->hostname, 0);
	r |= add_value(&b, "User", h->user, 0);
	buf_addf(&b, "\tPort %d\n", h->port);
	if (h->identity != NULL) {
		r |= add_value(&b, "IdentityFile", h->identity, 1);
		buf_adds(&b, "\tIdentitiesOnly yes\n");
	}
	/* The project's own file first (accept-new writes there), then the
	 * user's: a key the user's own ssh knows for this host must match,
	 * so a project never accepts a key the user's ssh calls CHANGED. */
	kh[0] = h->known_hosts;
	home = h->user_home;
	if (home != NULL) {
		own[0] = xasprintf("%s/.ssh/known_hosts", home);
		own[1] = xasprintf("%s/.ssh/known_hosts2", home);
		kh[1] = own[0];
		kh[2] = own[1];
	}
	r |= add_files(&b, "UserKnownHostsFile", kh);
	free(own[0]);
	free(own[1]);
	if (h->rig_only) {
		/* accept-new: the first connection of a project learns the
		 * key (as the first 'ssh HOST' would after a yes), a changed
		 * key is refused. No password or keyboard prompts: rig runs
		 * without a terminal, and a prompt would hang it. */
		buf_adds(&b,
		    "\tStrictHostKeyChecking accept-new\n"
		    "\tPasswordAuthentication no\n"
		    "\tKbdInteractiveAuthentication no\n"
		    "\tLogLevel ERROR\n");
		buf_addf(&b, "\tConnectTimeout %d\n", h->connect_timeout);
		buf_adds(&b,
		    "\tServerAliveInterval 15\n"
		    "\tServerAliveCountMax 4\n");
		if (h->control_path != NULL) {
			buf_adds(&b, "\tControlMaster auto\n");
			r |= add_value(&b, "ControlPath", h->control_path, 1);
			buf_adds(&b, "\tControlPersist 60\n");
		} else
			buf_adds(&b,
			    "\tControlMaster no\n\tControlPath none\n");
	}
	if (r != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* Whether the line at 'p' of 'len' bytes is exactly 's'. */
static int
line_is(const char *p, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(p, s, len) == 0;
}

char *
sshconfig_replace(const char *old, const char *alias, const char *project,
    const char *block)
{
	struct buf  b;
	char       *start, *note;
	const char *p = old != NULL ? old : "", *nl;
	int         skipping = 0, done = 0;
	size_t      len;

	start = xasprintf("# rig: %s", alias);
	/* The folder is a note on the marker line, and only that: a line
	 * break in its name would start a line ssh reads, before any Host
	 * and so for every host (found by fuzz-sshconfig). */
	note = xstrdup(project);
	for (char *q = note; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	project = note;
	buf_init(&b, SSHCONFIG_MAX);
	for (; *p != '\0'; p = nl != NULL ? nl + 1 : p + len) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (!skipping && len >= strlen(start) &&
		    memcmp(p, start, strlen(start)) == 0 &&
		    (len == strlen(start) || p[strlen(start)] == ' ')) {
			skipping = 1;
			continue;
		}
		if (skipping) {
			if (line_is(p, len, "# rig: end")) {
				skipping = 0;
				if (!done && block != NULL) {
					buf_addf(&b, "%s (%s)\n%s# rig: end\n",
					    start, project, block);
					done = 1;
				}
			}
			continue;
		}
		buf_add(&b, p, len);
		buf_adds(&b, "\n");
	}
	if (!done && block != NULL) {
		if (b.len > 0 && b.data[b.len - 1] == '\n' &&
		    (b.len < 2 || b.data[b.len - 2] != '\n'))
			buf_adds(&b, "\n");
		buf_addf(&b, "%s (%s)\n%s# rig: end\n", start, project, block);
	}
	free(start);
	free(note);
	return buf_detach(&b, NULL);
}

/* Whether the line at 'p' starts with ssh_config keyword 'kw' (any case,
 * then white space or '='). */
static int
keyword_at(const char *p, size_t len, const char *kw)
{
	size_t k = strlen(kw);

	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	return len > k && strncasecmp(p, kw, k) == 0 &&
	    (p[k] == ' ' || p[k] == '\t' || p[k] == '=');
}

char *
sshconfig_with_include(const char *old, const char *line)
{
	const char *p = old != NULL ? old : "", *nl;
	size_t      len;

	for (; *p != '\0'; p = nl != NULL ? nl + 1 : p + len) {
		const char *q;
		size_t      qlen;

		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (keyword_at(p, len, "Host") || keyword_at(p, len, "Match"))
			break;
		q = p;
		qlen = len;
		while (qlen > 0 && (*q == ' ' || *q == '\t')) {
			q++;
			qlen--;
		}
		while (qlen > 0 &&
		    (q[qlen - 1] == ' ' || q[qlen - 1] == '\t' ||
		        q[qlen - 1] == '\r'))
			qlen--;
		if (line_is(q, qlen, line))
			return NULL;
	}
	return xasprintf("# Added by rig ssh-config: hosts of rig projects\n"
	                 "%s\n\n%s",
	    line, old != NULL ? old : "");
}

/*
 * Where writing 'path' should go: the file a symlink at 'path' points
 * to (relative to the link's folder, as the kernel reads it; one level,
 * then realpath() if it exists), else 'path'. Caller frees result.
 */
static char *
link_target(const char *path)
{
	struct stat sb;
	char        buf[PATH_MAX], *real, *slash;
	ssize_t     n;

	if (lstat(path, &sb) == -1 || !S_ISLNK(sb.st_mode))
		return xstrdup(path);
	real = realpath(path, NULL);
	if (real != NULL)
		return real;
	/* Dangling: the file the link names, to be created. */
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return xstrdup(path);
	buf[n] = '\0';
	if (buf[0] == '/')
		return xstrdup(buf);
	slash = strrchr(path, '/');
	if (slash == NULL)
		return xstrdup(buf);
	return xasprintf("%.*s/%s", (int)(slash - path), path, buf);
}

/* write_file_atomic() (0600) of 'text' to 'path', through a symlink. */
static int
write_through(const char *path, const char *text)
{
	char *to = link_target(path);
	int   r;

	r = write_file_atomic(to, text, strlen(text), 0600);
	if (r == -1)
		error("cannot write '%s': %s", to, strerror(errno));
	free(to);
	return r;
}

int
sshconfig_install(const struct machine *m, const char *home,
    const char *hostname, int port)
{
	struct sshconfig_host h;
	char *dotssh, *path, *cfg, *old, *text, *block, *kh, *id, *inc;
	char *alias, *legacy, *mark = NULL;
	int   ret = -1;

	dotssh = xasprintf("%s/.ssh", home);
	path = xasprintf("%s/%s", dotssh, SSHCONFIG_USER_FILE);
	cfg = xasprintf("%s/config", dotssh);
	kh = xasprintf("%s/known_hosts", m->state_dir);
	id = machine_identity_path(m);
	inc = xasprintf("Include ~/.ssh/%s", SSHCONFIG_USER_FILE);
	alias = xasprintf("%s%s", SSHCONFIG_PREFIX, m->name);
	old = text = block = legacy = NULL;
	if (mkdir(dotssh, 0700) == -1 && errno != EEXIST) {
		error("cannot create '%s': %s", dotssh, strerror(errno));
		goto out;
	}
	memset(&h, 0, sizeof(h));
	h.alias = alias;
	h.hostname = hostname;
	h.port = port;
	h.user = machine_user(m);
	h.identity = id;
	h.known_hosts = kh;
	h.user_home = home;
	block = sshconfig_block(&h);
	if (block == NULL)
		goto out;

	old = read_file(path, SSHCONFIG_MAX, NULL);
	if (old == NULL && errno != ENOENT) {
		error("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	/* This project's entry of an older rig, without the prefix, goes
	 * (only its own: "rig-x" may be another project's new alias). */
	mark = xasprintf("# rig: %s (%s)\n", m->name, m->dir);
	if (old != NULL && strstr(old, mark) != NULL)
		legacy = sshconfig_replace(old, m->name, m->dir, NULL);
	text = sshconfig_replace(legacy != NULL ? legacy : old, alias, m->dir,
	    block);
	if (write_through(path, text) == -1)
		goto out;
	free(old);
	free(text);
	text = NULL;
	old = read_file(cfg, SSHCONFIG_MAX, NULL);
	if (old == NULL && errno != ENOENT) {
		error("cannot read '%s': %s", cfg, strerror(errno));
		goto out;
	}
	text = sshconfig_with_include(old, inc);
	if (text != NULL && write_through(cfg, text) == -1)
		goto out;
	printf("wrote Host %s in %s\n", alias, path);
	printf("%s %s '%s'\n", cfg,
	    text != NULL ? "now starts with" : "already includes it:", inc);
	printf("try: ssh %s\n", alias);
	ret = 0;
out:
	free(dotssh);
	free(path);
	free(cfg);
	free(kh);
	free(id);
	free(inc);
	free(alias);
	free(legacy);
	free(mark);
	free(old);
	free(text);
	free(block);
	return ret;
}
