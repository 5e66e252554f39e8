/* SPDX-License-Identifier: MIT */
/*
 * The records of the last sync, .rig/sync-manifest: size and mtime of
 * every file as it was when a sync ended (both sides alike then), for
 * one machine and remote_dir (the key). A file whose record still holds
 * has not changed here since; sync.c builds its "down" decisions on it.
 */
#ifndef SYNC_MANIFEST_H
#define SYNC_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#define MANIFEST_MAX (1024u * 1024 * 1024) /* bytes of records */

/* One file as recorded (or as found now: sync.c also keeps sets of
 * paths in a manifest). */
struct manifest_entry {
	char   *path;
	int64_t size;
	int64_t mtime_s;
	long    mtime_ns;
};

struct manifest {
	struct manifest_entry *e;
	size_t                 n, cap;
	int                    sorted;
};

/* Adds a record (a copy of 'path'); the same path twice is the caller's
 * mistake. */
void manifest_add(struct manifest *, const char *path, int64_t size,
    int64_t mtime_s, long mtime_ns);
/* Frees the records; 'mf' is empty (all zero) again. */
void manifest_free(struct manifest *);
/* The record of 'path', or NULL. Not const: the records are sorted on
 * the first lookup after an add. */
struct manifest_entry *manifest_find(struct manifest *, const char *path);
/*
 * Reads the records in the file 'path' for 'key' into 'mf', which it
 * sets up: none if there is no file or it is another key's (another
 * host or remote_dir). -1 with a message if it cannot be read.
 */
int manifest_load(struct manifest *, const char *path, const char *key);
/* Writes the records (sorted) for 'key' to 'path', atomically. -1 with
 * a message. */
int manifest_save(struct manifest *, const char *path, const char *key);

#endif
