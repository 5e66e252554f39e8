/* SPDX-License-Identifier: MIT */
/*
 * rig.conf's [profile NAME] sections: the hub's spawn profiles
 * (hub/profiles.h), checked here as the hub would read them and written
 * by rig up at the end of the machine's hub.conf, after its [hub] keys.
 */
#ifndef HUB_PROFILES_H
#define HUB_PROFILES_H

struct buf;
struct machine;
struct machine_kv;

/* Whether rig.conf's 'section' is a [profile NAME]. */
int hub_profiles_section(const char *section);

/* Keeps key = value of [profile NAME] ('section') for the machine's
 * hub.conf; -1 with a message printed if the hub would refuse it. */
int hub_profiles_set(struct machine *, const char *section, const char *key,
    const char *value);

/* Appends hub.conf's lines for them (the section headers among them),
 * each by 'add' (rig up's --set of 'rig service setup'). */
void hub_profiles_lines(const struct machine *,
    void (*add)(void *arg, const char *line), void *arg);

/* Frees the list (machine_release()). */
void hub_profiles_free(struct machine_kv *);

#endif
