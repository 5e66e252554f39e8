/* SPDX-License-Identifier: MIT */
/*
 * Take-over after a restart: a hub that stops leaves its users' servers
 * running; the next one reads their rows from SQLite, keeps those whose
 * process still runs (the spawner's alive(), which for the local spawner
 * compares pid and start time, so a reused pid is not taken for the
 * server) and routes to them at once.
 */
#ifndef TAKEOVER_H
#define TAKEOVER_H

struct hub;

/* As root before the drop: opens the output pipes of the servers a
 * previous hub left running (serverlog_preopen()). */
void servers_preopen(struct hub *);

/* Takes over the servers a previous hub left running. */
void servers_restore(struct hub *);

#endif
