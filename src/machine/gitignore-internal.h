/* SPDX-License-Identifier: MIT */
/*
 * The rules as gitignore.c holds them, for gitignore-rsync.c, which
 * writes them as rsync filters. Only those two include this.
 */
#ifndef GITIGNORE_INTERNAL_H
#define GITIGNORE_INTERNAL_H

#include <limits.h>
#include <stddef.h>

#define IGN_NEGATE 0x1
#define IGN_DIRONLY 0x2
#define IGN_NODIR 0x4 /* no slash: matched against the last part */

#define IGNORE_FILE_MAX (4 * 1024 * 1024) /* bytes of one ignore file */
#define IGNORE_TEXT_MAX (IGNORE_FILE_MAX + PATH_MAX + 16) /* one rule */

struct pattern {
	char *text; /* as matched: no '!', no trailing '/' */
	int   flags;
};

/* The rules of one file, applying under 'base'. */
struct plist {
	char           *base; /* "" or "a/b" */
	struct pattern *p;
	size_t          n, cap;
};

struct ignore {
	char          *root;
	struct plist **dirs; /* .gitignore files, sorted by base */
	size_t         ndirs, capdirs;
	struct plist  *info, *global;
};

#endif
