/* SPDX-License-Identifier: MIT */
/*
 * Settings tables. Each part declares the keys it reads next to the
 * struct they land in, as a table of { section, key, type, default,
 * limits, check, help }: the hub's [hub] and [service NAME] (config.c),
 * auto-stop's autostop_* keys (autostop.c), the machine's [machine],
 * [hub] and [sync] of rig.conf (machine.c), and each provider's own
 * section (azure-conf.c). This engine is the one parser of all of them:
 * it sets a field by its offset in the owning struct, checks the value
 * against the type and limits before anything changes (a refused value
 * leaves the setting as it was), frees strings, names the nearest known
 * key when one is mistyped, and writes the commented lines of the
 * rig.conf that rig init makes, so the file and the parser cannot drift.
 */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <stddef.h>
#include <stdint.h>

struct buf;

enum setting_type {
	SETTING_END, /* ends a table */
	SETTING_STRING, /* char *, owned; with 'words', one of them */
	SETTING_INT, /* int, a number from min to max */
	SETTING_SECONDS, /* int64_t, a plain number from min to max */
	SETTING_SIZE, /* uint64_t, bytes: a plain number from min to max */
	SETTING_BOOL, /* int: yes, true, on, 1 or no, false, off, 0 */
	SETTING_ENUM, /* int: the index of the value in 'words' */
	SETTING_DURATION, /* int64_t seconds: 0, 90, 90s, 60m, 2h, 1d */
	SETTING_AMOUNT, /* double: digits and a point, at most 1e9 */
	SETTING_URL, /* char *: http(s)://HOST..., no trailing '/' */
	SETTING_CUSTOM, /* 'check' parses and sets it, 'show' writes it */
	SETTING_TABLE, /* the keys of 'sub', in a struct at 'off' */
};

/* "" unsets: a STRING or URL becomes NULL, an AMOUNT 0. */
#define SETTING_EMPTY_UNSET 0x01
/* An AMOUNT must be more than 0 (or "" with SETTING_EMPTY_UNSET). */
#define SETTING_POSITIVE 0x02
/* rig.conf shows it commented out while it is unset or its default. */
#define SETTING_DOC_OPTIONAL 0x04
/* rig.conf does not show it (set by flags or by rig up). */
#define SETTING_DOC_HIDDEN 0x08

struct setting {
	const char        *section; /* "hub", "machine", "sync", ... */
	const char        *key; /* exact: no case folding */
	enum setting_type  type;
	size_t             off; /* of the field in the owning struct */
	const char        *def; /* the default as text; NULL: none */
	long long          min, max; /* INT, SECONDS, SIZE */
	const char *const *words; /* ENUM, STRING: the values taken */
	/*
	 * Called with a value the type accepted (CUSTOM: any value), before
	 * anything is set: 0 takes it, -1 refuses it with 'why' filled (the
	 * message after "[section] key: "; left empty, the engine says
	 * "'VALUE' is not WHAT"). It may set fields derived from the value
	 * (an image's parts); a CUSTOM check sets the value itself.
	 */
	int (*check)(void *obj, const char *value, char *why, size_t len);
	/* The value as rig.conf writes it, when the type's own form is not
	 * it (CUSTOM, or a default derived from other settings). */
	void (*show)(const void *obj, char *out, size_t len);
	const char *what; /* what a value must be: "a port (1-65535)" */
	const char *help; /* one line, for rig.conf's comment */
	unsigned    flags; /* SETTING_* above */
	const struct setting *sub; /* TABLE */
};

/* Sets each key of 'tab' in 'obj' (zeroed by the caller) to its default.
 * A default the table refuses is a bug: fatal(). */
void settings_init(const struct setting *tab, void *obj);
/* Frees the strings 'tab' set in 'obj' and zeroes them. */
void settings_release(const struct setting *tab, void *obj);

/*
 * Sets 'key' of 'section' from text. 0 when set; -1 with a message
 * printed ("rig: [section] key: ...") when the value is refused, and
 * then nothing changed; 1, printing nothing, when the table has no such
 * key (the caller may try another table, then settings_unknown()).
 */
int settings_set(const struct setting *tab, void *obj, const char *section,
    const char *key, const char *value);
/* The entry for 'key' of 'section', or NULL. */
const struct setting *settings_find(const struct setting *tab,
    const char *section, const char *key);

/*
 * Prints "unknown setting 'KEY' in [SECTION]", with "(did you mean
 * 'NEAR'?)" when a key of that section in one of the 'n' tables is a
 * likely typo of it (an edit distance of 1, or 2 for longer keys).
 * Returns -1.
 */
int settings_unknown(const struct setting *const *tabs, size_t n,
    const char *section, const char *key);
/* The key of 'section' in 'tabs' nearest to 'key', if near enough to be
 * a typo of it; else NULL. */
const char *settings_nearest(const struct setting *const *tabs, size_t n,
    const char *section, const char *key);

/*
 * Appends the keys of 'section' as rig.conf lines in the table's order:
 * "key = value", "; key = value" for an optional one that is unset or at
 * its default. A key unset or at its default has its help as a comment
 * after it; one set to something else is written bare.
 */
void settings_write(struct buf *, const struct setting *tab, const void *obj,
    const char *section);

/* Calls 'fn' for each key of 'tab' (those of TABLE entries included). */
void settings_each(const struct setting *tab,
    void (*fn)(void *arg, const struct setting *), void *arg);

/* Replaces the string '*dst' with a copy of 'v' (NULL: none). */
void settings_set_str(char **dst, const char *v);

/* A duration: "0", "90" or "90s", "60m", "2h", "1d", at most 366 days.
 * -1 if not one. */
int parse_duration(const char *, int64_t *seconds);
/* A duration as written back: "2h", "90m", else seconds. */
void settings_show_duration(int64_t seconds, char *out, size_t len);

#endif
