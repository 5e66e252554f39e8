/* SPDX-License-Identifier: MIT */
/*
 * Configuration. The file format is deliberately small (ini.c reads it):
 * sections, key = value, ';' or '#' comments, no includes, no
 * interpolation. Numbers are
 * range-checked so a typo is an error at start, not a surprise later.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sandbox.h"
#include "lib/ini.h"
#include "lib/log.h"
#include "lib/util.h"

#define DEFAULT_SERVER_CMD                                                     \
	"jupyter notebook --no-browser --NotebookApp.ip=127.0.0.1 "           \
	"--NotebookApp.port={port} --NotebookApp.port_retries=0 "             \
	"--NotebookApp.base_url={base_url} "                                   \
	"--NotebookApp.notebook_dir={root_dir} "                               \
	"--NotebookApp.allow_remote_access=True "                              \
	"--NotebookApp.open_browser=False"

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = xstrdup("0.0.0.0:8000");
	c->tls = 1;
	c->server_cmd = xstrdup(DEFAULT_SERVER_CMD);
	c->user_prefix = xstrdup("rig-");
	c->first_admin = xstrdup("admin");
	c->spawn_timeout = 60;
	c->idle_timeout = 3600;
	c->cull_interval = 60;
	autostop_conf_init(&c->autostop);
	limits_conf_init(&c->limits);
	c->header_timeout = 10;
	c->keepalive_timeout = 120;
	c->session_days = 14;
	c->max_body = 1024 * 1024;
	c->splice = 1;
}

static void
service_free(struct service *s)
{
	free(s->name);
	free(s->url);
	free(s->host);
	free(s);
}

void
config_release(struct config *c)
{
	struct service *s, *next;

	free(c->state_dir);
	free(c->listen);
	free(c->cert);
	free(c->tls_names);
	free(c->key);
	free(c->server_cmd);
	free(c->server_deny_ports);
	free(c->user_prefix);
	free(c->first_admin);
	autostop_conf_release(&c->autostop);
	for (s = c->services; s != NULL; s = next) {
		next = s->next;
		service_free(s);
	}
	memset(c, 0, sizeof(*c));
}

static int
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
	return 0;
}

static int
set_int(int *dst, const char *key, const char *v, long long min, long long max)
{
	long long n;

	if (parse_int(v, min, max, &n) == -1)
		return error("%s: '%s' is not a number from %lld to %lld", key,
		    v, min, max);
	*dst = (int)n;
	return 0;
}

static int
set_bool(int *dst, const char *key, const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*dst = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*dst = 0;
	else
		return error("%s: '%s' is not yes or no", key, v);
	return 0;
}

int
config_set(struct config *c, const char *key, const char *v)
{
	int r = limits_conf_set(&c->limits, key, v);

	if (r != 1)
		return r;
	if (strcmp(key, "state_dir") == 0)
		return set_str(&c->state_dir, v);
	if (strncmp(key, "autostop_", 9) == 0)
		return autostop_conf_set(&c->autostop, key + 9, v);
	if (strcmp(key, "listen") == 0)
		return set_str(&c->listen, v);
	if (strcmp(key, "cert") == 0)
		return set_str(&c->cert, v);
	if (strcmp(key, "tls_names") == 0)
		return set_str(&c->tls_names, v);
	if (strcmp(key, "key") == 0)
		return set_str(&c->key, v);
	if (strcmp(key, "tls") == 0)
		return set_bool(&c->tls, key, v);
	if (strcmp(key, "server_cmd") == 0)
		return set_str(&c->server_cmd, v);
	if (strcmp(key, "server_deny_ports") == 0) {
		int ports[SANDBOX_MAX_PORTS];

		if (sandbox_parse_ports(v, ports) < 0)
			return error("server_deny_ports: '%s' is not a list "
			             "of ports",
			    v);
		return set_str(&c->server_deny_ports, v);
	}
	if (strcmp(key, "user_prefix") == 0) {
		if (strlen(v) > 16 || (*v != '\0' && username_error(v) != NULL))
			return error("user_prefix: '%s' is not a valid prefix",
			    v);
		return set_str(&c->user_prefix, v);
	}
	if (strcmp(key, "first_admin") == 0) {
		if (username_error(v) != NULL)
			return error("first_admin: %s", username_error(v));
		return set_str(&c->first_admin, v);
	}
	if (strcmp(key, "spawn_timeout") == 0)
		return set_int(&c->spawn_timeout, key, v, 1, 86400);
	if (strcmp(key, "idle_timeout") == 0)
		return set_int(&c->idle_timeout, key, v, 0, 365 * 86400);
	if (strcmp(key, "cull_interval") == 0)
		return set_int(&c->cull_interval, key, v, 1, 86400);
	if (strcmp(key, "header_timeout") == 0)
		return set_int(&c->header_timeout, key, v, 1, 3600);
	if (strcmp(key, "keepalive_timeout") == 0)
		return set_int(&c->keepalive_timeout, key, v, 1, 86400);
	if (strcmp(key, "session_days") == 0)
		return set_int(&c->session_days, key, v, 1, 365);
	if (strcmp(key, "admin_access") == 0)
		return set_bool(&c->admin_access, key, v);
	if (strcmp(key, "splice") == 0)
		return set_bool(&c->splice, key, v);
	if (strcmp(key, "max_body") == 0) {
		long long n;

		if (parse_int(v, 1024, 1LL << 40, &n) == -1)
			return error("max_body: '%s' is not a size in bytes", v);
		c->max_body = (uint64_t)n;
		return 0;
	}
	return error("unknown setting '%s'", key);
}

/* Accepts only http://NUMERIC-HOST:PORT[/]: the proxy connects to it
 * without name resolution, on every request. */
int
config_add_service(struct config *c, const char *name, const char *url)
{
	struct service *s, **pp;
	const char     *p, *colon;
	long long       port;
	char           *portstr;

	if (username_error(name) != NULL)
		return error("service '%s': invalid name", name);
	if (strncmp(url, "http://", 7) != 0)
		return error("service '%s': url must be http://HOST:PORT", name);
	p = url + 7;
	colon = strrchr(p, ':');
	if (colon == NULL || colon == p)
		return error("service '%s': url must have a port", name);
	portstr = xstrdup(colon + 1);
	if (portstr[0] != '\0' && portstr[strlen(portstr) - 1] == '/')
		portstr[strlen(portstr) - 1] = '\0';
	if (parse_int(portstr, 1, 65535, &port) == -1) {
		free(portstr);
		return error("service '%s': bad port in '%s'", name, url);
	}
	free(portstr);
	{
		char           *host = xstrndup(p, (size_t)(colon - p));
		size_t          hl = strlen(host);
		struct in6_addr a6;
		struct in_addr  a4;

		/* "[::1]" → "::1": the proxy connects to the bare address. */
		if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
			memmove(host, host + 1, hl - 2);
			host[hl - 2] = '\0';
		}
		if (inet_pton(AF_INET, host, &a4) != 1 &&
		    inet_pton(AF_INET6, host, &a6) != 1) {
			free(host);
			return error("service '%s': the host in '%s' must be a "
			    "numeric address", name, url);
		}
		s = xcalloc(1, sizeof(*s));
		s->host = host;
	}
	s->name = xstrdup(name);
	s->url = xstrdup(url);
	s->port = (int)port;
	for (pp = &c->services; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, name) == 0) {
			s->next = (*pp)->next;
			service_free(*pp);
			*pp = s;
			return 0;
		}
	}
	*pp = s;
	return 0;
}

const struct service *
config_service(const struct config *c, const char *name, size_t len)
{
	for (const struct service *s = c->services; s != NULL; s = s->next)
		if (strlen(s->name) == len && memcmp(s->name, name, len) == 0)
			return s;
	return NULL;
}

/* One key of the file; sections other than [hub] and [service NAME]
 * belong to other commands (rig up's [machine], [sync]) and are skipped. */
static int
load_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	struct config *c = arg;

	if (*section == '\0' || strcmp(section, "hub") == 0) {
		if (config_set(c, key, value) == -1)
			return error("%s:%d: in [hub]", path, lineno);
		return 0;
	}
	if (strcmp(section, "service") == 0 ||
	    strncmp(section, "service ", 8) == 0) {
		const char *name = section + 7;

		while (*name == ' ' || *name == '\t')
			name++;
		if (strcmp(key, "url") != 0)
			return error("%s:%d: unknown service key '%s'", path,
			    lineno, key);
		if (config_add_service(c, name, value) == -1)
			return error("%s:%d: in [service %s]", path, lineno,
			    name);
	}
	return 0;
}

int
config_load(struct config *c, const char *path)
{
	int r = ini_read(path, load_cb, c);

	if (r == 1)
		return error("cannot read '%s': %s", path, strerror(ENOENT));
	return r;
}
