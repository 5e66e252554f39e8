/* SPDX-License-Identifier: MIT */
/*
 * rig init: writes rig.conf for the project in this folder (commented,
 * from the flags and defaults: the folder's name, the local user, ssh's
 * usual key) and makes sure git ignores .rig/, where rig keeps the
 * project's state.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/log.h"
#include "machine.h"
#include "provider.h"
#include "lib/util.h"

#define GITIGNORE_MAX (16 * 1024 * 1024)

static int ignore_state_dir(const char *);

/* Adds ".rig/" to DIR/.gitignore unless a line already ignores it. */
static int
ignore_state_dir(const char *dir)
{
	char       *path, *text, *line, *next, *out;
	struct stat sb;
	size_t      len = 0;
	int         mode = 0644, found = 0, r;

	path = xasprintf("%s/.gitignore", dir);
	text = read_file(path, GITIGNORE_MAX, &len);
	if (text == NULL && errno != ENOENT) {
		r = error("cannot read '%s': %s", path, strerror(errno));
		free(path);
		return r;
	}
	if (stat(path, &sb) == 0)
		mode = sb.st_mode & 07777;
	for (line = text; line != NULL && *line != '\0' && !found;
	     line = next) {
		size_t n;

		next = strchr(line, '\n');
		n = next != NULL ? (size_t)(next - line) : strlen(line);
		if (next != NULL)
			next++;
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r'))
			n--;
		if ((n == 4 && memcmp(line, ".rig", 4) == 0) ||
		    (n == 5 && memcmp(line, ".rig/", 5) == 0) ||
		    (n == 5 && memcmp(line, "/.rig", 5) == 0) ||
		    (n == 6 && memcmp(line, "/.rig/", 6) == 0))
			found = 1;
	}
	if (found) {
		free(text);
		free(path);
		return 0;
	}
	out = xasprintf("%s%s%s\n", text != NULL ? text : "",
	    len > 0 && text[len - 1] != '\n' ? "\n" : "", MACHINE_STATE "/");
	r = write_file_atomic(path, out, strlen(out), mode);
	if (r == -1)
		error("cannot write '%s': %s", path, strerror(errno));
	else
		printf("added %s/ to .gitignore\n", MACHINE_STATE);
	free(out);
	free(text);
	free(path);
	return r;
}

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	struct machine       m;
	struct stat          sb;
	const char          *home;
	char                *dir, *path = NULL, *text = NULL, *key;
	int                  ch, force = 0, ret = 1;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (machine_flag(&f, ch, optarg))
			continue;
		if (ch != 'f')
			return usage("init");
		force = 1;
	}
	if (optind != argc)
		return usage("init");

	dir = realpath(".", NULL);
	if (dir == NULL)
		return error("cannot find this folder: %s", strerror(errno)), 1;
	machine_init(&m);
	m.dir = dir;
	m.conf_path = xasprintf("%s/%s", dir, MACHINE_CONF);
	m.state_dir = xasprintf("%s/%s", dir, MACHINE_STATE);
	m.name = machine_default_name(dir);
	home = machine_local_home();
	if (f.identity == NULL && home != NULL) {
		key = xasprintf("%s/.ssh/id_ed25519", home);
		if (stat(key, &sb) == 0)
			m.identity = xstrdup("~/.ssh/id_ed25519");
		free(key);
	}
	if (machine_flags_apply(&m, &f) == -1)
		goto out;
	/* Written out, so the file says who logs in (for a cloud VM, a name
	 * the provider takes as its admin). */
	if (m.user == NULL)
		m.user = xstrdup(machine_user(&m));
	if (m.provider->check != NULL && m.provider->check(&m) == -1)
		goto out;
	path = m.conf_path;
	if (!force && stat(path, &sb) == 0) {
		error("%s exists already: edit it, or 'rig init --force' to "
		      "write it again",
		    path);
		goto out;
	}
	text = machine_conf_text(&m);
	if (write_file_atomic(path, text, strlen(text), 0644) == -1) {
		error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	printf("wrote %s: machine '%s'", MACHINE_CONF, m.name);
	if (m.provider->needs_host && m.host != NULL)
		printf(" at %s@%s port %d", machine_user(&m), m.host, m.port);
	else if (m.provider->summary != NULL) {
		char what[256];

		m.provider->summary(&m, what, sizeof(what));
		printf(" (%s)", what);
	}
	printf("\n");
	if (ignore_state_dir(dir) == -1)
		goto out;
	if (m.provider->needs_host && m.host == NULL)
		printf("next: set host = ... in %s, then 'rig up'\n",
		    MACHINE_CONF);
	else
		printf("next: rig up\n");
	ret = 0;
out:
	free(text);
	machine_release(&m);
	return ret;
}
