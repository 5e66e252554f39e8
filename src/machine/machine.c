/* SPDX-License-Identifier: MIT */
/*
 * rig.conf and .rig/: reading the project's machine settings (ini.c does
 * the syntax; this file knows the keys), the defaults that follow from
 * the folder and the local user, and the small state file. Every path a
 * command needs is derived here, so they agree.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/ini.h"
#include "hub/config.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "hub-profiles.h"
#include "machine.h"
#include "provider.h"
#include "lib/util.h"

#define STATE_MAX (64 * 1024) /* bytes of .rig/state */

static int  check_name(void *, const char *, char *, size_t);
static int  check_provider(void *, const char *, char *, size_t);
static int  check_host(void *, const char *, char *, size_t);
static int  check_user(void *, const char *, char *, size_t);
static void show_user(const void *, char *, size_t);
static int  check_packages(void *, const char *, char *, size_t);
static int  check_admin(void *, const char *, char *, size_t);
static int  check_remote_dir(void *, const char *, char *, size_t);
static void show_remote_dir(const void *, char *, size_t);
static const struct provider *section_provider(const char *, size_t *);
static int   set_hub_key(struct machine *, const char *, const char *);
static int   load_cb(void *, const char *, const char *, const char *,
      const char *, int);
static char *find_conf(const char *);
static int   user_load_cb(void *, const char *, const char *, const char *,
      const char *, int);
static int   load_user_conf(struct machine *);

#define M(field) offsetof(struct machine, field)
#define PORT_WHAT "a port (1-65535)"

static const char *const hub_access_words[] = { "public", "tunnel", NULL };

/* rig.conf's own sections, in the order rig init writes them. */
/* clang-format off */
const struct setting machine_settings[] = {
	{ .section = "machine", .key = "name", .type = SETTING_STRING,
	    .off = M(name), .flags = SETTING_EMPTY_UNSET, .check = check_name,
	    .help = "default: the folder's name" },
	{ .section = "machine", .key = "provider", .type = SETTING_STRING,
	    .off = M(provider_name), .def = "ssh", .check = check_provider,
	    .help = "where the machine comes from (above)" },
	{ .section = "machine", .key = "host", .type = SETTING_STRING,
	    .off = M(host), .flags = SETTING_EMPTY_UNSET, .check = check_host,
	    .help = "address or name the machine answers SSH on" },
	{ .section = "machine", .key = "user", .type = SETTING_STRING,
	    .off = M(user), .flags = SETTING_EMPTY_UNSET, .check = check_user,
	    .show = show_user, .help = "the login on the machine" },
	{ .section = "machine", .key = "port", .type = SETTING_INT,
	    .off = M(port), .def = "22", .min = 1, .max = 65535,
	    .what = PORT_WHAT, .help = "its SSH port" },
	{ .section = "machine", .key = "identity", .type = SETTING_STRING,
	    .off = M(identity),
	    .flags = SETTING_EMPTY_UNSET | SETTING_DOC_OPTIONAL,
	    .help = "the SSH key, e.g. ~/.ssh/id_ed25519; default: ssh's "
	            "own keys" },
	{ .section = "machine", .key = "connect_timeout", .type = SETTING_INT,
	    .off = M(connect_timeout), .def = "10", .min = 1, .max = 600,
	    .what = "1-600 seconds", .flags = SETTING_DOC_OPTIONAL,
	    .help = "seconds to wait for SSH" },
	{ .section = "machine", .key = "packages", .type = SETTING_STRING,
	    .off = M(packages),
	    .flags = SETTING_EMPTY_UNSET | SETTING_DOC_OPTIONAL,
	    .check = check_packages,
	    .help = "more Debian packages for 'rig up' to install" },
	{ .section = "machine", .key = "hub_access", .type = SETTING_ENUM,
	    .off = M(hub_tunnel), .def = "public", .words = hub_access_words,
	    .help = "public: the hub answers on every address; tunnel: on "
	            "the machine's loopback only ('rig tunnel')" },
	{ .section = "hub", .key = "port", .type = SETTING_INT,
	    .off = M(hub_port), .def = "8000", .min = 1, .max = 65535,
	    .what = PORT_WHAT, .help = "the hub's port on the machine" },
	{ .section = "hub", .key = "admin", .type = SETTING_STRING,
	    .off = M(admin), .flags = SETTING_DOC_OPTIONAL,
	    .check = check_admin,
	    .help = "the admin account 'rig up' makes (default: user)" },
	{ .section = "sync", .key = "remote_dir", .type = SETTING_STRING,
	    .off = M(remote_dir), .flags = SETTING_EMPTY_UNSET,
	    .check = check_remote_dir, .show = show_remote_dir,
	    .help = "the project's folder on the machine" },
	{ .type = SETTING_END },
};

/*
 * The user's own config (machine_user_conf_path()): the programs rig
 * runs. Never from rig.conf, which may have come with a cloned project
 * or back from the machine: a program path there would be code that
 * file's author runs on this laptop.
 */
const struct setting machine_user_settings[] = {
	{ .section = "machine", .key = "ssh", .type = SETTING_STRING,
	    .off = M(ssh), .flags = SETTING_EMPTY_UNSET,
	    .help = "the ssh program (RIG_SSH wins); default: from PATH" },
	{ .section = "sync", .key = "rsync", .type = SETTING_STRING,
	    .off = M(rsync), .flags = SETTING_EMPTY_UNSET,
	    .help = "the rsync program (RIG_RSYNC wins); default: from PATH" },
	{ .type = SETTING_END },
};
/* clang-format on */

static int
check_name(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	if (*v == '\0' || machine_name_valid(v))
		return 0;
	snprintf(why, len,
	    "'%s' is not a valid name (letters, digits, '.', '_', '-')", v);
	return -1;
}

/* Finds the provider, which the machine keeps beside its name. */
static int
check_provider(void *obj, const char *v, char *why, size_t len)
{
	struct machine        *m = obj;
	const struct provider *p = provider_find(v);

	if (p == NULL) {
		snprintf(why, len, "unknown provider '%s' (known: %s)", v,
		    provider_names());
		return -1;
	}
	m->provider = p;
	return 0;
}

static int
check_host(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	return v[0] == '-' ? -1 : 0;
}

static int
check_user(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	if (v[0] != '-' && strpbrk(v, " \t@:") == NULL)
		return 0;
	snprintf(why, len, "'%s' is not a user name", v);
	return -1;
}

static void
show_user(const void *obj, char *out, size_t len)
{
	snprintf(out, len, "%s", machine_user(obj));
}

/*
 * Package names only, by Debian's rules (policy 5.6.1: lower case
 * letters, digits, '+', '-', '.', at least two characters, starting
 * with a letter or digit), separated by spaces. Nothing apt-get would
 * read as something else: no option ("-..."), no removal (a name ending
 * in '-'), no version ("="), release ("/") or architecture (":").
 */
static int
check_packages(void *obj, const char *v, char *why, size_t len)
{
	const char *p = v, *w;
	size_t      n;

	(void)obj;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		w = p;
		n = strcspn(p, " ");
		p += n;
		if (!machine_package_name_ok(w, n)) {
			snprintf(why, len,
			    "'%.*s' is not a Debian package name (lower case "
			    "letters, digits, '+', '-', '.'; no options, "
			    "versions or removals)",
			    (int)n, w);
			return -1;
		}
	}
}

int
machine_package_name_ok(const char *w, size_t n)
{
	if (n < 2 ||
	    !((w[0] >= 'a' && w[0] <= 'z') || (w[0] >= '0' && w[0] <= '9')))
		return 0;
	if (w[n - 1] == '-')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') ||
		        (w[i] >= '0' && w[i] <= '9') ||
		        strchr("+-.", w[i]) != NULL))
			return 0;
	return 1;
}

static int
check_admin(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	if (username_error(v) == NULL)
		return 0;
	snprintf(why, len, "'%s': %s", v, username_error(v));
	return -1;
}

static int
check_remote_dir(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	if (v[0] == '~' && v[1] != '\0' && v[1] != '/') {
		snprintf(why, len, "'%s': '~user' is not supported, use a path",
		    v);
		return -1;
	}
	if (strchr(v, '\n') != NULL) {
		snprintf(why, len, "newline");
		return -1;
	}
	return 0;
}

/* Written with its default, so the file says where the project goes. */
static void
show_remote_dir(const void *obj, char *out, size_t len)
{
	char *d = machine_remote_dir(obj);

	snprintf(out, len, "%s", d);
	free(d);
}

/* The provider whose section 'section' is, and its place in providers[]. */
static const struct provider *
section_provider(const char *section, size_t *index)
{
	for (size_t i = 0; providers[i] != NULL; i++) {
		if (providers[i]->section != NULL &&
		    strcmp(providers[i]->section, section) == 0) {
			*index = i;
			return providers[i];
		}
	}
	return NULL;
}

void
machine_init(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	settings_init(machine_settings, m);
	settings_init(machine_user_settings, m);
	for (size_t i = 0; providers[i] != NULL; i++) {
		if (i >= MACHINE_PROVIDERS_MAX)
			fatalx("%s: more than %d providers", __func__,
			    MACHINE_PROVIDERS_MAX);
		if (providers[i]->conf_new != NULL)
			m->provider_conf[i] = providers[i]->conf_new();
	}
}

void
machine_release(struct machine *m)
{
	struct machine_kv *kv, *next;

	free(m->dir);
	free(m->conf_path);
	free(m->state_dir);
	settings_release(machine_settings, m);
	settings_release(machine_user_settings, m);
	for (kv = m->hub_extra; kv != NULL; kv = next) {
		next = kv->next;
		free(kv->key);
		free(kv->value);
		free(kv);
	}
	hub_profiles_free(m->hub_profiles);
	for (size_t i = 0; providers[i] != NULL; i++)
		if (m->provider_conf[i] != NULL)
			providers[i]->conf_free(m->provider_conf[i]);
	memset(m, 0, sizeof(*m));
}

void *
machine_provider_conf(const struct machine *m, const struct provider *p)
{
	for (size_t i = 0; providers[i] != NULL; i++)
		if (providers[i] == p)
			return m->provider_conf[i];
	return NULL;
}

/*
 * A [hub] key that is not the machine's own goes to the machine's
 * hub.conf as it is: it must be a key of the hub's (config.c), with a
 * value the hub takes, so a mistake shows here and not at rig up.
 */
static int
set_hub_key(struct machine *m, const char *key, const char *v)
{
	const struct setting *tabs[] = { machine_settings, config_settings };
	struct machine_kv    *kv, **tail;
	struct config         scratch;
	int                   r;

	/* The machine's own layout and address are rig up's. */
	if (strcmp(key, "listen") == 0 || strcmp(key, "state_dir") == 0)
		return error("[hub] %s: set by rig up (use port)", key);
	if (settings_find(config_settings, "hub", key) == NULL)
		return settings_unknown(tabs, nitems(tabs), "hub", key);
	if (strchr(v, '\n') != NULL)
		return error("[hub] %s: value has a newline", key);
	config_init(&scratch);
	r = settings_set(config_settings, &scratch, "hub", key, v);
	config_release(&scratch);
	if (r != 0)
		return -1;
	for (tail = &m->hub_extra; *tail != NULL; tail = &(*tail)->next) {
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
}

int
machine_set(struct machine *m, const char *section, const char *key,
    const char *v)
{
	const struct setting  *tabs[] = { machine_settings };
	const struct provider *p;
	size_t                 i;
	int                    r;

	if (settings_find(machine_user_settings, section, key) != NULL)
		return error("[%s] %s: rig takes no program from a project's "
		             "rig.conf; set it in your own %s, or in the "
		             "environment (RIG_%s)",
		    section, key, "~/.config/rig/config",
		    strcmp(key, "ssh") == 0 ? "SSH" : "RSYNC");
	p = section_provider(section, &i);
	if (p != NULL) {
		const struct setting *ptabs[] = { p->settings };

		r = settings_set(p->settings, m->provider_conf[i], section, key,
		    v);
		if (r == 1)
			return settings_unknown(ptabs, nitems(ptabs), section,
			    key);
		return r;
	}
	r = settings_set(machine_settings, m, section, key, v);
	if (r == 1 && strcmp(section, "hub") == 0)
		return set_hub_key(m, key, v);
	if (r == 1)
		return settings_unknown(tabs, nitems(tabs), section, key);
	return r;
}

/* Keys in sections rig does not know belong to other commands; a
 * [profile NAME] is the hub's (hub-profiles.h). */
static int
load_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	size_t i;

	if (hub_profiles_section(section)) {
		if (hub_profiles_set(arg, section, key, value) == -1)
			return error("%s:%d: in [%s]", path, lineno, section);
		return 0;
	}
	if (strcmp(section, "machine") != 0 && strcmp(section, "hub") != 0 &&
	    strcmp(section, "sync") != 0 &&
	    section_provider(section, &i) == NULL)
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

/* [machine] and [sync] of the user's own config: their table only. */
static int
user_load_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	const struct setting *tabs[] = { machine_user_settings };
	int                   r;

	if (strcmp(section, "machine") != 0 && strcmp(section, "sync") != 0)
		return 0;
	r = settings_set(machine_user_settings, arg, section, key, value);
	if (r == 1)
		r = settings_unknown(tabs, nitems(tabs), section, key);
	if (r == -1)
		return error("%s:%d: in [%s]", path, lineno, section);
	return 0;
}

char *
machine_user_conf_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home;

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/rig/config", xdg);
	home = getenv("HOME");
	if (home == NULL || home[0] != '/')
		home = machine_local_home();
	if (home == NULL)
		return NULL;
	return xasprintf("%s/.config/rig/config", home);
}

/* The user's own config, if there is one. 0, or -1 with a message. */
static int
load_user_conf(struct machine *m)
{
	char *path = machine_user_conf_path();
	int   r;

	if (path == NULL)
		return 0;
	r = ini_read(path, user_load_cb, m);
	free(path);
	return r == -1 ? -1 : 0;
}

int
machine_load(struct machine *m, const char *start)
{
	char *dir;
	int   r;

	machine_init(m);
	if (load_user_conf(m) == -1)
		return -1;
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
	if (m->provider->needs_host && m->host == NULL)
		return error("no host for machine '%s': set host = ... in "
		             "[machine] of %s",
		    m->name,
		    m->conf_path != NULL ? m->conf_path : MACHINE_CONF);
	if (m->provider->check != NULL)
		return m->provider->check(m);
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
	if (m->provider != NULL && m->provider->default_user != NULL)
		return m->provider->default_user(name);
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

	buf_init(&b, 1024 * 1024);
	buf_adds(&b,
	    "; rig.conf: the machine this project runs on, written by "
	    "'rig init'.\n"
	    "; Commands read it here or in a parent folder; their flags "
	    "win.\n"
	    "; State (ssh config, host keys, sync records) is in .rig/, "
	    "git-ignored.\n"
	    "; Providers:");
	for (size_t i = 0; providers[i] != NULL; i++)
		buf_addf(&b, "%s %s (%s)", i > 0 ? "," : "", providers[i]->name,
		    providers[i]->about);
	buf_adds(&b, ".\n\n[machine]\n");
	settings_write(&b, machine_settings, m, "machine");
	buf_adds(&b, "\n[hub]\n");
	settings_write(&b, machine_settings, m, "hub");
	buf_adds(&b,
	    "; other 'rig hub' settings (idle_timeout = 3600, ...) go "
	    "to the machine's hub\n");
	for (const struct machine_kv *kv = m->hub_extra; kv != NULL;
	     kv = kv->next)
		buf_addf(&b, "%s = %s\n", kv->key, kv->value);
	buf_adds(&b, "\n[sync]\n");
	settings_write(&b, machine_settings, m, "sync");
	/* The provider's own section, only for its machines. */
	if (m->provider != NULL && m->provider->section != NULL) {
		buf_addf(&b, "\n[%s]\n", m->provider->section);
		settings_write(&b, m->provider->settings,
		    machine_provider_conf(m, m->provider),
		    m->provider->section);
	}
	return buf_detach(&b, NULL);
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
machine_flags_json(int argc, char **argv, struct machine_flags *f, int *json)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(f, 0, sizeof(*f));
	*json = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (machine_flag(f, ch, optarg))
			continue;
		if (ch != 'j')
			return -1;
		*json = 1;
	}
	return optind == argc ? 0 : -1;
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
