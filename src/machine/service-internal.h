/* SPDX-License-Identifier: MIT */
/*
 * What the files of the service share (service.h is the rest of rig's
 * view): service.c's helpers, and each mode's work, which service.c
 * orchestrates: service-systemd.c (a systemd unit) or
 * service-supervisor.c (rig's own supervisor, started at boot by cron).
 * Only service*.c include this.
 */
#ifndef SERVICE_INTERNAL_H
#define SERVICE_INTERNAL_H

#include <stdint.h>

struct proc_result;
struct service;

/* service-common.c */

/* dir/NAME. Caller frees result. */
char *service_path(const struct service *, const char *name);
/* Whether an executable 'name' is on $PATH. */
int service_in_path(const char *name);
/* Runs the command of the NULL-ended words (60 s at most), output into
 * *res, which the caller releases whatever the result. 0 if it exited
 * 0, else -1. */
int service_run(struct proc_result *res, const char *arg0, ...);
/* The pid in dir/NAME; 0 if none or not a pid. */
int service_read_pid(const struct service *, const char *name);
/* The port of hub.conf's listen; -1 (printed) if not set up. */
int service_conf_port(const struct service *);

/* service-systemd.c: the unit rig-hub.service. Each -1 is printed. */

/* Writes the unit if it changed, then daemon-reload, and enables it. */
int systemd_install(const struct service *);
/* systemctl VERB rig-hub.service: "start" or "stop". */
int systemd_run(const char *verb);
/* The hub's pid as systemd knows it; 0 if it does not run. */
int systemd_main_pid(void);
/* Disables and deletes the unit; failures are not reported. */
void systemd_remove(void);

/* service-supervisor.c: rig's own supervisor. */

/* 1 and *pid (0 if unknown) if the supervisor runs, else 0. */
int supervisor_running(const struct service *, int *pid);
/* Starts the supervisor detached: its own session, standard input from
 * /dev/null, output to hub.log, so the SSH session that asked can end.
 * -1 with a message if it cannot fork. */
int supervisor_spawn(const struct service *);
/* Ends the supervisor, which stops its hub first (SIGKILL for both
 * after 20 s), or else a hub a killed supervisor left behind.
 * 1 if a supervisor ran, 0 if none did. */
int supervisor_stop(const struct service *);
/* The hub's pid if the supervisor runs and its hub does, else 0. */
int supervisor_hub_pid(const struct service *);
/*
 * Adds ('add') or removes the @reboot line of this service in the
 * user's crontab. 1 if the line is there afterwards, 0 if not, -1 on
 * error (no cron: 0).
 */
int supervisor_cron(const struct service *, int add);
/* Whether 'pid' runs "rig hub --config THIS/hub.conf ...". */
int hub_is_ours(const struct service *, int pid);
/* Ends a hub of this service that no supervisor holds (SIGTERM, then
 * SIGKILL after 15 s). */
void hub_kill_orphan(const struct service *);

/* service-common.c too */

/* /proc/PID/stat's start time in clock ticks since boot; -1 if gone. */
int64_t pid_start_ticks(int pid);

#endif
