/* SPDX-License-Identifier: MIT */
/*
 * git's ignore rules in C, and their translation into rsync filters.
 *
 * Why not rsync's own ":- .gitignore" merge? rsync reads such files as
 * its own rules: "!" clears the list instead of negating, an unanchored
 * "a/b" matches at any depth, and .git/info/exclude is unknown to it.
 * Why not a list of files (--files-from)? Then --delete could not spare
 * ignored files that exist only on the far side (build output, data),
 * and listing a machine's huge ignored folders would cost a walk of
 * them. So rig reads the rules as git does, walks the local tree with
 * them (never descending into an ignored folder, as git), and writes
 * them as rsync rules, which rsync then applies on both ends:
 *
 *   - order: git takes the last matching line of the deepest .gitignore,
 *     then info/exclude, then the global file; rsync takes the first
 *     match, so files go deepest first and lines last first;
 *   - scope: a rule of sub/.gitignore only sees paths under sub/, so
 *     "x" becomes "/sub/x" and "/sub/STARSTAR/x", and "a/b" becomes
 *     "/sub/a/b" (git anchors a pattern with a slash, rsync does not);
 *   - STARSTAR ("**" as a whole path part): followed by a '/', git's
 *     also matches no folder at all, rsync's needs one character, so
 *     each is written both with and without it; a "**" that is not a
 *     whole path part is one '*' to git;
 *   - literal parts (the folder names) are escaped only when the rule
 *     has wildcards, because rsync reads backslashes only then.
 *
 * wildmatch() follows git's wildmatch.c (itself from rsync), so a
 * pattern means the same to the walk as to the transfer.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitignore.h"
#include "lib/log.h"
#include "lib/util.h"

#define WM_MATCH 0
#define WM_NOMATCH 1
#define WM_ABORT_ALL (-1)
#define WM_ABORT_TO_STARSTAR (-2)

#define IGN_NEGATE 0x1
#define IGN_DIRONLY 0x2
#define IGN_NODIR 0x4 /* no slash: matched against the last part */

#define IGNORE_FILE_MAX (4 * 1024 * 1024) /* bytes of one ignore file */
#define IGNORE_DEPTH_MAX 256 /* folders deep */
#define STARSTAR_MAX 6 /* "**" + "/" expanded per rule (2^N rules) */
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

static int           dowild(const unsigned char *, const unsigned char *,
              const unsigned char *, int);
static int           match_class(const unsigned char **, unsigned char, int *);
static void          plist_parse(struct plist *, const char *, size_t);
static struct plist *plist_new(const char *);
static void          plist_free(struct plist *);
static struct plist *find_dir(const struct ignore *, const char *, size_t);
static int           match_list(const struct plist *, const char *, int, int *);
static int         walk_dir(struct ignore *, const char *, char *, size_t, int,
            const char *const *, ignore_walk_cb *, void *);
static void        read_into(struct ignore *, struct plist **, const char *);
static void        emit_pattern(struct buf *, const struct plist *,
           const struct pattern *);
static void        emit_one(struct buf *, char, const char *, int);
static const char *find_starstar(const char *, size_t);
static char       *normalize_stars(const char *, int);
static char       *unescape(const char *);
static int         skipped(const char *const *, const char *);
static void emit_expanded(struct buf *, char, const char *, size_t, int, int);
static int  has_wild(const char *);
static void add_escaped(struct buf *, const char *, int);

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

static struct plist *
plist_new(const char *base)
{
	struct plist *l = xcalloc(1, sizeof(*l));

	l->base = xstrdup(base);
	return l;
}

static void
plist_free(struct plist *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->p[i].text);
	free(l->p);
	free(l->base);
	free(l);
}

/*
 * git's reading of one file: lines end at '\n' (a '\r' before it goes),
 * '#' starts a comment line, trailing spaces go unless escaped, '!'
 * negates, a trailing '/' means folders only, and a pattern with no
 * other '/' matches the last part of a path at any depth.
 */
static void
plist_parse(struct plist *l, const char *text, size_t len)
{
	const char *line = text, *end = text + len, *nl;

	for (; line < end; line = nl + 1) {
		size_t n;
		char  *s;
		int    flags = 0;

		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		s = xstrndup(line, n);
		if (strlen(s) != n) { /* a NUL inside: git stops there */
			n = strlen(s);
		}
		/* Trailing spaces, unless the last is escaped. */
		while (n > 0 && s[n - 1] == ' ') {
			size_t bs = 0;

			while (bs + 1 < n && s[n - 2 - bs] == '\\')
				bs++;
			if (bs % 2 == 1)
				break;
			s[--n] = '\0';
		}
		if (s[0] == '!') {
			flags |= IGN_NEGATE;
			memmove(s, s + 1, n--);
		}
		if (n > 0 && s[n - 1] == '/') {
			flags |= IGN_DIRONLY;
			s[--n] = '\0';
		}
		if (n == 0) {
			free(s);
			continue;
		}
		if (strchr(s, '/') == NULL)
			flags |= IGN_NODIR;
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->p = xrealloc(l->p, l->cap * sizeof(*l->p));
		}
		l->p[l->n].text = s;
		l->p[l->n].flags = flags;
		l->n++;
	}
}

static void
read_into(struct ignore *ig, struct plist **lp, const char *path)
{
	size_t len;
	char  *text = read_file(path, IGNORE_FILE_MAX, &len);

	(void)ig;
	if (text == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			log_warnx("cannot read '%s': %s", path,
			    strerror(errno));
		return;
	}
	if (*lp == NULL)
		*lp = plist_new("");
	plist_parse(*lp, text, len);
	free(text);
}

struct ignore *
ignore_new(const char *root)
{
	struct ignore *ig = xcalloc(1, sizeof(*ig));
	const char    *xdg = getenv("XDG_CONFIG_HOME"), *home;
	char          *path;

	ig->root = xstrdup(root);
	path = xasprintf("%s/.git/info/exclude", root);
	read_into(ig, &ig->info, path);
	free(path);
	/* git's default core.excludesFile (a path set in gitconfig is
	 * not read). */
	home = getenv("HOME");
	if (xdg != NULL && xdg[0] == '/')
		path = xasprintf("%s/git/ignore", xdg);
	else if (home != NULL && home[0] == '/')
		path = xasprintf("%s/.config/git/ignore", home);
	else
		path = NULL;
	if (path != NULL)
		read_into(ig, &ig->global, path);
	free(path);
	return ig;
}

void
ignore_free(struct ignore *ig)
{
	if (ig == NULL)
		return;
	for (size_t i = 0; i < ig->ndirs; i++)
		plist_free(ig->dirs[i]);
	free(ig->dirs);
	plist_free(ig->info);
	plist_free(ig->global);
	free(ig->root);
	free(ig);
}

/* The list of folder 'base' (its first 'len' bytes), by binary search. */
static struct plist *
find_dir(const struct ignore *ig, const char *base, size_t len)
{
	size_t lo = 0, hi = ig->ndirs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int    c = strncmp(ig->dirs[mid]->base, base, len);

		if (c == 0 && ig->dirs[mid]->base[len] != '\0')
			c = 1;
		if (c == 0)
			return ig->dirs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
ignore_add(struct ignore *ig, const char *base, const char *text, size_t len)
{
	struct plist *l = find_dir(ig, base, strlen(base));
	size_t        i;

	if (l == NULL) {
		l = plist_new(base);
		if (ig->ndirs == ig->capdirs) {
			ig->capdirs = ig->capdirs ? 2 * ig->capdirs : 16;
			ig->dirs =
			    xrealloc(ig->dirs, ig->capdirs * sizeof(*ig->dirs));
		}
		for (i = ig->ndirs;
		     i > 0 && strcmp(ig->dirs[i - 1]->base, base) > 0; i--)
			ig->dirs[i] = ig->dirs[i - 1];
		ig->dirs[i] = l;
		ig->ndirs++;
	}
	plist_parse(l, text, len);
}

/* 1 if a pattern of 'l' decides 'path' (*ignored set), else 0. */
static int
match_list(const struct plist *l, const char *path, int is_dir, int *ignored)
{
	size_t      blen = strlen(l->base);
	const char *rel = path, *last;

	if (blen > 0) {
		if (strncmp(path, l->base, blen) != 0 || path[blen] != '/')
			return 0;
		rel = path + blen + 1;
	}
	last = strrchr(rel, '/');
	last = last != NULL ? last + 1 : rel;
	for (size_t i = l->n; i-- > 0;) {
		const struct pattern *p = &l->p[i];
		const char           *pat = p->text;

		if ((p->flags & IGN_DIRONLY) && !is_dir)
			continue;
		if (p->flags & IGN_NODIR) {
			if (wildmatch(pat, last, WM_PATHNAME) != 0)
				continue;
		} else {
			if (pat[0] == '/')
				pat++;
			if (wildmatch(pat, rel, WM_PATHNAME) != 0)
				continue;
		}
		*ignored = !(p->flags & IGN_NEGATE);
		return 1;
	}
	return 0;
}

int
ignore_match(const struct ignore *ig, const char *path, int is_dir)
{
	const struct plist *l;
	size_t              len = strlen(path);
	int                 ignored = 0;

	/* Deepest .gitignore first: the folders of 'path', then the root. */
	for (size_t i = len; i-- > 0;) {
		if (path[i] != '/')
			continue;
		l = find_dir(ig, path, i);
		if (l != NULL && match_list(l, path, is_dir, &ignored))
			return ignored;
	}
	l = find_dir(ig, "", 0);
	if (l != NULL && match_list(l, path, is_dir, &ignored))
		return ignored;
	if (ig->info != NULL && match_list(ig->info, path, is_dir, &ignored))
		return ignored;
	if (ig->global != NULL &&
	    match_list(ig->global, path, is_dir, &ignored))
		return ignored;
	return 0;
}

/* Whether 'rel' is one of 'skip'. */
static int
skipped(const char *const *skip, const char *rel)
{
	for (size_t i = 0; skip != NULL && skip[i] != NULL; i++)
		if (strcmp(skip[i], rel) == 0)
			return 1;
	return 0;
}

/*
 * One folder: 'rel' holds its path relative to the root ("" for the
 * root) in a PATH_MAX buffer of which 'len' bytes are used.
 */
static int
walk_dir(struct ignore *ig, const char *root, char *rel, size_t len, int depth,
    const char *const *skip, ignore_walk_cb *cb, void *arg)
{
	DIR           *d;
	struct dirent *e;
	struct stat    sb;
	char          *full, *gi;
	size_t         glen;
	int            ret = 0;

	if (depth > IGNORE_DEPTH_MAX)
		return error("'%s/%s': folders nested too deep", root, rel);
	full = len > 0 ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	gi = xasprintf("%s/.gitignore", full);
	if (lstat(gi, &sb) == 0 && S_ISREG(sb.st_mode)) {
		char *text = read_file(gi, IGNORE_FILE_MAX, &glen);

		if (text != NULL) {
			ignore_add(ig, rel, text, glen);
			free(text);
		} else
			log_warnx("cannot read '%s': %s", gi, strerror(errno));
	}
	free(gi);
	d = opendir(full);
	if (d == NULL) {
		ret =
		    error("cannot read folder '%s': %s", full, strerror(errno));
		free(full);
		return ret;
	}
	while (ret == 0 && (errno = 0, e = readdir(d)) != NULL) {
		size_t nlen = strlen(e->d_name), sub;
		char  *path;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strcmp(e->d_name, ".git") == 0)
			continue;
		if (len + 1 + nlen + 1 > PATH_MAX) {
			ret = error("path too long under '%s'", full);
			break;
		}
		sub = len;
		if (len > 0)
			rel[sub++] = '/';
		memcpy(rel + sub, e->d_name, nlen + 1);
		if (skipped(skip, rel)) {
			rel[len] = '\0';
			continue;
		}
		path = xasprintf("%s/%s", full, e->d_name);
		if (lstat(path, &sb) == -1) {
			/* Gone while we looked: not an error. */
			free(path);
			rel[len] = '\0';
			continue;
		}
		free(path);
		if (!ignore_match(ig, rel, S_ISDIR(sb.st_mode))) {
			if (S_ISDIR(sb.st_mode))
				ret = walk_dir(ig, root, rel, sub + nlen,
				    depth + 1, skip, cb, arg);
			else
				ret = cb(arg, rel, &sb);
		}
		rel[len] = '\0';
	}
	if (ret == 0 && errno != 0)
		ret =
		    error("cannot read folder '%s': %s", full, strerror(errno));
	closedir(d);
	free(full);
	return ret;
}

int
ignore_walk(struct ignore *ig, const char *const *skip, ignore_walk_cb *cb,
    void *arg)
{
	char rel[PATH_MAX];

	rel[0] = '\0';
	return walk_dir(ig, ig->root, rel, 0, 0, skip, cb, arg);
}

static int
has_wild(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Appends 's', escaping rsync's wildcard characters if 'wild'. */
static void
add_escaped(struct buf *b, const char *s, int wild)
{
	for (; *s != '\0'; s++) {
		if (wild && strchr("*?[\\", *s) != NULL)
			buf_add(b, "\\", 1);
		buf_add(b, s, 1);
	}
}

void
ignore_rsync_literal(struct buf *out, char sign, const char *path, int is_dir)
{
	buf_addf(out, "%c /", sign);
	add_escaped(out, path, has_wild(path));
	if (is_dir)
		buf_adds(out, "/");
	buf_add(out, "", 1);
}

/*
 * Appends "SIGN S" ('s' with git's escapes, wildcard characters of
 * literal parts escaped): as it is if it has a '*', '?' or '[' (even an
 * escaped one: that is what makes rsync read it as a wildcard pattern,
 * where backslashes escape), else with the escapes removed, since rsync
 * compares such a pattern byte for byte.
 */
static void
emit_one(struct buf *out, char sign, const char *s, int dironly)
{
	char *lit = has_wild(s) ? xstrdup(s) : unescape(s);

	buf_addf(out, "%c %s%s", sign, lit, dironly ? "/" : "");
	buf_add(out, "", 1);
	free(lit);
}

/* The first whole-part "**" + "/" of rsync pattern 's' at or after
 * 'from' (one that follows a '/'), or NULL. */
static const char *
find_starstar(const char *s, size_t from)
{
	for (const char *q = strstr(s + from, "**/"); q != NULL;
	     q = strstr(q + 1, "**/"))
		if (q > s && q[-1] == '/' && (q - 1 == s || q[-2] != '\\'))
			return q;
	return NULL;
}

/*
 * Appends "SIGN S" for rsync pattern 's' (it starts with '/'), once with
 * and once without each whole-part "**" + "/" from offset 'from' on:
 * git lets those match no folder at all, rsync does not.
 */
static void
emit_expanded(struct buf *out, char sign, const char *s, size_t from,
    int dironly, int budget)
{
	const char *hit = find_starstar(s, from);
	char       *without;
	size_t      pos;

	if (hit == NULL || budget == 0) {
		emit_one(out, sign, s, dironly);
		return;
	}
	pos = (size_t)(hit - s);
	emit_expanded(out, sign, s, pos + 3, dironly, budget - 1);
	without = xasprintf("%.*s%s", (int)pos, s, hit + 3);
	emit_expanded(out, sign, without, pos, dironly, budget - 1);
	free(without);
}

/* Collapses runs of '*' that are not a whole path part into one '*',
 * and 3 or more into "**" (rsync's "***" means something else). */
static char *
normalize_stars(const char *pat, int nodir)
{
	struct buf b;

	buf_init(&b, IGNORE_TEXT_MAX);
	for (const char *p = pat; *p != '\0';) {
		if (*p == '\\' && p[1] != '\0') {
			buf_add(&b, p, 2);
			p += 2;
			continue;
		}
		if (*p == '*') {
			const char *s = p;
			int         whole;

			while (*p == '*')
				p++;
			whole = (s == pat || s[-1] == '/') &&
			    (*p == '\0' || *p == '/');
			if (p - s >= 2 && whole && !nodir)
				buf_adds(&b, "**");
			else
				buf_adds(&b, "*");
			continue;
		}
		buf_add(&b, p, 1);
		p++;
	}
	return buf_detach(&b, NULL);
}

/* Removes git's escapes from a pattern that has no wildcards. */
static char *
unescape(const char *pat)
{
	struct buf b;

	buf_init(&b, IGNORE_TEXT_MAX);
	for (const char *p = pat; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		buf_add(&b, p, 1);
	}
	return buf_detach(&b, NULL);
}

static void
emit_pattern(struct buf *out, const struct plist *l, const struct pattern *p)
{
	char        sign = (p->flags & IGN_NEGATE) ? '+' : '-';
	int         dironly = (p->flags & IGN_DIRONLY) != 0;
	const char *pat = p->text;
	char       *norm;
	struct buf  b;

	if (!(p->flags & IGN_NODIR) && pat[0] == '/')
		pat++;
	norm = normalize_stars(pat, p->flags & IGN_NODIR);
	buf_init(&b, IGNORE_TEXT_MAX);
	if ((p->flags & IGN_NODIR) && l->base[0] == '\0') {
		/* No '/': rsync too matches the last part at any depth. */
		buf_adds(&b, norm);
		emit_one(out, sign, b.data, dironly);
	} else {
		buf_adds(&b, "/");
		if (l->base[0] != '\0') {
			add_escaped(&b, l->base, 1);
			buf_adds(&b, "/");
		}
		/* Under BASE at any depth: "/BASE/" + "**" + "/NAME" stands
		 * for both that and "/BASE/NAME". */
		if (p->flags & IGN_NODIR)
			buf_adds(&b, "**/");
		buf_adds(&b, norm);
		emit_expanded(out, sign, b.data, 0, dironly, STARSTAR_MAX);
	}
	buf_release(&b);
	free(norm);
}

void
ignore_rsync_rules(const struct ignore *ig, const char *const *skip,
    struct buf *out)
{
	size_t maxdepth = 0;

	buf_adds(out, "- .git");
	buf_add(out, "", 1);
	for (size_t i = 0; skip != NULL && skip[i] != NULL; i++)
		ignore_rsync_literal(out, '-', skip[i], 0);
	/* Deepest folders first; a folder's rules only see paths under it,
	 * so the order among folders of one depth does not matter. */
	for (size_t i = 0; i < ig->ndirs; i++) {
		size_t d = 0;

		for (const char *p = ig->dirs[i]->base; *p != '\0'; p++)
			d += *p == '/';
		if (ig->dirs[i]->base[0] != '\0')
			d++;
		if (d > maxdepth)
			maxdepth = d;
	}
	for (size_t depth = maxdepth + 1; depth-- > 0;) {
		for (size_t i = 0; i < ig->ndirs; i++) {
			const struct plist *l = ig->dirs[i];
			size_t              d = 0;

			for (const char *p = l->base; *p != '\0'; p++)
				d += *p == '/';
			if (l->base[0] != '\0')
				d++;
			if (d != depth)
				continue;
			for (size_t j = l->n; j-- > 0;)
				emit_pattern(out, l, &l->p[j]);
		}
	}
	if (ig->info != NULL)
		for (size_t j = ig->info->n; j-- > 0;)
			emit_pattern(out, ig->info, &ig->info->p[j]);
	if (ig->global != NULL)
		for (size_t j = ig->global->n; j-- > 0;)
			emit_pattern(out, ig->global, &ig->global->p[j]);
}
