/* SPDX-License-Identifier: MIT */
/*
 * A hub without root serves one user. Without root every user's server
 * runs as the hub's own Unix account, so a second user's notebook could
 * read the first one's files, the hub's database and its TLS key: there is
 * no boundary between them. Such a hub refuses to add a second user ('rig
 * user add', the admin page, the API). One that has several already (made
 * while it ran as root, or by an older rig) serves its first admin alone:
 * the others are refused at login, their tokens and sessions no longer
 * work and their servers are not started, until the hub runs as root
 * again. The hub records at start whether it runs as root, so that 'rig
 * user add', which runs apart from it, knows.
 */
#ifndef ONEUSER_H
#define ONEUSER_H

#include <stdint.h>

struct db;

/* Why a second user is refused, for the CLI, the admin page and the API. */
#define ONEUSER_WHY                                                            \
	"this hub runs without root, so every user's server would run as "     \
	"its one Unix account and each user could read the others' files "     \
	"and the hub's database: a second user needs the hub to run as "       \
	"root (start 'rig hub' as root; 'rig up' installs it as root's "       \
	"service where the login has sudo)"

/* What the login page says to a user such a hub does not serve. */
#define ONEUSER_LOGIN_WHY                                                      \
	"This hub runs without root and serves its first admin alone. "        \
	"Ask them to run it as root to give you your own account."

/* At the hub's start: records whether it runs as root and, when it does
 * not and has more than one user, logs whom it serves. 0 or -1. */
int oneuser_start(struct db *, int is_root);

/* Whether the hub of this database runs as root: what it recorded at its
 * last start or, if it never started, whether this process is root (the
 * state directory a command uses by default is that of a hub run by the
 * same account). */
int oneuser_hub_is_root(struct db *);

/* 0 if a hub (root if 'is_root') may have one more user; -1 if not, and
 * ONEUSER_WHY says why, or on a database error (logged). */
int oneuser_may_add(struct db *, int is_root);

/* 1 if a hub (root if 'is_root') serves user 'id', 0 if not, -1 on a
 * database error (logged). */
int oneuser_serves(struct db *, int is_root, int64_t id);

#endif
