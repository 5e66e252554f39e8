/* SPDX-License-Identifier: MIT */
/*
 * The project's machine: rig.conf's [machine], [hub] and [sync] sections,
 * found in the folder a command runs in or a parent, with flags laid over
 * them, and the project's private state in .rig/ next to it (git-ignored:
 * the ssh config rig writes, known host keys, the last sync's manifest).
 */
#ifndef MACHINE_H
#define MACHINE_H

#include <getopt.h>
#include <stdio.h>

#include "lib/settings.h"

#define MACHINE_CONF "rig.conf"
#define MACHINE_STATE ".rig"
#define MACHINE_NAME_MAX 63
#define MACHINE_HUB_PORT 8000
#define MACHINE_CONNECT_TIMEOUT 10 /* seconds */
#define MACHINE_KEY "id_ed25519" /* in .rig/, made for a cloud VM */
#define MACHINE_PROVIDERS_MAX 8 /* providers[] without its NULL */

struct provider;

/* A [hub] key rig up passes on to the machine's hub.conf as it is. */
struct machine_kv {
	char              *key, *value;
	struct machine_kv *next;
};

struct machine {
	char *dir; /* the project folder, absolute */
	char *conf_path; /* dir/rig.conf */
	char *state_dir; /* dir/.rig */

	/* [machine] */
	char                  *name;
	char                  *provider_name;
	const struct provider *provider;
	char                  *host; /* NULL until set */
	char                  *user; /* NULL: the local user's name */
	int                    port;
	char                  *identity; /* as written; NULL: ssh's keys */
	char                  *ssh; /* the ssh program */
	int                    connect_timeout;
	char                  *packages; /* more Debian packages, words */

	int hub_tunnel; /* hub_access = tunnel: the hub on loopback only */

	/* [hub] */
	int                hub_port;
	char              *admin; /* NULL: the user's name */
	struct machine_kv *hub_extra;
	struct machine_kv *hub_profiles; /* [profile NAME]s (hub-profiles.h) */

	/* [sync] */
	char *remote_dir; /* as written; NULL: ~/work/NAME */
	char *rsync; /* the rsync program */

	/* Each provider's own section, read whatever the provider is (a
	 * flag may change it): opaque here, see machine_provider_conf(). */
	void *provider_conf[MACHINE_PROVIDERS_MAX];
	int   adopt; /* rig up --adopt: take over what a provider made */
};

/* rig.conf's [machine], [hub] and [sync] keys (settings.h); [hub] takes
 * the hub's own keys too, passed on to the machine's hub.conf. */
extern const struct setting machine_settings[];

/* The user's own config's keys: [machine] ssh and [sync] rsync, the
 * programs rig runs. rig.conf may not set them (machine_set() refuses). */
extern const struct setting machine_user_settings[];

/* Whether the 'n' bytes at 'w' are one Debian package name that apt-get
 * cannot read as anything else (no option, removal, version). */
int machine_package_name_ok(const char *w, size_t n);

/* $XDG_CONFIG_HOME/rig/config, else ~/.config/rig/config. Caller frees
 * result; NULL if there is no home. */
char *machine_user_conf_path(void);

/* Defaults only, no project folder; for rig init. */
void machine_init(struct machine *);
void machine_release(struct machine *);

/*
 * Finds rig.conf in 'start' or the nearest parent folder that has one,
 * reads it over the defaults and sets dir, conf_path and state_dir. -1
 * with a message if there is none or it is invalid.
 */
int machine_load(struct machine *, const char *start);

/* Sets one key of a section ("machine", "hub", "sync", or a provider's)
 * from text, as the file or a flag gives it; -1 with a message if
 * unknown or invalid. */
int machine_set(struct machine *, const char *section, const char *key,
    const char *value);

/* Checks what a command needs after flags: the provider is known, an ssh
 * machine has a host. -1 with a message. */
int machine_check(struct machine *);

/* A machine name made from a folder's name: letters, digits, '.', '_'
 * and '-', starting with a letter or digit; "machine" if nothing is left.
 * Caller frees result. */
char *machine_default_name(const char *dir);
/* Whether 'name' is a valid machine name (see machine_default_name()). */
int machine_name_valid(const char *name);

/* The user rig logs in as: 'user', else the local user's name (or the
 * provider's choice for it). Borrowed or static. */
const char *machine_user(const struct machine *);
/* The hub's admin account: 'admin', else machine_user() when it is a
 * valid hub username, else "admin". Borrowed or static. */
const char *machine_admin(const struct machine *);
/* remote_dir as written, or "~/work/NAME". Caller frees result. */
char *machine_remote_dir(const struct machine *);
/*
 * remote_dir as a path to give the machine's shell and rsync: "~/x" and
 * "x" are relative to the login's home ("x"), "~" is ".", absolute paths
 * stay. NULL with a message for "~user/x". Caller frees result.
 */
char *machine_remote_path(const struct machine *);
/* The identity file with a leading "~/" made absolute with the home of
 * the password database (as ssh does); else the key rig made in .rig/
 * for a cloud machine (MACHINE_KEY), if there is one; else NULL (ssh's
 * own keys). Caller frees. */
char *machine_identity_path(const struct machine *);
/* Path of 'name' in the state folder .rig/, which is created (0700) if
 * missing. Caller frees result. */
char *machine_state_path(const struct machine *, const char *name);

/*
 * The small key = value file .rig/state. machine_state_get() gives a
 * copy of the value or NULL (caller frees); machine_state_set() replaces
 * or adds a key (NULL value removes it); -1 on error, printed.
 */
char *machine_state_get(const struct machine *, const char *key);
int   machine_state_set(const struct machine *, const char *key,
      const char *value);

/* The settings of provider 'p' (its conf_new() struct); NULL if it has
 * no section. Owned by the machine. */
void *machine_provider_conf(const struct machine *, const struct provider *);

/* The commented rig.conf that rig init writes for 'm', from the tables:
 * every key with its value and help. Caller frees. */
char *machine_conf_text(const struct machine *);

/* Flags every machine command takes; they win over rig.conf. */
struct machine_flags {
	const char *provider, *host, *user, *port, *identity, *name;
	const char *remote_dir, *hub_port;
};

enum {
	MACHINE_OPT_PROVIDER = 0x100,
	MACHINE_OPT_HOST,
	MACHINE_OPT_USER,
	MACHINE_OPT_PORT,
	MACHINE_OPT_IDENTITY,
	MACHINE_OPT_NAME,
	MACHINE_OPT_REMOTE_DIR,
	MACHINE_OPT_HUB_PORT,
};

/* Entries for a getopt_long() table. */
/* clang-format off */
#define MACHINE_LONGOPTS                                                       \
	{ "provider", required_argument, NULL, MACHINE_OPT_PROVIDER },         \
	{ "host", required_argument, NULL, MACHINE_OPT_HOST },                 \
	{ "user", required_argument, NULL, MACHINE_OPT_USER },                 \
	{ "port", required_argument, NULL, MACHINE_OPT_PORT },                 \
	{ "identity", required_argument, NULL, MACHINE_OPT_IDENTITY },         \
	{ "name", required_argument, NULL, MACHINE_OPT_NAME },                 \
	{ "remote-dir", required_argument, NULL, MACHINE_OPT_REMOTE_DIR },     \
	{ "hub-port", required_argument, NULL, MACHINE_OPT_HUB_PORT }
/* clang-format on */

/* Takes getopt's 'ch' if it is a machine flag: 1 if taken, else 0. */
int machine_flag(struct machine_flags *, int ch, const char *arg);
/* The words of a command that takes the machine flags and --json (into
 * *json) and nothing else: 0, or -1 for its usage. */
int machine_flags_json(int argc, char **argv, struct machine_flags *,
    int *json);
/* Sets the flags that were given over 'm'. -1 with a message. */
int machine_flags_apply(struct machine *, const struct machine_flags *);
/*
 * What a machine command starts with: rig.conf from here or a parent,
 * the flags over it, and machine_check(). -1 with a message.
 */
int machine_open(struct machine *, const struct machine_flags *);

/* The home directory of the user running rig, from the password database
 * as ssh takes it (not $HOME). Static; NULL if unknown. */
const char *machine_local_home(void);

#endif
