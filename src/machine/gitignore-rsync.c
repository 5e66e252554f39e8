/* SPDX-License-Identifier: MIT */
/*
 * The ignore rules (gitignore.c) as rsync filter rules.
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
 *     each is written both with and without it (2^N rules for N of
 *     them: a run of them is one, and past STARSTAR_MAX the rule is
 *     refused rather than written with another meaning); a "**" that
 *     is not a whole path part is one '*' to git; "whole" is decided
 *     by the bytes around it as git's wildmatch does, so an escaped
 *     '/' before or after it counts as a '/';
 *   - literal parts (the folder names) are escaped only when the rule
 *     has wildcards, because rsync reads backslashes only then.
 */
#include <stdlib.h>
#include <string.h>

#include "gitignore-internal.h"
#include "gitignore.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"

/* Whole "**" + "/" parts one rule may have: it becomes 2^N rsync rules.
 * git's own tests use at most three in a pattern. */
#define STARSTAR_MAX 10

static int         has_wild(const char *);
static void        add_escaped(struct buf *, const char *, int);
static void        emit_one(struct buf *, char, const char *, int);
static const char *find_starstar(const char *, size_t);
static size_t      count_starstar(const char *);
static void        emit_expanded(struct buf *, char, const char *, size_t, int);
static char       *normalize_stars(const char *, int);
static char       *unescape(const char *);
static int         emit_pattern(struct buf *, const struct plist *,
            const struct pattern *, const char *);
static int         emit_list(struct buf *, const struct plist *, const char *);
static size_t      base_depth(const char *);
static void        add_contents(struct buf *, char, const char *, size_t);

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

/*
 * The first whole-part "**" + "/" of rsync pattern 's' at or after
 * 'from', or NULL. The pattern is normalize_stars()'s, where every
 * unescaped "**" is a whole part, so this only has to step over
 * escapes: in "b\\\\/" + "**" the '/' is a real one.
 */
static const char *
find_starstar(const char *s, size_t from)
{
	for (const char *q = s; *q != '\0'; q++) {
		if (*q == '\\') {
			if (q[1] == '\0')
				break;
			q++;
			continue;
		}
		if ((size_t)(q - s) >= from && strncmp(q, "**/", 3) == 0)
			return q;
	}
	return NULL;
}

/* How many whole-part "**" + "/" rsync pattern 's' has. */
static size_t
count_starstar(const char *s)
{
	const char *q;
	size_t      n = 0, from = 0;

	while ((q = find_starstar(s, from)) != NULL) {
		n++;
		from = (size_t)(q - s) + 3;
	}
	return n;
}

/*
 * Appends "SIGN S" for rsync pattern 's' (it starts with '/'), once with
 * and once without each whole-part "**" + "/" from offset 'from' on:
 * git lets those match no folder at all, rsync does not. The caller
 * has checked that there are at most STARSTAR_MAX of them.
 */
static void
emit_expanded(struct buf *out, char sign, const char *s, size_t from,
    int dironly)
{
	const char *hit = find_starstar(s, from);
	char       *without;
	size_t      pos;

	if (hit == NULL) {
		emit_one(out, sign, s, dironly);
		return;
	}
	pos = (size_t)(hit - s);
	emit_expanded(out, sign, s, pos + 3, dironly);
	without = xasprintf("%.*s%s", (int)pos, s, hit + 3);
	emit_expanded(out, sign, without, pos, dironly);
	free(without);
}

/*
 * Collapses runs of '*' that are not a whole path part into one '*',
 * and 3 or more into "**" (rsync's "***" means something else). A part
 * is whole as git's wildmatch decides: a '/' (escaped or not) or the
 * start before it, a '/', an escaped '/' or the end after it. Of a run
 * of whole "**" parts, one is kept: "**" + "/" + "**" means what one
 * does, and each would double the rules.
 */
static char *
normalize_stars(const char *pat, int nodir)
{
	struct buf b;
	size_t     ss_end = 0; /* b.len just after the last whole "**" */

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
			    (*p == '\0' || *p == '/' ||
			        (p[0] == '\\' && p[1] == '/'));
			if (p - s >= 2 && whole && !nodir) {
				if (ss_end > 0 && b.len == ss_end + 1 &&
				    b.data[ss_end] == '/') {
					/* "**" + "/" + "**": drop the second
					 * and the '/' between. */
					b.len = ss_end;
					b.data[b.len] = '\0';
					continue;
				}
				buf_adds(&b, "**");
				ss_end = b.len;
			} else
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

/* Appends the rsync rules of one pattern of list 'l' (read from 'file',
 * for the message). 0, or -1 with a message if it has too many "**". */
static int
emit_pattern(struct buf *out, const struct plist *l, const struct pattern *p,
    const char *file)
{
	char        sign = (p->flags & IGN_NEGATE) ? '+' : '-';
	int         dironly = (p->flags & IGN_DIRONLY) != 0;
	const char *pat = p->text;
	char       *norm;
	struct buf  b;
	int         r = 0;

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
		if (count_starstar(b.data) > STARSTAR_MAX)
			r = error("'%s': the pattern '%s' has more than %d "
			          "'**/' parts, more than rig can give rsync",
			    file, p->text, STARSTAR_MAX);
		else
			emit_expanded(out, sign, b.data, 0, dironly);
	}
	buf_release(&b);
	free(norm);
	return r;
}

/* The patterns of 'l', last first. 0, or -1 with a message. */
static int
emit_list(struct buf *out, const struct plist *l, const char *file)
{
	int r = 0;

	for (size_t j = l->n; j-- > 0;)
		if (emit_pattern(out, l, &l->p[j], file) == -1)
			r = -1;
	return r;
}

/* How deep folder 'base' is: 0 for the root (""), 1 for "a", 2 for
 * "a/b". */
static size_t
base_depth(const char *base)
{
	size_t d = base[0] != '\0';

	for (const char *p = base; *p != '\0'; p++)
		d += *p == '/';
	return d;
}

int
ignore_rsync_rules(const struct ignore *ig, const char *const *skip,
    struct buf *out)
{
	size_t maxdepth = 0;
	int    r = 0;
	char  *file;

	buf_adds(out, "- .git");
	buf_add(out, "", 1);
	for (size_t i = 0; skip != NULL && skip[i] != NULL; i++)
		ignore_rsync_literal(out, '-', skip[i], 0);
	/* Deepest folders first; a folder's rules only see paths under it,
	 * so the order among folders of one depth does not matter. */
	for (size_t i = 0; i < ig->ndirs; i++)
		if (base_depth(ig->dirs[i]->base) > maxdepth)
			maxdepth = base_depth(ig->dirs[i]->base);
	for (size_t depth = maxdepth + 1; depth-- > 0;) {
		for (size_t i = 0; i < ig->ndirs; i++) {
			const struct plist *l = ig->dirs[i];

			if (base_depth(l->base) != depth)
				continue;
			file = xasprintf("%s%s.gitignore", l->base,
			    l->base[0] != '\0' ? "/" : "");
			if (emit_list(out, l, file) == -1)
				r = -1;
			free(file);
		}
	}
	if (ig->info != NULL &&
	    emit_list(out, ig->info, ".git/info/exclude") == -1)
		r = -1;
	if (ig->global != NULL &&
	    emit_list(out, ig->global, "the global ignore file") == -1)
		r = -1;
	return r;
}

/* Appends "SIGN /DIR/" + "*" for folder 'dir': what is directly in it. */
static void
add_contents(struct buf *out, char sign, const char *dir, size_t len)
{
	char *d = xstrndup(dir, len);

	buf_addf(out, "%c /", sign);
	add_escaped(out, d, 1);
	buf_adds(out, "/*");
	buf_add(out, "", 1);
	free(d);
}

void
ignore_rsync_tracked(const struct ignore *ig, const char *forced, size_t len,
    struct buf *out)
{
	const char *end = forced + len;
	char       *dir;
	int         hidden;

	for (const char *f = forced; f != NULL && f < end; f += strlen(f) + 1) {
		ignore_rsync_literal(out, '+', f, 0);
		for (const char *s = strchr(f, '/'); s != NULL;
		     s = strchr(s + 1, '/')) {
			dir = xstrndup(f, (size_t)(s - f));
			ignore_rsync_literal(out, '+', dir, 1);
			free(dir);
		}
	}
	/* Then, for each of those folders that is ignored or inside one,
	 * the rest of its contents stays out. */
	for (const char *f = forced; f != NULL && f < end; f += strlen(f) + 1) {
		hidden = 0;
		for (const char *s = strchr(f, '/'); s != NULL;
		     s = strchr(s + 1, '/')) {
			dir = xstrndup(f, (size_t)(s - f));
			if (!hidden && ignore_match(ig, dir, 1))
				hidden = 1;
			free(dir);
			if (hidden)
				add_contents(out, '-', f, (size_t)(s - f));
		}
	}
}
