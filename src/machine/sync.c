/* SPDX-License-Identifier: MIT */
/*
 * The sync engine. Both directions start alike: walk the project with
 * its ignore rules (the files as git sees them) and write the rules as
 * rsync filters to .rig/sync-filter. "up" is then one rsync run.
 *
 * "down" first asks rsync what it would do (a dry run itemizing each
 * file with the machine's size and time), and compares with the records
 * of the last sync in .rig/sync-manifest:
 *
 *   local file as recorded   -> the machine's change is taken;
 *   machine's as recorded    -> only the local file changed: it is left
 *                               alone (kept), 'rig sync up' sends it;
 *   both changed, or both new -> conflict: the local file stays, the
 *                               machine's copy is fetched next to it;
 *   deleted there (--delete) -> deleted here only if unchanged here;
 *   only here (no --delete)   -> not in sync: keeps its old record.
 *
 * The paths to leave alone go first into the filter as exact rules, then
 * the real run. Records are rewritten after every real sync, except for
 * the paths left alone, which keep their old record so they stay
 * "changed here" until resolved. A sync is never partial in the records:
 * they are written only after rsync succeeded.
 *
 * XXX A file changed locally between the dry run and the real run of a
 * "down" could still be overwritten; the window is the length of one
 * rsync run.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "gitignore.h"
#include "lib/log.h"
#include "machine.h"
#include "remote.h"
#include "sync.h"
#include "lib/util.h"

#define MANIFEST_MAGIC "rig-sync-manifest 1"
#define MANIFEST_MAX (1024u * 1024 * 1024) /* bytes of records */
#define CONFLICT_TRIES 100

/* One file as recorded (or as found now). */
struct entry {
	char   *path;
	int64_t size;
	int64_t mtime_s;
	long    mtime_ns;
	int     mark; /* conflict or kept: keep the old record */
};

struct manifest {
	struct entry *e;
	size_t        n, cap;
	int           sorted;
};

static const char *const skip_paths[] = { MACHINE_STATE, NULL };

static void manifest_add(struct manifest *, const char *, int64_t, int64_t,
    long);
static void manifest_free(struct manifest *);
static void manifest_sort(struct manifest *);
static struct entry *manifest_find(struct manifest *, const char *);
static int     manifest_load(struct manifest *, const char *, const char *);
static int     manifest_save(struct manifest *, const char *, const char *);
static int     walk_cb(void *, const char *, const struct stat *);
static int     cmp_entry(const void *, const void *);
static int     rsync_ok(int);
static void    parse_stats(const char *, struct sync_stats *);
static int64_t stat_number(const char *, const char *);
static void    base_argv(struct remote *, struct argv *, const char *, int);
static int     run_rsync(char *const *, struct proc_result *, const char *);
static void    fmt_mtime(int64_t, char *, size_t);

static void
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
	mf->e[mf->n].mark = 0;
	mf->n++;
	mf->sorted = 0;
}

static void
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
	return strcmp(((const struct entry *)a)->path,
	    ((const struct entry *)b)->path);
}

static void
manifest_sort(struct manifest *mf)
{
	if (!mf->sorted && mf->n > 0)
		qsort(mf->e, mf->n, sizeof(*mf->e), cmp_entry);
	mf->sorted = 1;
}

static struct entry *
manifest_find(struct manifest *mf, const char *path)
{
	struct entry key;

	manifest_sort(mf);
	key.path = (char *)path;
	if (mf->n == 0)
		return NULL;
	return bsearch(&key, mf->e, mf->n, sizeof(*mf->e), cmp_entry);
}

/*
 * Records: a header "MAGIC KEY" and then "SIZE SEC NSEC PATH", each
 * ended by a NUL (paths may hold newlines). Records for another KEY
 * (another host or remote_dir) are not ours: 0 with none loaded.
 */
static int
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

static int
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

/* Regular files only: those are what a conflict can be about. */
static int
walk_cb(void *arg, const char *path, const struct stat *sb)
{
	if (S_ISREG(sb->st_mode))
		manifest_add(arg, path, (int64_t)sb->st_size,
		    (int64_t)sb->st_mtim.tv_sec, sb->st_mtim.tv_nsec);
	return 0;
}

/* rsync's 24 is "some files vanished before they could be transferred":
 * someone changed the tree meanwhile, the rest was done. */
static int
rsync_ok(int status)
{
	return status == 0 || status == 24;
}

static int64_t
stat_number(const char *text, const char *label)
{
	const char *p = strstr(text, label);
	int64_t     n = 0;

	if (p == NULL)
		return 0;
	for (p += strlen(label); *p == ' '; p++)
		;
	for (; (*p >= '0' && *p <= '9') || *p == ','; p++)
		if (*p != ',')
			n = n * 10 + (*p - '0');
	return n;
}

static void
parse_stats(const char *text, struct sync_stats *st)
{
	st->files = stat_number(text, "Number of regular files transferred:");
	st->bytes = stat_number(text, "Total transferred file size:");
	st->deleted = stat_number(text, "Number of deleted files:");
}

void
sync_human_bytes(int64_t n, char *out, size_t outlen)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB" };
	double                   v = (double)n;
	size_t                   u = 0;

	if (n < 1000) {
		snprintf(out, outlen, "%lld B", (long long)n);
		return;
	}
	v /= 1000;
	while (v >= 1000 && u + 1 < nitems(units)) {
		v /= 1000;
		u++;
	}
	snprintf(out, outlen, "%.1f %s", v, units[u]);
}

int
sync_parse_item(char *line, struct sync_item *it)
{
	char *p = line, *q, *w;

	memset(it, 0, sizeof(*it));
	if (strncmp(p, "*deleting", 9) == 0) {
		it->flags = p;
		p += 9;
		if (*p != ' ')
			return -1;
		*p++ = '\0';
		while (*p == ' ')
			p++;
	} else {
		it->flags = p;
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		*p++ = '\0';
	}
	it->size = strtoll(p, &q, 10);
	if (q == p || *q != ' ')
		return -1;
	it->mtime = q + 1;
	p = strchr(it->mtime, ' ');
	if (p == NULL)
		return -1;
	*p++ = '\0';
	if (*p == '\0')
		return -1;
	it->name = p;
	/* rsync writes unprintable bytes as "\#OOO" (octal). */
	for (q = w = p; *q != '\0'; q++) {
		if (q[0] == '\\' && q[1] == '#' && q[2] >= '0' && q[2] <= '3' &&
		    q[3] >= '0' && q[3] <= '7' && q[4] >= '0' && q[4] <= '7') {
			*w++ = (char)((q[2] - '0') * 64 + (q[3] - '0') * 8 +
			    (q[4] - '0'));
			q += 4;
		} else
			*w++ = *q;
	}
	*w = '\0';
	return 0;
}

static void
fmt_mtime(int64_t s, char *out, size_t outlen)
{
	struct tm tm;
	time_t    t = (time_t)s;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y/%m/%d-%H:%M:%S", &tm) == 0)
		snprintf(out, outlen, "?");
}

char *
sync_conflict_name(const char *root, const char *path)
{
	const char *slash = strrchr(path, '/'), *base, *dot;
	struct stat sb;
	char       *name = NULL, *full;
	int         dirlen, stemlen;

	base = slash != NULL ? slash + 1 : path;
	dirlen = (int)(base - path);
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		dot = base + strlen(base);
	stemlen = (int)(dot - base);
	for (int i = 1; i <= CONFLICT_TRIES; i++) {
		free(name);
		if (i == 1)
			name = xasprintf("%.*s%.*s.remote-conflict%s", dirlen,
			    path, stemlen, base, dot);
		else
			name = xasprintf("%.*s%.*s.remote-conflict-%d%s",
			    dirlen, path, stemlen, base, i, dot);
		full = xasprintf("%s/%s", root, name);
		if (lstat(full, &sb) == -1 && errno == ENOENT) {
			free(full);
			return name;
		}
		free(full);
	}
	return name;
}

/* rsync with what every run shares; 'filter' is the rules' file (NULL:
 * none). */
static void
base_argv(struct remote *rm, struct argv *a, const char *filter, int dry)
{
	char *rsh = remote_rsync_rsh(rm);

	argv_init(a);
	argv_add(a, rm->rsync);
	/* -rlpt: not -a, whose -o -g would make files owned by the local
	 * uid on a machine where rig logs in as root. */
	argv_add(a, "-rlpt");
	if (rsh != NULL) {
		argv_add(a, "-z");
		argv_add(a, "-e");
		argv_add(a, rsh);
		free(rsh);
	}
	argv_add(a, "--from0");
	if (filter != NULL)
		argv_addf(a, "--filter=. %s", filter);
	argv_add(a, "--stats");
	argv_add(a, "--no-human-readable");
	if (dry)
		argv_add(a, "--dry-run");
}

/* Runs rsync; -1 with its error output if it failed. */
static int
run_rsync(char *const *argv, struct proc_result *res, const char *what)
{
	const char *err;
	int         n;

	if (proc_capture(argv, NULL, -1, 0, res) == -1)
		return -1;
	if (rsync_ok(res->status))
		return 0;
	err = buf_str(&res->err);
	n = (int)strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == '\r'))
		n--;
	if (res->status == 127 || strstr(err, "command not found") != NULL ||
	    strstr(err, "rsync: not found") != NULL)
		return error("%s: rsync is missing on the machine (run 'rig "
		             "up')",
		    what);
	return error("%s: rsync failed (status %d)%s%.*s", what, res->status,
	    n > 0 ? ":\n" : "", n, err);
}

/* The machine's copies of the conflicting files, fetched next to ours. */
static int
fetch_conflicts(struct remote *rm, const char *rpath, struct manifest *now,
    struct manifest *conf, struct sync_opts const *o)
{
	struct argv        a;
	struct proc_result res;
	struct buf         list;
	char              *listpath, *tmp, *src, *from0;
	int                ret = 0;

	(void)now;
	listpath = machine_state_path(rm->m, "sync-conflicts");
	tmp = machine_state_path(rm->m, "sync-conflicts.d");
	remove_tree(tmp);
	buf_init(&list, MANIFEST_MAX);
	for (size_t i = 0; i < conf->n; i++) {
		buf_adds(&list, conf->e[i].path);
		buf_add(&list, "", 1);
	}
	if (write_file_atomic(listpath, list.data, list.len, 0600) == -1) {
		error("cannot write '%s': %s", listpath, strerror(errno));
		buf_release(&list);
		free(listpath);
		free(tmp);
		return -1;
	}
	buf_release(&list);
	/* No filter: it now excludes these very paths. */
	base_argv(rm, &a, NULL, 0);
	argv_addf(&a, "--files-from=%s", listpath);
	from0 = xasprintf("%s/", rpath);
	src = remote_rsync_path(rm, from0);
	argv_add(&a, src);
	free(from0);
	free(src);
	argv_addf(&a, "%s/", tmp);
	proc_result_init(&res);
	ret = run_rsync(a.v, &res, "fetching the machine's copies");
	proc_result_release(&res);
	argv_release(&a);
	for (size_t i = 0; ret == 0 && i < conf->n; i++) {
		char *from = xasprintf("%s/%s", tmp, conf->e[i].path);
		char *name = sync_conflict_name(rm->m->dir, conf->e[i].path);
		char *to = xasprintf("%s/%s", rm->m->dir, name);

		if (rename(from, to) == -1)
			ret = error("cannot move '%s' to '%s': %s", from, to,
			    strerror(errno));
		else
			fprintf(o->out,
			    "conflict: %s changed here and on the "
			    "machine: kept yours, the machine's is %s\n",
			    conf->e[i].path, name);
		free(from);
		free(name);
		free(to);
	}
	remove_tree(tmp);
	unlink(listpath);
	free(listpath);
	free(tmp);
	return ret;
}

int
sync_run(struct remote *rm, const struct sync_opts *o, struct sync_stats *stp)
{
	struct machine    *m = rm->m;
	struct sync_stats  st;
	struct ignore     *ig;
	struct manifest    now, prev, conf, leave, only_here;
	struct buf         rules, extra;
	struct proc_result res;
	struct argv        a;
	char    *rpath, *filter = NULL, *mpath = NULL, *key = NULL, *src, *dst;
	char     bytes[32];
	uint64_t t0 = now_ms();
	int      ret = -1;

	memset(&st, 0, sizeof(st));
	memset(&now, 0, sizeof(now));
	memset(&prev, 0, sizeof(prev));
	memset(&conf, 0, sizeof(conf));
	memset(&leave, 0, sizeof(leave));
	memset(&only_here, 0, sizeof(only_here));
	buf_init(&rules, MANIFEST_MAX);
	buf_init(&extra, MANIFEST_MAX);
	proc_result_init(&res);
	rpath = machine_remote_path(m);
	if (rpath == NULL)
		goto out;
	ig = ignore_new(m->dir);
	if (ignore_walk(ig, skip_paths, walk_cb, &now) == -1) {
		ignore_free(ig);
		goto out;
	}
	ignore_rsync_rules(ig, skip_paths, &rules);
	ignore_free(ig);
	filter = machine_state_path(m, "sync-filter");
	mpath = machine_state_path(m, "sync-manifest");
	key = xasprintf("%s:%d:%s", rm->host != NULL ? rm->host : "local",
	    rm->port, rpath);
	if (write_file_atomic(filter, rules.data, rules.len, 0600) == -1) {
		error("cannot write '%s': %s", filter, strerror(errno));
		goto out;
	}

	if (!o->down) {
		base_argv(rm, &a, filter, o->dry_run);
		if (o->dry_run)
			argv_add(&a, "--itemize-changes");
		if (o->delete)
			argv_add(&a, "--delete");
		if (rm->host != NULL) {
			char *q = sh_quote(rpath), *rp;

			rp = xasprintf("mkdir -p %s && exec rsync", q);
			argv_addf(&a, "--rsync-path=%s", rp);
			free(q);
			free(rp);
		} else if (!o->dry_run) {
			char *d = remote_rsync_path(rm, rpath);

			if (mkdir_p(d, 0755) == -1) {
				error("cannot create '%s': %s", d,
				    strerror(errno));
				free(d);
				argv_release(&a);
				goto out;
			}
			free(d);
		}
		argv_addf(&a, "%s/", m->dir);
		dst = xasprintf("%s/", rpath);
		src = remote_rsync_path(rm, dst);
		argv_add(&a, src);
		free(src);
		free(dst);
		ret = run_rsync(a.v, &res, "sync up");
		argv_release(&a);
		if (ret == -1)
			goto out;
		parse_stats(buf_str(&res.out), &st);
		if (o->dry_run) {
			const char *p = buf_str(&res.out), *end;

			/* The itemized lines come before the stats. */
			end = strstr(p, "\nNumber of files:");
			fprintf(o->out, "%.*s",
			    end != NULL ? (int)(end - p + 1) : 0, p);
		} else if (manifest_save(&now, mpath, key) == -1) {
			ret = -1;
			goto out;
		}
		goto report;
	}

	/* down: what would rsync do? */
	if (manifest_load(&prev, mpath, key) == -1)
		goto out;
	base_argv(rm, &a, filter, 1);
	argv_add(&a, "--out-format=%i %l %M %n");
	/* Always: the "deleting" lines name the files only here. */
	argv_add(&a, "--delete");
	dst = xasprintf("%s/", rpath);
	src = remote_rsync_path(rm, dst);
	argv_add(&a, src);
	free(src);
	free(dst);
	argv_addf(&a, "%s/", m->dir);
	ret = run_rsync(a.v, &res, "sync down");
	argv_release(&a);
	if (ret == -1)
		goto out;
	ret = -1;
	{
		char *p = res.out.data, *nl;

		for (; p != NULL && *p != '\0'; p = nl) {
			struct sync_item it;
			struct entry    *was, *cur;
			char             tbuf[32];
			int              local_changed, remote_changed;
			int              deleting;

			nl = strchr(p, '\n');
			if (nl != NULL)
				*nl++ = '\0';
			if (sync_parse_item(p, &it) == -1)
				continue;
			deleting = strcmp(it.flags, "*deleting") == 0;
			if (o->dry_run && it.flags[0] != '.' &&
			    (!deleting || o->delete))
				fprintf(o->out, "%s %s\n", it.flags, it.name);
			cur = manifest_find(&now, it.name);
			was = manifest_find(&prev, it.name);
			if (cur == NULL)
				continue; /* nothing of ours at risk */
			local_changed = was == NULL || was->size != cur->size ||
			    was->mtime_s != cur->mtime_s ||
			    was->mtime_ns != cur->mtime_ns;
			if (deleting && !o->delete) {
				/* Only here: not in sync, keep its old
				 * record (if any) as it is. */
				manifest_add(&only_here, it.name, 0, 0, 0);
				continue;
			}
			if (!local_changed)
				continue;
			if (deleting) {
				/* Gone there, changed (or new) here. */
				manifest_add(&leave, it.name, 0, 0, 0);
				fprintf(o->out,
				    "kept: %s is gone from the "
				    "machine but changed here\n",
				    it.name);
				continue;
			}
			if (strncmp(it.flags, ">f", 2) != 0)
				continue;
			if (was != NULL) {
				fmt_mtime(was->mtime_s, tbuf, sizeof(tbuf));
				remote_changed = it.size != was->size ||
				    strcmp(it.mtime, tbuf) != 0;
			} else
				remote_changed = 1;
			manifest_add(&leave, it.name, 0, 0, 0);
			if (remote_changed)
				manifest_add(&conf, it.name, 0, 0, 0);
			else
				fprintf(o->out,
				    "kept: %s changed here only "
				    "('rig sync up' sends it)\n",
				    it.name);
		}
	}
	st.conflicts = (int64_t)conf.n;
	st.kept = (int64_t)(leave.n - conf.n);
	if (o->dry_run) {
		for (size_t i = 0; i < conf.n; i++)
			fprintf(o->out,
			    "conflict: %s changed here and on the "
			    "machine (both would be kept)\n",
			    conf.e[i].path);
		parse_stats(buf_str(&res.out), &st);
		if (!o->delete)
			st.deleted = 0;
		ret = 0;
		goto report;
	}
	/* The real run, leaving alone what must not be touched. */
	for (size_t i = 0; i < leave.n; i++)
		ignore_rsync_literal(&extra, '-', leave.e[i].path, 0);
	buf_add(&extra, rules.data, rules.len);
	if (write_file_atomic(filter, extra.data, extra.len, 0600) == -1) {
		error("cannot write '%s': %s", filter, strerror(errno));
		goto out;
	}
	buf_reset(&res.out);
	buf_reset(&res.err);
	base_argv(rm, &a, filter, 0);
	if (o->delete)
		argv_add(&a, "--delete");
	dst = xasprintf("%s/", rpath);
	src = remote_rsync_path(rm, dst);
	argv_add(&a, src);
	free(src);
	free(dst);
	argv_addf(&a, "%s/", m->dir);
	ret = run_rsync(a.v, &res, "sync down");
	argv_release(&a);
	if (ret == -1)
		goto out;
	parse_stats(buf_str(&res.out), &st);
	if (conf.n > 0 && fetch_conflicts(rm, rpath, &now, &conf, o) == -1) {
		ret = -1;
		goto out;
	}
	/* New records: the tree as it is now, but what was left alone
	 * keeps its old record (or none). */
	{
		struct manifest after;
		struct ignore  *ig2 = ignore_new(m->dir);

		memset(&after, 0, sizeof(after));
		ret = ignore_walk(ig2, skip_paths, walk_cb, &after);
		ignore_free(ig2);
		if (ret == 0) {
			struct manifest out_mf;

			memset(&out_mf, 0, sizeof(out_mf));
			for (size_t i = 0; i < after.n; i++) {
				struct entry *e = &after.e[i], *w;

				if (manifest_find(&leave, e->path) == NULL &&
				    manifest_find(&only_here, e->path) ==
				        NULL) {
					manifest_add(&out_mf, e->path, e->size,
					    e->mtime_s, e->mtime_ns);
					continue;
				}
				w = manifest_find(&prev, e->path);
				if (w != NULL)
					manifest_add(&out_mf, w->path, w->size,
					    w->mtime_s, w->mtime_ns);
			}
			ret = manifest_save(&out_mf, mpath, key);
			manifest_free(&out_mf);
		}
		manifest_free(&after);
		if (ret == -1)
			goto out;
	}

report:
	st.seconds = (double)(now_ms() - t0) / 1000.0;
	sync_human_bytes(st.bytes, bytes, sizeof(bytes));
	fprintf(o->out, "sync %s%s: %lld file%s (%s)", o->down ? "down" : "up",
	    o->dry_run ? " (dry run)" : "", (long long)st.files,
	    st.files == 1 ? "" : "s", bytes);
	if (st.deleted > 0)
		fprintf(o->out, ", %lld deleted", (long long)st.deleted);
	if (st.conflicts > 0)
		fprintf(o->out, ", %lld conflict%s", (long long)st.conflicts,
		    st.conflicts == 1 ? "" : "s");
	if (st.kept > 0)
		fprintf(o->out, ", %lld kept", (long long)st.kept);
	fprintf(o->out, " in %.2f s\n", st.seconds);
	fflush(o->out);
	if (stp != NULL)
		*stp = st;
	ret = 0;
out:
	manifest_free(&now);
	manifest_free(&prev);
	manifest_free(&conf);
	manifest_free(&leave);
	manifest_free(&only_here);
	buf_release(&rules);
	buf_release(&extra);
	proc_result_release(&res);
	free(rpath);
	free(filter);
	free(mpath);
	free(key);
	return ret;
}
