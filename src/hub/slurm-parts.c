/* SPDX-License-Identifier: MIT */
/*
 * slurm.conf's partitions and the largest node of each. Two passes over
 * the text: the NodeName lines (CPUs, RealMemory, Gres=gpu:N), then the
 * PartitionName lines with their Nodes lists and MaxTime. Slurm's host
 * ranges (node[1-4]) are not expanded: rig writes each node's name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profiles.h"
#include "slurm-parts.h"
#include "lib/util.h"
#include "lib/banned.h"

struct node {
	char    *name;
	int      cpus;
	uint64_t mem_mb;
	int      gpus;
};

/* The value of 'key=' among the words of 'line' (up to its end), copied
 * into 'out'; 0, or -1 if absent or too long. Keys are case-blind, as
 * Slurm reads them. */
static int
word_value(const char *line, const char *key, char *out, size_t len)
{
	size_t      kl = strlen(key), n;
	const char *p = line;

	while (*p != '\0') {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n > kl && p[kl] == '=' && strncasecmp(p, key, kl) == 0) {
			n -= kl + 1;
			if (n >= len)
				return -1;
			memcpy(out, p + kl + 1, n);
			out[n] = '\0';
			return 0;
		}
		p += n;
	}
	return -1;
}

static long long
number(const char *line, const char *key)
{
	char      v[32];
	long long n;

	if (word_value(line, key, v, sizeof(v)) == -1 ||
	    parse_int(v, 0, 1LL << 40, &n) == -1)
		return 0;
	return n;
}

/* GPUs of "gpu:4" or "gpu:tesla:2,mps:100": the gpu entries summed. */
static int
gres_gpus(const char *line)
{
	char      v[256], *save = NULL, *item, *last;
	long long n;
	int       gpus = 0;

	if (word_value(line, "Gres", v, sizeof(v)) == -1)
		return 0;
	for (item = strtok_r(v, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if (strncmp(item, "gpu:", 4) != 0)
			continue;
		last = strrchr(item, ':');
		if (parse_int(last + 1, 0, 1024, &n) == 0)
			gpus += (int)n;
	}
	return gpus;
}

/* Each line, its comment cut off, to 'fn'. */
static void
each_line(const char *text, void (*fn)(void *, const char *), void *arg)
{
	char *copy = xstrdup(text), *line, *save = NULL, *hash;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		line += strspn(line, " \t");
		fn(arg, line);
	}
	free(copy);
}

struct parse {
	struct node       *nodes;
	size_t             nnodes;
	struct slurm_part *parts;
	size_t             nparts;
	int                too_many;
};

static void
node_line(void *arg, const char *line)
{
	struct parse *ps = arg;
	struct node  *nd;
	char          name[128];

	if (strncasecmp(line, "NodeName=", 9) != 0 ||
	    word_value(line, "NodeName", name, sizeof(name)) == -1 ||
	    strcasecmp(name, "DEFAULT") == 0 || ps->nnodes >= 65536)
		return;
	ps->nodes = xrealloc(ps->nodes, (ps->nnodes + 1) * sizeof(*nd));
	nd = &ps->nodes[ps->nnodes++];
	nd->name = xstrdup(name);
	nd->cpus = (int)number(line, "CPUs");
	nd->mem_mb = (uint64_t)number(line, "RealMemory");
	nd->gpus = gres_gpus(line);
}

static void
part_line(void *arg, const char *line)
{
	struct parse      *ps = arg;
	struct slurm_part *pt;
	char               name[128], v[64], *list, *save = NULL, *nd;
	size_t             cap = 1 << 16;

	if (strncasecmp(line, "PartitionName=", 14) != 0 ||
	    word_value(line, "PartitionName", name, sizeof(name)) == -1 ||
	    strcasecmp(name, "DEFAULT") == 0 || !profile_name_valid(name))
		return;
	if (ps->nparts >= SLURM_PARTS_MAX) {
		ps->too_many = 1;
		return;
	}
	ps->parts = xrealloc(ps->parts, (ps->nparts + 1) * sizeof(*pt));
	pt = &ps->parts[ps->nparts++];
	memset(pt, 0, sizeof(*pt));
	memcpy(pt->name, name, strlen(name) + 1); /* at most 64: valid */
	pt->is_default = word_value(line, "Default", v, sizeof(v)) == 0 &&
	    strcasecmp(v, "YES") == 0;
	if (word_value(line, "MaxTime", v, sizeof(v)) == 0 &&
	    strcasecmp(v, "INFINITE") != 0 && strcasecmp(v, "UNLIMITED") != 0 &&
	    profile_parse_time(v, &pt->max_time_min) == -1)
		pt->max_time_min = 1; /* unreadable: let nothing through */
	list = xmalloc(cap);
	if (word_value(line, "Nodes", list, cap) == 0) {
		for (nd = strtok_r(list, ",", &save); nd != NULL;
		     nd = strtok_r(NULL, ",", &save)) {
			for (size_t i = 0; i < ps->nnodes; i++) {
				const struct node *n = &ps->nodes[i];

				if (strcmp(n->name, nd) != 0 &&
				    strcasecmp(nd, "ALL") != 0)
					continue;
				if (n->cpus > pt->cpus)
					pt->cpus = n->cpus;
				if (n->mem_mb > pt->mem_mb)
					pt->mem_mb = n->mem_mb;
				if (n->gpus > pt->gpus)
					pt->gpus = n->gpus;
			}
		}
	}
	free(list);
}

int
slurm_parts_parse(const char *text, struct slurm_part **parts, size_t *n)
{
	struct parse ps;

	memset(&ps, 0, sizeof(ps));
	each_line(text, node_line, &ps);
	each_line(text, part_line, &ps);
	for (size_t i = 0; i < ps.nnodes; i++)
		free(ps.nodes[i].name);
	free(ps.nodes);
	if (ps.too_many) {
		free(ps.parts);
		return -1;
	}
	*parts = ps.parts;
	*n = ps.nparts;
	return 0;
}

int
slurm_parts_read(struct slurm_part **parts, size_t *n, const char **path)
{
	const char *conf = getenv("SLURM_CONF");
	char       *text;
	int         r;

	*path = conf != NULL && *conf != '\0' ? conf : SLURM_CONF_DEFAULT;
	text = read_file(*path, SLURM_CONF_MAX, NULL);
	if (text == NULL)
		return -1;
	r = slurm_parts_parse(text, parts, n);
	free(text);
	if (r == -1)
		errno = EFBIG;
	return r;
}

const struct slurm_part *
slurm_part_find(const struct slurm_part *parts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (name != NULL && strcmp(parts[i].name, name) == 0)
			return &parts[i];
		if (name == NULL && parts[i].is_default)
			return &parts[i];
	}
	return name == NULL && n > 0 ? &parts[0] : NULL;
}
