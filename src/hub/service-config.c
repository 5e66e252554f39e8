/* SPDX-License-Identifier: MIT */
/*
 * The keys of [service NAME] (config.h): read by config.c's file loader,
 * one at a time, into the service of that name, made at its first key.
 * Each value is checked here, so a typo stops the hub at start.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "priv-msg.h"
#include "scopes.h"
#include "lib/log.h"
#include "lib/util.h"

void
config_service_free(struct service *s)
{
	free(s->name);
	free(s->url);
	free(s->host);
	free(s->command);
	free(s->user);
	free(s->roles);
	free(s->scopes);
	for (size_t i = 0; i < s->nenv; i++)
		free(s->env[i]);
	free(s);
}

const struct service *
config_service(const struct config *c, const char *name, size_t len)
{
	for (const struct service *s = c->services; s != NULL; s = s->next)
		if (strlen(s->name) == len && memcmp(s->name, name, len) == 0)
			return s;
	return NULL;
}

/* The service 'name', made (at the end of the list) if new; NULL if the
 * name is no valid one. */
static struct service *
service_get(struct config *c, const char *name)
{
	struct service **pp;

	if (username_error(name) != NULL) {
		error("service '%s': invalid name", name);
		return NULL;
	}
	for (pp = &c->services; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0)
			return *pp;
	*pp = xcalloc(1, sizeof(**pp));
	(*pp)->name = xstrdup(name);
	return *pp;
}

/* Accepts only http://NUMERIC-HOST:PORT[/]: the proxy connects to it
 * without name resolution, on every request. */
static int
parse_url(const char *name, const char *url, char **host, long long *port)
{
	const char     *p, *colon;
	char           *portstr, *h;
	size_t          hl;
	struct in6_addr a6;
	struct in_addr  a4;

	if (strncmp(url, "http://", 7) != 0)
		return error("service '%s': url must be http://HOST:PORT",
		    name);
	p = url + 7;
	colon = strrchr(p, ':');
	if (colon == NULL || colon == p)
		return error("service '%s': url must have a port", name);
	portstr = xstrdup(colon + 1);
	if (portstr[0] != '\0' && portstr[strlen(portstr) - 1] == '/')
		portstr[strlen(portstr) - 1] = '\0';
	if (parse_int(portstr, 1, 65535, port) == -1) {
		free(portstr);
		return error("service '%s': bad port in '%s'", name, url);
	}
	free(portstr);
	h = xstrndup(p, (size_t)(colon - p));
	hl = strlen(h);
	/* "[::1]" → "::1": the proxy connects to the bare address. */
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		memmove(h, h + 1, hl - 2);
		h[hl - 2] = '\0';
	}
	if (inet_pton(AF_INET, h, &a4) != 1 &&
	    inet_pton(AF_INET6, h, &a6) != 1) {
		free(h);
		return error("service '%s': the host in '%s' must be a "
		             "numeric address",
		    name, url);
	}
	*host = h;
	return 0;
}

int
config_add_service(struct config *c, const char *name, const char *url)
{
	struct service *s;
	char           *host = NULL;
	long long       port;

	if (username_error(name) != NULL)
		return error("service '%s': invalid name", name);
	if (parse_url(name, url, &host, &port) == -1)
		return -1;
	s = service_get(c, name);
	free(s->host);
	free(s->url);
	s->host = host;
	s->url = xstrdup(url);
	s->port = (int)port;
	return 0;
}

/* Each word a role a service may hold: of JupyterHub's fixed roles, only
 * "admin" means anything without a user ("user", "server" and "token"
 * stand for a user's own resources); anything finer is said in scopes. */
static int
check_roles(const char *name, const char *v)
{
	char *copy = xstrdup(v), *save = NULL, *w;
	int   r = 0;

	for (w = strtok_r(copy, " ,\t", &save); w != NULL;
	     w = strtok_r(NULL, " ,\t", &save)) {
		if (strcmp(w, "admin") != 0) {
			r = error("service '%s': role '%s': a service may have "
			          "the role admin; say anything narrower with "
			          "scopes",
			    name, w);
			break;
		}
	}
	free(copy);
	return r;
}

/* JupyterHub's scopes, commas or spaces between them. */
static int
check_scopes(const char *name, const char *v, char **words)
{
	char *w = xstrdup(v), *out = NULL, *bad = NULL;

	/* Commas and runs of blanks become single spaces: the stored
	 * words are what scopes_expand() reads. */
	{
		char *in = w, *o = w;

		while (*in != '\0') {
			if (*in == ',' || *in == ' ' || *in == '\t') {
				if (o != w && o[-1] != ' ')
					*o++ = ' ';
				in++;
			} else
				*o++ = *in++;
		}
		if (o != w && o[-1] == ' ')
			o--;
		*o = '\0';
	}
	if (strlen(w) > SCOPES_MAX || scopes_expand(w, "", &out, &bad) == -1) {
		error("service '%s': '%s' is not a scope", name,
		    bad != NULL ? bad : v);
		free(bad);
		free(w);
		return -1;
	}
	free(out);
	*words = w;
	return 0;
}

/* KEY=VALUE, KEY a shell name; not one the hub sets (JUPYTERHUB_*), nor
 * one the helper refuses to give a process it starts as root. */
static int
check_env(const char *name, const char *v)
{
	const char *eq = strchr(v, '=');
	size_t      n = eq != NULL ? (size_t)(eq - v) : 0;

	if (n == 0 || (v[0] >= '0' && v[0] <= '9') ||
	    strspn(v,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789_") != n)
		return error("service '%s': environment must be KEY=VALUE",
		    name);
	if (strncmp(v, "JUPYTERHUB_", 11) == 0 || !priv_env_safe(v))
		return error("service '%s': environment may not set %.*s", name,
		    (int)n, v);
	return 0;
}

int
config_service_set(struct config *c, const char *name, const char *key,
    const char *v)
{
	struct service *s;
	char           *words = NULL;

	if (strcmp(key, "url") == 0)
		return config_add_service(c, name, v);
	if (username_error(name) != NULL)
		return error("service '%s': invalid name", name);
	if (strcmp(key, "command") == 0) {
		if (v[strspn(v, " \t")] == '\0')
			return error("service '%s': empty command", name);
		s = service_get(c, name);
		free(s->command);
		s->command = xstrdup(v);
	} else if (strcmp(key, "user") == 0) {
		if (username_error(v) != NULL)
			return error("service '%s': user: %s", name,
			    username_error(v));
		s = service_get(c, name);
		free(s->user);
		s->user = xstrdup(v);
	} else if (strcmp(key, "roles") == 0) {
		if (check_roles(name, v) == -1)
			return -1;
		s = service_get(c, name);
		free(s->roles);
		s->roles = xstrdup(v);
	} else if (strcmp(key, "scopes") == 0) {
		if (check_scopes(name, v, &words) == -1)
			return -1;
		s = service_get(c, name);
		free(s->scopes);
		s->scopes = words;
	} else if (strcmp(key, "oauth_no_confirm") == 0) {
		int yes = strcmp(v, "yes") == 0 || strcmp(v, "true") == 0;

		if (!yes && strcmp(v, "no") != 0 && strcmp(v, "false") != 0)
			return error("service '%s': oauth_no_confirm is yes "
			             "or no",
			    name);
		service_get(c, name)->oauth_no_confirm = yes;
	} else if (strcmp(key, "environment") == 0) {
		if (check_env(name, v) == -1)
			return -1;
		s = service_get(c, name);
		if (s->nenv == SERVICE_ENV_MAX)
			return error("service '%s': more than %d environment "
			             "lines",
			    name, SERVICE_ENV_MAX);
		s->env[s->nenv++] = xstrdup(v);
	} else
		return error("service '%s': no key '%s'", name, key);
	return 0;
}

int
config_check_services(const struct config *c)
{
	for (const struct service *s = c->services; s != NULL; s = s->next)
		if (s->url == NULL && s->command == NULL)
			return error("[service %s] needs a url (where it "
			             "listens), a command (to run it), or both",
			    s->name);
	return 0;
}
