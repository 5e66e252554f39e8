/* SPDX-License-Identifier: MIT */
/*
 * The state directory, shared by the hub and the commands that change its
 * users and tokens. It holds the database with every password hash, so it
 * is kept 0700 whoever created it, and the database in it 0600.
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "db.h"
#include "lib/log.h"
#include "lib/util.h"

#define STATE_DIR_ROOT "/var/lib/rig"

static const char *env_nonempty(const char *);
static int chown_cb(const char *, const struct stat *, int, struct FTW *);

/* nftw() takes no argument for its callback: state_chown()'s. */
static uid_t chown_uid;
static gid_t chown_gid;
static int   chown_count;

/* 'name' from the environment if set and not empty, else NULL. */
static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * XDG_STATE_HOME counts only when absolute, as the XDG spec says; HOME
 * falls back to the password database, for environments that clear it.
 */
char *
state_dir_resolve(const char *flag)
{
	const char    *v;
	struct passwd *pw;

	if (flag != NULL && *flag != '\0')
		return xstrdup(flag);
	v = env_nonempty("RIG_STATE_DIR");
	if (v != NULL)
		return xstrdup(v);
	if (geteuid() == 0)
		return xstrdup(STATE_DIR_ROOT);
	v = env_nonempty("XDG_STATE_HOME");
	if (v != NULL && v[0] == '/')
		return xasprintf("%s/rig", v);
	v = env_nonempty("HOME");
	if (v == NULL) {
		pw = getpwuid(getuid());
		if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] != '\0')
			v = pw->pw_dir;
	}
	if (v == NULL) {
		error("cannot find a state directory: set RIG_STATE_DIR or use "
		      "--state-dir");
		return NULL;
	}
	return xasprintf("%s/.local/state/rig", v);
}

struct db *
state_open_db_flag(const char *flag)
{
	char      *dir = state_dir_resolve(flag);
	struct db *db = state_open_db(dir); /* NULL for a NULL dir */

	free(dir);
	return db;
}

struct db *
state_open_db(const char *dir)
{
	struct stat sb;
	struct db  *db;
	char       *path;

	if (dir == NULL)
		return NULL;
	if (mkdir_p(dir, 0700) == -1) {
		error("cannot create '%s': %s", dir, strerror(errno));
		return NULL;
	}
	if (stat(dir, &sb) == -1) {
		error("cannot stat '%s': %s", dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(sb.st_mode)) {
		error("'%s' is not a directory", dir);
		return NULL;
	}
	if ((sb.st_mode & 077) != 0 && chmod(dir, 0700) == -1) {
		error("cannot chmod '%s': %s", dir, strerror(errno));
		return NULL;
	}
	path = xasprintf("%s/rig.db", dir);
	db = db_open(path);
	if (db == NULL)
		error("cannot open database '%s'", path);
	free(path);
	/* Root running a command on a hub's state that belongs to the hub's
	 * account (priv.h): what this made (the database, its -wal and
	 * -shm) goes to that account too, or the hub could not write it.
	 * SQLite gives a -wal or -shm it makes as root to the database's
	 * owner itself. */
	if (db != NULL && geteuid() == 0 && sb.st_uid != 0)
		state_chown(dir, sb.st_uid, sb.st_gid);
	return db;
}

static int
chown_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)type;
	(void)ftw;
	if (sb->st_uid == chown_uid && sb->st_gid == chown_gid)
		return 0;
	if (lchown(path, chown_uid, chown_gid) == -1) {
		error("cannot chown '%s': %s", path, strerror(errno));
		return -1;
	}
	chown_count++;
	return 0;
}

int
state_chown(const char *dir, uid_t uid, gid_t gid)
{
	chown_uid = uid;
	chown_gid = gid;
	chown_count = 0;
	if (nftw(dir, chown_cb, 16, FTW_PHYS | FTW_MOUNT) != 0) {
		if (errno != 0 && chown_count == 0)
			error("cannot walk '%s': %s", dir, strerror(errno));
		return -1;
	}
	return chown_count;
}
