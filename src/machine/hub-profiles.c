/* SPDX-License-Identifier: MIT */
/*
 * rig.conf's [profile NAME] sections, for the machine's hub. Each key is
 * tried on a scratch hub config first, so a mistyped key or a value the
 * hub refuses stops rig up here, with the file and line, instead of the
 * hub at its start on the machine. Kept in file order as "NAME" and
 * "key = value" pairs, written back with a header where the name
 * changes.
 */
#include <stdlib.h>
#include <string.h>

#include "hub-profiles.h"
#include "hub/config.h"
#include "hub/profiles.h"
#include "lib/log.h"
#include "lib/util.h"
#include "machine.h"
#include "lib/banned.h"

#define PREFIX "profile "

int
hub_profiles_section(const char *section)
{
	return strncmp(section, PREFIX, strlen(PREFIX)) == 0;
}

int
hub_profiles_set(struct machine *m, const char *section, const char *key,
    const char *value)
{
	const char        *name = section + strlen(PREFIX);
	struct machine_kv *kv, **tail;
	struct config      scratch;
	int                r;

	name += strspn(name, " \t");
	if (strchr(value, '\n') != NULL)
		return error("[%s] %s: value has a newline", section, key);
	config_init(&scratch);
	r = profiles_set(&scratch, name, key, value);
	config_release(&scratch);
	if (r != 0)
		return -1;
	for (tail = &m->hub_profiles; *tail != NULL; tail = &(*tail)->next)
		;
	kv = xcalloc(1, sizeof(*kv));
	kv->key = xstrdup(name);
	kv->value = xasprintf("%s = %s", key, value);
	*tail = kv;
	return 0;
}

void
hub_profiles_lines(const struct machine *m,
    void (*add)(void *arg, const char *line), void *arg)
{
	const char *last = NULL;
	char       *head;

	for (const struct machine_kv *kv = m->hub_profiles; kv != NULL;
	     kv = kv->next) {
		if (last == NULL || strcmp(last, kv->key) != 0) {
			head = xasprintf("[" PREFIX "%s]", kv->key);
			add(arg, head);
			free(head);
			last = kv->key;
		}
		add(arg, kv->value);
	}
}

void
hub_profiles_free(struct machine_kv *kv)
{
	struct machine_kv *next;

	for (; kv != NULL; kv = next) {
		next = kv->next;
		free(kv->key);
		free(kv->value);
		free(kv);
	}
}
