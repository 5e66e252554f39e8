/* SPDX-License-Identifier: MIT */
/*
 * Text from the machine made safe for the user's terminal: a compromised
 * machine (or anyone with its login) controls what its commands print,
 * and escape sequences in it could retitle the terminal, rewrite what
 * the user sees or, in some terminals, answer back as if typed.
 */
#ifndef TERMSAFE_H
#define TERMSAFE_H

#include <stddef.h>

/*
 * Replaces, in place, each control character of the 'len' bytes at 's'
 * but newline and tab (C0, DEL, and C1 in its UTF-8 form) with '?'.
 * 's' may be NULL.
 */
void term_clean(char *s, size_t len);

/* term_clean() of a NUL-terminated string. */
void term_clean_str(char *s);

#endif
