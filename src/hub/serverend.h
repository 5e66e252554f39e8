/* SPDX-License-Identifier: MIT */
/*
 * Why a user's running server ended when nobody asked it to (its process
 * exited, its Slurm job hit its time limit or lost its node, a cancel
 * outside rig): kept by user name from that end (server.c) until the
 * user's next start, for the home page to say. In memory, at most
 * SERVEREND_MAX users (the oldest note goes first): a hub restart forgets
 * them, as it forgets a failed start's reason.
 */
#ifndef SERVEREND_H
#define SERVEREND_H

#define SERVEREND_MAX 4096

void        serverend_note(const char *name, const char *why);
const char *serverend_why(const char *name); /* NULL if none */
void        serverend_clear(const char *name);
void        serverend_release(void);

#endif
