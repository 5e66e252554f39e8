/* SPDX-License-Identifier: MIT */
/*
 * poolview.c's readings of Slurm (lines captured from a real Slurm 22.05
 * cluster in tests/data/: every state a node went through, a reason with
 * HTML, an escape sequence and '|' in it), the state words, host lists,
 * and the view put together; powerlog.c's records and hours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/poolview.h"
#include "lib/powerlog.h"
#include "lib/util.h"
#include "unit.h"

#define NODES_TXT "tests/data/slurm-sinfo-nodes.txt"
#define JOBS_TXT "tests/data/slurm-squeue-jobs.txt"

static int node(const char *, struct pool_node *);

static int
node(const char *line, struct pool_node *n)
{
	return poolview_parse_node(line, strlen(line), n);
}

TEST(poolview_captured_nodes)
{
	char            *text = read_file(NODES_TXT, 1 << 20, NULL);
	struct pool_node n;
	const char      *p, *nl;
	int              lines = 0;

	ASSERT_NOT_NULL(text);
	/* Every captured line parses, and no state is left unnamed. */
	for (p = text; *p != '\0'; p = nl + 1, lines++) {
		nl = strchr(p, '\n');
		ASSERT_NOT_NULL(nl);
		ASSERT_EQ(poolview_parse_node(p, (size_t)(nl + 1 - p), &n), 0);
		ASSERT(strcmp(n.state, "unknown") != 0);
		ASSERT_EQ(n.cpus_total, 2);
		ASSERT_EQ(n.mem_total, 2000);
	}
	ASSERT(lines >= 15);
	/* The drained node's reason, '|', HTML and escape kept as given. */
	p = strstr(text, "ti1|debug*|idle+drain|");
	ASSERT_NOT_NULL(p);
	nl = strchr(p, '\n');
	ASSERT_EQ(poolview_parse_node(p, (size_t)(nl + 1 - p), &n), 0);
	ASSERT_STR_EQ(n.name, "ti1");
	ASSERT_STR_EQ(n.partition, "debug");
	ASSERT_STR_EQ(n.state, "drained");
	ASSERT_EQ(strncmp(n.reason, "maint <b>x</b> \033[31mred | pipe", 29),
	    0);
	ASSERT_EQ(n.reason[strlen(n.reason) - 1], 's');
	free(text);
}

TEST(poolview_state_words)
{
	struct pool_node         n;
	static const char *const cases[][2] = {
		{ "ti1|debug*|idle|0/2/0/2|2000|0|none|", "idle" },
		{ "ti1|debug*|mixed|1/1/0/2|2000|0|none|", "mixed" },
		{ "ti2|debug*|allocated|2/0/0/2|2000|0|none|", "allocated" },
		{ "ti1|debug*|allocated+drain|1/0/1/2|2000|0|m|", "draining" },
		{ "ti1|debug*|idle+drain|0/0/2/2|2000|0|m|", "drained" },
		{ "ti2|debug*|down+not_responding|0/0/2/2|2000|0|disk failed|",
		    "down" },
		{ "ti2|debug*|allocated+not_responding|2/0/0/2|2000|0|none|",
		    "not responding" },
		{ "c1|cloud|idle+cloud+powered_down|0/2/0/2|2000|0|none|",
		    "powered down" },
		{ "c1|cloud|mixed+cloud+powered_down|1/1/0/2|2000|0|none|",
		    "powering up" },
		{ "c2|cloud|mixed+cloud+not_responding+powering_up|1/1/0/2|"
		  "2000|0|none|",
		    "powering up" },
		{ "c1|cloud|idle+cloud+powering_down|0/2/0/2|2000|0|none|",
		    "powering down" },
		{ "c1|cloud|idle+cloud|0/2/0/2|2000|0|none|", "idle" },
		{ "c1|cloud|completing|2/0/0/2|2000|512|none|", "completing" },
		{ "c1|cloud|weird|0/2/0/2|2000|0|none|", "unknown" },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		ASSERT_EQ(node(cases[i][0], &n), 0);
		ASSERT_STR_EQ(n.state, cases[i][1]);
	}
	ASSERT_EQ(node("c1|cloud|completing|2/0/0/2|2000|512|none|", &n), 0);
	ASSERT_EQ(n.mem_used, 512);
	ASSERT_STR_EQ(n.reason, "");
	/* Not lines of that query. */
	ASSERT_EQ(node("", &n), -1);
	ASSERT_EQ(node("ti1|debug*|idle|0/2/0/2|2000|0|none", &n), -1);
	ASSERT_EQ(node("ti1|debug*|idle|3/0/0/2|2000|0|none|", &n), -1);
	ASSERT_EQ(node("ti1|debug*|idle|0/2/0/2|-5|0|none|", &n), -1);
	ASSERT_EQ(node("t i|debug*|idle|0/2/0/2|2000|0|none|", &n), -1);
	ASSERT_EQ(node("ti1|debug*|idle|x/2/0/2|2000|0|none|", &n), -1);
}

TEST(poolview_hostlists)
{
	ASSERT(poolview_hostlist_has("ti1", "ti1"));
	ASSERT(!poolview_hostlist_has("ti1", "ti10"));
	ASSERT(poolview_hostlist_has("ti[1-2]", "ti2"));
	ASSERT(!poolview_hostlist_has("ti[1-2]", "ti3"));
	ASSERT(poolview_hostlist_has("a1,b[3,5-7]", "b6"));
	ASSERT(poolview_hostlist_has("a1,b[3,5-7]", "a1"));
	ASSERT(!poolview_hostlist_has("a1,b[3,5-7]", "b4"));
	ASSERT(poolview_hostlist_has("n[01-03]-x", "n02-x"));
	ASSERT(!poolview_hostlist_has("n[01-03]-x", "n2-x"));
	ASSERT(!poolview_hostlist_has("n[1-3", "n2"));
	ASSERT(!poolview_hostlist_has("", "n2"));
}

TEST(poolview_build_json)
{
	char *nodes = xstrdup("ti1|debug*|mixed|1/1/0/2|2000|0|none|\n"
	                      "ti1|gpu|mixed|1/1/0/2|2000|0|none|\n"
	                      "ti2|debug*|down+not_responding|0/0/2/2|2000|0|"
	                      "disk \xff failed|\n"
	                      "garbage\n");
	char *jobs = read_file(JOBS_TXT, 1 << 20, NULL);
	char *all, *log = xasprintf("%s/power.log", unit_tmpdir());
	struct poolview_server sv[] = { { 5, "alice" }, { 9, "bob" } };
	json_t                *v, *n1, *n2;
	int64_t                month = powerlog_month_start(1796000000);

	ASSERT_NOT_NULL(jobs);
	all = xasprintf("%s42|bob|ti2|rig-bob\n", jobs);
	ASSERT_EQ(powerlog_record(log, "ti1", 1, month + 100), 0);
	v = poolview_build(nodes, all, sv, nitems(sv), log, month + 100 + 7200);
	n1 = json_array_get(json_object_get(v, "nodes"), 0);
	n2 = json_array_get(json_object_get(v, "nodes"), 1);
	ASSERT_EQ(json_array_size(json_object_get(v, "nodes")), 2);
	ASSERT_STR_EQ(json_string_value(json_object_get(n1, "state")), "mixed");
	ASSERT_EQ(json_array_size(json_object_get(n1, "partitions")), 2);
	/* The captured two-node job 5 is on both; alice's server is job 5. */
	ASSERT_STR_EQ(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(n1, "jobs"), 0), "name")),
	    "two <nodes> | x");
	ASSERT_STR_EQ(json_string_value(
	                  json_array_get(json_object_get(n1, "servers"), 0)),
	    "alice");
	ASSERT_EQ(json_array_size(json_object_get(n2, "jobs")), 2);
	ASSERT_EQ(json_array_size(json_object_get(n2, "servers")), 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(n2, "reason")),
	    "disk ? failed");
	ASSERT(
	    json_real_value(json_object_get(n1, "powered_hours_month")) > 1.99);
	ASSERT(json_is_null(json_object_get(n2, "powered_hours_month")));
	json_decref(v);
	free(all);
	free(jobs);
	free(nodes);
	free(log);
}

static void
sum_cb(void *arg, const char *node, int64_t seconds)
{
	char  *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s=%lld ", node, (long long)seconds);
}

TEST(powerlog_intervals)
{
	char *log = xasprintf("%s/power.log", unit_tmpdir());
	char  out[256] = "";
	FILE *f;

	/* Missing: no node. */
	ASSERT_EQ(powerlog_seconds(log, 0, 1000, sum_cb, out), 0);
	ASSERT_STR_EQ(out, "");
	ASSERT_EQ(powerlog_record(log, "n1", 1, 50), 0);
	ASSERT_EQ(powerlog_record(log, "n1", 1, 60), 0); /* already up */
	ASSERT_EQ(powerlog_record(log, "n1", 0, 150), 0);
	ASSERT_EQ(powerlog_record(log, "n2", 0, 10), 0); /* not up */
	ASSERT_EQ(powerlog_record(log, "n1", 1, 900), 0); /* still up */
	ASSERT_EQ(powerlog_record(log, "bad name", 1, 900), -1);
	ASSERT_EQ(powerlog_record(log, "-n", 1, 900), -1);
	f = fopen(log, "a");
	ASSERT_NOT_NULL(f);
	fputs("junk line\n100 sideways n1\n-5 up n1\n", f);
	fputs("990 up n3", f); /* no newline: being written */
	fclose(f);
	/* From 100 to 1000: n1 50..150 gives 50, 900.. gives 100. */
	ASSERT_EQ(powerlog_seconds(log, 100, 1000, sum_cb, out), 0);
	ASSERT_STR_EQ(out, "n1=150 n2=0 ");
	ASSERT_EQ(powerlog_month_start(1796000000), 1793491200);
	free(log);
}
