/* SPDX-License-Identifier: MIT */
/*
 * Configuration. The file format is deliberately small (ini.c reads it):
 * sections, key = value, ';' or '#' comments, no includes, no
 * interpolation. Numbers are
 * range-checked so a typo is an error at start, not a surprise later.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "config.h"
#include "sandbox.h"
#include "spawn-cmd.h"
#include "lib/ini.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/settings.h"
#include "lib/util.h"

/* With no server_cmd: JupyterHub's own single-user server where it is
 * installed (config_server_cmd()), else this. */
#define DEFAULT_SERVER_CMD                                                     \
	"jupyter notebook --no-browser --NotebookApp.sock={sock} "             \
	"--NotebookApp.sock_mode=0660 "                                        \
	"--NotebookApp.base_url={base_url} "                                   \
	"--NotebookApp.notebook_dir={root_dir} "                               \
	"--NotebookApp.allow_remote_access=True "                              \
	"--NotebookApp.open_browser=False"

/* With spawner slurm: on a port the job picks on its node ({port} is
 * filled in there, spawn-slurm.c), on every address of the node (the
 * hub reaches it over the pool's network; the port is the job's alone
 * while it listens), the secret (JUPYTER_TOKEN) its lock. */
#define SLURM_SERVER_CMD                                                       \
	"jupyter notebook --no-browser --NotebookApp.ip=0.0.0.0 "              \
	"--NotebookApp.port={port} --NotebookApp.port_retries=0 "              \
	"--NotebookApp.base_url={base_url} "                                   \
	"--NotebookApp.notebook_dir={root_dir} "                               \
	"--NotebookApp.allow_remote_access=True "                              \
	"--NotebookApp.open_browser=False"

#define SINGLEUSER "jupyterhub-singleuser"
/* Its default command: on the Unix socket too (both apps it may serve,
 * notebook 6 and jupyter_server, take --sock; serverenv.c leaves the
 * port to them). */
#define SINGLEUSER_CMD SINGLEUSER " --sock={sock} --sock-mode=0660"

static const char *const protocols[] = { "auto", "token", "jupyterhub", NULL };
static const char *const authenticators[] = { "local", "pam", "ldap", NULL };
static const char *const spawners[] = { "local", "slurm", NULL };

static int check_deny_ports(void *, const char *, char *, size_t);
static int check_user_prefix(void *, const char *, char *, size_t);
static int check_first_admin(void *, const char *, char *, size_t);
static int check_pam_service(void *, const char *, char *, size_t);
static int check_groups(void *, const char *, char *, size_t);
static int check_partition(void *, const char *, char *, size_t);
static int check_ipv4(void *, const char *, char *, size_t);

#define C(field) offsetof(struct config, field)

/*
 * The hub's keys: [hub] of --config (also the keys before any section),
 * and [service NAME]'s url, which config_add_service() takes. Flags set
 * the same keys (cmd-hub.c). Help lines are for the documentation test
 * and readers; rig.conf's [hub] is the machine's (machine.c).
 */
/* clang-format off */
const struct setting config_settings[] = {
	{ .section = "hub", .key = "state_dir", .type = SETTING_STRING,
	    .off = C(state_dir), .help = "the state directory (--state-dir)" },
	{ .section = "hub", .key = "listen", .type = SETTING_STRING,
	    .off = C(listen), .def = "0.0.0.0:8000", .help = "ADDR:PORT" },
	{ .section = "hub", .key = "cert", .type = SETTING_STRING,
	    .off = C(cert), .help = "certificate file; none: self-signed" },
	{ .section = "hub", .key = "key", .type = SETTING_STRING,
	    .off = C(key), .help = "the certificate's key file" },
	{ .section = "hub", .key = "tls_names", .type = SETTING_STRING,
	    .off = C(tls_names),
	    .help = "more names for the self-signed certificate" },
	{ .section = "hub", .key = "tls", .type = SETTING_BOOL,
	    .off = C(tls), .def = "yes", .help = "no: plain HTTP (--no-tls)" },
	{ .section = "hub", .key = "server_cmd", .type = SETTING_STRING,
	    .off = C(server_cmd),
	    .help = "the single-user server, a word list; none: "
	            "jupyterhub-singleuser where installed, else jupyter "
	            "notebook" },
	{ .section = "hub", .key = "server_protocol", .type = SETTING_ENUM,
	    .off = C(server_protocol), .def = "auto", .words = protocols,
	    .what = "auto, token or jupyterhub",
	    .help = "token: the proxy adds the server's secret; jupyterhub: "
	            "JupyterHub's (OAuth, JUPYTERHUB_*); auto: jupyterhub "
	            "for jupyterhub-singleuser" },
	{ .section = "hub", .key = "spawner", .type = SETTING_ENUM,
	    .off = C(spawner), .def = "local", .words = spawners,
	    .what = "local or slurm",
	    .help = "local: servers are the hub's children; slurm: Slurm "
	            "jobs on a pool's nodes, submitted as their users" },
	{ .section = "hub", .key = "slurm_partition", .type = SETTING_STRING,
	    .off = C(slurm_partition), .check = check_partition,
	    .what = "a Slurm partition name",
	    .help = "the partition servers' jobs go to; none: Slurm's "
	            "default" },
	{ .section = "hub", .key = "api_address", .type = SETTING_STRING,
	    .off = C(api_address), .check = check_ipv4,
	    .what = "a numeric IPv4 address of this machine",
	    .help = "where servers reach the hub's API (JupyterHub's "
	            "protocol, a Slurm job's port report); none: "
	            "127.0.0.1. rig up sets the head's for a pool" },
	{ .section = "hub", .key = "server_deny_ports", .type = SETTING_STRING,
	    .off = C(server_deny_ports), .check = check_deny_ports,
	    .what = "a list of ports",
	    .help = "TCP ports user servers may not connect to" },
	{ .section = "hub", .key = "user_prefix", .type = SETTING_STRING,
	    .off = C(user_prefix), .def = ACCOUNT_PREFIX_DEFAULT, .check = check_user_prefix,
	    .what = "a valid prefix", .help = "Unix account prefix as root" },
	{ .section = "hub", .key = "authenticator", .type = SETTING_ENUM,
	    .off = C(authenticator), .def = "local", .words = authenticators,
	    .what = "local, pam or ldap",
	    .help = "local: the hub's own users and passwords; pam: the "
	            "machine's Unix accounts and passwords; ldap: a "
	            "directory's people, Unix accounts by their uid (pam "
	            "and ldap need root)" },
	{ .section = "hub", .key = "pam_service", .type = SETTING_STRING,
	    .off = C(pam_service), .def = CONFIG_PAM_SERVICE,
	    .check = check_pam_service, .what = "a PAM service name",
	    .help = "the PAM service (/etc/pam.d/NAME) of logins and "
	            "sessions" },
	{ .section = "hub", .key = "admin_groups", .type = SETTING_STRING,
	    .off = C(admin_groups), .check = check_groups,
	    .what = "a list of group names, or of DNs apart by '|'",
	    .help = "groups whose members are admins (Unix groups; with "
	            "ldap, the directory's, by DN or cn); with pam, "
	            "default sudo" },
	{ .section = "hub", .key = "allowed_groups", .type = SETTING_STRING,
	    .off = C(allowed_groups), .check = check_groups,
	    .flags = SETTING_EMPTY_UNSET,
	    .what = "a list of group names, or of DNs apart by '|'",
	    .help = "groups whose members may sign in (Unix groups; with "
	            "ldap, the directory's); none: any account" },
	{ .section = "hub", .key = "first_admin", .type = SETTING_STRING,
	    .off = C(first_admin), .def = "admin", .check = check_first_admin,
	    .help = "the admin made when there are no users" },
	{ .section = "hub", .key = "spawn_timeout", .type = SETTING_INT,
	    .off = C(spawn_timeout), .def = "60", .min = 1, .max = 86400,
	    .help = "seconds until a server must answer" },
	{ .section = "hub", .key = "idle_timeout", .type = SETTING_INT,
	    .off = C(idle_timeout), .def = "3600", .min = 0,
	    .max = 365 * 86400, .help = "seconds idle before culling; 0 off" },
	{ .section = "hub", .key = "cull_interval", .type = SETTING_INT,
	    .off = C(cull_interval), .def = "60", .min = 1, .max = 86400,
	    .help = "seconds between activity checks" },
	{ .section = "hub", .key = "header_timeout", .type = SETTING_INT,
	    .off = C(header_timeout), .def = "10", .min = 1, .max = 3600,
	    .help = "seconds a client has to send a head" },
	{ .section = "hub", .key = "keepalive_timeout", .type = SETTING_INT,
	    .off = C(keepalive_timeout), .def = "120", .min = 1, .max = 86400,
	    .help = "idle seconds between requests" },
	{ .section = "hub", .key = "session_days", .type = SETTING_INT,
	    .off = C(session_days), .def = "14", .min = 1, .max = 365,
	    .help = "login lifetime in days" },
	{ .section = "hub", .key = "user_firewall", .type = SETTING_BOOL,
	    .off = C(user_firewall), .def = "no",
	    .help = "as root: nftables rules by uid (firewall.h)" },
	{ .section = "hub", .key = "admin_access", .type = SETTING_BOOL,
	    .off = C(admin_access), .def = "no",
	    .help = "admins may use others' servers" },
	{ .section = "hub", .key = "allow_named_servers", .type = SETTING_BOOL,
	    .off = C(allow_named_servers), .def = "no",
	    .help = "users may run named servers beside their default one" },
	{ .section = "hub", .key = "named_server_limit_per_user",
	    .type = SETTING_INT, .off = C(named_server_limit_per_user),
	    .def = "0", .min = 0, .max = 1000,
	    .help = "named servers a user may have; 0 no limit" },
	{ .section = "hub", .key = "splice", .type = SETTING_BOOL,
	    .off = C(splice), .def = "yes",
	    .help = "large plain response bodies by splice(2)" },
	{ .section = "hub", .key = "max_body", .type = SETTING_SIZE,
	    .off = C(max_body), .def = "1048576", .min = 1024,
	    .max = 1LL << 40, .what = "a size in bytes",
	    .help = "bytes of a body to the hub's own endpoints" },
	{ .section = "hub", .key = "proxy_timeout", .type = SETTING_INT,
	    .off = C(proxy_timeout), .def = "300", .min = 1, .max = 86400,
	    .help = "seconds a proxied exchange may stall" },
	{ .section = "hub", .key = "proxy_memory", .type = SETTING_SIZE,
	    .off = C(proxy_memory), .def = "4194304", .min = 65536,
	    .max = 1LL << 40, .what = "a size in bytes",
	    .help = "bytes held for slow clients before back ends wait" },
	{ .section = "hub", .key = "max_conns", .type = SETTING_INT,
	    .off = C(max_conns), .def = "10000", .min = 16, .max = 1000000,
	    .help = "client connections at most" },
	{ .section = "hub", .key = "user_resources", .type = SETTING_BOOL,
	    .off = C(user_resources), .def = "no",
	    .help = "spawner slurm: users may ask for a job's partition, "
	            "cpus, mem, gpus and time in user_options, within their "
	            "profile's and the partition's limits" },
	{ .type = SETTING_TABLE, .off = C(autostop), .sub = autostop_settings },
	{ .type = SETTING_TABLE, .off = C(limits), .sub = limits_settings },
	{ .type = SETTING_TABLE, .off = C(ldap), .sub = ldap_settings },
	/* Read by load_cb() into the service list, not by the engine. */
	{ .section = "service", .key = "url", .type = SETTING_CUSTOM,
	    .help = "http://ADDR:PORT served at /services/NAME/" },
	{ .section = "service", .key = "command", .type = SETTING_CUSTOM,
	    .help = "a managed service: the hub starts, restarts and stops "
	            "it" },
	{ .section = "service", .key = "user", .type = SETTING_CUSTOM,
	    .help = "the Unix account it runs as (root hub)" },
	{ .section = "service", .key = "roles", .type = SETTING_CUSTOM,
	    .help = "admin: its API token has the admin role" },
	{ .section = "service", .key = "scopes", .type = SETTING_CUSTOM,
	    .help = "scopes of its API token" },
	{ .section = "service", .key = "oauth_no_confirm", .type = SETTING_CUSTOM,
	    .help = "users sign in to it without a consent page" },
	{ .section = "service", .key = "environment", .type = SETTING_CUSTOM,
	    .help = "KEY=VALUE for its environment (repeatable)" },
	{ .type = SETTING_END },
};
/* clang-format on */

static int
check_deny_ports(void *obj, const char *v, char *why, size_t len)
{
	int ports[SANDBOX_MAX_PORTS];

	(void)obj, (void)why, (void)len;
	return sandbox_parse_ports(v, ports) < 0 ? -1 : 0;
}

static int
check_user_prefix(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	return strlen(v) > 16 || (*v != '\0' && username_error(v) != NULL) ? -1
	                                                                   : 0;
}

static int
check_first_admin(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	if (username_error(v) == NULL)
		return 0;
	snprintf(why, len, "%s", username_error(v));
	return -1;
}

/* Letters, digits, '_', '-' and '.': a word sbatch takes as it is. */
static int
check_partition(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	if (*v == '\0' || *v == '-' || strlen(v) > 64)
		return -1;
	for (; *v != '\0'; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		        (*v >= '0' && *v <= '9') || strchr("_-.", *v)))
			return -1;
	return 0;
}

static int
check_ipv4(void *obj, const char *v, char *why, size_t len)
{
	unsigned char a[4];

	(void)obj, (void)why, (void)len;
	return inet_pton(AF_INET, v, a) == 1 ? 0 : -1;
}

/* A PAM service is a file name in /etc/pam.d: no '/', no dot first. */
static int
check_pam_service(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	if (*v == '\0' || *v == '.' || strlen(v) > 64)
		return -1;
	return strspn(v,
	           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	           "0123456789._-") == strlen(v)
	    ? 0
	    : -1;
}

/* Group names separated by spaces or commas, each as groupadd takes it
 * (a letter, digit or '_' first; then those, '.', '-'; at most 32); or,
 * for authenticator = ldap, with an '=' anywhere, DNs apart by '|' (a DN
 * holds commas and spaces), each without control bytes. */
static int
check_groups(void *obj, const char *v, char *why, size_t len)
{
	char *copy, *save = NULL, *g;
	int   r = 0;

	(void)obj;
	if (strchr(v, '=') != NULL) {
		for (const char *p = v; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				snprintf(why, len, "a control byte in a DN");
				return -1;
			}
		return 0;
	}
	copy = xstrdup(v);
	for (g = strtok_r(copy, " ,\t", &save); g != NULL;
	     g = strtok_r(NULL, " ,\t", &save)) {
		if (!group_name_valid(g)) {
			snprintf(why, len, "'%s' is not a group name", g);
			r = -1;
			break;
		}
	}
	free(copy);
	return r;
}

const char *
config_admin_groups(const struct config *c)
{
	if (c->admin_groups != NULL)
		return c->admin_groups;
	return c->authenticator == AUTH_PAM ? CONFIG_PAM_ADMIN_GROUPS : NULL;
}

int
config_check(struct config *c, int is_root)
{
	if (config_check_spawner(c) == -1 || config_check_services(c) == -1 ||
	    profiles_check(c) == -1)
		return -1;
	if (c->user_resources && c->spawner != CONFIG_SPAWNER_SLURM)
		return error("user_resources = yes is for spawner = slurm: "
		             "partition, cpus, mem, gpus and time are a Slurm "
		             "job's");
	if (c->authenticator == AUTH_LDAP) {
		if (!is_root)
			return error(
			    "authenticator = ldap needs the hub to run "
			    "as root: each person's server runs as their "
			    "own Unix account, of their directory uid "
			    "(start 'rig hub' as root, or use "
			    "authenticator = local)");
		if (config_check_ldap(&c->ldap, c->allowed_groups,
		        c->admin_groups) == -1)
			return -1;
		settings_set_str(&c->user_prefix, "");
		return 0;
	}
	if ((c->allowed_groups != NULL && strchr(c->allowed_groups, '=')) ||
	    (c->admin_groups != NULL && strchr(c->admin_groups, '=')))
		return error("groups named by DN are the directory's: only "
		             "with authenticator = ldap");
	if (c->authenticator != AUTH_PAM)
		return 0;
	if (!is_root)
		return error("authenticator = pam needs the hub to run as "
		             "root: PAM's modules read /etc/shadow, and each "
		             "user's server runs as their own Unix account "
		             "(start 'rig hub' as root, or use authenticator "
		             "= local)");
	/* Each user is the Unix account of that name: no prefix. */
	settings_set_str(&c->user_prefix, "");
	return 0;
}

const char *
config_server_cmd(const struct config *c)
{
	static int  found = -1;
	static char cmd[] = SINGLEUSER_CMD;
	char       *path;

	if (c->server_cmd != NULL && c->server_cmd[0] != '\0')
		return c->server_cmd;
	if (c->spawner == CONFIG_SPAWNER_SLURM)
		return SLURM_SERVER_CMD;
	if (found == -1) {
		path = proc_which(SINGLEUSER, CONFIG_SERVER_PATH);
		found = path != NULL;
		free(path);
	}
	return found ? cmd : DEFAULT_SERVER_CMD;
}

enum server_protocol
config_server_protocol(const struct config *c)
{
	return config_cmd_protocol(c, config_server_cmd(c));
}

enum server_protocol
config_cmd_protocol(const struct config *c, const char *cmd)
{
	const char *end, *base;
	size_t      n = strlen(SINGLEUSER);

	if (c->server_protocol != PROTO_AUTO)
		return (enum server_protocol)c->server_protocol;
	/* The program is the first word, maybe quoted, maybe a path. */
	cmd += strspn(cmd, " \t\"'");
	end = cmd + strcspn(cmd, " \t\"'");
	for (base = end; base > cmd && base[-1] != '/'; base--)
		;
	return (size_t)(end - base) == n && strncmp(base, SINGLEUSER, n) == 0
	    ? PROTO_JUPYTERHUB
	    : PROTO_TOKEN;
}

/* A Slurm job's command: on {port}, with the token protocol. */
static int
check_slurm_cmd(const struct config *c, const char *cmd, const char *where)
{
	unsigned uses = spawn_cmd_uses(cmd);

	if (!(uses & SPAWN_USES_PORT) || (uses & SPAWN_USES_SOCK))
		return error("with spawner = slurm, %sserver_cmd must listen "
		             "on {port} (the job picks it on its node) and not "
		             "on {sock}",
		    where);
	if (config_cmd_protocol(c, cmd) == PROTO_JUPYTERHUB &&
	    (c->api_address == NULL || host_is_loopback(c->api_address)))
		return error("with spawner = slurm, JupyterHub's protocol "
		             "(%sserver_cmd) needs the hub's API where the "
		             "nodes reach it: api_address, the head's address "
		             "on the pool's network (rig up sets it)",
		    where);
	return 0;
}

int
config_check_spawner(const struct config *c)
{
	char where[PROFILE_NAME_MAX + 32];

	if (c->spawner != CONFIG_SPAWNER_SLURM)
		return 0;
	if (check_slurm_cmd(c, config_server_cmd(c), "") == -1)
		return -1;
	for (const struct profile *p = c->profiles; p != NULL; p = p->next) {
		if (p->server_cmd == NULL)
			continue;
		snprintf(where, sizeof(where), "[profile %s]'s ", p->name);
		if (check_slurm_cmd(c, p->server_cmd, where) == -1)
			return -1;
	}
	return 0;
}

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	settings_init(config_settings, c);
}

void
config_release(struct config *c)
{
	struct service *s, *next;

	config_ldap_release(&c->ldap);
	settings_release(config_settings, c);
	profiles_release(c);
	for (s = c->services; s != NULL; s = next) {
		next = s->next;
		config_service_free(s);
	}
	memset(c, 0, sizeof(*c));
}

int
config_set(struct config *c, const char *key, const char *v)
{
	const struct setting *tabs[] = { config_settings };
	int                   r;

	r = settings_set(config_settings, c, "hub", key, v);
	if (r == 1)
		return settings_unknown(tabs, nitems(tabs), "hub", key);
	return r;
}

/* One key of the file; sections other than [hub], [service NAME] and
 * [profile NAME] belong to other commands (rig up's [machine], [sync])
 * and are skipped. */
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
		if (settings_find(config_settings, "service", key) == NULL) {
			const struct setting *tabs[] = { config_settings };

			settings_unknown(tabs, nitems(tabs), "service", key);
			return error("%s:%d: in [%s]", path, lineno, section);
		}
		if (config_service_set(c, name, key, value) == -1)
			return error("%s:%d: in [service %s]", path, lineno,
			    name);
	}
	if (strncmp(section, "profile ", 8) == 0 ||
	    strcmp(section, "profile") == 0) {
		const char *name = section + 7;

		name += strspn(name, " \t");
		if (profiles_set(c, name, key, value) == -1)
			return error("%s:%d: in [%s]", path, lineno, section);
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
