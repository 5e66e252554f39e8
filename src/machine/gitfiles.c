/* SPDX-License-Identifier: MIT */
/*
 * The project's files from git itself: "git ls-files -z --cached
 * --others --exclude-standard" run as a child with an argv array. Why
 * ask git rather than read .gitignore files? Only git's index knows the
 * files a user committed although a rule ignores them (a sample under
 * an ignored data/ added with "git add -f"), and only git reads its
 * configuration (core.excludesFile) as git does; what rig sends is then
 * git's answer, not a second reading of the same rules that could
 * differ. rig's own reading (gitignore.c) stays for a folder that is
 * not a work tree, or a machine without git.
 *
 * What git lists is not sent as it is: a tracked file deleted here (it
 * is still in the index) or now a folder would make rsync fail or send
 * a whole folder, so each path is looked at first; a nested repository
 * (listed as "sub/") or a submodule (a folder in the index) is listed
 * by its own git, as rig's walk enters such folders too.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitfiles.h"
#include "lib/buf.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "lib/banned.h"

#define GIT_NEST_MAX 16 /* repositories inside repositories */
#define GIT_TIMEOUT_MS (10 * 60 * 1000) /* one ls-files */

/* The paths of one listing, to be sorted and made unique. */
struct paths {
	char **v;
	size_t n, cap;
};

static int  ls_files(const char *, const char *, int, struct buf *);
static int  collect(const char *, const char *, const char *, int,
     const char *const *, struct buf *, struct buf *);
static int  add_entries(const char *, const char *, const char *, int,
     const char *const *, const struct buf *, struct paths *, struct buf *,
     struct buf *);
static void paths_add(struct paths *, char *);
static int  skipped(const char *const *, const char *);
static int  cmp_path(const void *, const void *);
static void paths_flush(struct paths *, struct buf *);

char *
git_program(void)
{
	const char *env = getenv("RIG_GIT");

	if (env != NULL)
		return env[0] != '\0' ? xstrdup(env) : NULL;
	return proc_which("git", getenv("PATH"));
}

/*
 * "git ls-files" in 'dir' into 'out' (NUL-separated): the tracked and
 * the untracked files git does not ignore, or with 'ignored' the
 * tracked files its rules ignore. 0; 1 if 'dir' is not in a work tree
 * or git cannot answer (said, unless it is simply no repository); -1
 * if git could not be started (printed).
 */
static int
ls_files(const char *git, const char *dir, int ignored, struct buf *out)
{
	struct proc_result res;
	struct argv        a;
	const char        *err;
	int                r = 0;

	argv_init(&a);
	argv_add(&a, git);
	argv_add(&a, "-C");
	argv_add(&a, dir);
	argv_add(&a, "ls-files");
	argv_add(&a, "-z");
	argv_add(&a, "--cached");
	argv_add(&a, ignored ? "--ignored" : "--others");
	argv_add(&a, "--exclude-standard");
	proc_result_init(&res);
	r = proc_capture(a.v, NULL, -1, GIT_TIMEOUT_MS, &res);
	argv_release(&a);
	if (r == -1) {
		proc_result_release(&res);
		return -1;
	}
	if (res.status != 0 || res.overflow) {
		err = buf_str(&res.err);
		if (strstr(err, "not a git repository") == NULL)
			fprintf(stderr,
			    "rig: warning: git cannot list the files of "
			    "'%s' (%s): using rig's own reading of "
			    ".gitignore\n",
			    dir,
			    res.overflow         ? "too many"
			        : err[0] != '\0' ? err
			                         : "failed");
		r = 1;
	} else if (res.out.len > 0)
		buf_add(out, res.out.data, res.out.len);
	proc_result_release(&res);
	return r;
}

/* Whether 'rel' is one of 'skip' or under one. */
static int
skipped(const char *const *skip, const char *rel)
{
	for (size_t i = 0; skip != NULL && skip[i] != NULL; i++) {
		size_t n = strlen(skip[i]);

		if (strncmp(rel, skip[i], n) == 0 &&
		    (rel[n] == '\0' || rel[n] == '/'))
			return 1;
	}
	return 0;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the paths sorted, each once, to 'out', and empties 'ps'. An
 * unmerged file is in the index up to three times. */
static void
paths_flush(struct paths *ps, struct buf *out)
{
	if (ps->n > 0)
		qsort(ps->v, ps->n, sizeof(*ps->v), cmp_path);
	for (size_t i = 0; i < ps->n; i++) {
		if (i == 0 || strcmp(ps->v[i], ps->v[i - 1]) != 0)
			buf_add(out, ps->v[i], strlen(ps->v[i]) + 1);
	}
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i]);
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

/* Adds 'rel' (which 'ps' now owns). */
static void
paths_add(struct paths *ps, char *rel)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 256;
		ps->v = xrealloc(ps->v, ps->cap * sizeof(*ps->v));
	}
	ps->v[ps->n++] = rel;
}

/*
 * The entries of one listing 'list' of the repository at 'prefix' into
 * 'ps': those that are not folders and exist, or with 'files' NULL (the
 * tracked files the rules ignore, which only make rules: "sync down"
 * brings such a file back when it is gone here) also those that do not;
 * a folder that is itself a repository is collected by its own git
 * (into 'files' and 'forced' directly). 0 or -1.
 */
static int
add_entries(const char *git, const char *root, const char *prefix, int depth,
    const char *const *skip, const struct buf *list, struct paths *ps,
    struct buf *files, struct buf *forced)
{
	struct stat sb;
	const char *e, *end = list->data + list->len;
	char       *rel, *full, *dotgit;
	size_t      n;
	int         r = 0;

	for (e = list->data; r == 0 && e != NULL && e < end; e += n + 1) {
		n = strnlen(e, (size_t)(end - e));
		if (n == 0)
			continue;
		rel = xasprintf("%s%.*s", prefix, (int)n, e);
		if (rel[strlen(rel) - 1] == '/')
			rel[strlen(rel) - 1] = '\0';
		full = xasprintf("%s/%s", root, rel);
		if (skipped(skip, rel)) {
			/* rig's own */
		} else if (lstat(full, &sb) == -1) {
			/* Tracked but deleted here. */
			if (files == NULL) {
				paths_add(ps, rel);
				rel = NULL;
			}
		} else if (S_ISDIR(sb.st_mode)) {
			dotgit = xasprintf("%s/.git", full);
			if (files != NULL && depth < GIT_NEST_MAX &&
			    lstat(dotgit, &sb) == 0) {
				free(dotgit);
				dotgit = xasprintf("%s/", rel);
				r = collect(git, root, dotgit, depth + 1, skip,
				    files, forced);
				if (r == 1)
					r = 0; /* not one after all */
			}
			free(dotgit);
		} else {
			paths_add(ps, rel);
			rel = NULL;
		}
		free(full);
		free(rel);
	}
	return r;
}

/*
 * The files of the repository whose work tree has 'prefix' ("" or
 * "sub/") under 'root'. 0, 1 (not a work tree) or -1.
 */
static int
collect(const char *git, const char *root, const char *prefix, int depth,
    const char *const *skip, struct buf *files, struct buf *forced)
{
	struct buf   list, ign;
	struct paths ps, pf;
	char        *dir = xasprintf("%s/%s", root, prefix);
	int          r;

	buf_init(&list, PROC_OUTPUT_MAX);
	buf_init(&ign, PROC_OUTPUT_MAX);
	memset(&ps, 0, sizeof(ps));
	memset(&pf, 0, sizeof(pf));
	r = ls_files(git, dir, 0, &list);
	if (r == 0 && forced != NULL)
		r = ls_files(git, dir, 1, &ign);
	if (r == 0)
		r = add_entries(git, root, prefix, depth, skip, &list, &ps,
		    files, forced);
	if (r == 0 && forced != NULL)
		r = add_entries(git, root, prefix, GIT_NEST_MAX, skip, &ign,
		    &pf, NULL, NULL);
	paths_flush(&ps, files);
	if (forced != NULL)
		paths_flush(&pf, forced);
	buf_release(&list);
	buf_release(&ign);
	free(dir);
	return r;
}

int
git_files(const char *root, const char *const *skip, struct buf *files,
    struct buf *forced)
{
	char  *git = git_program();
	size_t flen = files->len, glen = forced != NULL ? forced->len : 0;
	int    r;

	if (git == NULL)
		return 1;
	r = collect(git, root, "", 0, skip, files, forced);
	free(git);
	if (r != 0) {
		/* Nothing half-listed. */
		files->len = flen;
		if (files->data != NULL)
			files->data[flen] = '\0';
		if (forced != NULL && forced->data != NULL) {
			forced->len = glen;
			forced->data[glen] = '\0';
		}
	}
	return r;
}
