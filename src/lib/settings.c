/* SPDX-License-Identifier: MIT */
/*
 * The settings engine (settings.h): one parser for every table. A value
 * is parsed into a scratch copy first and checked, and only then stored,
 * so a refused value changes nothing. Messages are "[section] key: 'V'
 * is not WHAT", WHAT from the entry or its type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "settings.h"
#include "util.h"
#include "banned.h"

#define DOC_COLUMN 24 /* where a written line's comment starts */
#define NEAR_MAX_KEY 64 /* longer keys get no suggestion */

/* A value parsed but not stored yet. */
union parsed {
	int      i;
	int64_t  i64;
	uint64_t u64;
	double   d;
};

static const struct setting *find_in(const struct setting *, void *,
    const char *, const char *, void **);
static int    parse(const struct setting *, const char *, union parsed *);
static void   store(const struct setting *, void *, const char *,
      const union parsed *);
static int    set_entry(const struct setting *, void *, const char *);
static void   what(const struct setting *, char *, size_t);
static void   show(const struct setting *, const void *, char *, size_t);
static void   show_default(const struct setting *, char *, size_t);
static void   show_amount(double, char *, size_t);
static size_t distance(const char *, const char *);
static void   nearest_in(const struct setting *, const char *, const char *,
      const char **, size_t *);

void
settings_set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v != NULL ? xstrdup(v) : NULL;
}

/* The entry for section/key in 'tab' or a table inside it, and in *objp
 * the struct it sets (obj, or the inner struct). */
static const struct setting *
find_in(const struct setting *tab, void *obj, const char *section,
    const char *key, void **objp)
{
	const struct setting *e, *found;

	for (e = tab; e->type != SETTING_END; e++) {
		if (e->type == SETTING_TABLE) {
			found = find_in(e->sub,
			    obj != NULL ? (char *)obj + e->off : NULL, section,
			    key, objp);
			if (found != NULL)
				return found;
			continue;
		}
		if (strcmp(e->section, section) == 0 &&
		    strcmp(e->key, key) == 0) {
			if (objp != NULL)
				*objp = obj;
			return e;
		}
	}
	return NULL;
}

const struct setting *
settings_find(const struct setting *tab, const char *section, const char *key)
{
	return find_in(tab, NULL, section, key, NULL);
}

/* What a value of 'e' must be, for "'V' is not WHAT". */
static void
what(const struct setting *e, char *out, size_t len)
{
	struct buf b;
	size_t     n = 0;

	if (e->what != NULL) {
		snprintf(out, len, "%s", e->what);
		return;
	}
	switch (e->type) {
	case SETTING_INT:
	case SETTING_SECONDS:
	case SETTING_SIZE:
		snprintf(out, len, "a number from %lld to %lld", e->min,
		    e->max);
		return;
	case SETTING_BOOL:
		snprintf(out, len, "yes or no");
		return;
	case SETTING_DURATION:
		snprintf(out, len, "a duration (0, 90s, 60m, 2h)");
		return;
	case SETTING_AMOUNT:
		snprintf(out, len, "an amount");
		return;
	case SETTING_URL:
		snprintf(out, len, "an http(s) URL");
		return;
	default:
		break;
	}
	if (e->words == NULL) {
		snprintf(out, len, "valid");
		return;
	}
	/* "a, b or c" */
	while (e->words[n] != NULL)
		n++;
	buf_init(&b, len);
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%s",
		    i == 0           ? ""
		        : i + 1 == n ? " or "
		                     : ", ",
		    e->words[i]);
	snprintf(out, len, "%s", buf_str(&b));
	buf_release(&b);
}

/* Parses 'v' as the type of 'e' into *p; -1 if it is not one. */
static int
parse(const struct setting *e, const char *v, union parsed *p)
{
	long long n;
	size_t    i;
	char     *end;

	memset(p, 0, sizeof(*p));
	switch (e->type) {
	case SETTING_STRING:
		if (e->words == NULL)
			return 0;
		for (i = 0; e->words[i] != NULL; i++)
			if (strcmp(e->words[i], v) == 0)
				return 0;
		return -1;
	case SETTING_INT:
		if (parse_int(v, e->min, e->max, &n) == -1)
			return -1;
		p->i = (int)n;
		return 0;
	case SETTING_SECONDS:
		if (parse_int(v, e->min, e->max, &n) == -1)
			return -1;
		p->i64 = n;
		return 0;
	case SETTING_SIZE:
		if (parse_int(v, e->min, e->max, &n) == -1)
			return -1;
		p->u64 = (uint64_t)n;
		return 0;
	case SETTING_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
			p->i = 1;
		else if (strcmp(v, "no") != 0 && strcmp(v, "false") != 0 &&
		    strcmp(v, "off") != 0 && strcmp(v, "0") != 0)
			return -1;
		return 0;
	case SETTING_ENUM:
		for (i = 0; e->words[i] != NULL; i++) {
			if (strcmp(e->words[i], v) == 0) {
				p->i = (int)i;
				return 0;
			}
		}
		return -1;
	case SETTING_DURATION:
		return parse_duration(v, &p->i64);
	case SETTING_AMOUNT:
		if (*v == '\0' && (e->flags & SETTING_EMPTY_UNSET))
			return 0;
		/* Digits and a point only: no sign, exponent, hex or "nan". */
		if (*v == '\0' || strspn(v, "0123456789.") != strlen(v))
			return -1;
		p->d = strtod(v, &end);
		if (*end != '\0' || p->d > 1e9 ||
		    ((e->flags & SETTING_POSITIVE) && !(p->d > 0)))
			return -1;
		return 0;
	case SETTING_URL: {
		size_t scheme = strncmp(v, "http://", 7) == 0 ? 7
		    : strncmp(v, "https://", 8) == 0          ? 8
		                                              : 0;

		if (*v == '\0' && (e->flags & SETTING_EMPTY_UNSET))
			return 0;
		if (scheme == 0 || v[scheme] == '\0' || v[scheme] == '/')
			return -1;
		return 0;
	}
	case SETTING_CUSTOM:
		return 0;
	case SETTING_END:
	case SETTING_TABLE:
		break;
	}
	return -1;
}

/* Stores a parsed value; strings are copied from 'v'. */
static void
store(const struct setting *e, void *obj, const char *v, const union parsed *p)
{
	void  *field = (char *)obj + e->off;
	size_t n;

	switch (e->type) {
	case SETTING_STRING:
		settings_set_str(field,
		    *v == '\0' && (e->flags & SETTING_EMPTY_UNSET) ? NULL : v);
		break;
	case SETTING_URL:
		if (*v == '\0') {
			settings_set_str(field, NULL);
			break;
		}
		/* Callers append paths: "https://host/" + "/x" is not it. */
		n = strlen(v);
		while (n > 0 && v[n - 1] == '/')
			n--;
		free(*(char **)field);
		*(char **)field = xstrndup(v, n);
		break;
	case SETTING_INT:
	case SETTING_BOOL:
	case SETTING_ENUM:
		*(int *)field = p->i;
		break;
	case SETTING_SECONDS:
	case SETTING_DURATION:
		*(int64_t *)field = p->i64;
		break;
	case SETTING_SIZE:
		*(uint64_t *)field = p->u64;
		break;
	case SETTING_AMOUNT:
		*(double *)field = p->d;
		break;
	case SETTING_CUSTOM:
	case SETTING_END:
	case SETTING_TABLE:
		break;
	}
}

/* Parses, checks and stores 'v' for 'e' in 'obj'; -1 printed. */
static int
set_entry(const struct setting *e, void *obj, const char *v)
{
	union parsed p;
	char         why[512], w[256];

	why[0] = '\0';
	if (parse(e, v, &p) == -1 ||
	    (e->check != NULL && e->check(obj, v, why, sizeof(why)) == -1)) {
		if (why[0] != '\0')
			return error("[%s] %s: %s", e->section, e->key, why);
		what(e, w, sizeof(w));
		return error("[%s] %s: '%s' is not %s", e->section, e->key, v,
		    w);
	}
	store(e, obj, v, &p);
	return 0;
}

int
settings_set(const struct setting *tab, void *obj, const char *section,
    const char *key, const char *value)
{
	const struct setting *e;
	void                 *owner = NULL;

	e = find_in(tab, obj, section, key, &owner);
	if (e == NULL)
		return 1;
	return set_entry(e, owner, value);
}

void
settings_init(const struct setting *tab, void *obj)
{
	for (const struct setting *e = tab; e->type != SETTING_END; e++) {
		if (e->type == SETTING_TABLE)
			settings_init(e->sub, (char *)obj + e->off);
		else if (e->def != NULL && set_entry(e, obj, e->def) == -1)
			fatalx("%s: the default of [%s] %s is refused",
			    __func__, e->section, e->key);
	}
}

void
settings_release(const struct setting *tab, void *obj)
{
	for (const struct setting *e = tab; e->type != SETTING_END; e++) {
		if (e->type == SETTING_TABLE)
			settings_release(e->sub, (char *)obj + e->off);
		else if (e->type == SETTING_STRING || e->type == SETTING_URL)
			settings_set_str((char **)((char *)obj + e->off), NULL);
	}
}

/*
 * Edit distance with adjacent transpositions (optimal string
 * alignment): one typo, whether a letter left out, added, changed or
 * two swapped, is 1.
 */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[NEAR_MAX_KEY + 1][NEAR_MAX_KEY + 1];

	if (la > NEAR_MAX_KEY || lb > NEAR_MAX_KEY)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* The nearest key of 'section' in 'tab' so far in *best, *bestd. */
static void
nearest_in(const struct setting *tab, const char *section, const char *key,
    const char **best, size_t *bestd)
{
	for (const struct setting *e = tab; e->type != SETTING_END; e++) {
		size_t d;

		if (e->type == SETTING_TABLE) {
			nearest_in(e->sub, section, key, best, bestd);
			continue;
		}
		if (strcmp(e->section, section) != 0)
			continue;
		d = distance(key, e->key);
		if (d < *bestd) {
			*bestd = d;
			*best = e->key;
		}
	}
}

const char *
settings_nearest(const struct setting *const *tabs, size_t n,
    const char *section, const char *key)
{
	const char *best = NULL;
	size_t      bestd = (size_t)-1, len = strlen(key);

	for (size_t i = 0; i < n; i++)
		nearest_in(tabs[i], section, key, &best, &bestd);
	/* Two typos in a short key make another word: "port" is not a
	 * typo of "nope". */
	if (best == NULL || bestd == 0 || bestd > (len >= 8 ? 2u : 1u))
		return NULL;
	return best;
}

int
settings_unknown(const struct setting *const *tabs, size_t n,
    const char *section, const char *key)
{
	const char *near = settings_nearest(tabs, n, section, key);

	if (near != NULL)
		return error("unknown setting '%s' in [%s] (did you mean "
		             "'%s'?)",
		    key, section, near);
	return error("unknown setting '%s' in [%s]", key, section);
}

/* An amount without trailing zeros: "12", "250.75", "0.192". */
static void
show_amount(double d, char *out, size_t len)
{
	size_t n;

	snprintf(out, len, "%.6f", d);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (n > 0 && out[n - 1] == '.')
		out[--n] = '\0';
}

void
settings_show_duration(int64_t s, char *out, size_t len)
{
	if (s > 0 && s % 3600 == 0)
		snprintf(out, len, "%lldh", (long long)(s / 3600));
	else if (s > 0 && s % 60 == 0)
		snprintf(out, len, "%lldm", (long long)(s / 60));
	else
		snprintf(out, len, "%lld", (long long)s);
}

/* The value of 'e' in 'obj' as rig.conf writes it ("" if unset). */
static void
show(const struct setting *e, const void *obj, char *out, size_t len)
{
	const void *field = (const char *)obj + e->off;
	const char *s;

	out[0] = '\0';
	if (e->show != NULL) {
		e->show(obj, out, len);
		return;
	}
	switch (e->type) {
	case SETTING_STRING:
	case SETTING_URL:
		s = *(char *const *)field;
		snprintf(out, len, "%s", s != NULL ? s : "");
		break;
	case SETTING_INT:
		snprintf(out, len, "%d", *(const int *)field);
		break;
	case SETTING_SECONDS:
		snprintf(out, len, "%lld", (long long)*(const int64_t *)field);
		break;
	case SETTING_SIZE:
		snprintf(out, len, "%llu",
		    (unsigned long long)*(const uint64_t *)field);
		break;
	case SETTING_BOOL:
		snprintf(out, len, "%s", *(const int *)field ? "yes" : "no");
		break;
	case SETTING_ENUM:
		snprintf(out, len, "%s", e->words[*(const int *)field]);
		break;
	case SETTING_DURATION:
		settings_show_duration(*(const int64_t *)field, out, len);
		break;
	case SETTING_AMOUNT:
		if (*(const double *)field != 0 ||
		    !(e->flags & SETTING_EMPTY_UNSET))
			show_amount(*(const double *)field, out, len);
		break;
	case SETTING_CUSTOM:
	case SETTING_END:
	case SETTING_TABLE:
		break;
	}
}

/* The default as rig.conf would show it (a duration's "3600" is "1h"). */
static void
show_default(const struct setting *e, char *out, size_t len)
{
	int64_t d;

	if (e->def == NULL)
		out[0] = '\0';
	else if (e->type == SETTING_DURATION && parse_duration(e->def, &d) == 0)
		settings_show_duration(d, out, len);
	else if (e->type == SETTING_URL) {
		size_t n = strlen(e->def);

		while (n > 0 && e->def[n - 1] == '/')
			n--;
		snprintf(out, len, "%.*s", (int)n, e->def);
	} else
		snprintf(out, len, "%s", e->def);
}

void
settings_write(struct buf *b, const struct setting *tab, const void *obj,
    const char *section)
{
	for (const struct setting *e = tab; e->type != SETTING_END; e++) {
		char   val[1024], def[1024];
		size_t start;
		int    off;

		if (e->type == SETTING_TABLE) {
			settings_write(b, e->sub, (const char *)obj + e->off,
			    section);
			continue;
		}
		if (strcmp(e->section, section) != 0 ||
		    (e->flags & SETTING_DOC_HIDDEN))
			continue;
		show(e, obj, val, sizeof(val));
		show_default(e, def, sizeof(def));
		off = (e->flags & SETTING_DOC_OPTIONAL) &&
		    (val[0] == '\0' || strcmp(val, def) == 0);
		start = b->len;
		buf_addf(b, "%s%s = %s", off ? "; " : "", e->key, val);
		/* A value someone chose stays as they gave it (tests and
		 * scripts match the whole line); a default says what it is. */
		if (e->help != NULL &&
		    (off || val[0] == '\0' || strcmp(val, def) == 0)) {
			/* At least one space before the comment: ini.c ends
			 * a value only at a ';' after white space. */
			do
				buf_adds(b, " ");
			while (b->len - start < DOC_COLUMN);
			buf_addf(b, "; %s", e->help);
		}
		buf_adds(b, "\n");
	}
}

void
settings_each(const struct setting *tab,
    void (*fn)(void *arg, const struct setting *), void *arg)
{
	for (const struct setting *e = tab; e->type != SETTING_END; e++) {
		if (e->type == SETTING_TABLE)
			settings_each(e->sub, fn, arg);
		else
			fn(arg, e);
	}
}

int
parse_duration(const char *s, int64_t *out)
{
	long long n;
	char      num[32];
	size_t    len = strlen(s), digits;
	int64_t   unit = 1;

	digits = strspn(s, "0123456789");
	if (digits == 0 || digits >= sizeof(num) || len > digits + 1)
		return -1;
	if (len == digits + 1) {
		switch (s[digits]) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		default:
			return -1;
		}
	}
	memcpy(num, s, digits);
	num[digits] = '\0';
	if (parse_int(num, 0, 366LL * 86400, &n) == -1 ||
	    n * unit > 366LL * 86400)
		return -1;
	*out = n * unit;
	return 0;
}
