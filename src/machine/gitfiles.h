/* SPDX-License-Identifier: MIT */
/*
 * The project's files as git itself lists them, for rig sync: when the
 * project folder is in a git work tree and git is installed, the files
 * git tracks (from its index, also those under an ignored folder added
 * with "git add -f") and the untracked files it does not ignore, from
 * "git ls-files". Without git, or outside a work tree, the caller uses
 * rig's own reading of the rules (gitignore.c) instead.
 */
#ifndef GITFILES_H
#define GITFILES_H

#include "lib/buf.h"

/*
 * Which git to run: $RIG_GIT if set (empty: none, so that rig's own
 * rules are used), else "git" on $PATH. NULL if none. Caller frees
 * result.
 */
char *git_program(void);

/*
 * Lists the files of the folder 'root' as git sees them into 'files',
 * each root-relative path ended by a NUL (for rsync's --files-from with
 * --from0): tracked files and the untracked ones git does not ignore,
 * only those that exist here and are not folders, without the paths in
 * 'skip' (root-relative, NULL-terminated, may be NULL) and what is under
 * them, each once. A nested repository or submodule is listed by its
 * own git. 'forced' (may be NULL) gets, the same way, the tracked files
 * git's ignore rules would ignore, also those gone here. Returns 0, 1 if there
 * is no git or 'root' is not in a work tree (nothing appended), -1 with a
 * message.
 */
int git_files(const char *root, const char *const *skip, struct buf *files,
    struct buf *forced);

#endif
