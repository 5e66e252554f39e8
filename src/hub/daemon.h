/* SPDX-License-Identifier: MIT */
/*
 * The hub's lifetime: one libuv loop that owns the listener, the client
 * connections, the user servers and the timers, from start to SIGTERM.
 */
#ifndef DAEMON_H
#define DAEMON_H

struct config;

/*
 * Runs a hub with the settings 'cfg' (its state_dir already resolved):
 * opens the database, makes or loads the certificate, creates the first
 * admin if there is no user, takes over servers an earlier hub left
 * running, and serves until SIGTERM or SIGINT. Returns the exit status: 0
 * after a clean stop, 1 if it could not start.
 */
int daemon_run(struct config *cfg);

#endif
