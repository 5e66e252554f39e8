/* SPDX-License-Identifier: MIT */
/*
 * The pool's view (poolview.h): sinfo's and squeue's lines parsed, a
 * node's Slurm state said in words, host lists matched, and the whole
 * put together as JSON with the hub's servers and the power log's hours.
 * Names and reasons are kept as Slurm gave them (bytes that are not
 * UTF-8 become '?', which JSON cannot carry): whoever shows them escapes
 * them for the page or the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/powerlog.h"
#include "lib/util.h"
#include "poolview.h"
#include "lib/banned.h"

/* clang-format off */
const char *const poolview_sinfo_argv[] = {
	"sinfo", "-a", "-N", "-h", "-O",
	"NodeList:|,Partition:|,StateComplete:|,CPUsState:|,Memory:|,"
	"AllocMem:|,Reason:|",
	NULL,
};
const char *const poolview_squeue_argv[] = {
	"squeue", "-a", "-h", "-t", "running,configuring,completing", "-o",
	"%i|%u|%N|%j", NULL,
};
/* clang-format on */

static int     field(const char **p, const char *end, char *out, size_t size);
static int     number(const char *s, long long *v);
static int     name_ok(const char *);
static int     range_has(const char *ranges, size_t rlen, const char *num,
        size_t nlen);
static json_t *jstr(const char *);
static json_t *node_json(const struct pool_node *);
static void    hours_cb(void *, const char *, int64_t);

/* The next '|'-ended field of [*p, end) into 'out'; -1 if none or too
 * long. */
static int
field(const char **p, const char *end, char *out, size_t size)
{
	const char *bar = memchr(*p, '|', (size_t)(end - *p));
	size_t      n;

	if (bar == NULL)
		return -1;
	n = (size_t)(bar - *p);
	if (n >= size)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p = bar + 1;
	return 0;
}

static int
number(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *v >= 0 ? 0 : -1;
}

/* A node's, partition's or user's name as Slurm allows them: nothing a
 * line or host list would read otherwise. */
static int
name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || strchr("|,[]", *s) != NULL)
			return 0;
	return 1;
}

int
poolview_parse_node(const char *line, size_t len, struct pool_node *n)
{
	const char *p = line, *end = line + len;
	char        cpus[96], mem[32], amem[32], *s;
	long long   a, i, o, t;
	size_t      rlen;

	memset(n, 0, sizeof(*n));
	if (len > 0 && line[len - 1] == '\n')
		end--;
	if (field(&p, end, n->name, sizeof(n->name)) == -1 ||
	    field(&p, end, n->partition, sizeof(n->partition)) == -1 ||
	    field(&p, end, n->slurm_state, sizeof(n->slurm_state)) == -1 ||
	    field(&p, end, cpus, sizeof(cpus)) == -1 ||
	    field(&p, end, mem, sizeof(mem)) == -1 ||
	    field(&p, end, amem, sizeof(amem)) == -1)
		return -1;
	/* The reason is the rest but its closing '|': it may hold '|'. */
	if (end == p || end[-1] != '|')
		return -1;
	rlen = (size_t)(end - 1 - p);
	if (rlen >= sizeof(n->reason))
		rlen = sizeof(n->reason) - 1; /* a long reason is cut */
	memcpy(n->reason, p, rlen);
	n->reason[rlen] = '\0';
	if (memchr(n->reason, '\n', rlen) != NULL || strlen(n->reason) != rlen)
		return -1;
	if (strcmp(n->reason, "none") == 0)
		n->reason[0] = '\0';
	s = n->partition + strlen(n->partition);
	if (s > n->partition && s[-1] == '*')
		s[-1] = '\0';
	if (!name_ok(n->name) || !name_ok(n->partition) ||
	    !name_ok(n->slurm_state))
		return -1;
	/* CPUsState is allocated/idle/other/total. */
	if (sscanf(cpus, "%lld/%lld/%lld/%lld", &a, &i, &o, &t) != 4 || a < 0 ||
	    t < 0 || a > t)
		return -1;
	n->cpus_used = a;
	n->cpus_total = t;
	if (number(mem, &n->mem_total) == -1 ||
	    number(amem, &n->mem_used) == -1)
		return -1;
	n->state = poolview_state(n->slurm_state, n->cpus_used);
	return 0;
}

int
poolview_parse_job(const char *line, size_t len, struct pool_job *j)
{
	const char *p = line, *end = line + len;
	size_t      nlen;

	memset(j, 0, sizeof(*j));
	if (len > 0 && line[len - 1] == '\n')
		end--;
	if (field(&p, end, j->id, sizeof(j->id)) == -1 ||
	    field(&p, end, j->user, sizeof(j->user)) == -1 ||
	    field(&p, end, j->nodes, sizeof(j->nodes)) == -1)
		return -1;
	nlen = (size_t)(end - p); /* the name: the rest, '|' and all */
	if (nlen >= sizeof(j->name))
		nlen = sizeof(j->name) - 1;
	memcpy(j->name, p, nlen);
	j->name[nlen] = '\0';
	if (strlen(j->name) != nlen || j->id[0] == '\0' ||
	    strspn(j->id, "0123456789_") != strlen(j->id) ||
	    !name_ok(j->user) || j->nodes[0] == '\0')
		return -1;
	for (const char *c = j->nodes; *c != '\0'; c++)
		if ((unsigned char)*c <= ' ' || *c == '|')
			return -1;
	return 0;
}

/* Whether "word" is one of the '+'-separated words of 'state'. */
static int
has_flag(const char *state, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = state; p != NULL; p = strchr(p, '+')) {
		if (*p == '+')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == '\0' || p[n] == '+'))
			return 1;
	}
	return 0;
}

const char *
poolview_state(const char *st, long long cpus_used)
{
	static const char *const bases[] = { "idle", "mixed", "allocated",
		"completing", "down", "unknown", "future", NULL };
	size_t                   n = strcspn(st, "+");

	/* The power's transitions say most about what comes next. */
	if (has_flag(st, "powering_up"))
		return "powering up";
	if (has_flag(st, "powering_down"))
		return "powering down";
	if (has_flag(st, "powered_down"))
		return cpus_used > 0 ? "powering up" : "powered down";
	if (has_flag(st, "drain"))
		return strncmp(st, "idle", n) == 0 ||
		        strncmp(st, "down", n) == 0
		    ? "drained"
		    : "draining";
	if (strncmp(st, "down", n) == 0 && n == 4)
		return "down";
	if (has_flag(st, "fail"))
		return "failing";
	if (has_flag(st, "not_responding"))
		return "not responding";
	for (size_t i = 0; bases[i] != NULL; i++)
		if (strlen(bases[i]) == n && strncmp(st, bases[i], n) == 0)
			return strcmp(bases[i], "future") == 0 ? "unknown"
			                                       : bases[i];
	return "unknown";
}

/* Whether the digits 'num' fall in "1-3,05-07,9". Zero-padded bounds
 * match only numbers of their width, as Slurm writes them. */
static int
range_has(const char *r, size_t rlen, const char *num, size_t nlen)
{
	const char *end = r + rlen, *comma, *dash;
	char        lo[24], hi[24], want[24];
	long long   l, h, v;
	size_t      ll, hl;

	if (nlen == 0 || nlen >= sizeof(want) ||
	    strspn(num, "0123456789") < nlen)
		return 0;
	memcpy(want, num, nlen);
	want[nlen] = '\0';
	if (number(want, &v) == -1)
		return 0;
	for (; r < end; r = comma + 1) {
		comma = memchr(r, ',', (size_t)(end - r));
		if (comma == NULL)
			comma = end;
		dash = memchr(r, '-', (size_t)(comma - r));
		ll = (size_t)((dash != NULL ? dash : comma) - r);
		hl = dash != NULL ? (size_t)(comma - dash - 1) : ll;
		if (ll == 0 || ll >= sizeof(lo) || hl == 0 || hl >= sizeof(hi))
			continue;
		memcpy(lo, r, ll);
		lo[ll] = '\0';
		memcpy(hi, dash != NULL ? dash + 1 : r, hl);
		hi[hl] = '\0';
		if (number(lo, &l) == -1 || number(hi, &h) == -1)
			continue;
		if (lo[0] == '0' && ll > 1 && nlen != ll)
			continue;
		if (v >= l && v <= h)
			return 1;
	}
	return 0;
}

int
poolview_hostlist_has(const char *list, const char *node)
{
	const char *p = list, *part, *open, *close;
	size_t      nlen = strlen(node), plen, pre, post;
	int         depth;

	while (*p != '\0') {
		/* One part: up to a comma outside brackets. */
		part = p;
		for (depth = 0; *p != '\0' && (depth > 0 || *p != ','); p++)
			depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
		plen = (size_t)(p - part);
		if (*p == ',')
			p++;
		open = memchr(part, '[', plen);
		if (open == NULL) {
			if (plen == nlen && memcmp(part, node, nlen) == 0)
				return 1;
			continue;
		}
		close = memchr(open, ']', plen - (size_t)(open - part));
		if (close == NULL)
			continue;
		pre = (size_t)(open - part);
		post = plen - (size_t)(close + 1 - part);
		if (memchr(close + 1, '[', post) != NULL ||
		    nlen <= pre + post || memcmp(node, part, pre) != 0 ||
		    memcmp(node + nlen - post, close + 1, post) != 0)
			continue;
		if (range_has(open + 1, (size_t)(close - open - 1), node + pre,
		        nlen - pre - post))
			return 1;
	}
	return 0;
}

/* A JSON string of Slurm's text: bytes that are not UTF-8 become '?'. */
static json_t *
jstr(const char *s)
{
	json_t *j = json_string(s);
	char   *c;

	if (j != NULL)
		return j;
	c = xstrdup(s);
	for (unsigned char *p = (unsigned char *)c; *p != '\0'; p++)
		if (*p >= 0x80)
			*p = '?';
	j = json_string(c);
	free(c);
	return j;
}

static json_t *
node_json(const struct pool_node *n)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", jstr(n->name));
	json_object_set_new(o, "partitions", json_array());
	json_object_set_new(o, "state", json_string(n->state));
	json_object_set_new(o, "slurm_state", jstr(n->slurm_state));
	json_object_set_new(o, "reason",
	    n->reason[0] != '\0' ? jstr(n->reason) : json_null());
	json_object_set_new(o, "cpus_used", json_integer(n->cpus_used));
	json_object_set_new(o, "cpus_total", json_integer(n->cpus_total));
	json_object_set_new(o, "memory_used_mb", json_integer(n->mem_used));
	json_object_set_new(o, "memory_total_mb", json_integer(n->mem_total));
	json_object_set_new(o, "jobs", json_array());
	json_object_set_new(o, "servers", json_array());
	json_object_set_new(o, "powered_hours_month", json_null());
	return o;
}

/* The power log's seconds for a node, as hours on its object. */
static void
hours_cb(void *arg, const char *node, int64_t seconds)
{
	json_t *nodes = arg, *o;
	size_t  i;

	json_array_foreach(nodes, i, o)
		if (strcmp(json_string_value(json_object_get(o, "name")),
		        node) == 0)
			json_object_set_new(o, "powered_hours_month",
			    json_real((double)seconds / 3600.0));
}

json_t *
poolview_build(const char *sinfo_out, const char *squeue_out,
    const struct poolview_server *sv, size_t nsv, const char *powerlog,
    int64_t now)
{
	json_t          *out = json_object(), *nodes = json_array(), *o, *a;
	struct pool_node n;
	struct pool_job  j;
	const char      *p, *nl;
	size_t           i, count = 0;
	char             idbuf[32];

	for (p = sinfo_out; *p != '\0' && count < POOLVIEW_NODES_MAX;
	     p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		if (poolview_parse_node(p, (size_t)(nl + 1 - p), &n) == -1)
			continue;
		/* A node in two partitions is two lines: one object. */
		o = NULL;
		json_array_foreach(nodes, i, a)
			if (strcmp(
			        json_string_value(json_object_get(a, "name")),
			        n.name) == 0)
				o = a;
		if (o == NULL) {
			o = node_json(&n);
			json_array_append_new(nodes, o);
			count++;
		}
		json_array_append_new(json_object_get(o, "partitions"),
		    jstr(n.partition));
	}
	count = 0;
	for (p = squeue_out; *p != '\0' && count < POOLVIEW_JOBS_MAX;
	     p = nl + 1, count++) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		if (poolview_parse_job(p, (size_t)(nl + 1 - p), &j) == -1)
			continue;
		json_array_foreach(nodes, i, o) {
			if (!poolview_hostlist_has(j.nodes,
			        json_string_value(json_object_get(o, "name"))))
				continue;
			json_array_append_new(json_object_get(o, "jobs"),
			    json_pack("{s:o,s:o,s:o}", "id", jstr(j.id), "user",
			        jstr(j.user), "name", jstr(j.name)));
			for (size_t k = 0; k < nsv; k++) {
				snprintf(idbuf, sizeof(idbuf), "%lld",
				    sv[k].job);
				if (strcmp(idbuf, j.id) == 0)
					json_array_append_new(
					    json_object_get(o, "servers"),
					    jstr(sv[k].label));
			}
		}
	}
	if (powerlog != NULL)
		(void)powerlog_seconds(powerlog, powerlog_month_start(now), now,
		    hours_cb, nodes);
	json_object_set_new(out, "nodes", nodes);
	json_object_set_new(out, "month_start",
	    json_integer(powerlog_month_start(now)));
	json_object_set_new(out, "now", json_integer(now));
	return out;
}
