/* SPDX-License-Identifier: MIT */
/*
 * When a pool's nodes were powered: a small append-only log on the head,
 * POWERLOG_PATH, one line per power change ("EPOCH up NODE" or "EPOCH
 * down NODE"). Slurm keeps no history of its nodes' power without
 * accounting (slurmdbd), so whoever powers a node up or down records it
 * here: rig pool power, which slurmctld runs as its ResumeProgram and
 * SuspendProgram as SlurmUser (slurm, who owns /var/lib/slurm: no other
 * right needed). rig service pool (root) and the hub (its own account)
 * read it, and the pool's spend this month is the powered hours it
 * gives times each partition's price per hour.
 */
#ifndef POWERLOG_H
#define POWERLOG_H

#include <stdint.h>

#define POWERLOG_PATH "/var/lib/slurm/rig-power.log"
#define POWERLOG_MAX (8 * 1024 * 1024) /* bytes; a longer log is refused */
#define POWERLOG_NODES_MAX 4096
#define POWERLOG_NAME_MAX 63

/*
 * Appends that 'node' was powered up ('up' 1) or down (0) at 'when' to
 * the log at 'path' (made mode 0644: the hub's account reads it). One
 * write(2) of one line with O_APPEND, so concurrent callers do not mix
 * lines. -1 with a message if 'node' is not a node's name or the write
 * fails.
 */
int powerlog_record(const char *path, const char *node, int up, int64_t when);

/* Called once per node the log names, with the seconds it was powered
 * between 'from' and 'to' (a node still up counts until 'to'). */
typedef void powerlog_fn(void *arg, const char *node, int64_t seconds);

/*
 * Reads the log at 'path' and calls 'fn' for each node it names. A
 * missing log names none (0); an unreadable one is -1. Lines that are
 * not a record are skipped; an "up" of a node already up, or a "down"
 * of one not up, changes nothing.
 */
int powerlog_seconds(const char *path, int64_t from, int64_t to,
    powerlog_fn *fn, void *arg);

/* The first second of the month of 'now' (UTC). */
int64_t powerlog_month_start(int64_t now);

/* Whether 'name' may be a node's name in the log: letters, digits, '.',
 * '_', '-', at most POWERLOG_NAME_MAX. */
int powerlog_name_ok(const char *name);

#endif
