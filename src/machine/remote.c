/* SPDX-License-Identifier: MIT */
/*
 * Reaching the machine over ssh. The remote_*() functions build ssh and
 * rsync argv from .rig/ssh_config, which this file writes from rig.conf:
 * key auth only, the project's own known_hosts, and one shared
 * connection (ControlMaster, kept 60 s) so that the several ssh calls of
 * a command, and the next command, do not each pay for a new login.
 * The children themselves run through lib/proc.c; what goes wrong in
 * ssh is said in words by remote_explain(), and every value put into a
 * command line for the machine's shell goes through sh_quote().
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/log.h"
#include "machine.h"
#include "provider.h"
#include "remote.h"
#include "sshconfig.h"
#include "termsafe.h"
#include "lib/util.h"

#define CONNECT_SLACK_MS 15000 /* beyond ConnectTimeout for a login */
#define CONTROL_PATH_MAX 100 /* sun_path is 108 with ssh's suffix */

static char       *control_path(struct remote *);
static const char *program(const char *, const char *, const char *);
static int         write_if_changed(const char *, const char *);
static char       *rsync_word(const char *);

/*
 * The machine's shell decides what remote_dir is (symlinks, '..', an
 * absolute path to someone's home): $1 resolved, then compared with the
 * login's home and every home of the password database. Status 9 and the
 * home on stdout if the folder is one of them or holds one; 0 if it is
 * none, or does not exist yet.
 */
static const char guard_script[] =
    "d=$1\n"
    "[ -e \"$d\" ] || exit 0\n"
    "d=$(cd -- \"$d\" 2>/dev/null && pwd -P) || exit 0\n"
    "[ \"$d\" = / ] && { echo /; exit 9; }\n"
    "check() { case \"$1/\" in \"$d\"/*) echo \"$1\"; exit 9;; esac; }\n"
    "check \"$(cd && pwd -P)\"\n"
    "{ getent passwd || cat /etc/passwd; } 2>/dev/null |\n"
    "while IFS=: read -r _ _ _ _ _ h _; do\n"
    "  [ -d \"$h\" ] && h=$(cd -- \"$h\" 2>/dev/null && pwd -P) &&\n"
    "    check \"$h\"\n"
    "  true\n"
    "done\n";

char *
sh_quote(const char *s)
{
	struct buf b;
	int        safe = *s != '\0';

	for (const char *p = s; *p != '\0' && safe; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || strchr("/._-+=:,@%", *p)))
			safe = 0;
	if (safe)
		return xstrdup(s);
	buf_init(&b, 4 * strlen(s) + 3);
	buf_adds(&b, "'");
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_add(&b, p, 1);
	}
	buf_adds(&b, "'");
	return buf_detach(&b, NULL);
}

/* Env variable 'env' if set, else 'conf', else 'def'. */
static const char *
program(const char *env, const char *conf, const char *def)
{
	const char *v = getenv(env);

	if (v != NULL && *v != '\0')
		return v;
	return conf != NULL ? conf : def;
}

/*
 * The shared connection's socket: in a private directory (RIG_RUNTIME_DIR,
 * else $XDG_RUNTIME_DIR/rig, else /tmp/rig-UID), named by a hash of what
 * makes a connection different, so two projects with the same host but
 * other keys do not share one. NULL (no sharing) if the directory is not
 * ours alone or the path would be too long for a socket.
 */
static char *
control_path(struct remote *rm)
{
	const char   *base = getenv("RIG_RUNTIME_DIR"), *xdg;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  mdlen = 0;
	char         *dir, *key, *path, hex[2 * EVP_MAX_MD_SIZE + 1];
	struct stat   sb;
	char         *id = machine_identity_path(rm->m);

	xdg = getenv("XDG_RUNTIME_DIR");
	if (base != NULL && *base != '\0')
		dir = xstrdup(base);
	else if (xdg != NULL && xdg[0] == '/')
		dir = xasprintf("%s/rig", xdg);
	else
		dir = xasprintf("/tmp/rig-%ld", (long)getuid());
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		goto none;
	if (lstat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
	    sb.st_uid != getuid() || (sb.st_mode & 077) != 0)
		goto none;
	key = xasprintf("%s\n%s\n%s\n%d\n%s\n%s", rm->m->dir, rm->alias,
	    rm->host, rm->port, machine_user(rm->m), id ? id : "");
	if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) != 1) {
		free(key);
		goto none;
	}
	free(key);
	hex_encode(md, 10, hex);
	path = xasprintf("%s/%s", dir, hex);
	free(dir);
	free(id);
	if (strlen(path) > CONTROL_PATH_MAX) {
		free(path);
		return NULL;
	}
	return path;
none:
	log_debug("%s: no shared ssh connection (%s)", __func__, dir);
	free(dir);
	free(id);
	return NULL;
}

/* Writes 'text' to 'path' (0600) unless it holds it already. */
static int
write_if_changed(const char *path, const char *text)
{
	char *old = read_file(path, 1024 * 1024, NULL);
	int   same = old != NULL && strcmp(old, text) == 0;

	free(old);
	if (same)
		return 0;
	if (write_file_atomic(path, text, strlen(text), 0600) == -1)
		return error("cannot write '%s': %s", path, strerror(errno));
	return 0;
}

int
remote_open(struct remote *rm, struct machine *m)
{
	struct sshconfig_host h;
	char                 *block, *text, *id, *sudo;
	const char           *home;
	int                   r;

	memset(rm, 0, sizeof(*rm));
	rm->m = m;
	rm->ssh = xstrdup(program("RIG_SSH", m->ssh, "ssh"));
	rm->rsync = xstrdup(program("RIG_RSYNC", m->rsync, "rsync"));
	if (machine_check(m) == -1)
		return -1;
	if (m->provider->address(m, &rm->host, &rm->port) == -1)
		return -1;
	/* Noted by rig up when it made the hub a root service. */
	sudo = machine_state_get(m, "service.sudo");
	rm->service_sudo = sudo != NULL && strcmp(sudo, "yes") == 0;
	free(sudo);
	if (rm->host == NULL) {
		home = getenv("HOME");
		if (home == NULL || home[0] != '/')
			home = machine_local_home();
		if (home == NULL)
			return error("cannot find this machine's home folder");
		rm->home = xstrdup(home);
		return 0;
	}
	rm->alias = xasprintf("rig-%s", m->name);
	rm->ssh_config = machine_state_path(m, "ssh_config");
	rm->known_hosts = machine_state_path(m, "known_hosts");
	rm->control_path = control_path(rm);
	id = machine_identity_path(m);
	memset(&h, 0, sizeof(h));
	h.alias = rm->alias;
	h.hostname = rm->host;
	h.port = rm->port;
	h.user = machine_user(m);
	h.identity = id;
	h.known_hosts = rm->known_hosts;
	h.user_home = machine_local_home();
	h.control_path = rm->control_path;
	h.connect_timeout = m->connect_timeout;
	h.rig_only = 1;
	block = sshconfig_block(&h);
	free(id);
	if (block == NULL)
		return -1;
	text = xasprintf(
	    "# Written by rig from %s for its own ssh and "
	    "rsync;\n# rewritten by every command. For your ssh: 'rig "
	    "ssh-config'.\n%s",
	    m->conf_path, block);
	r = write_if_changed(rm->ssh_config, text);
	free(text);
	free(block);
	return r;
}

void
remote_close(struct remote *rm)
{
	free(rm->host);
	free(rm->alias);
	free(rm->ssh_config);
	free(rm->known_hosts);
	free(rm->control_path);
	free(rm->ssh);
	free(rm->rsync);
	free(rm->home);
	memset(rm, 0, sizeof(*rm));
}

void
remote_argv(struct remote *rm, struct argv *a, const char *script, int flags,
    char *const *extra)
{
	const char *shell;

	argv_init(a);
	if (rm->host == NULL) {
		shell = getenv("SHELL");
		if (script != NULL) {
			argv_add(a, "/bin/sh");
			argv_add(a, "-c");
			argv_add(a, script);
		} else {
			argv_add(a,
			    shell != NULL && shell[0] == '/' ? shell
			                                     : "/bin/sh");
			argv_add(a, "-l");
		}
		return;
	}
	argv_add(a, rm->ssh);
	argv_add(a, "-F");
	argv_add(a, rm->ssh_config);
	if (flags & REMOTE_TTY)
		argv_add(a, "-t");
	else if (script != NULL)
		argv_add(a, "-T");
	if (flags & REMOTE_OWN) {
		argv_add(a, "-S");
		argv_add(a, "none");
	}
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
		argv_add(a, extra[i]);
	argv_add(a, "--");
	argv_add(a, rm->alias);
	if (script != NULL)
		argv_add(a, script);
}

/* One word of rsync's -e value: rsync splits it at spaces itself and
 * honours quotes, but not backslashes. */
static char *
rsync_word(const char *w)
{
	if (strpbrk(w, " \t'\"") == NULL)
		return xstrdup(w);
	if (strchr(w, '\'') == NULL)
		return xasprintf("'%s'", w);
	if (strchr(w, '"') == NULL)
		return xasprintf("\"%s\"", w);
	return NULL;
}

char *
remote_rsync_rsh(struct remote *rm)
{
	char *a, *b, *s;

	if (rm->host == NULL)
		return NULL;
	a = rsync_word(rm->ssh);
	b = rsync_word(rm->ssh_config);
	if (a == NULL || b == NULL) {
		error("cannot pass '%s' to rsync: it has both kinds of "
		      "quotes",
		    a == NULL ? rm->ssh : rm->ssh_config);
		free(a);
		free(b);
		return NULL;
	}
	s = xasprintf("%s -F %s", a, b);
	free(a);
	free(b);
	return s;
}

char *
remote_rsync_path(struct remote *rm, const char *path)
{
	if (rm->host == NULL)
		return path[0] == '/' ? xstrdup(path)
		                      : xasprintf("%s/%s", rm->home, path);
	return xasprintf("%s:%s", rm->alias, path);
}

void
remote_explain(const struct remote *rm, const struct proc_result *res,
    char *out, size_t outlen)
{
	const char *err = buf_str(&res->err), *last, *p;
	char       *id;
	int         n;

	if (res->timed_out) {
		snprintf(out, outlen,
		    "no answer from %s within the time "
		    "allowed",
		    rm->host);
		return;
	}
	if (strstr(err, "Connection refused") != NULL) {
		snprintf(out, outlen,
		    "cannot reach %s port %d: connection "
		    "refused (is sshd running there?)",
		    rm->host, rm->port);
		return;
	}
	if (strstr(err, "timed out") != NULL) {
		snprintf(out, outlen,
		    "cannot reach %s port %d: no answer "
		    "within %d s",
		    rm->host, rm->port, rm->m->connect_timeout);
		return;
	}
	if (strstr(err, "No route to host") != NULL ||
	    strstr(err, "Network is unreachable") != NULL) {
		snprintf(out, outlen, "cannot reach %s port %d: %s", rm->host,
		    rm->port,
		    strstr(err, "No route") != NULL ? "no route to host"
		                                    : "network unreachable");
		return;
	}
	if (strstr(err, "Could not resolve hostname") != NULL) {
		snprintf(out, outlen, "cannot resolve host name '%s'",
		    rm->host);
		return;
	}
	if (strstr(err, "Permission denied") != NULL) {
		id = machine_identity_path(rm->m);
		snprintf(out, outlen,
		    "%s@%s refused the key %s%s%s (check "
		    "user and identity in rig.conf)",
		    machine_user(rm->m), rm->host, id != NULL ? "'" : "",
		    id != NULL ? id : "(ssh's default keys)",
		    id != NULL ? "'" : "");
		free(id);
		return;
	}
	if (strstr(err, "IDENTIFICATION HAS CHANGED") != NULL ||
	    strstr(err, "Host key verification failed") != NULL) {
		snprintf(out, outlen,
		    "the host key of %s is not the one "
		    "seen before (in %s or your ~/.ssh/known_hosts): if the "
		    "machine was reinstalled, remove its line there",
		    rm->host, rm->known_hosts);
		return;
	}
	/* Otherwise the last line ssh printed. */
	last = err;
	for (p = err; *p != '\0'; p++)
		if (p[0] == '\n' && p[1] != '\0')
			last = p + 1;
	n = (int)strcspn(last, "\r\n");
	if (n == 0)
		snprintf(out, outlen, "ssh to %s failed (status %d)", rm->host,
		    res->status);
	else
		snprintf(out, outlen, "ssh to %s failed: %.*s", rm->host, n,
		    last);
}

int
remote_connect(struct remote *rm)
{
	struct proc_result res;
	struct argv        a;
	struct stat        sb;
	char               msg[512], *id;
	int                r;

	if (rm->host == NULL)
		return 0;
	id = machine_identity_path(rm->m);
	if (id != NULL && stat(id, &sb) == -1) {
		error("identity file '%s' (in %s): %s", id, rm->m->conf_path,
		    strerror(errno));
		free(id);
		return -1;
	}
	free(id);
	proc_result_init(&res);
	remote_argv(rm, &a, "exit 0", 0, NULL);
	r = proc_capture(a.v, NULL, -1,
	    rm->m->connect_timeout * 1000 + CONNECT_SLACK_MS, &res);
	argv_release(&a);
	term_clean(res.err.data, res.err.len);
	if (r == 0 && res.status != 0) {
		remote_explain(rm, &res, msg, sizeof(msg));
		r = error("%s", msg);
	}
	proc_result_release(&res);
	return r;
}

int
remote_capture(struct remote *rm, const char *script, int in_fd, int timeout_ms,
    struct proc_result *res)
{
	struct argv a;
	int         r;

	remote_argv(rm, &a, script, 0, NULL);
	r = proc_capture(a.v, rm->home, in_fd, timeout_ms, res);
	argv_release(&a);
	/* Whatever of it reaches the terminal is text, never escapes. */
	term_clean(res->out.data, res->out.len);
	term_clean(res->err.data, res->err.len);
	return r;
}

int
remote_dir_guard(struct remote *rm, const char *rpath, const char *what)
{
	struct proc_result res;
	struct buf         script;
	char              *q = sh_quote(rpath), *g = sh_quote(guard_script);
	const char        *out;
	int                r, n;

	/* sh -c SCRIPT sh DIR: the folder is an argument, never code. */
	buf_init(&script, 64 * 1024);
	buf_addf(&script, "sh -c %s sh %s", g, q);
	free(q);
	free(g);
	proc_result_init(&res);
	r = remote_capture(rm, buf_str(&script), -1, 60000, &res);
	buf_release(&script);
	if (r == 0 && res.status == 9) {
		out = buf_str(&res.out);
		n = (int)strcspn(out, "\n");
		r = error("%s: refusing: remote_dir '%s' is %.*s, a home "
		          "directory, or holds one",
		    what, rpath, n, out);
	} else if (r == 0 && res.status != 0)
		r = error("%s: cannot check remote_dir '%s' on the machine "
		          "(status %d)",
		    what, rpath, res.status);
	proc_result_release(&res);
	return r;
}

char *
remote_hub_where(const struct remote *rm)
{
	const struct machine *m = rm->m;
	const char           *host = rm->host != NULL ? rm->host : "127.0.0.1";
	int                   v6 = strchr(host, ':') != NULL;

	if (m->hub_tunnel && rm->host != NULL)
		return xasprintf("https://127.0.0.1:%d/ on the machine only "
		                 "(hub_access = tunnel): 'rig tunnel' "
		                 "forwards it here",
		    m->hub_port);
	return xasprintf("https://%s%s%s:%d/", v6 ? "[" : "", host,
	    v6 ? "]" : "", m->hub_port);
}

int
remote_hub_forward(const struct remote *rm, int local, char **extra)
{
	extra[0] = xstrdup("-L");
	extra[1] =
	    xasprintf("127.0.0.1:%d:127.0.0.1:%d", local, rm->m->hub_port);
	fprintf(stderr, "hub: https://127.0.0.1:%d/ (port %d of %s)\n", local,
	    rm->m->hub_port, rm->m->name);
	return 2;
}

int
remote_run(struct remote *rm, const char *script, int flags, char *const *extra)
{
	struct argv a;
	int         r;

	remote_argv(rm, &a, script, flags, extra);
	r = proc_run(a.v, rm->home, -1);
	argv_release(&a);
	return r;
}
