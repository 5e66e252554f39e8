/* SPDX-License-Identifier: MIT */
/*
 * The records of the last sync (sync-manifest.h), kept sorted by path
 * for lookups: a header "MAGIC KEY" and then "SIZE SEC NSEC PATH" a
 * record, each ended by a NUL, since paths may hold newlines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "sync-manifest.h"

#define MANIFEST_MAGIC "rig-sync-manifest 1"

static void manifest_sort(struct manifest *);
static int  cmp_entry(const void *, const void *);

void
manifest_add(struct manifest *mf, const char *path, int64_t size, int64_t s,
    long ns)
{
	if (mf->n == mf->cap) {
		mf->cap = mf->cap ? 2 * mf->cap : 256;
		mf->e = xrealloc(mf->e, mf->cap * sizeof(*mf->e));
	}
	mf->e[mf->n].path = xstrdup(path);
	mf->e[mf->n].size = size;
	mf->e[mf->n].mtime_s = s;
	mf->e[mf->n].mtime_ns = ns;
	mf->n++;
	mf->sorted = 0;
}

void
manifest_free(struct manifest *mf)
{
	for (size_t i = 0; i < mf->n; i++)
		free(mf->e[i].path);
	free(mf->e);
	memset(mf, 0, sizeof(*mf));
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->path,
	    ((const struct manifest_entry *)b)->path);
}

static void
manifest_sort(struct manifest *mf)
{
	if (!mf->sorted && mf->n > 0)
		qsort(mf->e, mf->n, sizeof(*mf->e), cmp_entry);
	mf->sorted = 1;
}

struct manifest_entry *
manifest_find(struct manifest *mf, const char *path)
{
	struct manifest_entry key;

	manifest_sort(mf);
	key.path = (char *)path;
	if (mf->n == 0)
		return NULL;
	return bsearch(&key, mf->e, mf->n, sizeof(*mf->e), cmp_entry);
}

int
manifest_load(struct manifest *mf, const char *path, const char *key)
{
	char  *text, *p, *end, *hdr;
	size_t len;

	memset(mf, 0, sizeof(*mf));
	text = read_file(path, MANIFEST_MAX, &len);
	if (text == NULL)
		return errno == ENOENT
		    ? 0
		    : error("cannot read '%s': %s", path, strerror(errno));
	hdr = xasprintf("%s %s", MANIFEST_MAGIC, key);
	end = text + len;
	if (strnlen(text, len) == len || strcmp(text, hdr) != 0) {
		free(hdr);
		free(text);
		return 0;
	}
	for (p = text + strlen(text) + 1; p < end; p += strlen(p) + 1) {
		long long size, s, ns;
		char     *q;

		if (strnlen(p, (size_t)(end - p)) == (size_t)(end - p))
			break; /* no NUL: a torn last record */
		size = strtoll(p, &q, 10);
		if (*q != ' ')
			continue;
		s = strtoll(q + 1, &q, 10);
		if (*q != ' ')
			continue;
		ns = strtoll(q + 1, &q, 10);
		if (*q != ' ' || q[1] == '\0')
			continue;
		manifest_add(mf, q + 1, size, s, (long)ns);
	}
	free(hdr);
	free(text);
	return 0;
}

int
manifest_save(struct manifest *mf, const char *path, const char *key)
{
	struct buf b;
	int        r;

	buf_init(&b, MANIFEST_MAX);
	buf_addf(&b, "%s %s", MANIFEST_MAGIC, key);
	buf_add(&b, "", 1);
	manifest_sort(mf);
	for (size_t i = 0; i < mf->n; i++) {
		if (buf_addf(&b, "%lld %lld %ld %s", (long long)mf->e[i].size,
		        (long long)mf->e[i].mtime_s, mf->e[i].mtime_ns,
		        mf->e[i].path) == -1 ||
		    buf_add(&b, "", 1) == -1) {
			buf_release(&b);
			return error("too many files to record in '%s'", path);
		}
	}
	r = write_file_atomic(path, b.data, b.len, 0600);
	if (r == -1)
		error("cannot write '%s': %s", path, strerror(errno));
	buf_release(&b);
	return r;
}
