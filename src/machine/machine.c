/* SPDX-License-Identifier: MIT */
/*
 * rig.conf and .rig/: reading the project's machine settings (ini.c does
 * the syntax; this file knows the keys), the defaults that follow from
 * the folder and the local user, and the small state file. Every path a
 * command needs is derived here, so they agree.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/ini.h"
#include "lib/log.h"
#include "machine.h"
#include "provider.h"
#include "lib/util.h"

#define STATE_MAX (64 * 1024) /* bytes of .rig/state */

static int   set_str(char **, const char *);
static int   set_port(int *, const char *, const char *, const char *);
static int   load_cb(void *, const char *, const char *, const char *,
      const char *, int);
static char *find_conf(const char *);

static int
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = (v != NULL && *v != '\0') ? xstrdup(v) : NULL;
	return 0;
}

static int
set_port(int *dst, const char *v, const char *section, const char *key)
{
	long long n;

	if (parse_int(v, 1, 65535, &n) == -1)
		return error("[%s] %s: '%s' is not a port (1-65535)", section,
		    key, v);
	*dst = (int)n;
	return 0;
}

void
machine_init(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	m->provider_name = xstrdup("ssh");
	m->provider = provider_find("ssh");
	m->port = 22;
	m->connect_timeout = MACHINE_CONNECT_TIMEOUT;
	m->hub_port = MACHINE_HUB_PORT;
	azure_conf_init(&m->azure);
}

void
machine_release(struct machine *m)
{
	struct machine_kv *kv, *next;

	free(m->dir);
	free(m->conf_path);
	free(m->state_dir);
	free(m->name);
	free(m->provider_name);
	free(m->host);
	free(m->user);
	free(m->identity);
	free(m->ssh);
	free(m->packages);
	free(m->admin);
	for (kv = m->hub_extra; kv != NULL; kv = next) {
		next = kv->next;
		free(kv->key);
		free(kv->value);
		free(kv);
	}
	free(m->remote_dir);
	free(m->rsync);
	azure_conf_release(&m->azure);
	memset(m, 0, sizeof(*m));
}

int
machine_set(struct machine *m, const char *section, const char *key,
    const char *v)
{
	long long n;

	if (strcmp(section, "machine") == 0) {
		if (strcmp(key, "name") == 0) {
			if (!machine_name_valid(v))
				return error(
				    "[machine] name: '%s' is not a "
				    "valid name (letters, digits, '.', '_', "
				    "'-')",
				    v);
			return set_str(&m->name, v);
		}
		if (strcmp(key, "provider") == 0) {
			m->provider = provider_find(v);
			if (m->provider == NULL)
				return error("[machine] provider: unknown "
				             "provider '%s' (known: %s)",
				    v, provider_names());
			return set_str(&m->provider_name, v);
		}
		if (strcmp(key, "host") == 0) {
			if (v[0] == '-')
				return error("[machine] host: '%s' is not a "
				             "host",
				    v);
			return set_str(&m->host, v);
		}
		if (strcmp(key, "user") == 0) {
			if (v[0] == '-' || strpbrk(v, " \t@:") != NULL)
				return error("[machine] user: '%s' is not a "
				             "user name",
				    v);
			return set_str(&m->user, v);
		}
		if (strcmp(key, "port") == 0)
			return set_port(&m->port, v, section, key);
		if (strcmp(key, "identity") == 0)
			return set_str(&m->identity, v);
		if (strcmp(key, "ssh") == 0)
			return set_str(&m->ssh, v);
		if (strcmp(key, "connect_timeout") == 0) {
			if (parse_int(v, 1, 600, &n) == -1)
				return error("[machine] connect_timeout: '%s' "
				             "is not 1-600 seconds",
				    v);
			m->connect_timeout = (int)n;
			return 0;
		}
		if (strcmp(key, "packages") == 0) {
			for (const char *p = v; *p != '\0'; p++)
				if (!((*p >= 'a' && *p <= 'z') ||
				        (*p >= '0' && *p <= '9') ||
				        strchr(" +-.:", *p) != NULL))
					return error(
					    "[machine] packages: '%s' "
					    "are not Debian package names",
					    v);
			return set_str(&m->packages, v);
		}
	} else if (strcmp(section, "hub") == 0) {
		struct machine_kv *kv, **tail;

		if (strcmp(key, "port") == 0)
			return set_port(&m->hub_port, v, section, key);
		if (strcmp(key, "admin") == 0) {
			if (username_error(v) != NULL)
				return error("[hub] admin: '%s': %s", v,
				    username_error(v));
			return set_str(&m->admin, v);
		}
		/* The machine's own layout and address are rig up's. */
		if (strcmp(key, "listen") == 0 || strcmp(key, "state_dir") == 0)
			return error("[hub] %s: set by rig up (use port)", key);
		for (const char *p = key; *p != '\0'; p++)
			if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
				return error("[hub] '%s' is not a setting",
				    key);
		if (strchr(v, '\n') != NULL)
			return error("[hub] %s: value has a newline", key);
		for (tail = &m->hub_extra; *tail != NULL;
		     tail = &(*tail)->next) {
			if (strcmp((*tail)->key, key) == 0) {
				free((*tail)->value);
				(*tail)->value = xstrdup(v);
				return 0;
			}
		}
		kv = xcalloc(1, sizeof(*kv));
		kv->key = xstrdup(key);
		kv->value = xstrdup(v);
		*tail = kv;
		return 0;
	} else if (strcmp(section, "sync") == 0) {
		if (strcmp(key, "remote_dir") == 0) {
			if (v[0] == '~' && v[1] != '\0' && v[1] != '/')
				return error("[sync] remote_dir: '%s': '~user' "
				             "is not supported, use a path",
				    v);
			if (strchr(v, '\n') != NULL)
				return error("[sync] remote_dir: newline");
			return set_str(&m->remote_dir, v);
		}
		if (strcmp(key, "rsync") == 0)
			return set_str(&m->rsync, v);
	} else if (strcmp(section, "azure") == 0)
		return azure_conf_set(&m->azure, key, v);
	return error("unknown setting '%s' in [%s]", key, section);
}

/* Keys in sections rig does not know belong to other commands. */
static int
load_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	if (strcmp(section, "machine") != 0 && strcmp(section, "hub") != 0 &&
	    strcmp(section, "sync") != 0 && strcmp(section, "azure") != 0)
		return 0;
	if (machine_set(arg, section, key, value) == -1)
		return error("%s:%d: in [%s]", path, lineno, section);
	return 0;
}

/* The folder holding rig.conf: 'start' or its nearest parent that has
 * one. Caller frees result; NULL if none. */
static char *
find_conf(const char *start)
{
	char *dir, *slash, *path;

	dir = realpath(start, NULL);
	if (dir == NULL)
		return NULL;
	for (int depth = 0; depth < 256; depth++) {
		path = xasprintf("%s/%s", dir, MACHINE_CONF);
		if (access(path, F_OK) == 0) {
			free(path);
			return dir;
		}
		free(path);
		slash = strrchr(dir, '/');
		if (slash == NULL || (slash == dir && dir[1] == '\0'))
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	return NULL;
}

int
machine_load(struct machine *m, const char *start)
{
	char *dir;
	int   r;

	machine_init(m);
	dir = find_conf(start);
	if (dir == NULL)
		return error("no %s in this folder or a parent (run 'rig "
		             "init')",
		    MACHINE_CONF);
	m->dir = dir;
	m->conf_path = xasprintf("%s/%s", dir, MACHINE_CONF);
	m->state_dir = xasprintf("%s/%s", dir, MACHINE_STATE);
	r = ini_read(m->conf_path, load_cb, m);
	if (r == 1)
		return error("cannot read '%s': %s", m->conf_path,
		    strerror(ENOENT));
	if (r == -1)
		return -1;
	if (m->name == NULL)
		m->name = machine_default_name(dir);
	return 0;
}

int
machine_check(struct machine *m)
{
	if (m->provider == NULL)
		return error("unknown provider '%s' (known: %s)",
		    m->provider_name, provider_names());
	if (strcmp(m->provider->name, "ssh") == 0 && m->host == NULL)
		return error("no host for machine '%s': set host = ... in "
		             "[machine] of %s",
		    m->name,
		    m->conf_path != NULL ? m->conf_path : MACHINE_CONF);
	if (strcmp(m->provider->name, "azure") == 0 &&
	    !azure_admin_name_ok(machine_user(m)))
		return error("user '%s' cannot be a VM's admin on Azure "
		             "(reserved or not a Linux name): set user = ... "
		             "in [machine]",
		    machine_user(m));
	return 0;
}

int
machine_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > MACHINE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		int  alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9');

		if (i == 0 && !alnum)
			return 0;
		if (!alnum && c != '.' && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

char *
machine_default_name(const char *dir)
{
	const char *base = strrchr(dir, '/');
	char        out[MACHINE_NAME_MAX + 1];
	size_t      o = 0;

	base = base != NULL ? base + 1 : dir;
	for (const char *p = base; *p != '\0' && o < MACHINE_NAME_MAX; p++) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[o++] = c;
		else if (c >= 'A' && c <= 'Z')
			out[o++] = (char)(c - 'A' + 'a');
		else if (o > 0 && out[o - 1] != '-' &&
		    (c == '.' || c == '_' || c == '-' || c == ' '))
			out[o++] = c == ' ' ? '-' : c;
	}
	while (o > 0 &&
	    (out[o - 1] == '-' || out[o - 1] == '.' || out[o - 1] == '_'))
		o--;
	out[o] = '\0';
	return xstrdup(o > 0 ? out : "machine");
}

const char *
machine_local_home(void)
{
	static char    home[PATH_MAX];
	struct passwd *pw;

	if (home[0] != '\0')
		return home;
	pw = getpwuid(getuid());
	if (pw == NULL || pw->pw_dir == NULL || pw->pw_dir[0] != '/')
		return NULL;
	snprintf(home, sizeof(home), "%s", pw->pw_dir);
	return home;
}

const char *
machine_user(const struct machine *m)
{
	static char    name[64];
	struct passwd *pw;

	if (m->user != NULL)
		return m->user;
	if (name[0] == '\0') {
		pw = getpwuid(getuid());
		snprintf(name, sizeof(name), "%s",
		    pw != NULL ? pw->pw_name : "root");
	}
	if (m->provider != NULL && strcmp(m->provider->name, "azure") == 0 &&
	    !azure_admin_name_ok(name))
		return AZURE_ADMIN_FALLBACK;
	return name;
}

const char *
machine_admin(const struct machine *m)
{
	const char *u;

	if (m->admin != NULL)
		return m->admin;
	u = machine_user(m);
	return username_error(u) == NULL ? u : "admin";
}

char *
machine_remote_dir(const struct machine *m)
{
	if (m->remote_dir != NULL)
		return xstrdup(m->remote_dir);
	return xasprintf("~/work/%s", m->name);
}

char *
machine_remote_path(const struct machine *m)
{
	char  *d = machine_remote_dir(m), *p;
	size_t len;

	if (d[0] == '~' && d[1] != '\0' && d[1] != '/') {
		error("remote_dir '%s': '~user' is not supported", d);
		free(d);
		return NULL;
	}
	if (strcmp(d, "~") == 0 || strcmp(d, "~/") == 0)
		p = xstrdup(".");
	else if (strncmp(d, "~/", 2) == 0)
		p = xstrdup(d + 2);
	else
		p = xstrdup(d);
	free(d);
	len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	return p;
}

char *
machine_identity_path(const struct machine *m)
{
	const char *home;
	char       *key;

	if (m->identity == NULL) {
		if (m->state_dir == NULL)
			return NULL;
		key = xasprintf("%s/%s", m->state_dir, MACHINE_KEY);
		if (access(key, R_OK) == 0)
			return key;
		free(key);
		return NULL;
	}
	if (strncmp(m->identity, "~/", 2) == 0) {
		home = machine_local_home();
		if (home != NULL)
			return xasprintf("%s/%s", home, m->identity + 2);
	}
	if (m->identity[0] != '/' && m->dir != NULL)
		return xasprintf("%s/%s", m->dir, m->identity);
	return xstrdup(m->identity);
}

char *
machine_state_path(const struct machine *m, const char *name)
{
	if (mkdir(m->state_dir, 0700) == -1 && errno != EEXIST)
		error("cannot create '%s': %s", m->state_dir, strerror(errno));
	return xasprintf("%s/%s", m->state_dir, name);
}

/* .rig/state: "key = value" lines, values without newlines. */
char *
machine_state_get(const struct machine *m, const char *key)
{
	char  *path, *text, *line, *next, *val = NULL;
	size_t klen = strlen(key);

	path = xasprintf("%s/state", m->state_dir);
	text = read_file(path, STATE_MAX, NULL);
	free(path);
	if (text == NULL)
		return NULL;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strncmp(line, key, klen) == 0 &&
		    strncmp(line + klen, " = ", 3) == 0) {
			free(val);
			val = xstrdup(line + klen + 3);
		}
	}
	free(text);
	return val;
}

int
machine_state_set(const struct machine *m, const char *key, const char *value)
{
	struct buf out;
	char      *path, *text, *line, *next;
	size_t     klen = strlen(key);
	int        r;

	if (value != NULL && strchr(value, '\n') != NULL)
		return error("state value for '%s' has a newline", key);
	path = machine_state_path(m, "state");
	text = read_file(path, STATE_MAX, NULL);
	buf_init(&out, STATE_MAX);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strncmp(line, key, klen) == 0 &&
		    strncmp(line + klen, " = ", 3) == 0)
			continue;
		buf_addf(&out, "%s\n", line);
	}
	free(text);
	if (value != NULL)
		buf_addf(&out, "%s = %s\n", key, value);
	r = write_file_atomic(path, buf_str(&out), out.len, 0600);
	if (r == -1)
		error("cannot write '%s': %s", path, strerror(errno));
	buf_release(&out);
	free(path);
	return r;
}

char *
machine_conf_text(const struct machine *m)
{
	struct buf b;
	char      *rdir = machine_remote_dir(m), *text;

	buf_init(&b, 1024 * 1024);
	buf_adds(&b,
	    "; rig.conf: the machine this project runs on, written by "
	    "'rig init'.\n"
	    "; Commands read it here or in a parent folder; their flags "
	    "win.\n"
	    "; State (ssh config, host keys, sync records) is in .rig/, "
	    "git-ignored.\n\n");
	buf_addf(&b, "[machine]\nname = %s\n", m->name);
	buf_addf(&b, "provider = %s          ; %s\n", m->provider_name,
	    "ssh (any server), local (this machine) or azure (a VM)");
	if (m->host != NULL)
		buf_addf(&b, "host = %s\n", m->host);
	else if (strcmp(m->provider_name, "ssh") == 0)
		buf_adds(&b,
		    "host =                 ; address or name the "
		    "machine answers SSH on\n");
	buf_addf(&b, "user = %s\n", machine_user(m));
	buf_addf(&b, "port = %d\n", m->port);
	if (m->identity != NULL)
		buf_addf(&b, "identity = %s\n", m->identity);
	else
		buf_adds(&b,
		    "; identity = ~/.ssh/id_ed25519   ; default: "
		    "ssh's own keys\n");
	buf_adds(&b,
	    "; connect_timeout = 10  ; seconds to wait for SSH\n"
	    "; packages =             ; more Debian packages for "
	    "'rig up' to install\n");
	buf_addf(&b, "\n[hub]\nport = %d\n", m->hub_port);
	buf_adds(&b,
	    "; admin = NAME           ; the admin account 'rig up' "
	    "makes (default: user)\n"
	    "; other 'rig hub' settings (idle_timeout = 3600, ...) go "
	    "to the machine's hub\n");
	for (const struct machine_kv *kv = m->hub_extra; kv != NULL;
	     kv = kv->next)
		buf_addf(&b, "%s = %s\n", kv->key, kv->value);
	buf_addf(&b, "\n[sync]\nremote_dir = %s\n", rdir);
	free(rdir);
	if (strcmp(m->provider_name, "azure") == 0) {
		char *az = azure_conf_text(&m->azure);

		buf_adds(&b, az);
		free(az);
	}
	text = buf_detach(&b, NULL);
	return text;
}

int
machine_flag(struct machine_flags *f, int ch, const char *arg)
{
	switch (ch) {
	case MACHINE_OPT_PROVIDER:
		f->provider = arg;
		return 1;
	case MACHINE_OPT_HOST:
		f->host = arg;
		return 1;
	case MACHINE_OPT_USER:
		f->user = arg;
		return 1;
	case MACHINE_OPT_PORT:
		f->port = arg;
		return 1;
	case MACHINE_OPT_IDENTITY:
		f->identity = arg;
		return 1;
	case MACHINE_OPT_NAME:
		f->name = arg;
		return 1;
	case MACHINE_OPT_REMOTE_DIR:
		f->remote_dir = arg;
		return 1;
	case MACHINE_OPT_HUB_PORT:
		f->hub_port = arg;
		return 1;
	}
	return 0;
}

int
machine_flags_apply(struct machine *m, const struct machine_flags *f)
{
	static const struct {
		size_t      off;
		const char *section, *key;
	} map[] = {
		{ offsetof(struct machine_flags, provider), "machine",
		    "provider" },
		{ offsetof(struct machine_flags, host), "machine", "host" },
		{ offsetof(struct machine_flags, user), "machine", "user" },
		{ offsetof(struct machine_flags, port), "machine", "port" },
		{ offsetof(struct machine_flags, identity), "machine",
		    "identity" },
		{ offsetof(struct machine_flags, name), "machine", "name" },
		{ offsetof(struct machine_flags, remote_dir), "sync",
		    "remote_dir" },
		{ offsetof(struct machine_flags, hub_port), "hub", "port" },
	};

	for (size_t i = 0; i < nitems(map); i++) {
		const char *v;

		v = *(const char *const *)((const char *)f + map[i].off);
		if (v != NULL &&
		    machine_set(m, map[i].section, map[i].key, v) == -1)
			return -1;
	}
	return 0;
}

int
machine_open(struct machine *m, const struct machine_flags *f)
{
	if (machine_load(m, ".") == -1)
		return -1;
	if (f != NULL && machine_flags_apply(m, f) == -1)
		return -1;
	return machine_check(m);
}
