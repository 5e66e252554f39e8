/* SPDX-License-Identifier: MIT */
/*
 * Reading [pool] and [partition NAME] of rig.conf (pool.h) with the
 * settings engine: the keys are the tables below, next to the structs
 * they land in, and a mistyped key names the nearest known one.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ini.h"
#include "lib/proc.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/util.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "pool.h"
#include "lib/banned.h"

static int check_shared_dir(void *, const char *, char *, size_t);
static int check_hosts(void *, const char *, char *, size_t);
static int check_part_provider(void *, const char *, char *, size_t);
static int check_power_cmd(void *, const char *, char *, size_t);
static int check_node_time(void *, const char *, char *, size_t);
static int check_server_ports(void *, const char *, char *, size_t);
static int check_size(void *, const char *, char *, size_t);
static int check_made(const struct partition *, const struct machine *);
static int host_word_ok(const char *, size_t);
static struct partition *partition_get(struct pool *, const char *);
static int load_cb(void *, const char *, const char *, const char *,
    const char *, int);

static const char *const engines[] = { "slurm", NULL };

#define P(field) offsetof(struct pool, field)
#define PT(field) offsetof(struct partition, field)

/* clang-format off */
const struct setting pool_settings[] = {
	{ .section = "pool", .key = "engine", .type = SETTING_STRING,
	    .off = P(engine), .def = "slurm", .words = engines,
	    .help = "the scheduler: Debian's slurm-wlm and munge" },
	{ .section = "pool", .key = "shared_dir", .type = SETTING_STRING,
	    .off = P(shared_dir), .def = "/home", .check = check_shared_dir,
	    .help = "the head exports it over NFSv4 to the nodes, which "
	            "mount it" },
	{ .section = "pool", .key = "node_idle_stop",
	    .type = SETTING_DURATION, .off = P(node_idle_stop), .def = "10m",
	    .check = check_node_time,
	    .help = "nodes that can be powered are powered down after "
	            "being idle this long (Slurm's SuspendTime)" },
	{ .section = "pool", .key = "node_resume_timeout",
	    .type = SETTING_DURATION, .off = P(resume_timeout), .def = "10m",
	    .check = check_node_time,
	    .help = "a node powered up that has not joined by then is "
	            "marked down (Slurm's ResumeTimeout)" },
	{ .section = "pool", .key = "server_ports", .type = SETTING_STRING,
	    .off = P(server_ports), .def = "20000-20999",
	    .check = check_server_ports,
	    .help = "LO-HI: the ports users' servers listen on at the "
	            "nodes, where only the head may connect to them" },
	{ .section = "pool", .key = "node_suspend_timeout",
	    .type = SETTING_DURATION, .off = P(suspend_timeout), .def = "2m",
	    .check = check_node_time,
	    .help = "how long powering a node down may take before Slurm "
	            "may power it up again (SuspendTimeout)" },
	{ .type = SETTING_END },
};

const struct setting partition_settings[] = {
	{ .section = "partition", .key = "provider", .type = SETTING_STRING,
	    .off = PT(provider_name), .def = "ssh",
	    .check = check_part_provider,
	    .help = "where its nodes come from" },
	{ .section = "partition", .key = "hosts", .type = SETTING_STRING,
	    .off = PT(hosts), .flags = SETTING_EMPTY_UNSET,
	    .check = check_hosts,
	    .help = "its machines' addresses, reached as [machine]'s user "
	            "and identity" },
	{ .section = "partition", .key = "power_on", .type = SETTING_STRING,
	    .off = PT(power_on), .flags = SETTING_EMPTY_UNSET | SETTING_DOC_OPTIONAL,
	    .check = check_power_cmd,
	    .help = "CMD {host}: powers a node up, run on the head as root "
	            "(IPMI, wake-on-LAN); with power_off, nodes are powered "
	            "down when idle" },
	{ .section = "partition", .key = "power_off", .type = SETTING_STRING,
	    .off = PT(power_off), .flags = SETTING_EMPTY_UNSET | SETTING_DOC_OPTIONAL,
	    .check = check_power_cmd,
	    .help = "CMD {host}: powers a node down, run on the head as "
	            "root" },
	{ .section = "partition", .key = "price_hour", .type = SETTING_AMOUNT,
	    .off = PT(price_hour),
	    .flags = SETTING_EMPTY_UNSET | SETTING_POSITIVE,
	    .help = "optional: what a node costs per powered hour, for rig "
	            "pool status's spend" },
	{ .section = "partition", .key = "size", .type = SETTING_STRING,
	    .off = PT(size), .flags = SETTING_EMPTY_UNSET | SETTING_DOC_OPTIONAL,
	    .check = check_size,
	    .help = "for a provider that makes nodes: their VM size, "
	            "e.g. Standard_D4s_v5" },
	{ .section = "partition", .key = "max_nodes", .type = SETTING_INT,
	    .off = PT(max_nodes), .def = "0", .min = 0,
	    .max = POOL_HOSTS_MAX, .flags = SETTING_DOC_OPTIONAL,
	    .help = "for a provider that makes nodes: at most this many, "
	            "named NAME-1 to NAME-max_nodes" },
	{ .section = "partition", .key = "min_nodes", .type = SETTING_INT,
	    .off = PT(min_nodes), .def = "0", .min = 0,
	    .max = POOL_HOSTS_MAX, .flags = SETTING_DOC_OPTIONAL,
	    .help = "for a provider that makes nodes: the first this many, "
	            "once up, are never powered down (0: scale to zero)" },
	{ .section = "partition", .key = "spot", .type = SETTING_BOOL,
	    .off = PT(spot), .def = "no", .flags = SETTING_DOC_OPTIONAL,
	    .help = "for a provider that makes nodes: Spot VMs (cheaper, "
	            "may be evicted)" },
	{ .section = "partition", .key = "node_delete_after",
	    .type = SETTING_DURATION, .off = PT(node_delete_after),
	    .def = "7d", .flags = SETTING_DOC_OPTIONAL,
	    .help = "for a provider that makes nodes: one powered down "
	            "this long is deleted (VM, network interface, disk) at "
	            "the next power operation" },
	{ .type = SETTING_END },
};
/* clang-format on */

/* A size word goes into ARM bodies and slurm.conf comments: letters,
 * digits and '_' only. */
static int
check_size(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	if (*v == '\0' || strlen(v) > 64 ||
	    strspn(v,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789_") != strlen(v)) {
		snprintf(why, len,
		    "'%s' is not a size (letters, digits and '_', e.g. "
		    "Standard_D4s_v5)",
		    v);
		return -1;
	}
	return 0;
}

/* An absolute path Slurm, exports(5) and fstab(5) all take as it is. */
static int
check_shared_dir(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	if (v[0] != '/' || strcmp(v, "/") == 0) {
		snprintf(why, len,
		    "'%s' is not an absolute folder other than /", v);
		return -1;
	}
	for (const char *p = v; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || strchr("/._-", *p))) {
			snprintf(why, len,
			    "'%s': only letters, digits and / . _ - in a "
			    "shared folder's path",
			    v);
			return -1;
		}
	}
	if (strstr(v, "/../") != NULL || strstr(v, "//") != NULL ||
	    (strlen(v) >= 3 && strcmp(v + strlen(v) - 3, "/..") == 0)) {
		snprintf(why, len, "'%s' is not a plain path", v);
		return -1;
	}
	return 0;
}

/* A host name or address: letters, digits, '.', '-', ':' (IPv6); never
 * an option or anything a shell or slurm.conf would read otherwise. */
static int
host_word_ok(const char *w, size_t n)
{
	if (n == 0 || n > 253 || w[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') ||
		        (w[i] >= 'A' && w[i] <= 'Z') ||
		        (w[i] >= '0' && w[i] <= '9') || strchr(".-:", w[i])))
			return 0;
	return 1;
}

static int
check_hosts(void *obj, const char *v, char *why, size_t len)
{
	const char *p = v;
	size_t      n;
	int         count = 0;

	(void)obj;
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		if (!host_word_ok(p, n)) {
			snprintf(why, len,
			    "'%.*s' is not a host name or address", (int)n, p);
			return -1;
		}
		if (++count > POOL_HOSTS_MAX) {
			snprintf(why, len, "more than %d hosts",
			    POOL_HOSTS_MAX);
			return -1;
		}
		p += n;
	}
	return 0;
}

/*
 * Nodes are machines reached like the head: a provider whose machines
 * exist at a host. Providers that make nodes (a cloud's VMs, made when
 * Slurm resumes them) come with power saving, not here yet.
 */
static int
check_part_provider(void *obj, const char *v, char *why, size_t len)
{
	struct partition      *pt = obj;
	const struct provider *p = provider_find(v);

	if (p == NULL) {
		snprintf(why, len, "unknown provider '%s' (known: %s)", v,
		    provider_names());
		return -1;
	}
	/* Either existing machines at hosts, or nodes the provider
	 * makes when Slurm powers them up. */
	if (!p->needs_host && (p->power_up == NULL || p->node_size == NULL)) {
		snprintf(why, len,
		    "provider '%s' cannot give a pool's nodes: a "
		    "partition's nodes are existing machines (a provider "
		    "with hosts) or made by a cloud provider",
		    v);
		return -1;
	}
	pt->provider = p;
	return 0;
}

/* Slurm's power saving times: at least 5 s (its loop runs every
 * second), at most a year. */
static int
check_node_time(void *obj, const char *v, char *why, size_t len)
{
	int64_t d;

	(void)obj;
	if (parse_duration(v, &d) == -1 || d < 5 || d > 366LL * 86400) {
		snprintf(why, len,
		    "'%s' is not a duration from 5s to a year (90s, 10m, 2h)",
		    v);
		return -1;
	}
	return 0;
}

int
pool_server_ports(const char *v, int *lo, int *hi)
{
	const char *dash = strchr(v, '-');
	char        a[8];
	long long   l, h;
	size_t      n = dash != NULL ? (size_t)(dash - v) : 0;

	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, v, n);
	a[n] = '\0';
	if (parse_int(a, 1024, 32767, &l) == -1 ||
	    parse_int(dash + 1, l, 32767, &h) == -1)
		return -1;
	*lo = (int)l;
	*hi = (int)h;
	return 0;
}

static int
check_server_ports(void *obj, const char *v, char *why, size_t len)
{
	int lo, hi;

	(void)obj;
	if (pool_server_ports(v, &lo, &hi) == -1) {
		snprintf(why, len,
		    "'%s' is not a range LO-HI of ports from 1024 to 32767 "
		    "(below the kernel's own, 32768 up)",
		    v);
		return -1;
	}
	return 0;
}

/* A command whose words provider_power_argv() takes, checked with a
 * stand-in node. */
static int
check_power_cmd(void *obj, const char *v, char *why, size_t len)
{
	struct provider_node nd = { .name = "n", .host = "h" };
	struct argv          av;

	(void)obj;
	if (provider_power_argv(v, &nd, &av, why, len) == -1)
		return -1;
	argv_release(&av);
	return 0;
}

int
partition_makes_nodes(const struct partition *pt)
{
	return pt->provider != NULL && !pt->provider->needs_host;
}

int
partition_powered(const struct partition *pt)
{
	return partition_makes_nodes(pt) ||
	    (pt->power_on != NULL && pt->power_off != NULL);
}

int
pool_powered(const struct pool *pl)
{
	for (const struct partition *pt = pl->parts; pt != NULL; pt = pt->next)
		if (partition_powered(pt))
			return 1;
	return 0;
}

int
pool_partition_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > POOL_PARTITION_NAME_MAX || name[0] < 'a' ||
	    name[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		        (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		        name[i] == '-'))
			return 0;
	return 1;
}

void
pool_init(struct pool *pl)
{
	memset(pl, 0, sizeof(*pl));
	settings_init(pool_settings, pl);
}

void
pool_release(struct pool *pl)
{
	struct partition *pt, *next;

	for (pt = pl->parts; pt != NULL; pt = next) {
		next = pt->next;
		settings_release(partition_settings, pt);
		free(pt->name);
		free(pt);
	}
	settings_release(pool_settings, pl);
	memset(pl, 0, sizeof(*pl));
}

/* The partition called 'name', added at the end if new. */
static struct partition *
partition_get(struct pool *pl, const char *name)
{
	struct partition **pp;

	for (pp = &pl->parts; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0)
			return *pp;
	*pp = xcalloc(1, sizeof(**pp));
	settings_init(partition_settings, *pp);
	(*pp)->name = xstrdup(name);
	(*pp)->provider = provider_find((*pp)->provider_name);
	return *pp;
}

int
pool_set(struct pool *pl, const char *section, const char *key,
    const char *value)
{
	const struct setting *tabs[] = { pool_settings, partition_settings };
	struct partition     *pt;
	int                   r;

	if (strcmp(section, "pool") == 0) {
		pl->present = 1;
		r = settings_set(pool_settings, pl, "pool", key, value);
		return r == 1 ? settings_unknown(tabs, 1, "pool", key) : r;
	}
	if (strncmp(section, "partition ", 10) != 0)
		return error("[%s]: not a pool section", section);
	if (!pool_partition_name_ok(section + 10))
		return error("[%s]: '%s' is not a partition name (lower case "
		             "letters, digits, '_', '-', starting with a "
		             "letter, at most %d)",
		    section, section + 10, POOL_PARTITION_NAME_MAX);
	pt = partition_get(pl, section + 10);
	r = settings_set(partition_settings, pt, "partition", key, value);
	if (r == 1) {
		const char *near =
		    settings_nearest(tabs + 1, 1, "partition", key);

		if (near != NULL)
			return error("unknown setting '%s' in [%s] (did you "
			             "mean '%s'?)",
			    key, section, near);
		return error("unknown setting '%s' in [%s]", key, section);
	}
	return r;
}

static int
load_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	if (strcmp(section, "pool") != 0 && strcmp(section, "partition") != 0 &&
	    strncmp(section, "partition ", 10) != 0)
		return 0;
	if (strcmp(section, "partition") == 0)
		return error("%s:%d: [partition] needs a name: [partition "
		             "NAME]",
		    path, lineno);
	if (pool_set(arg, section, key, value) == -1)
		return error("%s:%d: in [%s]", path, lineno, section);
	return 0;
}

int
pool_load(struct pool *pl, const struct machine *m)
{
	int r;

	r = ini_read(m->conf_path, load_cb, pl);
	if (r == -1)
		return -1;
	if (!pl->present && pl->parts != NULL)
		return error("%s: [partition %s] needs a [pool] with its "
		             "settings, at least engine = slurm",
		    m->conf_path, pl->parts->name);
	return 0;
}

/* A partition whose provider makes its nodes: their size and count,
 * no hosts nor power commands (the provider powers them). */
static int
check_made(const struct partition *pt, const struct machine *head)
{
	char why[256];

	if (pt->hosts != NULL || pt->power_on != NULL)
		return error("[partition %s]: provider %s makes its nodes: "
		             "no hosts, power_on or power_off",
		    pt->name, pt->provider_name);
	/* They are made beside the head (its network, group, image): the
	 * head must be one of the provider's machines. */
	if (head->provider != NULL && head->provider != pt->provider)
		return error("[partition %s]: provider %s makes its nodes "
		             "beside the head, which is not one of its "
		             "machines ([machine] provider = %s)",
		    pt->name, pt->provider_name, head->provider_name);
	if (pt->size == NULL || pt->max_nodes < 1)
		return error("[partition %s]: provider %s needs size = ... "
		             "and max_nodes = N (1 or more)",
		    pt->name, pt->provider_name);
	if (pt->min_nodes > pt->max_nodes)
		return error("[partition %s]: min_nodes (%d) is more than "
		             "max_nodes (%d)",
		    pt->name, pt->min_nodes, pt->max_nodes);
	/* NAME-N is a Slurm node name and a host name: at most 63. */
	if (strlen(pt->name) + 5 > 63)
		return error("[partition %s]: name too long for its nodes' "
		             "names",
		    pt->name);
	if (pt->provider->node_size(pt->size, NULL, NULL, why, sizeof(why)) ==
	    -1)
		return error("[partition %s]: %s", pt->name, why);
	return 0;
}

int
pool_check(const struct pool *pl, const struct machine *head)
{
	const struct partition *pt, *other;
	const char             *p, *q;
	size_t                  n, on;

	if (pl->parts == NULL)
		return error("[pool] has no partition: add [partition NAME] "
		             "with hosts = ...");
	for (pt = pl->parts; pt != NULL; pt = pt->next) {
		if ((pt->power_on == NULL) != (pt->power_off == NULL))
			return error("[partition %s]: power_on and power_off "
			             "come together (a node powered up by rig "
			             "must be powered down by it)",
			    pt->name);
		if (!partition_makes_nodes(pt) && pt->power_on != NULL &&
		    pt->provider->power_up == NULL)
			return error("[partition %s]: provider %s cannot power "
			             "nodes",
			    pt->name, pt->provider_name);
		if (partition_makes_nodes(pt)) {
			if (check_made(pt, head) == -1)
				return -1;
			continue;
		}
		if (pt->size != NULL || pt->max_nodes != 0)
			return error("[partition %s]: size and max_nodes are "
			             "for a provider that makes nodes, not %s "
			             "(hosts)",
			    pt->name, pt->provider_name);
		if (pt->hosts == NULL ||
		    pt->hosts[strspn(pt->hosts, " \t")] == '\0')
			return error("[partition %s] has no hosts", pt->name);
		for (p = pt->hosts; *(p += strspn(p, " \t")) != '\0'; p += n) {
			n = strcspn(p, " \t");
			if (head->host != NULL && strlen(head->host) == n &&
			    strncmp(head->host, p, n) == 0)
				return error("[partition %s]: %.*s is the head "
				             "([machine] host), not a node",
				    pt->name, (int)n, p);
			/* Each host once, in all partitions: later words
			 * of this one and every word of the next ones. */
			for (other = pt; other != NULL; other = other->next) {
				q = other == pt ? p + n : other->hosts;
				for (; *(q += strspn(q, " \t")) != '\0';
				     q += on) {
					on = strcspn(q, " \t");
					if (on == n && strncmp(p, q, n) == 0)
						return error(
						    "host %.*s is in "
						    "[partition %s] twice "
						    "or in two "
						    "partitions",
						    (int)n, p, pt->name);
				}
			}
		}
	}
	return 0;
}
