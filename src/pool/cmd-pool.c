/* SPDX-License-Identifier: MIT */
/*
 * rig pool SUBCOMMAND: the pool's commands. "power" is Slurm's
 * (cmd-pool-power.c). "status" shows every node
 * as Slurm sees it on the head (rig service pool there: partitions, the
 * state in words and Slurm's reason, cores and memory in use, its jobs
 * and the hub's servers), each partition's price per hour where
 * rig.conf gives one (price_hour), and the spend this month: the nodes'
 * powered hours times their price, beside the head's own estimate from
 * its provider (rig status's). Everything the head sends is made safe
 * for the terminal before it is printed; --json prints it as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "cmd-pool.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "machine/hubctl.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "machine/remote.h"
#include "machine/termsafe.h"
#include "pool.h"
#include "lib/banned.h"

#define POOL_STATUS_MS 60000

static int         pool_status(int argc, char **argv);
static json_t     *ask_head(struct remote *);
static void        add_spend(const struct pool *, json_t *view, json_t *head);
static void        node_prices(struct pool *, struct machine *);
static void        print_view(json_t *view);
static const char *safe(json_t *, char *, size_t);

int
cmd_pool(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "status") == 0)
		return pool_status(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "power") == 0)
		return cmd_pool_power(argc, argv);
	return usage("pool");
}

/* A string of the head's, cleaned for the terminal into 'out'. */
static const char *
safe(json_t *v, char *out, size_t len)
{
	snprintf(out, len, "%s", json_is_string(v) ? json_string_value(v) : "");
	term_clean_str(out);
	return out;
}

/* rig service pool on the head; NULL (said) if it cannot be had. */
static json_t *
ask_head(struct remote *rm)
{
	struct proc_result res;
	json_error_t       je;
	json_t            *j = NULL;
	int                r;

	r = hubctl_call(rm, "pool", NULL, POOL_STATUS_MS, &res);
	if (r == HUBCTL_NOT_INSTALLED)
		error("rig is not installed on the head (run rig up)");
	else if (r > 0) {
		hubctl_show_error(&res);
		error("'rig service pool' failed on the head (status %d)", r);
	} else if (r == 0) {
		j = json_loads(buf_str(&res.out), 0, &je);
		if (!json_is_object(j)) {
			error("the head's 'rig service pool' is not JSON: %s",
			    je.text);
			json_decref(j);
			j = NULL;
		}
	}
	proc_result_release(&res);
	return j;
}

/* A partition whose nodes its provider makes, without price_hour: the
 * provider's price for its size, in the head's region (0: unknown,
 * warned by the provider). */
static void
node_prices(struct pool *pl, struct machine *head)
{
	for (struct partition *pt = pl->parts; pt != NULL; pt = pt->next) {
		double p;

		if (pt->price_hour > 0 || !partition_makes_nodes(pt) ||
		    pt->provider->node_price == NULL)
			continue;
		p = pt->provider->node_price(head, pt->size, pt->spot);
		if (p > 0)
			pt->price_hour = p;
	}
}

/* Prices and the month's spend, added to the view: each node's
 * price_hour (its first partition with one) and spend_month, the sum,
 * and the head's estimate as its provider gives it ('head', or NULL). */
static void
add_spend(const struct pool *pl, json_t *view, json_t *head)
{
	json_t     *n, *p, *hours, *price, *sum = json_object();
	const char *st;
	size_t      i, k;
	double      total = 0, h, ph, powered = 0;
	int         priced = 0;
	int64_t     month =
	    json_integer_value(json_object_get(view, "month_start"));
	int64_t now = json_integer_value(json_object_get(view, "now"));

	json_array_foreach(json_object_get(view, "nodes"), i, n) {
		ph = 0;
		json_array_foreach(json_object_get(n, "partitions"), k, p)
			for (const struct partition *pt = pl->parts;
			     pt != NULL && ph == 0; pt = pt->next)
				if (strcmp(pt->name, json_string_value(p)) == 0)
					ph = pt->price_hour;
		/* A node the power log never named has been on all month,
		 * unless Slurm powers it (a CLOUD node): then it never was. */
		hours = json_object_get(n, "powered_hours_month");
		st = json_string_value(json_object_get(n, "slurm_state"));
		if (json_is_number(hours))
			h = json_number_value(hours);
		else if (st != NULL && strstr(st, "cloud") != NULL)
			h = 0;
		else
			h = (double)(now - month) / 3600.0;
		json_object_set_new(n, "price_hour",
		    ph > 0 ? json_real(ph) : json_null());
		json_object_set_new(n, "spend_month",
		    ph > 0 ? json_real(h * ph) : json_null());
		if (ph > 0) {
			total += h * ph;
			powered += h;
			priced++;
		}
	}
	json_object_set_new(sum, "nodes_month",
	    priced > 0 ? json_real(total) : json_null());
	json_object_set_new(sum, "nodes_priced", json_integer(priced));
	json_object_set_new(sum, "nodes_hours", json_real(powered));
	price = json_object_get(head, "price");
	json_object_set(sum, "head_month",
	    json_is_number(json_object_get(price, "estimate_month"))
	        ? json_object_get(price, "estimate_month")
	        : json_null());
	json_object_set(sum, "head_currency",
	    json_is_string(json_object_get(price, "currency"))
	        ? json_object_get(price, "currency")
	        : json_null());
	json_object_set_new(view, "spend", sum);
}

static void
print_view(json_t *view)
{
	json_t *n, *v, *sp = json_object_get(view, "spend");
	size_t  i, k, nodes = json_array_size(json_object_get(view, "nodes"));
	char    a[256], b[256], c[256];
	const char *cur;

	printf("pool:     %zu node%s\n", nodes, nodes == 1 ? "" : "s");
	json_array_foreach(json_object_get(view, "nodes"), i, n) {
		printf("%s (", safe(json_object_get(n, "name"), a, sizeof(a)));
		json_array_foreach(json_object_get(n, "partitions"), k, v)
			printf("%s%s", k > 0 ? ", " : "",
			    safe(v, b, sizeof(b)));
		printf("): %s",
		    safe(json_object_get(n, "state"), a, sizeof(a)));
		if (json_is_string(json_object_get(n, "reason")))
			printf(" (%s)",
			    safe(json_object_get(n, "reason"), a, sizeof(a)));
		printf(", cores %lld of %lld, memory %lld of %lld MiB",
		    (long long)json_integer_value(
		        json_object_get(n, "cpus_used")),
		    (long long)json_integer_value(
		        json_object_get(n, "cpus_total")),
		    (long long)json_integer_value(
		        json_object_get(n, "memory_used_mb")),
		    (long long)json_integer_value(
		        json_object_get(n, "memory_total_mb")));
		if (json_is_number(json_object_get(n, "price_hour")))
			printf(", %.4f/hour",
			    json_number_value(
			        json_object_get(n, "price_hour")));
		printf("\n");
		json_array_foreach(json_object_get(n, "jobs"), k, v)
			printf("  job %s of %s: %s\n",
			    safe(json_object_get(v, "id"), a, sizeof(a)),
			    safe(json_object_get(v, "user"), b, sizeof(b)),
			    safe(json_object_get(v, "name"), c, sizeof(c)));
		json_array_foreach(json_object_get(n, "servers"), k, v)
			printf("  server of %s\n", safe(v, a, sizeof(a)));
	}
	cur = json_string_value(json_object_get(sp, "head_currency"));
	printf("spend:    this month, ");
	if (json_is_number(json_object_get(sp, "nodes_month")))
		printf("nodes about %.2f%s%s (%.1f hours of %lld priced "
		       "node%s)",
		    json_number_value(json_object_get(sp, "nodes_month")),
		    cur != NULL ? " " : "", cur != NULL ? cur : "",
		    json_number_value(json_object_get(sp, "nodes_hours")),
		    (long long)json_integer_value(
		        json_object_get(sp, "nodes_priced")),
		    json_integer_value(json_object_get(sp, "nodes_priced")) == 1
		        ? ""
		        : "s");
	else
		printf("nodes not priced (price_hour in [partition NAME])");
	if (json_is_number(json_object_get(sp, "head_month")))
		printf("; head about %.2f %s (retail prices, an estimate)\n",
		    json_number_value(json_object_get(sp, "head_month")),
		    cur != NULL ? cur : "");
	else
		printf("; head not priced by its provider\n");
}

static int
pool_status(int argc, char **argv)
{
	struct machine_flags f;
	struct machine       m;
	struct remote        rm;
	struct pool          pl;
	json_t              *view = NULL, *head = NULL, *err;
	int                  json, ret = 1;

	if (machine_flags_json(argc, argv, &f, &json) == -1)
		return usage("pool");
	memset(&rm, 0, sizeof(rm));
	pool_init(&pl);
	if (machine_open(&m, &f) == -1 || pool_load(&pl, &m) == -1)
		goto out;
	if (!pl.present) {
		error("rig.conf has no [pool]");
		goto out;
	}
	if (remote_open(&rm, &m) == -1 || remote_connect(&rm) == -1)
		goto out;
	view = ask_head(&rm);
	if (view == NULL)
		goto out;
	err = json_object_get(view, "error");
	if (json_is_string(err)) {
		char e[512];

		error("Slurm on the head could not be asked: %s",
		    safe(err, e, sizeof(e)));
		goto out;
	}
	if (m.provider->describe != NULL) {
		head = json_object();
		if (m.provider->describe(&m, head) == -1) {
			json_decref(head);
			head = NULL;
		}
	}
	node_prices(&pl, &m);
	add_spend(&pl, view, head);
	if (json) {
		json_dumpf(view, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		print_view(view);
	ret = 0;
out:
	fflush(stdout);
	json_decref(head);
	json_decref(view);
	remote_close(&rm);
	pool_release(&pl);
	machine_release(&m);
	return ret;
}
