/* SPDX-License-Identifier: MIT */
/*
 * Tests of the settings engine (settings.c), once for every table: each
 * type with good and bad values (a refused value changes nothing),
 * defaults, freeing, a table inside a table, the nearest key for a typo,
 * the rig.conf lines read back through the INI reader; and that every
 * key of every table (the hub's, auto-stop's, the machine's, the pool's
 * and each provider's) is documented in docs/rig.1 in a list of its
 * section, and every key documented there is one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/config.h"
#include "lib/buf.h"
#include "lib/ini.h"
#include "lib/settings.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "pool/pool.h"
#include "unit.h"
#include "lib/util.h"

#define MAN_MAX (1024 * 1024)
#define DOC_KEYS_MAX 512

struct inner {
	int64_t every;
};

struct demo {
	char        *name;
	char        *opt;
	int          count;
	int64_t      secs;
	uint64_t     bytes;
	int          on;
	int          color;
	int64_t      wait;
	double       price;
	char        *url;
	char        *even; /* checked: an even length */
	int          even_len; /* set by the check */
	struct inner inner;
};

static int
check_even(void *obj, const char *v, char *why, size_t len)
{
	struct demo *d = obj;

	if (strlen(v) % 2 != 0) {
		snprintf(why, len, "'%s' has an odd length", v);
		return -1;
	}
	d->even_len = (int)strlen(v);
	return 0;
}

static const char *const colors[] = { "red", "green", "blue", NULL };

/* clang-format off */
static const struct setting inner_settings[] = {
	{ .section = "demo", .key = "inner_every", .type = SETTING_SECONDS,
	    .off = offsetof(struct inner, every), .def = "5", .min = 0,
	    .max = 60 },
	{ .type = SETTING_END },
};
/* clang-format on */

/* clang-format off */
static const struct setting demo_settings[] = {
	{ .section = "demo", .key = "name", .type = SETTING_STRING,
	    .off = offsetof(struct demo, name), .def = "x",
	    .help = "a name" },
	{ .section = "demo", .key = "opt", .type = SETTING_STRING,
	    .off = offsetof(struct demo, opt),
	    .flags = SETTING_EMPTY_UNSET | SETTING_DOC_OPTIONAL,
	    .help = "optional" },
	{ .section = "demo", .key = "count", .type = SETTING_INT,
	    .off = offsetof(struct demo, count), .def = "3", .min = 1,
	    .max = 10 },
	{ .section = "demo", .key = "secs", .type = SETTING_SECONDS,
	    .off = offsetof(struct demo, secs), .def = "0", .min = 0,
	    .max = 100 },
	{ .section = "demo", .key = "bytes", .type = SETTING_SIZE,
	    .off = offsetof(struct demo, bytes), .def = "1024", .min = 1024,
	    .max = 1LL << 40 },
	{ .section = "demo", .key = "on", .type = SETTING_BOOL,
	    .off = offsetof(struct demo, on), .def = "yes" },
	{ .section = "demo", .key = "color", .type = SETTING_ENUM,
	    .off = offsetof(struct demo, color), .def = "green",
	    .words = colors },
	{ .section = "demo", .key = "wait", .type = SETTING_DURATION,
	    .off = offsetof(struct demo, wait), .def = "3600",
	    .help = "a duration" },
	{ .section = "demo", .key = "price", .type = SETTING_AMOUNT,
	    .off = offsetof(struct demo, price),
	    .flags = SETTING_EMPTY_UNSET | SETTING_POSITIVE },
	{ .section = "demo", .key = "url", .type = SETTING_URL,
	    .off = offsetof(struct demo, url), .def = "https://example.com/",
	    .flags = SETTING_DOC_OPTIONAL },
	{ .section = "other", .key = "even", .type = SETTING_STRING,
	    .off = offsetof(struct demo, even), .check = check_even },
	{ .type = SETTING_TABLE, .off = offsetof(struct demo, inner),
	    .sub = inner_settings },
	{ .type = SETTING_END },
};
/* clang-format on */

static void
demo_init(struct demo *d)
{
	memset(d, 0, sizeof(*d));
	settings_init(demo_settings, d);
}

static int
set(struct demo *d, const char *key, const char *v)
{
	return settings_set(demo_settings, d, "demo", key, v);
}

TEST(settings_defaults_and_release)
{
	struct demo d;

	demo_init(&d);
	ASSERT_STR_EQ(d.name, "x");
	ASSERT_NULL(d.opt);
	ASSERT_EQ(d.count, 3);
	ASSERT_EQ(d.secs, 0);
	ASSERT_EQ(d.bytes, 1024);
	ASSERT_EQ(d.on, 1);
	ASSERT_EQ(d.color, 1);
	ASSERT_EQ(d.wait, 3600);
	ASSERT(d.price == 0);
	/* A URL is kept without its trailing '/': callers append paths. */
	ASSERT_STR_EQ(d.url, "https://example.com");
	ASSERT_EQ(d.inner.every, 5);
	settings_release(demo_settings, &d);
	ASSERT_NULL(d.name);
	ASSERT_NULL(d.url);
	/* Twice is harmless. */
	settings_release(demo_settings, &d);
}

TEST(settings_types)
{
	struct demo d;

	demo_init(&d);
	ASSERT_EQ(set(&d, "name", ""), 0);
	ASSERT_STR_EQ(d.name, ""); /* kept: no SETTING_EMPTY_UNSET */
	ASSERT_EQ(set(&d, "opt", "o"), 0);
	ASSERT_STR_EQ(d.opt, "o");
	ASSERT_EQ(set(&d, "opt", ""), 0);
	ASSERT_NULL(d.opt);
	ASSERT_EQ(set(&d, "count", "10"), 0);
	ASSERT_EQ(d.count, 10);
	ASSERT_EQ(set(&d, "secs", "100"), 0);
	ASSERT_EQ(d.secs, 100);
	ASSERT_EQ(set(&d, "bytes", "1099511627776"), 0);
	ASSERT_EQ(d.bytes, 1ULL << 40);
	ASSERT_EQ(set(&d, "on", "off"), 0);
	ASSERT_EQ(d.on, 0);
	ASSERT_EQ(set(&d, "on", "true"), 0);
	ASSERT_EQ(d.on, 1);
	ASSERT_EQ(set(&d, "color", "blue"), 0);
	ASSERT_EQ(d.color, 2);
	ASSERT_EQ(set(&d, "wait", "90m"), 0);
	ASSERT_EQ(d.wait, 5400);
	ASSERT_EQ(set(&d, "wait", "2d"), 0);
	ASSERT_EQ(d.wait, 172800);
	ASSERT_EQ(set(&d, "price", "12.50"), 0);
	ASSERT(d.price == 12.5);
	ASSERT_EQ(set(&d, "price", ""), 0);
	ASSERT(d.price == 0);
	ASSERT_EQ(set(&d, "url", "http://127.0.0.1:8/x//"), 0);
	ASSERT_STR_EQ(d.url, "http://127.0.0.1:8/x");
	ASSERT_EQ(settings_set(demo_settings, &d, "other", "even", "ab"), 0);
	ASSERT_STR_EQ(d.even, "ab");
	ASSERT_EQ(d.even_len, 2);
	/* Through the inner table, into the inner struct. */
	ASSERT_EQ(set(&d, "inner_every", "60"), 0);
	ASSERT_EQ(d.inner.every, 60);
	settings_release(demo_settings, &d);
}

TEST(settings_refused_values_change_nothing)
{
	static const struct {
		const char *key, *value;
	} bad[] = {
		{ "count", "0" },
		{ "count", "11" },
		{ "count", "" },
		{ "count", "3x" },
		{ "count", "1.5" },
		{ "secs", "-1" },
		{ "secs", "1h" },
		{ "bytes", "1023" },
		{ "bytes", "1M" },
		{ "on", "maybe" },
		{ "on", "YES" },
		{ "on", "" },
		{ "color", "Red" },
		{ "color", "" },
		{ "wait", "1 h" },
		{ "wait", "367d" },
		{ "wait", "never" },
		{ "price", "0" },
		{ "price", "-1" },
		{ "price", "1e3" },
		{ "price", "nan" },
		{ "price", "2000000000" },
		{ "url", "ftp://x" },
		{ "url", "http://" },
		{ "url", "https:///x" },
		{ "url", "x" },
		{ "inner_every", "61" },
	};
	struct demo d, before;

	demo_init(&d);
	demo_init(&before);
	for (size_t i = 0; i < nitems(bad); i++) {
		if (set(&d, bad[i].key, bad[i].value) != -1)
			FAIL("%s = '%s' accepted", bad[i].key, bad[i].value);
	}
	ASSERT_EQ(settings_set(demo_settings, &d, "other", "even", "abc"), -1);
	ASSERT_NULL(d.even);
	ASSERT_EQ(d.even_len, 0);
	ASSERT_STR_EQ(d.name, before.name);
	ASSERT_EQ(d.count, before.count);
	ASSERT_EQ(d.secs, before.secs);
	ASSERT_EQ(d.bytes, before.bytes);
	ASSERT_EQ(d.on, before.on);
	ASSERT_EQ(d.color, before.color);
	ASSERT_EQ(d.wait, before.wait);
	ASSERT(d.price == before.price);
	ASSERT_STR_EQ(d.url, before.url);
	ASSERT_EQ(d.inner.every, before.inner.every);
	settings_release(demo_settings, &d);
	settings_release(demo_settings, &before);
}

TEST(settings_unknown_keys)
{
	const struct setting *demo[] = { demo_settings };
	const struct setting *hub[] = { config_settings };
	struct demo           d;

	demo_init(&d);
	/* Unknown: 1, nothing printed, nothing set. */
	ASSERT_EQ(set(&d, "nope", "1"), 1);
	ASSERT_EQ(set(&d, "Count", "1"), 1);
	ASSERT_EQ(set(&d, "even", "ab"), 1); /* another section's */
	ASSERT_EQ(settings_unknown(demo, 1, "demo", "nope"), -1);
	ASSERT_NULL(settings_find(demo_settings, "demo", "even"));
	ASSERT_NOT_NULL(settings_find(demo_settings, "demo", "inner_every"));
	settings_release(demo_settings, &d);

	/* One typo away: left out, added, changed, two letters swapped. */
	ASSERT_STR_EQ(settings_nearest(hub, 1, "hub", "idle_timout"),
	    "idle_timeout");
	ASSERT_STR_EQ(settings_nearest(hub, 1, "hub", "idle_timeoutt"),
	    "idle_timeout");
	ASSERT_STR_EQ(settings_nearest(hub, 1, "hub", "idle_tineout"),
	    "idle_timeout");
	ASSERT_STR_EQ(settings_nearest(hub, 1, "hub", "idle_tiemout"),
	    "idle_timeout");
	ASSERT_STR_EQ(settings_nearest(hub, 1, "hub", "Listen"), "listen");
	/* Two in a long key; the keys of a table inside. */
	ASSERT_STR_EQ(settings_nearest(hub, 1, "hub", "autostop_aftr"),
	    "autostop_after");
	ASSERT_STR_EQ(settings_nearest(hub, 1, "hub", "spawn_timout_"),
	    "spawn_timeout");
	/* Not a typo of anything; another section's key; a known key. */
	ASSERT_NULL(settings_nearest(hub, 1, "hub", "nope"));
	ASSERT_NULL(settings_nearest(hub, 1, "hub", "ur"));
	ASSERT_NULL(settings_nearest(hub, 1, "hub", "listen"));
	ASSERT_NULL(settings_nearest(hub, 1, "hub",
	    "a_key_far_longer_than_any_key_the_engine_compares_at_all_xxxxxx"));
	ASSERT_STR_EQ(settings_nearest(hub, 1, "service", "uri"), "url");
}

struct readback {
	struct demo *d;
	int          keys;
};

static int
readback_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	struct readback *r = arg;

	(void)path;
	if (strcmp(section, "demo") != 0)
		FAIL("line %d: key '%s' outside [demo]", lineno, key);
	r->keys++;
	if (settings_set(demo_settings, r->d, "demo", key, value) != 0)
		FAIL("line %d: %s = '%s' does not read back", lineno, key,
		    value);
	return 0;
}

/* Writes [demo] of 'd', reads it into fresh defaults; returns the
 * number of keys not commented out. */
static int
write_read(const struct demo *d, char **text)
{
	struct buf      b;
	struct demo     e;
	struct readback r = { &e, 0 };
	char           *path = xasprintf("%s/demo.conf", unit_tmpdir());
	FILE           *f;

	buf_init(&b, 64 * 1024);
	buf_adds(&b, "[demo]\n");
	settings_write(&b, demo_settings, d, "demo");
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs(buf_str(&b), f);
	fclose(f);
	demo_init(&e);
	ASSERT_EQ(ini_read(path, readback_cb, &r), 0);
	ASSERT_STR_EQ(e.name, d->name);
	ASSERT_EQ(e.opt == NULL, d->opt == NULL);
	ASSERT_EQ(e.count, d->count);
	ASSERT_EQ(e.wait, d->wait);
	ASSERT(e.price == d->price);
	ASSERT_STR_EQ(e.url, d->url);
	ASSERT_EQ(e.inner.every, d->inner.every);
	settings_release(demo_settings, &e);
	*text = buf_detach(&b, NULL);
	free(path);
	return r.keys;
}

TEST(settings_write_reads_back)
{
	struct demo d;
	char       *text;

	demo_init(&d);
	/* Optional keys unset or at their default are commented out. */
	ASSERT_EQ(write_read(&d, &text), 9);
	ASSERT_NOT_NULL(strstr(text, "\nname = x                ; a name\n"));
	ASSERT_NOT_NULL(strstr(text, "\n; opt =                 ; optional\n"));
	ASSERT_NOT_NULL(strstr(text, "\nwait = 1h               ; a "));
	ASSERT_NOT_NULL(strstr(text, "\n; url = https://example.com\n"));
	ASSERT_NOT_NULL(strstr(text, "\ncolor = green\n"));
	ASSERT_NOT_NULL(strstr(text, "\nprice = \n"));
	ASSERT_NOT_NULL(strstr(text, "\ninner_every = 5\n"));
	ASSERT_NULL(strstr(text, "even"));
	free(text);
	ASSERT_EQ(set(&d, "opt", "a ; b"), 0); /* ';' after a space */
	ASSERT_EQ(set(&d, "wait", "90"), 0);
	ASSERT_EQ(set(&d, "price", "0.125"), 0);
	ASSERT_EQ(set(&d, "url", "http://[::1]:9"), 0);
	ASSERT_EQ(set(&d, "name", "a value longer than the comment column"), 0);
	ASSERT_EQ(write_read(&d, &text), 11);
	ASSERT_NOT_NULL(strstr(text, "\nprice = 0.125\n"));
	ASSERT_NOT_NULL(strstr(text, "\nwait = 90\n"));
	/* A value set is written bare, a default with its help. */
	ASSERT_NOT_NULL(strstr(text,
	    "\nname = a value longer than the "
	    "comment column\n"));
	ASSERT_NOT_NULL(strstr(text, "\nopt = a ; b\n"));
	ASSERT_NOT_NULL(strstr(text, "\nurl = http://[::1]:9\n"));
	free(text);
	settings_release(demo_settings, &d);
}

TEST(settings_durations)
{
	char    out[32];
	int64_t s;

	ASSERT_EQ(parse_duration("0", &s), 0);
	ASSERT_EQ(s, 0);
	ASSERT_EQ(parse_duration("366d", &s), 0);
	ASSERT_EQ(s, 366LL * 86400);
	ASSERT_EQ(parse_duration("367d", &s), -1);
	ASSERT_EQ(parse_duration("1w", &s), -1);
	settings_show_duration(7200, out, sizeof(out));
	ASSERT_STR_EQ(out, "2h");
	settings_show_duration(120, out, sizeof(out));
	ASSERT_STR_EQ(out, "2m");
	settings_show_duration(61, out, sizeof(out));
	ASSERT_STR_EQ(out, "61");
	settings_show_duration(0, out, sizeof(out));
	ASSERT_STR_EQ(out, "0");
}

/* ---- every key of every table is in docs/rig.1 ---- */

struct doc {
	char *keys[DOC_KEYS_MAX]; /* "section key" */
	int   n;
	int   missing;
};

/* docs/rig.1 from the source tree, wherever the tests run. */
static char *
read_man(void)
{
	const char *here = __FILE__; /* ".../tests/unit/test-settings.c" */
	const char *tail = strstr(here, "tests/unit/test-settings.c");
	char       *path, *text;

	ASSERT_NOT_NULL(tail);
	path = xasprintf("%.*sdocs/rig.1", (int)(tail - here), here);
	text = read_file(path, MAN_MAX, NULL);
	if (text == NULL)
		FAIL("cannot read %s", path);
	free(path);
	return text;
}

/*
 * The keys rig.1 documents: each ".It Li KEY [, KEY ...]" line of a list
 * that a comment line '.\" keys of [SECTION]' introduces, up to the
 * list's own ".El" (nested lists are not counted).
 */
static void
doc_keys(struct doc *doc)
{
	char *text = read_man(), *line, *next;
	char  section[64] = "";
	int   depth = 0, armed = 0;

	doc->n = 0;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (sscanf(line, ".\\\" keys of [%63[^]]]", section) == 1) {
			armed = 1;
			continue;
		}
		if (strncmp(line, ".Bl", 3) == 0) {
			if (depth > 0 || armed)
				depth++;
			armed = 0;
			continue;
		}
		if (strncmp(line, ".El", 3) == 0 && depth > 0) {
			depth--;
			continue;
		}
		if (depth != 1 || strncmp(line, ".It Li ", 7) != 0)
			continue;
		for (char *save = NULL, *w = strtok_r(line + 7, " ", &save);
		     w != NULL; w = strtok_r(NULL, " ", &save)) {
			if (strcmp(w, ",") == 0)
				continue;
			if (doc->n == DOC_KEYS_MAX)
				FAIL("more than %d documented keys",
				    DOC_KEYS_MAX);
			doc->keys[doc->n++] = xasprintf("%s %s", section, w);
		}
	}
	free(text);
}

static int
doc_has(const struct doc *doc, const char *section, const char *key)
{
	char *want = xasprintf("%s %s", section, key);
	int   found = 0;

	for (int i = 0; i < doc->n && !found; i++)
		found = strcmp(doc->keys[i], want) == 0;
	free(want);
	return found;
}

static void
check_documented(void *arg, const struct setting *e)
{
	struct doc *doc = arg;

	if (!doc_has(doc, e->section, e->key)) {
		fprintf(stderr, "# [%s] %s is not in docs/rig.1\n", e->section,
		    e->key);
		doc->missing++;
	}
}

/* Whether some table has the documented "section key". */
static int
table_has(const char *entry)
{
	char section[64], key[64];

	if (sscanf(entry, "%63s %63s", section, key) != 2)
		return 0;
	if (settings_find(config_settings, section, key) != NULL ||
	    settings_find(machine_settings, section, key) != NULL ||
	    settings_find(pool_settings, section, key) != NULL ||
	    settings_find(partition_settings, section, key) != NULL ||
	    settings_find(profile_settings, section, key) != NULL)
		return 1;
	for (size_t i = 0; providers[i] != NULL; i++)
		if (providers[i]->settings != NULL &&
		    settings_find(providers[i]->settings, section, key) != NULL)
			return 1;
	return 0;
}

TEST(settings_all_documented)
{
	struct doc doc = { .missing = 0 };
	int        providers_with_settings = 0, stale = 0;

	doc_keys(&doc);
	ASSERT(doc.n > 50);
	settings_each(config_settings, check_documented, &doc);
	settings_each(machine_settings, check_documented, &doc);
	settings_each(pool_settings, check_documented, &doc);
	settings_each(partition_settings, check_documented, &doc);
	settings_each(profile_settings, check_documented, &doc);
	for (size_t i = 0; providers[i] != NULL; i++) {
		if (providers[i]->settings == NULL)
			continue;
		providers_with_settings++;
		settings_each(providers[i]->settings, check_documented, &doc);
	}
	ASSERT(providers_with_settings > 0);
	/* And nothing documented that no table has. */
	for (int i = 0; i < doc.n; i++) {
		if (!table_has(doc.keys[i])) {
			fprintf(stderr,
			    "# docs/rig.1 has '%s', no table does\n",
			    doc.keys[i]);
			stale++;
		}
		free(doc.keys[i]);
	}
	ASSERT_EQ(doc.missing, 0);
	ASSERT_EQ(stale, 0);
}
