/* SPDX-License-Identifier: MIT */
/*
 * git's ignore rules in C: the .gitignore of each folder the walk
 * visits, .git/info/exclude, the user's global file; negations, "dir/"
 * rules, patterns anchored by a slash, and no file comes back from
 * inside an ignored folder, as with git, because the walk never enters
 * one. Patterns are matched by wildmatch.c; gitignore-rsync.c writes
 * the same rules as rsync filters.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitignore-internal.h"
#include "gitignore.h"
#include "lib/log.h"
#include "lib/util.h"
#include "wildmatch.h"

#define IGNORE_DEPTH_MAX 256 /* folders deep */

static void          plist_parse(struct plist *, const char *, size_t);
static struct plist *plist_new(const char *);
static void          plist_free(struct plist *);
static struct plist *find_dir(const struct ignore *, const char *, size_t);
static int           match_list(const struct plist *, const char *, int, int *);
static int  walk_dir(struct ignore *, const char *, char *, size_t, int,
     const char *const *, ignore_walk_cb *, void *);
static void read_into(struct ignore *, struct plist **, const char *);
static int  skipped(const char *const *, const char *);
static int  lone_backslash(const char *, size_t);

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

/* Whether the 'n' bytes of 's' end in an odd run of backslashes. */
static int
lone_backslash(const char *s, size_t n)
{
	size_t bs = 0;

	while (bs < n && s[n - 1 - bs] == '\\')
		bs++;
	return bs % 2 == 1;
}

/*
 * git's reading of one file: a UTF-8 byte order mark at its start is
 * skipped, lines end at '\n' (a '\r' before it goes), '#' starts a
 * comment line, trailing spaces go unless escaped, '!' negates, a
 * trailing '/' means folders only, and a pattern with no other '/'
 * matches the last part of a path at any depth. A pattern that ends in
 * a lone backslash matches nothing in git (its wildmatch finds nothing
 * to escape), so it is dropped here rather than handed to rsync, which
 * would compare the backslash literally.
 */
static void
plist_parse(struct plist *l, const char *text, size_t len)
{
	const char *line = text, *end = text + len, *nl;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		line += 3;
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
		if (n == 0 || lone_backslash(s, n)) {
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
