/* SPDX-License-Identifier: MIT */
/*
 * The user firewall (firewall.h). The hub builds the whole table as nft
 * script text from three lists (rig accounts' uids, back ends' local
 * ports, rig accounts' TCP listeners) and hands it to 'nft -f -' as a
 * child with an argv array; the script deletes and re-creates the table
 * in one transaction, so the rules are never half loaded and a restart
 * after a crash replaces what the dead hub left. Accounts come from the
 * password database (re-read when /etc/passwd changes), listeners from
 * the kernel's socket diagnostics (NETLINK_SOCK_DIAG, listening sockets
 * only), both once a second; nft runs only when a list changed.
 *
 * Why by uid at output: that is the one place where every process of an
 * account is seen, whoever started it (the hub, sshd, cron, a setsid
 * child), and the socket's owner is known (meta skuid). A listener's owner
 * is not known to the rules on the receiving side, hence the list of
 * listeners kept from the kernel's sockets.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "accounts.h"
#include "config.h"
#include "db.h"
#include "firewall-rules.h"
#include "firewall.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "priv.h"
#include "tcpdiag.h"
#include "lib/banned.h"

#define RIG_GECOS "rig user " /* accounts.c's comment on its accounts */

/* The hub's firewall: what is loaded, and what to compare with. */
static struct {
	int                   active;
	struct hub           *hub;
	char                 *status_path; /* STATE/firewall.json */
	struct firewall_rules loaded;
	struct stat           passwd; /* /etc/passwd when last read */
	uint32_t             *uids; /* accounts as last read, sorted */
	size_t                nuids;
	uv_fs_event_t         etc; /* a new /etc/passwd at once */
	int                   watching; /* 'etc' started */
} F;

static int is_rig_account(const struct passwd *, const char *, struct db_user *,
    size_t);
static int read_accounts(struct hub *);
static int passwd_changed(void);
static int read_listeners(struct firewall_rules *);
static void listener_cb(void *, uid_t, uint16_t);
static void collect(struct hub *, struct firewall_rules *);
static int  load(const struct firewall_rules *);
static void write_status(void);
static void etc_cb(uv_fs_event_t *, const char *, int, int);
static void watch_etc(struct hub *);

/*
 * Whether account 'pw' belongs to rig: the prefix, not a system account,
 * and either made by rig (accounts.c's comment) or named after a user in
 * the hub's database (an account an administrator made beforehand).
 */
static int
is_rig_account(const struct passwd *pw, const char *prefix,
    struct db_user *users, size_t n)
{
	size_t plen = strlen(prefix);

	if (!account_uid_ok(pw->pw_uid) ||
	    strncmp(pw->pw_name, prefix, plen) != 0)
		return 0;
	if (pw->pw_gecos != NULL &&
	    strncmp(pw->pw_gecos, RIG_GECOS, strlen(RIG_GECOS)) == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(pw->pw_name + plen, users[i].name) == 0)
			return 1;
	return 0;
}

/* Re-reads the rig accounts into F.uids. -1 if the database fails. */
static int
read_accounts(struct hub *hub)
{
	struct firewall_rules r;
	struct db_user       *users = NULL;
	struct passwd        *pw;
	size_t                n = 0;

	if (db_user_list(hub->db, &users, &n) == -1)
		return -1;
	firewall_rules_init(&r);
	setpwent();
	while ((pw = getpwent()) != NULL)
		if (is_rig_account(pw, hub->cfg->user_prefix, users, n))
			firewall_rules_add_uid(&r, pw->pw_uid);
	endpwent();
	db_users_free(users, n);
	firewall_rules_normalize(&r);
	free(F.uids);
	F.uids = r.uids; /* taken over from 'r' */
	F.nuids = r.nuids;
	return 0;
}

/* 1 if /etc/passwd is another file, or changed, since the last call.
 * useradd and userdel replace it by a rename, so the inode tells. */
static int
passwd_changed(void)
{
	struct stat sb;
	int         changed;

	if (stat("/etc/passwd", &sb) == -1)
		return 1;
	changed = sb.st_ino != F.passwd.st_ino ||
	    sb.st_dev != F.passwd.st_dev || sb.st_size != F.passwd.st_size ||
	    sb.st_mtim.tv_sec != F.passwd.st_mtim.tv_sec ||
	    sb.st_mtim.tv_nsec != F.passwd.st_mtim.tv_nsec;
	F.passwd = sb;
	return changed;
}

/* A listener of the machine: kept if a rig account's ('r''s uids). */
static void
listener_cb(void *arg, uid_t uid, uint16_t port)
{
	struct firewall_rules *r = arg;

	if (firewall_rules_has_uid(r, uid))
		firewall_rules_add_listener(r, uid, port);
}

/* The TCP listeners of rig accounts, IPv4 and IPv6, from the kernel. */
static int
read_listeners(struct firewall_rules *r)
{
	return tcpdiag_listeners(listener_cb, r);
}

/* The rules as they should be now: F.uids (read_accounts()), the ports of
 * [service] back ends, the listeners. */
static void
collect(struct hub *hub, struct firewall_rules *r)
{
	firewall_rules_init(r);
	for (size_t i = 0; i < F.nuids; i++)
		firewall_rules_add_uid(r, F.uids[i]);
	/* A service is reached through the hub, which adds what the user may
	 * not: its port on any local address is off limits. */
	for (const struct service *s = hub->cfg->services; s != NULL;
	     s = s->next)
		if (s->port != 0)
			firewall_rules_add_internal(r, (uint16_t)s->port);
	if (read_listeners(r) == -1)
		log_warn("firewall: cannot list listening sockets");
	firewall_rules_normalize(r);
}

/* Replaces the table with 'r': through the privileged helper once the
 * hub has dropped root (priv.h). */
static int
load(const struct firewall_rules *r)
{
	return priv_firewall_load(F.hub, r);
}

/* A file in /etc changed: if it is the password file, an account was
 * made or removed, and the table follows now rather than at the tick. */
static void
etc_cb(uv_fs_event_t *h, const char *filename, int events, int status)
{
	(void)h;
	(void)events;
	if (status == 0 && filename != NULL && strcmp(filename, "passwd") == 0)
		firewall_tick(F.hub);
}

/*
 * useradd renames the new /etc/passwd into place before it makes the home,
 * and the hub starts a new account's server only once useradd has exited:
 * seen from here, the account is in the table before its first process
 * runs, not up to a tick later. The handle is unreferenced, so it never
 * keeps the loop running; the hub's last walk over its handles closes it.
 * Without inotify the tick still does the work.
 */
static void
watch_etc(struct hub *hub)
{
	int r;

	if (uv_fs_event_init(hub->loop, &F.etc) != 0)
		return;
	uv_unref((uv_handle_t *)&F.etc);
	F.watching = 1;
	r = uv_fs_event_start(&F.etc, etc_cb, "/etc", 0);
	if (r != 0) {
		log_warnx("firewall: cannot watch /etc: %s; accounts are "
		          "seen once a second",
		    uv_strerror(r));
		uv_close((uv_handle_t *)&F.etc, NULL);
	}
}

/* For 'rig service status' (and so rig status) on the machine. */
static void
write_status(void)
{
	json_t *st = json_object();
	char   *text;

	json_object_set_new(st, "active", json_boolean(F.active));
	json_object_set_new(st, "table", json_string("inet " FIREWALL_TABLE));
	json_object_set_new(st, "accounts",
	    json_integer((json_int_t)F.loaded.nuids));
	json_object_set_new(st, "listeners",
	    json_integer((json_int_t)F.loaded.nlisteners));
	text = json_dumps(st, JSON_COMPACT);
	if (text != NULL)
		write_file_atomic(F.status_path, text, strlen(text), 0644);
	free(text);
	json_decref(st);
}

int
firewall_start(struct hub *hub)
{
	struct firewall_rules r;

	free(F.status_path);
	F.status_path = xasprintf("%s/%s", hub->cfg->state_dir, FIREWALL_FILE);
	if (!hub->cfg->user_firewall) {
		unlink(F.status_path);
		return 0;
	}
	if (!hub->is_root)
		return error("user_firewall = yes needs rig hub to run as "
		             "root (it loads nftables rules)");
	F.hub = hub;
	passwd_changed();
	if (read_accounts(hub) == -1)
		return error("firewall: cannot read the hub's users");
	collect(hub, &r);
	if (load(&r) == -1) {
		firewall_rules_release(&r);
		return error("firewall: nft refused the rules; "
		             "user_firewall = yes needs nftables");
	}
	F.loaded = r;
	F.active = 1;
	write_status();
	watch_etc(hub);
	log_info("firewall: table inet %s loaded: %zu accounts, %zu "
	         "listeners",
	    FIREWALL_TABLE, F.loaded.nuids, F.loaded.nlisteners);
	return 0;
}

void
firewall_tick(struct hub *hub)
{
	struct firewall_rules r;

	if (!F.active)
		return;
	if (passwd_changed() && read_accounts(hub) == -1)
		log_warnx("firewall: cannot read the hub's users");
	collect(hub, &r);
	if (firewall_rules_equal(&r, &F.loaded)) {
		firewall_rules_release(&r);
		return;
	}
	/* A failed load leaves the old table in place (one transaction):
	 * try again at the next tick. */
	if (load(&r) == -1) {
		log_warnx("firewall: cannot update the rules");
		firewall_rules_release(&r);
		return;
	}
	log_debug("%s: %zu accounts, %zu listeners", __func__, r.nuids,
	    r.nlisteners);
	firewall_rules_release(&F.loaded);
	F.loaded = r;
	write_status();
}

void
firewall_unload(void)
{
	if (!F.active)
		return;
	if (priv_firewall_unload(F.hub) == 0)
		log_info("firewall: table inet %s removed", FIREWALL_TABLE);
	F.active = 0;
}

void
firewall_stop(void)
{
	/* Closed already by the hub's walk, unless it stops before its
	 * loop ran (it could not listen): then here. */
	if (F.watching && !uv_is_closing((uv_handle_t *)&F.etc)) {
		uv_close((uv_handle_t *)&F.etc, NULL);
		uv_run(F.hub->loop, UV_RUN_NOWAIT);
	}
	if (F.active) {
		if (priv_firewall_unload(F.hub) == 0)
			log_info("firewall: table inet %s removed",
			    FIREWALL_TABLE);
		F.active = 0;
	}
	if (F.status_path != NULL)
		unlink(F.status_path);
	free(F.status_path);
	free(F.uids);
	firewall_rules_release(&F.loaded);
	memset(&F, 0, sizeof(F));
}

int
firewall_active(void)
{
	return F.active;
}
