/* SPDX-License-Identifier: MIT */
/*
 * The sync engine. Both directions start alike: the project's files as
 * git sees them, and its ignore rules written as rsync filters to
 * .rig/sync-filter. In a git work tree, with git installed, the files
 * are git's own list (gitfiles.c: tracked files, even ignored ones, and
 * the untracked files git does not ignore), and "up" sends exactly that
 * list (.rig/sync-list, --files-from); with --delete a second run only
 * deletes, with the filters sparing the machine's ignored files.
 * Elsewhere rig walks the project with its own reading of the rules
 * and "up" is one rsync run with the filters.
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
 * A changed path is a conflict whatever the machine made of it: a file
 * that became a symlink or a folder there is fetched beside ours as
 * well. "down" trusts the machine no further than its files: it never
 * writes rig.conf (a change to it is a conflict, fetched beside it),
 * .rig/ or .git/ (the rules exclude them on both sides), takes no
 * symlink that leaves the project (--safe-links), and takes no setuid,
 * setgid or group- or world-writable mode (--chmod). A conflict's name
 * is never a file that exists (renameat2() with RENAME_NOREPLACE).
 *
 * XXX A file changed locally between the dry run and the real run of a
 * "down" could still be overwritten; the window is the length of one
 * rsync run.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "gitfiles.h"
#include "gitignore.h"
#include "lib/log.h"
#include "machine.h"
#include "remote.h"
#include "sync-manifest.h"
#include "sync.h"
#include "termsafe.h"
#include "lib/util.h"

#define CONFLICT_TRIES 100
/* What "down" takes of the machine's modes: no setuid, setgid or
 * sticky bit, nothing writable by group or others. */
#define DOWN_CHMOD "--chmod=ugo-s,go-w"

/* One sync in progress: what its steps share, set up by job_prepare(). */
struct sync_job {
	struct remote          *rm;
	const struct sync_opts *o;
	char                   *rpath; /* remote_dir on the machine */
	char                   *filter; /* .rig/sync-filter */
	char                   *listpath; /* .rig/sync-list, if from_git */
	int                     from_git; /* 'list' is git's: up sends it */
	struct buf              list; /* git's files, NUL-separated */
	char                   *mpath; /* .rig/sync-manifest */
	char                   *key; /* whose records: host:port:rpath */
	struct buf              rules; /* the ignore rules as rsync filters */
	struct manifest         now; /* the project's files before the run */
	struct sync_stats       st;
};

/* What the dry run of a "down" found. */
struct down_plan {
	struct manifest prev; /* the records of the last sync */
	struct manifest leave; /* changed here: left alone by the real run */
	struct manifest conf; /* changed on both sides (also in leave) */
	struct manifest only_here; /* not on the machine, and no --delete */
};

static const char *const skip_paths[] = { MACHINE_STATE, NULL };
/* Paths "down" never writes, whatever the filter says: the project's own
 * configuration and state, and git's (which runs hooks). */
static const char *const down_never[] = { MACHINE_CONF, MACHINE_STATE, ".git",
	NULL };

static int  walk_cb(void *, const char *, const struct stat *);
static int  rules_cb(void *, const char *, const struct stat *);
static int  project_files(const char *, struct ignore *, int, struct manifest *,
     struct buf *, struct buf *);
static int  up_rsync(struct sync_job *, int);
static int  write_list(struct sync_job *);
static int  rsync_ok(int);
static void parse_stats(const char *, struct sync_stats *);
static int64_t stat_number(const char *, const char *);
static void    base_argv(struct remote *, struct argv *, const char *, int);
static int     run_transfer(struct sync_job *, struct argv *, const char *,
        struct proc_result *, const char *);
static int     run_rsync(char *const *, struct proc_result *, const char *);
static void    fmt_mtime(int64_t, char *, size_t);
static int     job_prepare(struct sync_job *, struct remote *,
        const struct sync_opts *);
static void    job_release(struct sync_job *);
static int     sync_up(struct sync_job *);
static int     sync_down(struct sync_job *);
static int     down_plan(struct sync_job *, struct down_plan *);
static void    down_classify(struct sync_job *, struct down_plan *,
       const struct sync_item *);
static void    down_classify_item(struct sync_job *, struct down_plan *,
       const struct sync_item *, const char *, struct manifest_entry *,
       struct manifest_entry *);
static void    down_plan_release(struct down_plan *);
static int     down_protected(const char *);
static void    down_argv(struct argv *);
static int     down_transfer(struct sync_job *, const struct down_plan *);
static int     fetch_conflicts(struct sync_job *, const struct manifest *);
static int     place_conflict(struct sync_job *, const char *, const char *);
static int     down_record(struct sync_job *, struct down_plan *);
static void    report(const struct sync_opts *, const struct sync_stats *);
static void    say(FILE *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Regular files only: those are what a conflict can be about. */
static int
walk_cb(void *arg, const char *path, const struct stat *sb)
{
	if (S_ISREG(sb->st_mode))
		manifest_add(arg, path, (int64_t)sb->st_size,
		    (int64_t)sb->st_mtim.tv_sec, sb->st_mtim.tv_nsec);
	return 0;
}

/* The walk only for the .gitignore files it reads. */
static int
rules_cb(void *arg, const char *path, const struct stat *sb)
{
	(void)arg;
	(void)path;
	(void)sb;
	return 0;
}

/*
 * The project's files (regular ones) into 'now': git's list when git
 * answers (also into 'list' and, for the tracked files its rules
 * ignore, 'forced', when not NULL), else rig's walk with its own rules.
 * The walk reads the .gitignore files into 'ig', which the rsync rules
 * need: with git's list it is done only if 'rules'. 1 when the list is
 * git's, 0 when it is rig's, -1 with a message.
 */
static int
project_files(const char *dir, struct ignore *ig, int rules,
    struct manifest *now, struct buf *list, struct buf *forced)
{
	struct buf  files;
	struct stat sb;
	const char *p, *end;
	char       *full;
	int         r;

	buf_init(&files, MANIFEST_MAX);
	r = git_files(dir, skip_paths, &files, forced);
	if (r == 1) {
		buf_release(&files);
		return ignore_walk(ig, skip_paths, walk_cb, now);
	}
	if (r == 0 && rules)
		r = ignore_walk(ig, skip_paths, rules_cb, NULL);
	end = files.data + files.len;
	for (p = files.data; r == 0 && p != NULL && p < end;
	     p += strlen(p) + 1) {
		full = xasprintf("%s/%s", dir, p);
		if (lstat(full, &sb) == 0)
			walk_cb(now, p, &sb);
		free(full);
	}
	if (r == 0 && list != NULL && files.len > 0)
		buf_add(list, files.data, files.len);
	buf_release(&files);
	return r == 0 ? 1 : -1;
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

/*
 * Ends 'a' with the two folders, here ('local') and remote_dir on the
 * machine, in the order of the sync's direction, each with the trailing
 * slash that makes rsync copy its contents; runs it into 'res' (which
 * the caller releases) and releases 'a'. 0, or -1 with a message that
 * starts with 'what'.
 */
static int
run_transfer(struct sync_job *job, struct argv *a, const char *local,
    struct proc_result *res, const char *what)
{
	char *dir = xasprintf("%s/", job->rpath), *remote;
	int   r;

	remote = remote_rsync_path(job->rm, dir);
	free(dir);
	if (job->o->down) {
		down_argv(a);
		argv_add(a, "--");
		argv_add(a, remote);
		argv_addf(a, "%s/", local);
	} else {
		argv_addf(a, "%s/", local);
		argv_add(a, remote);
	}
	free(remote);
	proc_result_init(res);
	r = run_rsync(a->v, res, what);
	argv_release(a);
	return r;
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
	term_clean(res->err.data, res->err.len);
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

/*
 * git's list as rsync's --files-from (NUL-separated for --from0), each
 * path after "./": rsync skips lines that start with '#' or ';' as
 * comments, and "./" is where --relative starts the path anyway. 0, or
 * -1 with a message.
 */
static int
write_list(struct sync_job *job)
{
	struct buf  b;
	const char *p, *end = job->list.data + job->list.len;
	int         r;

	buf_init(&b, MANIFEST_MAX);
	for (p = job->list.data; p != NULL && p < end; p += strlen(p) + 1) {
		buf_adds(&b, "./");
		buf_add(&b, p, strlen(p) + 1);
	}
	job->listpath = machine_state_path(job->rm->m, "sync-list");
	r = write_file_atomic(job->listpath, b.data, b.len, 0600);
	buf_release(&b);
	if (r == -1)
		return error("cannot write '%s': %s", job->listpath,
		    strerror(errno));
	return 0;
}

/*
 * The first step of both directions: the project walked with its ignore
 * rules into job->now, the rules written as rsync filters, and where the
 * records are. 0, or -1 with a message; job_release() either way.
 */
static int
job_prepare(struct sync_job *job, struct remote *rm, const struct sync_opts *o)
{
	struct machine *m = rm->m;
	struct ignore  *ig;
	struct buf      forced;
	int             r, need_rules = o->down || o->delete;

	memset(job, 0, sizeof(*job));
	job->rm = rm;
	job->o = o;
	buf_init(&job->rules, MANIFEST_MAX);
	buf_init(&job->list, MANIFEST_MAX);
	job->rpath = machine_remote_path(m);
	if (job->rpath == NULL)
		return -1;
	ig = ignore_new(m->dir);
	buf_init(&forced, MANIFEST_MAX);
	r = project_files(m->dir, ig, need_rules, &job->now, &job->list,
	    need_rules ? &forced : NULL);
	if (r == 1) {
		job->from_git = 1;
		r = 0;
	}
	/* The filters decide what "up" sends only without git's list;
	 * with it they are for what the machine has that is not here. */
	if (r == 0 && (!job->from_git || need_rules)) {
		ignore_rsync_tracked(ig, forced.data, forced.len, &job->rules);
		r = ignore_rsync_rules(ig, skip_paths, &job->rules);
	}
	buf_release(&forced);
	ignore_free(ig);
	if (r == -1)
		return -1;
	if (job->from_git && write_list(job) == -1)
		return -1;
	job->filter = machine_state_path(m, "sync-filter");
	job->mpath = machine_state_path(m, "sync-manifest");
	job->key = xasprintf("%s:%d:%s", rm->host != NULL ? rm->host : "local",
	    rm->port, job->rpath);
	if (write_file_atomic(job->filter, job->rules.data, job->rules.len,
	        0600) == -1)
		return error("cannot write '%s': %s", job->filter,
		    strerror(errno));
	return 0;
}

static void
job_release(struct sync_job *job)
{
	manifest_free(&job->now);
	buf_release(&job->rules);
	buf_release(&job->list);
	free(job->rpath);
	free(job->filter);
	free(job->listpath);
	free(job->mpath);
	free(job->key);
}

/* up_rsync()'s runs. */
enum {
	UP_FILTER, /* everything the filters let through (+ --delete) */
	UP_LIST, /* git's list */
	UP_DELETE /* no transfer, only --delete, with the filters */
};

/*
 * One rsync run of "up" (the enum above) from here to the machine,
 * which creates remote_dir if it is missing. A dry run prints rsync's
 * itemized changes. The stats go into job->st (for UP_DELETE only the
 * deletions). 0, or -1 with a message.
 */
static int
up_rsync(struct sync_job *job, int how)
{
	struct remote          *rm = job->rm;
	const struct sync_opts *o = job->o;
	struct sync_stats       st;
	struct proc_result      res;
	struct argv             a;
	const char             *out, *end;
	char                   *q, *rp;
	int                     r;

	base_argv(rm, &a, how == UP_LIST ? NULL : job->filter, o->dry_run);
	if (how == UP_LIST)
		argv_addf(&a, "--files-from=%s", job->listpath);
	if (o->dry_run)
		argv_add(&a, "--itemize-changes");
	if (how == UP_DELETE) {
		argv_add(&a, "--existing");
		argv_add(&a, "--ignore-existing");
	}
	if (o->delete &&how != UP_LIST) {
		argv_add(&a, "--delete");
		/* Whatever remote_dir is: never ssh's keys, never rig's. */
		argv_add(&a, "--filter=P .ssh/");
		argv_add(&a, "--filter=P /.local/share/rig/");
	}
	if (rm->host != NULL) {
		q = sh_quote(job->rpath);
		rp = xasprintf("mkdir -p %s && exec rsync", q);
		argv_addf(&a, "--rsync-path=%s", rp);
		free(q);
		free(rp);
	}
	r = run_transfer(job, &a, rm->m->dir, &res, "sync up");
	if (r == 0) {
		out = buf_str(&res.out);
		memset(&st, 0, sizeof(st));
		parse_stats(out, &st);
		if (how == UP_DELETE)
			job->st.deleted = st.deleted;
		else {
			job->st.files = st.files;
			job->st.bytes = st.bytes;
			job->st.deleted = st.deleted;
		}
		if (o->dry_run) {
			/* The itemized lines come before the stats. */
			end = strstr(out, "\nNumber of files:");
			fprintf(o->out, "%.*s",
			    end != NULL ? (int)(end - out + 1) : 0, out);
		}
	}
	proc_result_release(&res);
	return r;
}

/*
 * "up": git's list sent as it is (then, with --delete, a run that only
 * deletes), or one run with the filters; a real one records the tree
 * as sent. 0, or -1 with a message.
 */
static int
sync_up(struct sync_job *job)
{
	struct remote          *rm = job->rm;
	const struct sync_opts *o = job->o;
	char                   *d;
	int                     r;

	if (rm->host == NULL && !o->dry_run) {
		d = remote_rsync_path(rm, job->rpath);
		r = mkdir_p(d, 0755);
		if (r == -1)
			error("cannot create '%s': %s", d, strerror(errno));
		free(d);
		if (r == -1)
			return -1;
	}
	if (!job->from_git)
		r = up_rsync(job, UP_FILTER);
	else {
		r = up_rsync(job, UP_LIST);
		if (r == 0 && o->delete)
			r = up_rsync(job, UP_DELETE);
	}
	if (r == 0 && !o->dry_run)
		r = manifest_save(&job->now, job->mpath, job->key);
	return r;
}

/*
 * "down": the dry run, then (unless only a dry run was asked for) the
 * real one that leaves alone what changed here, the machine's copies of
 * the conflicts, and the new records. 0, or -1 with a message.
 */
static int
sync_down(struct sync_job *job)
{
	struct down_plan plan;
	int              r;

	r = down_plan(job, &plan);
	if (r == 0 && !job->o->dry_run)
		r = down_transfer(job, &plan);
	if (r == 0 && !job->o->dry_run && plan.conf.n > 0)
		r = fetch_conflicts(job, &plan.conf);
	if (r == 0 && !job->o->dry_run)
		r = down_record(job, &plan);
	down_plan_release(&plan);
	return r;
}

/*
 * What would rsync do? A dry run from the machine itemizes every file
 * with the machine's size and time; each is sorted into 'plan' by
 * down_classify(). A dry run of "down" ends here: it prints the items
 * and the conflicts, and its stats are this run's. 'plan' is set up
 * either way (down_plan_release()); 0, or -1 with a message.
 */
static int
down_plan(struct sync_job *job, struct down_plan *plan)
{
	const struct sync_opts *o = job->o;
	struct proc_result      res;
	struct argv             a;
	struct sync_item        it;
	char                   *p, *nl, *stats;
	int                     r;

	memset(plan, 0, sizeof(*plan));
	if (manifest_load(&plan->prev, job->mpath, job->key) == -1)
		return -1;
	base_argv(job->rm, &a, job->filter, 1);
	argv_add(&a, "--out-format=%i %l %M %n");
	/* Always: the "deleting" lines name the files only here. */
	argv_add(&a, "--delete");
	r = run_transfer(job, &a, job->rm->m->dir, &res, "sync down");
	if (r == -1)
		goto out;
	/* The itemized lines come before the stats, which are this run's
	 * for a dry run; the lines are then cut apart in place. */
	stats = res.out.data != NULL
	    ? strstr(res.out.data, "\nNumber of files:")
	    : NULL;
	if (stats != NULL) {
		if (o->dry_run)
			parse_stats(stats, &job->st);
		stats[1] = '\0';
	}
	for (p = res.out.data; p != NULL && *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		if (sync_parse_item(p, &it) == 0)
			down_classify(job, plan, &it);
	}
	job->st.conflicts = (int64_t)plan->conf.n;
	job->st.kept = (int64_t)(plan->leave.n - plan->conf.n);
	if (o->dry_run) {
		for (size_t i = 0; i < plan->conf.n; i++)
			say(o->out,
			    "conflict: %s changed here and on the "
			    "machine (both would be kept)\n",
			    plan->conf.e[i].path);
		if (!o->delete)
			job->st.deleted = 0;
	}
out:
	proc_result_release(&res);
	return r;
}

/*
 * Sorts one item of the dry run (the module comment has the table):
 * a path whose local file is at risk goes into plan->leave, and also
 * into plan->conf if the machine changed it too; a path only here
 * without --delete goes into plan->only_here. A dry run prints the item.
 */
static void
down_classify(struct sync_job *job, struct down_plan *plan,
    const struct sync_item *it)
{
	const struct sync_opts *o = job->o;
	struct manifest_entry  *was, *cur;
	char                   *name;
	size_t                  n;
	int                     deleting;

	deleting = strcmp(it->flags, "*deleting") == 0;
	if (o->dry_run && it->flags[0] != '.' && (!deleting || o->delete))
		say(o->out, "%s %s\n", it->flags, it->name);
	/* A folder is itemized as "NAME/": the file it would replace is
	 * "NAME". */
	name = xstrdup(it->name);
	n = strlen(name);
	while (n > 1 && name[n - 1] == '/')
		name[--n] = '\0';
	cur = manifest_find(&job->now, name);
	was = manifest_find(&plan->prev, name);
	if (down_protected(name) && !deleting && it->flags[0] != '.' &&
	    cur != NULL) {
		/* rig.conf: whatever the machine did to it is a conflict. */
		manifest_add(&plan->leave, name, 0, 0, 0);
		manifest_add(&plan->conf, name, 0, 0, 0);
		free(name);
		return;
	}
	if (down_protected(name) && deleting) {
		manifest_add(&plan->only_here, name, 0, 0, 0);
		free(name);
		return;
	}
	down_classify_item(job, plan, it, name, cur, was);
	free(name);
}

/*
 * down_classify() for one path 'name' that is not protected: 'cur' its
 * local record now, 'was' its record of the last sync (either NULL).
 */
static void
down_classify_item(struct sync_job *job, struct down_plan *plan,
    const struct sync_item *it, const char *name, struct manifest_entry *cur,
    struct manifest_entry *was)
{
	const struct sync_opts *o = job->o;
	char                    tbuf[32];
	int                     local_changed, remote_changed, deleting;

	deleting = strcmp(it->flags, "*deleting") == 0;
	if (cur == NULL)
		return; /* nothing of ours at risk */
	local_changed = was == NULL || was->size != cur->size ||
	    was->mtime_s != cur->mtime_s || was->mtime_ns != cur->mtime_ns;
	if (deleting && !o->delete) {
		/* Only here: not in sync, keep its old record (if any) as
		 * it is. */
		manifest_add(&plan->only_here, name, 0, 0, 0);
		return;
	}
	if (!local_changed || it->flags[0] == '.')
		return;
	if (deleting) {
		/* Gone there, changed (or new) here. */
		manifest_add(&plan->leave, name, 0, 0, 0);
		say(o->out,
		    "kept: %s is gone from the machine but changed here\n",
		    name);
		return;
	}
	/* A file there too: changed there if not as recorded. Anything
	 * else (a symlink, a folder, a device) is a change of type. */
	if (strncmp(it->flags, ">f", 2) == 0 && was != NULL) {
		fmt_mtime(was->mtime_s, tbuf, sizeof(tbuf));
		remote_changed =
		    it->size != was->size || strcmp(it->mtime, tbuf) != 0;
	} else
		remote_changed = 1;
	manifest_add(&plan->leave, name, 0, 0, 0);
	if (remote_changed)
		manifest_add(&plan->conf, name, 0, 0, 0);
	else
		say(o->out,
		    "kept: %s changed here only ('rig sync up' sends it)\n",
		    name);
}

/* fprintf() of a line naming the machine's paths: rsync decodes their
 * bytes, so an escape sequence in a file name is made text here. */
static void
say(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	term_clean_str(s);
	fputs(s, f);
	free(s);
}

/* Whether "down" must never write 'name' (a path of the dry run's). */
static int
down_protected(const char *name)
{
	size_t n;

	for (size_t i = 0; down_never[i] != NULL; i++) {
		n = strlen(down_never[i]);
		if (strncmp(name, down_never[i], n) == 0 &&
		    (name[n] == '\0' || name[n] == '/'))
			return 1;
	}
	return 0;
}

/* What every rsync of "down" adds: links that stay in the project only,
 * tamed modes. */
static void
down_argv(struct argv *a)
{
	argv_add(a, "--safe-links");
	argv_add(a, DOWN_CHMOD);
}

static void
down_plan_release(struct down_plan *plan)
{
	manifest_free(&plan->prev);
	manifest_free(&plan->leave);
	manifest_free(&plan->conf);
	manifest_free(&plan->only_here);
}

/*
 * The real run from the machine, with the paths of plan->leave excluded
 * by exact rules ahead of the ignore rules. Its stats are the sync's.
 * 0, or -1 with a message.
 */
static int
down_transfer(struct sync_job *job, const struct down_plan *plan)
{
	struct proc_result res;
	struct argv        a;
	struct buf         rules;
	int                r;

	buf_init(&rules, MANIFEST_MAX);
	for (size_t i = 0; down_never[i] != NULL; i++)
		ignore_rsync_literal(&rules, '-', down_never[i], 0);
	for (size_t i = 0; i < plan->leave.n; i++)
		ignore_rsync_literal(&rules, '-', plan->leave.e[i].path, 0);
	buf_add(&rules, job->rules.data, job->rules.len);
	r = write_file_atomic(job->filter, rules.data, rules.len, 0600);
	buf_release(&rules);
	if (r == -1)
		return error("cannot write '%s': %s", job->filter,
		    strerror(errno));
	base_argv(job->rm, &a, job->filter, 0);
	if (job->o->delete)
		argv_add(&a, "--delete");
	r = run_transfer(job, &a, job->rm->m->dir, &res, "sync down");
	if (r == 0)
		parse_stats(buf_str(&res.out), &job->st);
	proc_result_release(&res);
	return r;
}

/*
 * The machine's copies of the conflicting files, fetched into a folder
 * of .rig/ and then moved next to ours under sync_conflict_name(). 0, or
 * -1 with a message.
 */
static int
fetch_conflicts(struct sync_job *job, const struct manifest *conf)
{
	struct remote     *rm = job->rm;
	struct argv        a;
	struct proc_result res;
	struct buf         list;
	char              *listpath, *tmp;
	int                r;

	listpath = machine_state_path(rm->m, "sync-conflicts");
	tmp = machine_state_path(rm->m, "sync-conflicts.d");
	remove_tree(tmp);
	buf_init(&list, MANIFEST_MAX);
	for (size_t i = 0; i < conf->n; i++) {
		buf_adds(&list, conf->e[i].path);
		buf_add(&list, "", 1);
	}
	r = write_file_atomic(listpath, list.data, list.len, 0600);
	buf_release(&list);
	if (r == -1) {
		error("cannot write '%s': %s", listpath, strerror(errno));
		free(listpath);
		free(tmp);
		return -1;
	}
	/* No filter: it now excludes these very paths. */
	base_argv(rm, &a, NULL, 0);
	argv_addf(&a, "--files-from=%s", listpath);
	r = run_transfer(job, &a, tmp, &res, "fetching the machine's copies");
	proc_result_release(&res);
	for (size_t i = 0; r == 0 && i < conf->n; i++)
		r = place_conflict(job, tmp, conf->e[i].path);
	remove_tree(tmp);
	unlink(listpath);
	free(listpath);
	free(tmp);
	return r;
}

/*
 * Moves the machine's copy of 'path' from 'tmp' to its conflict name
 * beside ours, and says so. RENAME_NOREPLACE: a name that came to exist
 * since sync_conflict_name() looked is never overwritten, the next one
 * is tried. A copy rsync did not fetch (a link leaving the project) is
 * said, not an error. 0, or -1 with a message.
 */
static int
place_conflict(struct sync_job *job, const char *tmp, const char *path)
{
	const char *dir = job->rm->m->dir;
	char       *from = xasprintf("%s/%s", tmp, path), *name = NULL, *to;
	struct stat sb;
	int         r = -1;

	if (lstat(from, &sb) == -1) {
		say(job->o->out,
		    "conflict: %s changed here and on the machine: kept "
		    "yours; the machine's was not fetched (a link leaving "
		    "the project?)\n",
		    path);
		free(from);
		return 0;
	}
	for (int i = 0; i < CONFLICT_TRIES && r == -1; i++) {
		free(name);
		name = sync_conflict_name(dir, path);
		to = xasprintf("%s/%s", dir, name);
		r = renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
		if (r == -1 && errno != EEXIST) {
			error("cannot move '%s' to '%s': %s", from, to,
			    strerror(errno));
			free(to);
			break;
		}
		free(to);
	}
	if (r == 0)
		say(job->o->out,
		    "conflict: %s changed here and on the "
		    "machine: kept yours, the machine's is %s\n",
		    path, name);
	else if (errno == EEXIST)
		error("no free name for the machine's copy of '%s'", path);
	free(from);
	free(name);
	return r;
}

/*
 * The new records after a real "down": the tree as it is now, but what
 * was left alone keeps its old record (or none). 'plan' is not const:
 * its lookups sort it. 0, or -1 with a message.
 */
static int
down_record(struct sync_job *job, struct down_plan *plan)
{
	struct manifest        after, records;
	struct ignore         *ig;
	struct manifest_entry *e, *w;
	int                    r;

	memset(&after, 0, sizeof(after));
	memset(&records, 0, sizeof(records));
	ig = ignore_new(job->rm->m->dir);
	r = project_files(job->rm->m->dir, ig, 0, &after, NULL, NULL);
	ignore_free(ig);
	if (r == 1)
		r = 0;
	for (size_t i = 0; r == 0 && i < after.n; i++) {
		e = &after.e[i];
		if (manifest_find(&plan->leave, e->path) == NULL &&
		    manifest_find(&plan->only_here, e->path) == NULL) {
			manifest_add(&records, e->path, e->size, e->mtime_s,
			    e->mtime_ns);
			continue;
		}
		w = manifest_find(&plan->prev, e->path);
		if (w != NULL)
			manifest_add(&records, w->path, w->size, w->mtime_s,
			    w->mtime_ns);
	}
	if (r == 0)
		r = manifest_save(&records, job->mpath, job->key);
	manifest_free(&records);
	manifest_free(&after);
	return r;
}

/* The one line that ends every sync. */
static void
report(const struct sync_opts *o, const struct sync_stats *st)
{
	char bytes[32];

	sync_human_bytes(st->bytes, bytes, sizeof(bytes));
	fprintf(o->out, "sync %s%s: %lld file%s (%s)", o->down ? "down" : "up",
	    o->dry_run ? " (dry run)" : "", (long long)st->files,
	    st->files == 1 ? "" : "s", bytes);
	if (st->deleted > 0)
		fprintf(o->out, ", %lld deleted", (long long)st->deleted);
	if (st->conflicts > 0)
		fprintf(o->out, ", %lld conflict%s", (long long)st->conflicts,
		    st->conflicts == 1 ? "" : "s");
	if (st->kept > 0)
		fprintf(o->out, ", %lld kept", (long long)st->kept);
	fprintf(o->out, " in %.2f s\n", st->seconds);
	fflush(o->out);
}

int
sync_run(struct remote *rm, const struct sync_opts *o, struct sync_stats *stp)
{
	struct sync_job job;
	uint64_t        t0 = now_ms();
	int             r;

	r = job_prepare(&job, rm, o);
	/* --delete never runs in a home or above one. */
	if (r == 0 && o->delete &&!o->down)
		r = remote_dir_guard(rm, job.rpath, "sync up --delete");
	if (r == 0)
		r = o->down ? sync_down(&job) : sync_up(&job);
	if (r == 0) {
		job.st.seconds = (double)(now_ms() - t0) / 1000.0;
		report(o, &job.st);
		if (stp != NULL)
			*stp = job.st;
	}
	job_release(&job);
	return r;
}
