/* SPDX-License-Identifier: MIT */
/*
 * The hub's settings: defaults, then the config file (INI: a [hub] section
 * with key = value lines, and [service NAME] sections), then flags, which
 * win. Every key a flag sets has the same name in the file.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdint.h>

#include "lib/settings.h"

#include "autostop.h"
#include "config-ldap.h"
#include "profiles.h"
#include "server-limits.h"

#define SERVICE_ENV_MAX 32 /* environment lines of one service */

/* A service (JupyterHub's notion): routed at /services/NAME/ if it has a
 * url, started and supervised by the hub if it has a command (managed:
 * services.h), an OAuth client of the hub either way. */
struct service {
	char           *name;
	char           *url; /* as written; NULL: not routed */
	char           *host; /* numeric address to connect to */
	int             port; /* 0 without url */
	char           *command; /* NULL: not managed */
	char           *user; /* the Unix account; NULL: PREFIX + NAME */
	char           *roles; /* its token's roles, words; NULL: none */
	char           *scopes; /* its token's scopes, words; NULL: none */
	int             oauth_no_confirm;
	char           *env[SERVICE_ENV_MAX]; /* KEY=VALUE */
	size_t          nenv;
	struct service *next;
};

/* How the hub and a user's server trust each other. */
enum server_protocol {
	PROTO_AUTO = 0, /* the setting only: jupyterhub for singleuser */
	PROTO_TOKEN, /* the secret in JUPYTER_TOKEN, added by the proxy */
	PROTO_JUPYTERHUB, /* JupyterHub's: JUPYTERHUB_*, OAuth for browsers */
};

/* Who checks a password at login (authenticator). */
enum authenticator {
	AUTH_LOCAL = 0, /* the hub's own users and passwords (yescrypt) */
	AUTH_PAM, /* the machine's Unix accounts, through PAM (auth-pam.h) */
	AUTH_LDAP, /* a directory's people (auth-ldap.h), accounts by uid */
};

/* pam_service's default: JupyterHub's PAMAuthenticator uses it too. */
#define CONFIG_PAM_SERVICE "login"
/* The database fact (db_fact_get()) the hub records at start: "local",
 * "pam" or "ldap", for 'rig user', which runs apart from it. */
#define CONFIG_FACT_AUTHENTICATOR "authenticator"
/* admin_groups' default with authenticator = pam. */
#define CONFIG_PAM_ADMIN_GROUPS "sudo"

/* How users' servers run (spawner.h). */
enum config_spawner {
	CONFIG_SPAWNER_LOCAL = 0, /* children of the hub, here */
	CONFIG_SPAWNER_SLURM, /* Slurm jobs on a pool's nodes */
};

/* Where servers' programs are looked for (spawn-local.c's PATH). */
#define CONFIG_SERVER_PATH "/usr/local/bin:/usr/bin:/bin"

struct config {
	char *state_dir;
	char *listen; /* ADDR:PORT */
	char *cert, *key; /* NULL: self-signed in the state dir */
	char *tls_names; /* more names for the self-signed certificate */
	int   tls; /* 0 with --no-tls */
	int   renew_cert; /* --renew-cert: a new self-signed certificate */
	char *server_cmd; /* the single-user server, a word list; NULL: see
	                   * config_server_cmd() */
	int   server_protocol; /* enum server_protocol */
	int   spawner; /* enum config_spawner */
	char *slurm_partition; /* NULL: Slurm's default partition */
	char *api_address; /* the servers' API listener's; NULL: 127.0.0.1 */
	char *server_deny_ports; /* TCP ports servers may not connect to */
	int   user_firewall; /* per-uid nftables rules (firewall.h) */
	char *user_prefix; /* Unix account prefix when run as root; ""
	                    * with authenticator = pam (config_check()) */
	int   authenticator; /* enum authenticator */
	char *pam_service; /* the PAM service of logins and sessions */
	char *admin_groups; /* groups whose members are admins; NULL: unset */
	char *allowed_groups; /* groups whose members may sign in; NULL: any */
	char *first_admin; /* created with a printed password if no users */
	int   spawn_timeout; /* seconds until a server must answer */
	int   idle_timeout; /* seconds without activity before culling; 0 off */
	int   cull_interval; /* seconds between activity checks */
	int   header_timeout; /* seconds a client has to send a head */
	int   keepalive_timeout; /* idle seconds between requests */
	int   admin_access; /* admins may use others' servers */
	int   allow_named_servers; /* /user/NAME/SRV/ beside the default */
	int   named_server_limit_per_user; /* 0 no limit */
	int   splice; /* large plain response bodies by splice(2) */
	int   session_days; /* login lifetime */
	uint64_t max_body; /* for the hub's own endpoints */
	int      proxy_timeout; /* seconds a proxied exchange may stall */
	uint64_t proxy_memory; /* held for slow clients, in all */
	int      max_conns; /* client connections at most */
	struct service      *services;
	struct profile      *profiles; /* [profile NAME]s (profiles.h) */
	int                  user_resources; /* users may name Slurm's */
	struct autostop_conf autostop; /* autostop_* keys */
	struct limits_conf   limits; /* per-server limits (limits.h) */
	struct ldap_conf     ldap; /* ldap_* keys (config-ldap.h) */
};

/* server_cmd, or with none, "jupyterhub-singleuser" if it is installed
 * in CONFIG_SERVER_PATH (looked for once), else jupyter notebook's; with
 * spawner slurm, jupyter notebook's on a TCP port of the node. */
const char *config_server_cmd(const struct config *);
/* server_protocol, with auto resolved: jupyterhub when the program of
 * config_server_cmd() is jupyterhub-singleuser, else token. */
enum server_protocol config_server_protocol(const struct config *);
/* The same for another command (a profile's server_cmd). */
enum server_protocol config_cmd_protocol(const struct config *,
    const char *cmd);

/* The groups of admin_groups: its value, or with none set the
 * authenticator's default (pam: CONFIG_PAM_ADMIN_GROUPS; local: none).
 * NULL or "" for none. */
const char *config_admin_groups(const struct config *);

/*
 * What the keys say together, checked once they are all read and before
 * anything starts: config_check_spawner(), and authenticator = pam or
 * ldap needs root ('is_root'), and then servers run as the users' own
 * accounts, so user_prefix becomes ""; ldap's keys (config_check_ldap()).
 * 0, or -1 with a message printed.
 */
int config_check(struct config *, int is_root);

/* The hub's keys (settings.h): [hub], autostop_* and [service NAME];
 * [profile NAME]'s are profiles.h's. */
extern const struct setting config_settings[];

void config_init(struct config *); /* the defaults */
void config_release(struct config *);
/* Sets one [hub] key from text; -1 with a message printed if the key is
 * unknown or the value invalid. */
int config_set(struct config *, const char *key, const char *value);
/* What the settings do not check one by one: with spawner slurm, a
 * server_cmd on {port} (not {sock}) and the token protocol. -1 with a
 * message printed. */
int config_check_spawner(const struct config *);
/* Reads an INI file; -1 with a message printed naming the file and line. */
int config_load(struct config *, const char *path);
/* Sets the url of service 'name', adding the service if new; -1 if the
 * name or URL is invalid (service-config.c). */
int config_add_service(struct config *, const char *name, const char *url);
/* One key of [service NAME]; -1 with a message printed if the key is
 * unknown or its value invalid. */
int config_service_set(struct config *, const char *name, const char *key,
    const char *value);
/* What a service's keys say together: a url or a command (or both).
 * 0, or -1 with a message printed. */
int                   config_check_services(const struct config *);
void                  config_service_free(struct service *);
const struct service *config_service(const struct config *, const char *name,
    size_t len);

#endif
