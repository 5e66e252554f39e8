/* SPDX-License-Identifier: MIT */
/*
 * The hub as a service on its machine: what 'rig service' does there
 * when rig up, start, stop, status and down ask over SSH. Everything
 * lives in one folder (by default ~/.local/share/rig): hub.conf, the
 * state directory, hub.log, and the pid and lock files of the
 * supervisor. Where systemd runs and rig is root, the hub is a systemd
 * unit; otherwise a small supervisor process (rig service supervise)
 * restarts it when it dies, and a crontab @reboot line starts it at boot
 * where cron exists.
 */
#ifndef SERVICE_H
#define SERVICE_H

#include <jansson.h>

#define SERVICE_DIR ".local/share/rig" /* under the home */
#define SERVICE_BIN ".local/bin/rig" /* under the home */
#define SERVICE_UNIT "rig-hub.service"
#define SERVICE_WAIT_MS 60000 /* for the hub to listen after a start */

struct service {
	char *dir; /* absolute */
	char *conf; /* dir/hub.conf */
	char *state; /* dir/state */
	char *log; /* dir/hub.log */
	char *bin; /* this rig */
	int   systemd; /* systemd runs the hub */
};

/* Paths for 'dir' (NULL: ~/.local/share/rig). -1 with a message. */
int  service_init(struct service *, const char *dir);
void service_release(struct service *);

/*
 * Writes hub.conf for 'port' with the extra "key = value" lines in
 * 'extra' (NULL-terminated, may be NULL) and sets up the start at boot;
 * prints "config=changed|unchanged", "mode=..." and "boot=..." lines.
 */
int service_setup(struct service *, int loopback, int port, char *const *extra);
/* Starts the hub unless it runs, and waits until it listens. */
int service_start(struct service *, int wait_ms);
/* Stops it (the user servers keep running, as with any hub stop). */
int service_stop(struct service *);
/* The hub, its users' servers and the machine, as JSON (new ref). */
json_t *service_status(struct service *);
/* The pool's view for rig pool status (service-pool.c): Slurm's nodes,
 * their jobs and the hub's servers, powered hours; {"error"} if Slurm
 * cannot be asked. */
json_t *service_pool(struct service *);
/* Stops everything, removes the boot entry and the files; users' files
 * (state/workspaces) stay unless 'purge'. */
int service_remove(struct service *, int purge);
/* The supervisor's loop; returns its exit status. */
int service_supervise(struct service *);

#endif
