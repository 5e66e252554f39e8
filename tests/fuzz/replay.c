/* SPDX-License-Identifier: MIT */
/*
 * Corpus replay for the fuzz targets when they are built without libFuzzer
 * (gcc, `make test`): runs LLVMFuzzerTestOneInput() once over every file in
 * the directories (or files) given as arguments, or by default over
 * tests/fuzz/corpus/NAME/ where the program is called fuzz-NAME. A broken
 * invariant aborts inside the target; a clean run prints
 * "fuzz-NAME: N inputs ok". Built with -DRIG_LIBFUZZER this file is empty,
 * since libFuzzer brings its own main().
 */
#include <stddef.h>
#include <stdint.h>

#ifndef RIG_LIBFUZZER

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Inputs larger than this are not replayed (libFuzzer's default -max_len
 * is far smaller; this only keeps a stray file from eating memory). */
#define REPLAY_MAX_INPUT (16 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *progname = "fuzz";

/* Returns the last component of 'path'. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Reads all of 'path' into a new buffer of exactly its size (so ASan
 * catches reads past the end); NULL on error. Caller frees result. */
static uint8_t *
slurp(const char *path, size_t *lenp)
{
	FILE    *f;
	uint8_t *data;
	long     len;

	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1) {
		fclose(f);
		return NULL;
	}
	if (len > REPLAY_MAX_INPUT) {
		fclose(f);
		errno = EFBIG;
		return NULL;
	}
	data = malloc(len > 0 ? (size_t)len : 1);
	if (data == NULL) {
		fclose(f);
		return NULL;
	}
	if (len > 0 && fread(data, 1, (size_t)len, f) != (size_t)len) {
		free(data);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*lenp = (size_t)len;
	return data;
}

/* Runs the target on one file; -1 if it cannot be read. */
static int
replay_file(const char *path)
{
	uint8_t *data;
	size_t   len = 0;

	data = slurp(path, &len);
	if (data == NULL) {
		fprintf(stderr, "%s: cannot read '%s': %s\n", progname, path,
		    strerror(errno));
		return -1;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

/* Compares two names for qsort, so runs are in a stable order. */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the target on each regular file in 'dir' (not recursive), adding
 * to *count; -1 on error. */
static int
replay_dir(const char *dir, int *count)
{
	DIR           *d;
	struct dirent *e;
	char         **names = NULL;
	size_t         n = 0, cap = 0;
	int            ret = 0;

	d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", progname, dir,
		    strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p;

			cap = cap ? cap * 2 : 64;
			p = realloc(names, cap * sizeof(*names));
			if (p == NULL) {
				ret = -1;
				break;
			}
			names = p;
		}
		names[n] = strdup(e->d_name);
		if (names[n] == NULL) {
			ret = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char        path[PATH_MAX];
		struct stat st;
		int         r;

		r = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (r < 0 || (size_t)r >= sizeof(path)) {
			ret = -1;
			continue;
		}
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) == 0)
			(*count)++;
		else
			ret = -1;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

/* Runs the target on 'path', a directory or a file. */
static int
replay_path(const char *path, int *count)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", progname, path,
		    strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return replay_dir(path, count);
	if (replay_file(path) == -1)
		return -1;
	(*count)++;
	return 0;
}

/*
 * Finds tests/fuzz/corpus/NAME for a program called fuzz-NAME: from the
 * current directory (the top of the tree, as `make test` runs), else from
 * the directory of the program and up to two above it (build/,
 * build/asan/). Writes it to 'out'; -1 if none exists.
 */
static int
default_corpus(const char *argv0, char *out, size_t outlen)
{
	static const char *const ups[] = { "", "../", "../../" };
	const char              *name = base_name(argv0);
	char                     dir[PATH_MAX];
	size_t                   dlen;
	struct stat              st;
	int                      r;

	if (strncmp(name, "fuzz-", 5) == 0)
		name += 5;
	r = snprintf(out, outlen, "tests/fuzz/corpus/%s", name);
	if (r < 0 || (size_t)r >= outlen)
		return -1;
	if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	dlen = (size_t)(base_name(argv0) - argv0);
	if (dlen == 0 || dlen >= sizeof(dir))
		return -1;
	memcpy(dir, argv0, dlen);
	dir[dlen] = '\0';
	for (size_t i = 0; i < sizeof(ups) / sizeof(ups[0]); i++) {
		r = snprintf(out, outlen, "%s%stests/fuzz/corpus/%s", dir,
		    ups[i], name);
		if (r < 0 || (size_t)r >= outlen)
			return -1;
		if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	char path[PATH_MAX];
	int  count = 0, ret = 0;

	if (argc > 0 && argv[0] != NULL)
		progname = base_name(argv[0]);
	if (argc < 2) {
		if (default_corpus(argc > 0 ? argv[0] : "fuzz", path,
		        sizeof(path)) == -1) {
			fprintf(stderr,
			    "%s: no corpus directory found; "
			    "usage: %s [dir | file ...]\n",
			    progname, progname);
			return 2;
		}
		ret = replay_path(path, &count);
	} else {
		for (int i = 1; i < argc; i++)
			if (replay_path(argv[i], &count) == -1)
				ret = -1;
	}
	if (ret == -1)
		return 1;
	printf("%s: %d inputs ok\n", progname, count);
	return 0;
}

#endif /* !RIG_LIBFUZZER */
