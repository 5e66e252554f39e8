/* SPDX-License-Identifier: MIT */
/*
 * INI reading for rig.conf: one pass with fgets, a callback per key. The
 * comment rules are config.c's: a line starting with ';' or '#' is a
 * comment, and so is the rest of a value from a ';' or '#' that follows
 * white space, so URLs and commands keep theirs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ini.h"
#include "log.h"
#include "util.h"

static char *trim(char *);

/* Strips white space at both ends, in place. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s &&
	    (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
ini_read(const char *path, ini_cb *cb, void *arg)
{
	FILE *f;
	char  line[INI_LINE_MAX], section[128] = "";
	int   lineno = 0, ret = 0;

	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		return error("cannot read '%s': %s", path, strerror(errno));
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq, *k, *v;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			ret = error("%s:%d: line too long", path, lineno);
			break;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (end == NULL) {
				ret = error("%s:%d: unclosed section", path,
				    lineno);
				break;
			}
			*end = '\0';
			s = trim(s + 1);
			/* Cut short, "[service NAME]" would name another
			 * service, or end in white space (found by fuzz-ini).
			 */
			if (strlen(s) >= sizeof(section)) {
				ret = error("%s:%d: section name too long",
				    path, lineno);
				break;
			}
			memcpy(section, s, strlen(s) + 1);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			ret =
			    error("%s:%d: expected key = value", path, lineno);
			break;
		}
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		for (char *q = v; *q != '\0'; q++) {
			if ((*q == ';' || *q == '#') &&
			    (q == v || q[-1] == ' ' || q[-1] == '\t')) {
				*q = '\0';
				v = trim(v);
				break;
			}
		}
		if (cb(arg, section, k, v, path, lineno) == -1) {
			ret = -1;
			break;
		}
	}
	if (ret == 0 && ferror(f))
		ret = error("cannot read '%s': %s", path, strerror(errno));
	fclose(f);
	return ret;
}
