/* SPDX-License-Identifier: MIT */
/*
 * rig sync: the project folder and the machine's remote_dir kept alike
 * with rsync over SSH, .gitignore honoured (gitignore.c), .git/ and .rig/
 * never sent. "up" makes the machine's copy like the local one; "down"
 * brings the machine's changes back without ever overwriting a local
 * change: .rig/sync-manifest records every file as it was after the last
 * sync (both sides were alike then), so a file that changed on both sides
 * is a conflict, and the machine's copy lands next to the local one.
 */
#ifndef SYNC_H
#define SYNC_H

#include <stdint.h>
#include <stdio.h>

struct remote;

struct sync_opts {
	int down; /* else up */
	int dry_run; /* show what would change, change nothing */
	int delete; /* delete what the other side does not have */
	FILE *out; /* the report */
};

/* What happened, for the report and for callers. */
struct sync_stats {
	int64_t files; /* regular files sent or received */
	int64_t bytes; /* their total size */
	int64_t deleted;
	int64_t conflicts; /* changed on both sides (down) */
	int64_t kept; /* changed here only, left alone (down) */
	double  seconds;
};

/*
 * Runs one sync. Returns 0 (see *st, may be NULL), or -1 with a message
 * printed. Conflicts are not failures: they are reported and both
 * copies kept.
 */
int sync_run(struct remote *, const struct sync_opts *, struct sync_stats *);

/*
 * The name the machine's copy of a conflicting 'path' gets: "a/b.txt" ->
 * "a/b.remote-conflict.txt", with "-2", "-3"... if that exists under
 * 'root'. Caller frees result.
 */
char *sync_conflict_name(const char *root, const char *path);

/* Parses one line of rsync's --out-format='%i %l %M %n' into its parts
 * (pointers into 'line', which is changed; the name unescaped). -1 if
 * the line is not one. */
struct sync_item {
	char   *flags; /* "%i": ">f.st......", "*deleting", ... */
	int64_t size;
	char   *mtime; /* "YYYY/MM/DD-HH:MM:SS", local time */
	char   *name;
};
int sync_parse_item(char *line, struct sync_item *);

/* Formats 'n' bytes as "12.3 kB" into 'out'. */
void sync_human_bytes(int64_t n, char *out, size_t outlen);

#endif
