/* SPDX-License-Identifier: MIT */
/*
 * git's wildmatch(): shell patterns over paths, with "**" across
 * folders, the one matcher of .gitignore rules (gitignore.c).
 */
#ifndef WILDMATCH_H
#define WILDMATCH_H

#define WM_PATHNAME 0x1 /* '*' and '?' do not match '/'; "**" does */

/* git's wildmatch: 0 when 'text' matches 'pattern', else non-zero. */
int wildmatch(const char *pattern, const char *text, int flags);

#endif
