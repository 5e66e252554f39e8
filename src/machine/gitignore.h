/* SPDX-License-Identifier: MIT */
/*
 * .gitignore rules as git reads them, for rig sync: the files of every
 * folder that is not itself ignored, then .git/info/exclude, then the
 * user's global file (~/.config/git/ignore); negations; "dir/" rules;
 * "**"; and no file comes back from inside an ignored folder. Two uses:
 * ignore_walk() lists the project's files as git would see them (for
 * sync's records), and ignore_rsync_rules() turns the same rules into
 * rsync filter rules, so rsync applies them on both sides of a transfer
 * (also to files that exist only on the machine).
 */
#ifndef GITIGNORE_H
#define GITIGNORE_H

#include <sys/stat.h>

#include "lib/buf.h"

struct ignore;

/* Rules for the tree at 'root' (a folder): its .git/info/exclude and the
 * global ignore file are read now, .gitignore files by ignore_walk() or
 * ignore_add(). */
struct ignore *ignore_new(const char *root);
void           ignore_free(struct ignore *); /* NULL does nothing */

/*
 * Adds the rules of a .gitignore text found in folder 'base' (relative
 * to the root, "" for the root itself); they apply to paths under it.
 */
void ignore_add(struct ignore *, const char *base, const char *text,
    size_t len);

/*
 * Whether 'path' (relative to the root, no leading '/') is ignored by
 * the rules, looking at this path only: ignore_walk() never descends
 * into an ignored folder, as git does not. 1 ignored, 0 not.
 */
int ignore_match(const struct ignore *, const char *path, int is_dir);

/*
 * Walks the tree: reads each visited folder's .gitignore, skips ".git"
 * anywhere and the root-relative paths in 'skip' (NULL-terminated, may
 * be NULL), skips ignored paths, and calls 'cb' for every other entry
 * that is not a folder (symlinks are not followed) with its path and
 * lstat. 'cb' returns 0 to go on. -1 on error (printed) or if 'cb'
 * stopped.
 */
typedef int ignore_walk_cb(void *arg, const char *path, const struct stat *);
int ignore_walk(struct ignore *, const char *const *skip, ignore_walk_cb *,
    void *arg);

/*
 * Appends the rules as rsync filter rules ("- PATTERN" and "+ PATTERN",
 * each ended by a NUL, for --from0) in rsync's first-match order, after
 * "- .git" and an exclusion of each path in 'skip'. Rules of every
 * .gitignore added so far take part, so call it after ignore_walk().
 * 0, or -1 with a message (printed) for a rule rsync cannot be given
 * (too many "**" parts); the others are appended all the same.
 */
int ignore_rsync_rules(const struct ignore *, const char *const *skip,
    struct buf *out);

/*
 * Appends the rules that bring back tracked files the rules ignore (git
 * add -f): 'forced' holds their root-relative paths, each ended by a
 * NUL, 'len' bytes in all. "+ /PATH" for each and "+ /DIR/" for each
 * folder above it; then "- /DIR/" + "*" for each such folder that is
 * ignored or inside an ignored one, so that the rest of it stays out
 * although rsync now enters it. They go before ignore_rsync_rules()'s,
 * after ignore_walk() has read the .gitignore files.
 */
void ignore_rsync_tracked(const struct ignore *, const char *forced, size_t len,
    struct buf *out);

/* Appends an rsync rule ("- /PATH" with 'sign' '-', or '+' / 'P') for
 * one literal root-relative path, escaped as rsync needs, NUL-ended. */
void ignore_rsync_literal(struct buf *out, char sign, const char *path,
    int is_dir);

#endif
