/* SPDX-License-Identifier: MIT */
/*
 * wildmatch() as git's wildmatch.c (itself from rsync) has it, so that a
 * .gitignore pattern means the same to rig's walk as to git, and as to
 * rsync when the rules become its filters: '*' and '?' stop at '/' with
 * WM_PATHNAME, "**" as a whole path part crosses folders, character
 * classes ("[a-z]", "[!x]", "[[:alpha:]]") and backslash escapes.
 */
#include <string.h>

#include "wildmatch.h"
#include "lib/banned.h"

#define WM_MATCH 0
#define WM_NOMATCH 1
#define WM_ABORT_ALL (-1)
#define WM_ABORT_TO_STARSTAR (-2)

static int dowild(const unsigned char *, const unsigned char *,
    const unsigned char *, int);
static int match_class(const unsigned char **, unsigned char, int *);

/*
 * One character class at *pp (just after '['); on return *pp is at its
 * closing ']'. Sets *matched if 'c' is in it. WM_ABORT_ALL if the class
 * is malformed (no ']').
 */
static int
match_class(const unsigned char **pp, unsigned char c, int *matched)
{
	const unsigned char *p = *pp, *s;
	unsigned char        pc = *p, prev = 0;

	*matched = 0;
	do {
		if (pc == '\0')
			return WM_ABORT_ALL;
		if (pc == '\\') {
			pc = *++p;
			if (pc == '\0')
				return WM_ABORT_ALL;
			if (c == pc)
				*matched = 1;
		} else if (pc == '-' && prev != 0 && p[1] != '\0' &&
		    p[1] != ']') {
			pc = *++p;
			if (pc == '\\') {
				pc = *++p;
				if (pc == '\0')
					return WM_ABORT_ALL;
			}
			if (c <= pc && c >= prev)
				*matched = 1;
			pc = 0; /* no range starts at a range's end */
		} else if (pc == '[' && p[1] == ':') {
			size_t len;

			for (s = p += 2; (pc = *p) != '\0' && pc != ']'; p++)
				;
			if (pc == '\0')
				return WM_ABORT_ALL;
			len = (size_t)(p - s);
			if (len == 0 || p[-1] != ':') {
				/* Not "[:name:]": a plain '['. */
				p = s - 2;
				pc = '[';
				if (c == pc)
					*matched = 1;
				continue;
			}
			len--;
#define CC(name) (len == strlen(name) && memcmp(s, name, len) == 0)
			if (CC("alnum")) {
				if ((c >= 'a' && c <= 'z') ||
				    (c >= 'A' && c <= 'Z') ||
				    (c >= '0' && c <= '9'))
					*matched = 1;
			} else if (CC("alpha")) {
				if ((c >= 'a' && c <= 'z') ||
				    (c >= 'A' && c <= 'Z'))
					*matched = 1;
			} else if (CC("blank")) {
				if (c == ' ' || c == '\t')
					*matched = 1;
			} else if (CC("cntrl")) {
				if (c < 0x20 || c == 0x7f)
					*matched = 1;
			} else if (CC("digit")) {
				if (c >= '0' && c <= '9')
					*matched = 1;
			} else if (CC("graph")) {
				if (c > 0x20 && c < 0x7f)
					*matched = 1;
			} else if (CC("lower")) {
				if (c >= 'a' && c <= 'z')
					*matched = 1;
			} else if (CC("print")) {
				if (c >= 0x20 && c < 0x7f)
					*matched = 1;
			} else if (CC("punct")) {
				if (c > 0x20 && c < 0x7f &&
				    !((c >= 'a' && c <= 'z') ||
				        (c >= 'A' && c <= 'Z') ||
				        (c >= '0' && c <= '9')))
					*matched = 1;
			} else if (CC("space")) {
				if (c == ' ' || (c >= '\t' && c <= '\r'))
					*matched = 1;
			} else if (CC("upper")) {
				if (c >= 'A' && c <= 'Z')
					*matched = 1;
			} else if (CC("xdigit")) {
				if ((c >= '0' && c <= '9') ||
				    (c >= 'a' && c <= 'f') ||
				    (c >= 'A' && c <= 'F'))
					*matched = 1;
			} else
				return WM_ABORT_ALL;
#undef CC
			pc = 0;
		} else if (c == pc)
			*matched = 1;
	} while (prev = pc, (pc = *++p) != ']');
	*pp = p;
	return 0;
}

/* git's dowild(): 'start' is the pattern's first byte, for "**" rules. */
static int
dowild(const unsigned char *start, const unsigned char *p,
    const unsigned char *text, int flags)
{
	unsigned char tc, pc;
	int           matched, match_slash, negated;

	for (; (pc = *p) != '\0'; text++, p++) {
		if ((tc = *text) == '\0' && pc != '*')
			return WM_ABORT_ALL;
		switch (pc) {
		case '\\':
			/* The next byte literally ('\0' never matches). */
			pc = *++p;
			if (tc != pc)
				return WM_NOMATCH;
			break;
		case '?':
			if ((flags & WM_PATHNAME) && tc == '/')
				return WM_NOMATCH;
			break;
		case '*':
			if (*++p == '*') {
				const unsigned char *prev = p - 2;

				while (*++p == '*')
					;
				if ((prev < start || *prev == '/') &&
				    (*p == '\0' || *p == '/' ||
				        (p[0] == '\\' && p[1] == '/'))) {
					/* A whole "**" part: first try it
					 * as no folder at all. */
					if (p[0] == '/' &&
					    dowild(start, p + 1, text, flags) ==
					        WM_MATCH)
						return WM_MATCH;
					match_slash = 1;
				} else
					match_slash = !(flags & WM_PATHNAME);
			} else
				match_slash = !(flags & WM_PATHNAME);
			if (*p == '\0') {
				if (!match_slash &&
				    strchr((const char *)text, '/') != NULL)
					return WM_NOMATCH;
				return WM_MATCH;
			}
			if (!match_slash && *p == '/') {
				const char *slash;

				slash = strchr((const char *)text, '/');
				if (slash == NULL)
					return WM_NOMATCH;
				text = (const unsigned char *)slash;
				break; /* the loop matches the '/' */
			}
			for (;;) {
				if (tc == '\0')
					break;
				matched = dowild(start, p, text, flags);
				if (matched != WM_NOMATCH) {
					if (!match_slash ||
					    matched != WM_ABORT_TO_STARSTAR)
						return matched;
				} else if (!match_slash && tc == '/')
					return WM_ABORT_TO_STARSTAR;
				tc = *++text;
			}
			return WM_ABORT_ALL;
		case '[':
			pc = *++p;
			if (pc == '^')
				pc = '!';
			negated = pc == '!';
			if (negated)
				++p;
			if (match_class(&p, tc, &matched) != 0)
				return WM_ABORT_ALL;
			if (matched == negated ||
			    ((flags & WM_PATHNAME) && tc == '/'))
				return WM_NOMATCH;
			break;
		default:
			if (tc != pc)
				return WM_NOMATCH;
			break;
		}
	}
	return *text != '\0' ? WM_NOMATCH : WM_MATCH;
}

int
wildmatch(const char *pattern, const char *text, int flags)
{
	const unsigned char *p = (const unsigned char *)pattern;

	return dowild(p, p, (const unsigned char *)text, flags) == WM_MATCH ? 0
	                                                                    : 1;
}
