/* SPDX-License-Identifier: MIT */
/*
 * Stopping the machine itself when nobody uses it, so an idle cloud VM
 * stops costing money. The hub judges the whole machine, not one user's
 * server: proxied traffic and hub use, user servers' own activity (kernels
 * busy, CPU of their accounts), open SSH sessions and commands run over
 * SSH (rig exec, rig sync, a shell), and the CPU (and GPU, where
 * nvidia-smi exists) load of the machine. After 'after' seconds of all
 * of them idle it warns on the hub's pages for 'warn' seconds, then runs
 * 'rig self-stop', which deallocates the VM through its managed identity
 * (cmd-self-stop.c). Set in hub.conf's [hub] as autostop_* keys; rig up
 * writes them from rig.conf's [azure] idle_stop.
 */
#ifndef AUTOSTOP_H
#define AUTOSTOP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/settings.h"

struct hub;

#define AUTOSTOP_CHECK_EVERY 10 /* seconds between samples */
#define AUTOSTOP_WARN_DEFAULT 300 /* seconds of warning on the pages */
#define AUTOSTOP_CPU_BUSY_DEFAULT 0.10 /* of all cores */
#define AUTOSTOP_GPU_BUSY 10 /* percent */
#define AUTOSTOP_FILE "autostop.json" /* in the state dir, for rig status */
#define AUTOSTOP_RUNTIME "runtime.json" /* seconds run this month */
#define AUTOSTOP_BUDGET_WARN 0.8

struct autostop_conf {
	int64_t after; /* seconds idle before the warning; 0 = off */
	int64_t warn; /* seconds of warning before the stop */
	double  cpu_busy; /* machine CPU use (0-1) that counts as busy */
	/* Who stops the machine, and the endpoints 'rig self-stop' is
	 * given: the provider's, opaque here, checked there. */
	char *provider;
	char *arm_endpoint, *imds_endpoint;
	/* The month's budget: warned of at 80 %, the machine stopped at
	 * 100 %, judged from run time at the prices rig up looked up. */
	double budget_month; /* 0: none */
	double cost_hour, cost_month_fixed; /* the VM's, its disk's */
	char  *currency;
};

/* The autostop_* keys of [hub] (settings.h); config.c's table holds
 * them. */
extern const struct setting autostop_settings[];

void autostop_conf_init(struct autostop_conf *); /* the defaults */
void autostop_conf_release(struct autostop_conf *);

/* Starts watching (nothing if after = 0); autostop_stop() before the
 * loop ends. */
void autostop_start(struct hub *);
void autostop_stop(struct hub *);

/* Use of the hub by a logged-in person or a token: activity. */
void autostop_touch(void);

/* The warning for the hub's pages while the stop is near, else NULL.
 * Static. */
const char *autostop_banner(void);

/*
 * What one sample of the machine says (pure, for tests): busy if an SSH
 * session runs something, the CPU share is at least 'cpu_busy', or the
 * GPU at least AUTOSTOP_GPU_BUSY %. 'why' gets the reason in words.
 */
int autostop_judge(int ssh_sessions, double cpu, int gpu, double cpu_busy,
    char *why, size_t whylen);

/* The month's spend (estimate) after 'seconds' of run time. */
double autostop_spend(const struct autostop_conf *, int64_t seconds);

#endif
