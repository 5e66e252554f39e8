/* SPDX-License-Identifier: MIT */
/*
 * Tests of the pool's settings (pool.c) and of the files rig up writes
 * for it (slurmconf.c): keys and values taken and refused, hosts checked
 * as words a shell and slurm.conf read as they are, slurmd -C's line
 * read (and garbage refused), and slurm.conf, the export, the fstab
 * line and the nodes' prolog as the partitions and nodes make them (the
 * prolog run with stand-ins for the commands it runs).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "machine/machine.h"
#include "pool/pool.h"
#include "pool/slurmconf.h"
#include "pool/hostlist.h"
#include "pool/pool-power.h"
#include "lib/proc.h"
#include "machine/provider.h"
#include "unit.h"

static const char slurmd_c[] =
    "NodeName=n1 CPUs=8 Boards=1 SocketsPerBoard=1 CoresPerSocket=4 "
    "ThreadsPerCore=2 RealMemory=32000\nUpTime=3-01:02:03\n";

TEST(pool_settings)
{
	struct pool pl;

	pool_init(&pl);
	ASSERT_EQ(pl.present, 0);
	ASSERT_STR_EQ(pl.engine, "slurm");
	ASSERT_STR_EQ(pl.shared_dir, "/home");
	ASSERT_EQ(pool_set(&pl, "pool", "shared_dir", "/srv/team"), 0);
	ASSERT_EQ(pl.present, 1);
	ASSERT_STR_EQ(pl.shared_dir, "/srv/team");
	/* Refused values leave the setting as it was. */
	ASSERT_EQ(pool_set(&pl, "pool", "shared_dir", "/"), -1);
	ASSERT_EQ(pool_set(&pl, "pool", "shared_dir", "home"), -1);
	ASSERT_EQ(pool_set(&pl, "pool", "shared_dir", "/a/../etc"), -1);
	ASSERT_EQ(pool_set(&pl, "pool", "shared_dir", "/a/.."), -1);
	ASSERT_EQ(pool_set(&pl, "pool", "shared_dir", "/a b"), -1);
	ASSERT_EQ(pool_set(&pl, "pool", "shared_dir", "/a;reboot"), -1);
	ASSERT_STR_EQ(pl.shared_dir, "/srv/team");
	ASSERT_EQ(pool_set(&pl, "pool", "engine", "pbs"), -1);
	ASSERT_EQ(pool_set(&pl, "pool", "shared", "/x"), -1);
	/* Power saving: Slurm's SuspendTime and timeouts, in seconds. */
	ASSERT_EQ(pl.node_idle_stop, 600);
	ASSERT_EQ(pool_set(&pl, "pool", "node_idle_stop", "30m"), 0);
	ASSERT_EQ(pl.node_idle_stop, 1800);
	ASSERT_EQ(pool_set(&pl, "pool", "node_idle_stop", "1s"), -1);
	ASSERT_EQ(pool_set(&pl, "pool", "node_resume_timeout", "15m"), 0);
	ASSERT_EQ(pl.resume_timeout, 900);
	ASSERT_EQ(pool_set(&pl, "pool", "node_suspend_timeout", "x"), -1);

	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "10.0.0.1 n2"), 0);
	ASSERT_NOT_NULL(pl.parts);
	ASSERT_STR_EQ(pl.parts->name, "cpu");
	ASSERT_STR_EQ(pl.parts->provider_name, "ssh");
	ASSERT_NOT_NULL(pl.parts->provider);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "-oProxy=x"), -1);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "a;b"), -1);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "a,b"), -1);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "$(x)"), -1);
	ASSERT_STR_EQ(pl.parts->hosts, "10.0.0.1 n2");
	ASSERT_EQ(pool_set(&pl, "partition cpu", "provider", "nope"), -1);
	/* A provider without hosts cannot give nodes yet. */
	ASSERT_EQ(pool_set(&pl, "partition cpu", "provider", "local"), -1);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hostz", "a"), -1);
	ASSERT_EQ(pool_set(&pl, "partition CPU", "hosts", "a"), -1);
	ASSERT_EQ(pool_set(&pl, "partition 1x", "hosts", "a"), -1);
	ASSERT_EQ(pool_set(&pl, "partition a b", "hosts", "a"), -1);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "hosts", "g1"), 0);
	ASSERT_STR_EQ(pl.parts->next->name, "gpu");
	/* Power commands: words, no quotes, only {host} and {node}. */
	ASSERT(!partition_powered(pl.parts));
	ASSERT_EQ(pool_set(&pl, "partition cpu", "power_on",
	              "/usr/bin/ipmitool -H {host}-bmc power on"),
	    0);
	ASSERT(!partition_powered(pl.parts));
	ASSERT_EQ(pool_set(&pl, "partition cpu", "power_off", "wol 'x'"), -1);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "power_off", "wol {hots}"),
	    -1);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "power_off", "a\\ b"), -1);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "power_off", "off {node}"), 0);
	ASSERT(partition_powered(pl.parts));
	ASSERT(pool_powered(&pl));
	ASSERT(!partition_powered(pl.parts->next));
	pool_release(&pl);
}

TEST(pool_power_argv)
{
	struct provider_node nd = { .name = "n1", .host = "10.0.0.2" };
	struct argv          av;
	char                 why[256];

	ASSERT_EQ(provider_power_argv("  /bin/wake  --mac={host}:9 {node} ",
	              &nd, &av, why, sizeof(why)),
	    0);
	ASSERT_EQ(av.n, 3);
	ASSERT_STR_EQ(av.v[0], "/bin/wake");
	ASSERT_STR_EQ(av.v[1], "--mac=10.0.0.2:9");
	ASSERT_STR_EQ(av.v[2], "n1");
	ASSERT_NULL(av.v[3]);
	argv_release(&av);
	/* A host with blanks or shell characters stays one argument. */
	nd.host = "a b;$(reboot)";
	ASSERT_EQ(provider_power_argv("on {host}", &nd, &av, why, sizeof(why)),
	    0);
	ASSERT_EQ(av.n, 2);
	ASSERT_STR_EQ(av.v[1], "a b;$(reboot)");
	argv_release(&av);
	ASSERT_EQ(provider_power_argv("   ", &nd, &av, why, sizeof(why)), -1);
	ASSERT_EQ(
	    provider_power_argv("sh -c \"x\"", &nd, &av, why, sizeof(why)), -1);
	ASSERT(strstr(why, "quotes") != NULL);
}

TEST(pool_hostlist)
{
	char **v;
	size_t n;
	char   why[256];

	ASSERT_EQ(hostlist_expand("n1", &v, &n, why, sizeof(why)), 0);
	ASSERT_EQ(n, 1);
	ASSERT_STR_EQ(v[0], "n1");
	hostlist_free(v, n);
	ASSERT_EQ(hostlist_expand("rt-h[2-3,05],gpu1,x[9]-ib", &v, &n, why,
	              sizeof(why)),
	    0);
	ASSERT_EQ(n, 5);
	ASSERT_STR_EQ(v[0], "rt-h2");
	ASSERT_STR_EQ(v[1], "rt-h3");
	ASSERT_STR_EQ(v[2], "rt-h05");
	ASSERT_STR_EQ(v[3], "gpu1");
	ASSERT_STR_EQ(v[4], "x9-ib");
	hostlist_free(v, n);
	ASSERT_EQ(hostlist_expand("n[08-10]", &v, &n, why, sizeof(why)), 0);
	ASSERT_EQ(n, 3);
	ASSERT_STR_EQ(v[0], "n08");
	ASSERT_STR_EQ(v[2], "n10");
	hostlist_free(v, n);
	/* Refused, with nothing returned. */
	static const char *const bad[] = { "", ",", "n1,", ",n1", "n[1-",
		"n]1[", "n[3-1]", "n[1-2000]", "n[a]", "n[1][2]", "n;reboot",
		"$(touch x)", "../etc", "a..b", "-n1", "n 1", "n[1-2]`x`",
		"n[1,,2]", NULL };
	for (size_t i = 0; bad[i] != NULL; i++) {
		v = (char **)1;
		ASSERT_EQ(hostlist_expand(bad[i], &v, &n, why, sizeof(why)),
		    -1);
		ASSERT_NULL(v);
		ASSERT_EQ(n, 0);
	}
}

TEST(pool_power_state)
{
	char out[16];

	ASSERT_EQ(power_joined("IDLE+CLOUD"), 1);
	ASSERT_EQ(power_joined("ALLOCATED+CLOUD"), 1);
	ASSERT_EQ(power_joined("MIXED"), 1);
	ASSERT_EQ(power_joined("IDLE+CLOUD+POWERING_UP"), 0);
	ASSERT_EQ(power_joined("ALLOCATED+CLOUD+POWERING_UP"), 0);
	ASSERT_EQ(power_joined("IDLE+CLOUD+POWERED_DOWN"), 0);
	ASSERT_EQ(power_joined("IDLE+NOT_RESPONDING"), 0);
	ASSERT_EQ(power_joined("DOWN+CLOUD+POWERED_DOWN"), -1);
	ASSERT_EQ(power_joined("DOWN"), -1);
	ASSERT_EQ(power_joined("DOWNX+CLOUD"), 1);
	power_reason("a\"b'c\nd\x01"
	             "e and more",
	    out, sizeof(out));
	ASSERT_STR_EQ(out, "a b c d e and m");
}

TEST(slurmconf_ctld_addr)
{
	static const char *const bad[] = { "", "SlurmctldHost=h\n",
		"SlurmctldHost=h()\n", "SlurmctldHost=h(10.0.0.1\n)\n",
		"SlurmctldHost=h(10.0.0.1) x\n", "SlurmctldHost=h(a b)\n",
		"SlurmctldHost=h(10.0.0.1;x)\n", "SlurmctldHost=h(10.0.0.1)",
		"# SlurmctldHost=h(10.0.0.1)\n", NULL };
	char                    *a;

	a = slurmconf_ctld_addr("SlurmctldHost=h(10.0.0.1)\n");
	ASSERT_STR_EQ(a, "10.0.0.1");
	free(a);
	a = slurmconf_ctld_addr("ClusterName=x\nSlurmctldHost=head(fd00::1)\n"
	                        "NodeName=n\n");
	ASSERT_STR_EQ(a, "fd00::1");
	free(a);
	for (size_t i = 0; bad[i] != NULL; i++)
		ASSERT(slurmconf_ctld_addr(bad[i]) == NULL);
}

TEST(pool_check_hosts)
{
	struct machine head;
	struct pool    pl;

	machine_init(&head);
	ASSERT_EQ(machine_set(&head, "machine", "host", "10.0.0.1"), 0);
	pool_init(&pl);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* no partition */
	ASSERT_EQ(pool_set(&pl, "partition cpu", "provider", "ssh"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* no hosts */
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "a b"), 0);
	ASSERT_EQ(pool_check(&pl, &head), 0);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "a b a"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "a ab"), 0);
	ASSERT_EQ(pool_check(&pl, &head), 0);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "hosts", "c ab"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* ab in two */
	ASSERT_EQ(pool_set(&pl, "partition gpu", "hosts", "c 10.0.0.1"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* the head */
	ASSERT_EQ(pool_set(&pl, "partition gpu", "hosts", "c"), 0);
	ASSERT_EQ(pool_check(&pl, &head), 0);
	pool_release(&pl);
	machine_release(&head);
}

/* A partition whose provider makes its nodes (azure): size and
 * max_nodes, no hosts, no power commands, no key it does not know (a
 * public IP cannot be asked for), and its nodes in slurm.conf. */
TEST(pool_made_nodes)
{
	struct machine   head;
	struct pool      pl;
	struct pool_node nodes[POOL_HOSTS_MAX + 1];
	size_t           n = 0;

	machine_init(&head);
	ASSERT_EQ(machine_set(&head, "machine", "host", "10.0.0.1"), 0);
	ASSERT_EQ(machine_set(&head, "machine", "provider", "azure"), 0);
	pool_init(&pl);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "provider", "azure"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* no size, no max_nodes */
	ASSERT_EQ(pool_set(&pl, "partition gpu", "size", "Standard_X;rm"), -1);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "size", "$(reboot)"), -1);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "size", "a b"), -1);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "public_ip", "yes"), -1);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "publicIPAddress", "x"), -1);
	ASSERT_EQ(
	    pool_set(&pl, "partition gpu", "size", "Standard_NC4as_T4_v3"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* no max_nodes */
	ASSERT_EQ(pool_set(&pl, "partition gpu", "max_nodes", "-1"), -1);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "max_nodes", "2"), 0);
	/* Made beside the head: the head must be an Azure VM. */
	ASSERT_EQ(machine_set(&head, "machine", "provider", "ssh"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1);
	ASSERT_EQ(machine_set(&head, "machine", "provider", "azure"), 0);
	ASSERT_EQ(pool_check(&pl, &head), 0);
	ASSERT(partition_makes_nodes(pl.parts));
	ASSERT(partition_powered(pl.parts));
	ASSERT_EQ(pl.parts->min_nodes, 0);
	ASSERT_EQ(pl.parts->spot, 0);
	ASSERT_EQ(pl.parts->node_delete_after, 7 * 86400);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "min_nodes", "3"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* more than max */
	ASSERT_EQ(pool_set(&pl, "partition gpu", "min_nodes", "0"), 0);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "hosts", "a"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* hosts: not made */
	ASSERT_EQ(pool_set(&pl, "partition gpu", "hosts", ""), 0);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "size", "Standard_Nope"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1); /* a size rig cannot size */
	ASSERT_EQ(
	    pool_set(&pl, "partition gpu", "size", "Standard_NC4as_T4_v3"), 0);
	ASSERT_EQ(slurmconf_made_nodes(&pl, nodes, &n), 0);
	/* What rig pool power reads on the head: the partition's size and
	 * count, the head and its provider's settings, the nodes. */
	{
		char *conf;

		ASSERT_EQ(machine_set(&head, "machine", "name", "m1"), 0);
		ASSERT_EQ(machine_set(&head, "azure", "arm_endpoint",
		              "http://127.0.0.1:9"),
		    0);
		conf = slurmconf_power_conf_text(&pl, &head, nodes, n);
		ASSERT(strstr(conf,
		           "[partition gpu]\nprovider = azure\n"
		           "size = Standard_NC4as_T4_v3\nmax_nodes = 2\n"
		           "min_nodes = 0\nspot = no\n"
		           "node_delete_after = 604800\n") != NULL);
		ASSERT(strstr(conf, "[head]\nname = m1\nprovider = azure\n") !=
		    NULL);
		/* The shared folder a made node mounts (its set-up's
		 * fstab line, pool-node-join.c). */
		ASSERT(
		    strstr(conf,
		        "[pool]\nnode_resume_timeout = 600\n"
		        "shared_dir = /home\nserver_ports = 20000-20999\n") !=
		    NULL);
		ASSERT(strstr(conf, "\n[azure]\n") != NULL);
		ASSERT(strstr(conf, "\narm_endpoint = http://127.0.0.1:9\n") !=
		    NULL);
		ASSERT(strstr(conf,
		           "[nodes]\ngpu-1 = gpu gpu-1\n"
		           "gpu-2 = gpu gpu-2\n") != NULL);
		free(conf);
	}
	ASSERT_EQ(n, 2);
	ASSERT_STR_EQ(nodes[0].name, "gpu-1");
	ASSERT_STR_EQ(nodes[1].name, "gpu-2");
	ASSERT(nodes[1].made);
	/* 4 vCPUs and 28 GiB, less 1 GiB for the kernel. */
	ASSERT_STR_EQ(nodes[1].kept_line,
	    "NodeName=gpu-2 NodeAddr=gpu-2 CPUs=4 RealMemory=27648 "
	    "State=CLOUD");
	/* min_nodes: the first ones are never powered down. */
	{
		struct pool_head ph = { .name = "head", .addr = "10.0.0.1" };
		char            *conf;

		conf = slurmconf_text(&pl, &ph, nodes, n);
		ASSERT(strstr(conf, "SuspendExcNodes") == NULL);
		ASSERT(strstr(conf, "\nPartitionName=gpu Nodes=gpu-1,gpu-2 ") !=
		    NULL);
		free(conf);
		pl.parts->min_nodes = 1;
		conf = slurmconf_text(&pl, &ph, nodes, n);
		ASSERT(strstr(conf, "\nSuspendExcNodes=gpu-1\n") != NULL);
		free(conf);
	}
	for (size_t i = 0; i < n; i++) {
		free(nodes[i].name);
		free(nodes[i].host);
		free(nodes[i].kept_line);
	}
	pool_release(&pl);

	/* Its provider powers it: no power commands. */
	pool_init(&pl);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "provider", "azure"), 0);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "size", "Standard_B2s"), 0);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "max_nodes", "1"), 0);
	ASSERT_EQ(pool_check(&pl, &head), 0);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "power_on", "on {host}"), 0);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "power_off", "off {host}"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1);
	pool_release(&pl);

	/* An ssh partition takes no size. */
	pool_init(&pl);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "c"), 0);
	ASSERT_EQ(pool_check(&pl, &head), 0);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "size", "Standard_B2s"), 0);
	ASSERT_EQ(pool_check(&pl, &head), -1);
	pool_release(&pl);
	machine_release(&head);
}

TEST(slurmconf_parse)
{
	struct pool_node n;

	memset(&n, 0, sizeof(n));
	ASSERT_EQ(slurmconf_parse_c(slurmd_c, &n), 0);
	ASSERT_STR_EQ(n.name, "n1");
	ASSERT_EQ(n.cpus, 8);
	ASSERT_EQ(n.cores, 4);
	ASSERT_EQ(n.threads, 2);
	ASSERT_EQ(n.mem_mb, 32000);
	/* After other output (a package step's) too. */
	ASSERT_EQ(slurmconf_parse_c("installed= slurmd\nname=n1\n"
	                            "NodeName=n1 CPUs=2 Boards=1 "
	                            "SocketsPerBoard=1 CoresPerSocket=2 "
	                            "ThreadsPerCore=1 RealMemory=900\n",
	              &n),
	    0);
	ASSERT_EQ(n.mem_mb, 900);
	ASSERT_EQ(slurmconf_parse_c("NodeName=n1 CPUs=2\n", &n), -1);
	ASSERT_EQ(slurmconf_parse_c("garbage", &n), -1);
	ASSERT_EQ(slurmconf_parse_c("x NodeName=n1 CPUs=8 Boards=1 "
	                            "SocketsPerBoard=1 CoresPerSocket=4 "
	                            "ThreadsPerCore=2 RealMemory=3",
	              &n),
	    -1);
	ASSERT_EQ(slurmconf_parse_c("NodeName=a[1-2] CPUs=8 Boards=1 "
	                            "SocketsPerBoard=1 CoresPerSocket=4 "
	                            "ThreadsPerCore=2 RealMemory=3",
	              &n),
	    -1);
	ASSERT_EQ(slurmconf_parse_c("NodeName=n1 CPUs=-8 Boards=1 "
	                            "SocketsPerBoard=1 CoresPerSocket=4 "
	                            "ThreadsPerCore=2 RealMemory=3",
	              &n),
	    -1);
	free(n.name);
	ASSERT(slurmconf_node_name_ok("rtab-h2"));
	ASSERT(!slurmconf_node_name_ok("a,b"));
	ASSERT(!slurmconf_node_name_ok("-a"));
	ASSERT(!slurmconf_node_name_ok(""));
}

/* What rig pool power reads back of 'text': only from root's own file
 * in root's own folder. */
static void
power_conf_roundtrip(const char *text)
{
	char              dir[] = "/tmp/rig-power-XXXXXX", *path;
	struct power_conf pc;
	FILE             *f;

	ASSERT_NOT_NULL(mkdtemp(dir));
	ASSERT_EQ(chmod(dir, 0755), 0);
	path = xasprintf("%s/pool-power.conf", dir);
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs(text, f);
	fclose(f);
	ASSERT_EQ(chmod(path, 0600), 0);
	if (geteuid() == 0) {
		ASSERT_EQ(power_conf_load(&pc, path), 0);
		ASSERT_EQ(pc.n, 1);
		ASSERT_STR_EQ(pc.nodes[0].name, "n1");
		ASSERT_STR_EQ(pc.nodes[0].host, "10.0.0.2");
		ASSERT_STR_EQ(pc.nodes[0].part->power_on, "on {host}");
		ASSERT_NOT_NULL(power_conf_node(&pc, "n1"));
		ASSERT_NULL(power_conf_node(&pc, "g1"));
		power_conf_release(&pc);
		/* Writable by others: not trusted. */
		ASSERT_EQ(chmod(path, 0602), 0);
		ASSERT_EQ(power_conf_load(&pc, path), -1);
		power_conf_release(&pc);
		ASSERT_EQ(chmod(path, 0600), 0);
		ASSERT_EQ(chmod(dir, 0777), 0);
		ASSERT_EQ(power_conf_load(&pc, path), -1);
		power_conf_release(&pc);
	} else {
		/* Not root's. */
		ASSERT_EQ(power_conf_load(&pc, path), -1);
		power_conf_release(&pc);
	}
	unlink(path);
	rmdir(dir);
	free(path);
}

static void
count_node(void *arg, const char *name, const char *line)
{
	int *n = arg;

	ASSERT(strncmp(line, "NodeName=", 9) == 0);
	ASSERT(strcmp(name, "n1") == 0 || strcmp(name, "g1") == 0 ||
	    strcmp(name, "old") == 0);
	(*n)++;
}

TEST(slurmconf_files)
{
	struct pool      pl;
	struct pool_node nodes[3];
	struct pool_head head = { .name = "head", .addr = "10.0.0.1" };
	char            *conf, *ex, *fs;
	int              count = 0;

	pool_init(&pl);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "10.0.0.2"), 0);
	ASSERT_EQ(pool_set(&pl, "partition gpu", "hosts", "10.0.0.3"), 0);
	memset(nodes, 0, sizeof(nodes));
	ASSERT_EQ(slurmconf_parse_c(slurmd_c, &nodes[0]), 0);
	nodes[0].host = xstrdup("10.0.0.2");
	nodes[0].part = pl.parts;
	nodes[1] = nodes[0];
	nodes[1].name = xstrdup("g1");
	nodes[1].host = xstrdup("10.0.0.3");
	nodes[1].part = pl.parts->next;
	nodes[1].mem_mb = 1000; /* small: 95 % */
	nodes[2].name = xstrdup("old");
	nodes[2].host = xstrdup("");
	nodes[2].old_line = xstrdup("NodeName=old NodeAddr=10.0.0.9 CPUs=1");
	conf = slurmconf_text(&pl, &head, nodes, 3);
	ASSERT(strstr(conf, "\nSlurmctldHost=head(10.0.0.1)\n") != NULL);
	/* Other accounts' jobs hidden; without power, no "cloud". */
	ASSERT(strstr(conf,
	           "\nPrivateData=jobs,usage,users,accounts,reservations\n") !=
	    NULL);
	ASSERT(strstr(conf,
	           "\nNodeName=n1 NodeAddr=10.0.0.2 CPUs=8 Boards=1 "
	           "SocketsPerBoard=1 CoresPerSocket=4 "
	           "ThreadsPerCore=2 RealMemory=30400 "
	           "State=UNKNOWN\n") != NULL);
	ASSERT(strstr(conf, " RealMemory=950 ") != NULL);
	ASSERT(
	    strstr(conf, "\nNodeName=old NodeAddr=10.0.0.9 CPUs=1\n") != NULL);
	ASSERT(strstr(conf,
	           "\nPartitionName=cpu Nodes=n1 Default=YES "
	           "MaxTime=INFINITE State=UP\n") != NULL);
	ASSERT(strstr(conf, "\nPartitionName=gpu Nodes=g1 MaxTime=") != NULL);
	/* The leaving node is in no partition. */
	ASSERT(
	    strstr(conf, "Nodes=old") == NULL && strstr(conf, ",old") == NULL);
	slurmconf_each_node(conf, count_node, &count);
	ASSERT_EQ(count, 3);
	ex = slurmconf_exports_text(&pl, nodes, 3);
	ASSERT(strstr(ex,
	           "\n/home 10.0.0.2(rw,sync,no_subtree_check,"
	           "root_squash) 10.0.0.3(rw,") != NULL);
	ASSERT(strstr(ex, "10.0.0.9") == NULL);
	fs = slurmconf_fstab_line(&pl, &head);
	ASSERT_STR_EQ(fs,
	    "10.0.0.1:/home /home nfs4 defaults,_netdev 0 0 "
	    "# rig pool: shared_dir\n");
	free(fs);
	head.addr = "fd00::1";
	fs = slurmconf_fstab_line(&pl, &head);
	ASSERT(strncmp(fs, "[fd00::1]:/home ", 16) == 0);
	free(fs);
	free(ex);
	/* No power control: no power saving at all. */
	ASSERT(
	    strstr(conf, "Suspend") == NULL && strstr(conf, "CLOUD") == NULL);
	free(conf);

	/* cpu's nodes powered: State=CLOUD, the programs, the others
	 * (gpu's, the leaving one) excepted from SuspendTime. */
	ASSERT_EQ(pool_set(&pl, "partition cpu", "power_on", "on {host}"), 0);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "power_off", "off {host}"), 0);
	ASSERT_EQ(pool_set(&pl, "pool", "node_idle_stop", "5m"), 0);
	conf = slurmconf_text(&pl, &head, nodes, 3);
	ASSERT(strstr(conf,
	           "ThreadsPerCore=2 RealMemory=30400 State=CLOUD\n") != NULL);
	ASSERT(strstr(conf, " RealMemory=950 State=UNKNOWN\n") != NULL);
	ASSERT(strstr(conf,
	           "\nSuspendTime=300\nSuspendTimeout=120\n"
	           "ResumeTimeout=600\n"
	           "ResumeProgram=/etc/slurm/rig-resume\n"
	           "SuspendProgram=/etc/slurm/rig-suspend\n"
	           "ResumeFailProgram=/etc/slurm/rig-suspend\n"
	           "SuspendExcNodes=g1,old\n") != NULL);
	ASSERT(strstr(conf,
	           "\nPrivateData=jobs,usage,users,accounts,reservations,"
	           "cloud\n") != NULL);
	free(conf);
	{
		/* No partition makes nodes: the head's provider is not
		 * asked for its settings. */
		struct machine hm;

		memset(&hm, 0, sizeof(hm));
		conf = slurmconf_power_conf_text(&pl, &hm, nodes, 3);
	}
	ASSERT(strstr(conf,
	           "[partition cpu]\nprovider = ssh\n"
	           "power_on = on {host}\npower_off = off {host}\n") != NULL);
	ASSERT(strstr(conf, "[partition gpu]") == NULL);
	ASSERT(strstr(conf, "\n[nodes]\nn1 = cpu 10.0.0.2\n") != NULL);
	ASSERT(strstr(conf, "g1 =") == NULL && strstr(conf, "old =") == NULL);
	power_conf_roundtrip(conf);
	free(conf);
	ASSERT(strstr(slurmconf_power_program(1),
	           "\nexec sudo -n /usr/local/lib/rig/rig pool power up "
	           "\"$1\"\n") != NULL);
	ASSERT(strstr(slurmconf_power_program(0), " pool power down \"$1\"") !=
	    NULL);
	ASSERT(strstr(slurmconf_power_sudoers(),
	           "\nslurm ALL=(root) NOPASSWD: /usr/local/lib/rig/rig pool "
	           "power up *, /usr/local/lib/rig/rig pool power down *\n") !=
	    NULL);
	for (int i = 0; i < 3; i++) {
		free(nodes[i].name);
		free(nodes[i].host);
		free(nodes[i].old_line);
	}
	pool_release(&pl);
}

/*
 * Sources the shell script 'text' in a folder of its own, with the
 * environment words 'env' and the shell functions 'stubs' defined before
 * (they win over its PATH); what the stubs wrote to ./log is in 'log';
 * the exit status is returned.
 */
static int
run_sourced(const char *text, const char *env, const char *stubs, char *log,
    size_t len)
{
	char  dir[] = "/tmp/rig-jobsh-XXXXXX", *script, *cmd, *out;
	FILE *f;
	int   st;

	ASSERT_NOT_NULL(mkdtemp(dir));
	script = xasprintf("%s/sh", dir);
	f = fopen(script, "w");
	ASSERT_NOT_NULL(f);
	fputs(text, f);
	fclose(f);
	cmd = xasprintf("cd %s && env -i %s sh -c '%s. ./sh' >/dev/null 2>&1",
	    dir, env, stubs);
	st = system(cmd);
	free(cmd);
	out = xasprintf("%s/log", dir);
	f = fopen(out, "r");
	log[0] = '\0';
	if (f != NULL) {
		size_t n = fread(log, 1, len - 1, f);

		log[n] = '\0';
		fclose(f);
	}
	unlink(out);
	unlink(script);
	rmdir(dir);
	free(out);
	free(script);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Runs the prolog 'text' with the job's SLURM_JOB_USER, _UID and _GID
 * 'u', 'uid' and 'gid', its commands shell functions (defined before it
 * is sourced, they win over its PATH) that log their words: getent knows
 * 'known' and uid 1500, login.defs says 1000 to 60000. What was run is in
 * 'log'; the prolog's exit status is returned.
 */
static int
run_prolog(const char *text, const char *u, const char *uid, const char *gid,
    char *log, size_t len)
{
	char *env = xasprintf("SLURM_JOB_USER='%s' SLURM_JOB_UID='%s' "
	                      "SLURM_JOB_GID='%s'",
	    u, uid, gid);
	int   st = run_sourced(text, env,
	      "getent() { case \"$2\" in known|1500) return 0 ;; esac; "
	        "return 2; }; "
	        "awk() { case \"$1\" in *UID_MIN*) echo 1000 ;; *) echo 60000 ;; "
	        "esac; }; "
	        "groupadd() { echo groupadd \"$@\" >>log; }; "
	        "useradd() { echo useradd \"$@\" >>log; }; ",
	      log, len);

	free(env);
	return st;
}

/* slurm.conf of 'pl' with one node, 10.0.0.2 in its first partition
 * ('node', as slurmd -C says; the caller frees its name and host), and
 * the head at 10.0.0.1. */
static char *
one_node_conf(struct pool *pl, struct pool_node *node)
{
	struct pool_head head = { .name = "head", .addr = "10.0.0.1" };

	memset(node, 0, sizeof(*node));
	ASSERT_EQ(slurmconf_parse_c(slurmd_c, node), 0);
	node->host = xstrdup("10.0.0.2");
	node->part = pl->parts;
	return slurmconf_text(pl, &head, node, 1);
}

/* slurm.conf names the prolog; it makes a job's missing account with the
 * ids slurmctld sent, home in the shared folder, and nothing for a name
 * or id it does not take; it never fails. */
TEST(slurmconf_prolog)
{
	struct pool      pl;
	struct pool_node node;
	char            *conf, *text, log[1024];

	pool_init(&pl);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "10.0.0.2"), 0);
	ASSERT_EQ(pool_set(&pl, "pool", "shared_dir", "/srv/homes"), 0);
	conf = one_node_conf(&pl, &node);
	ASSERT(strstr(conf, "\nProlog=" SLURMCONF_PROLOG_PATH "\n") != NULL);
	text = slurmconf_prolog_text(&pl);
	ASSERT(strncmp(text, "#!/bin/sh\n", 10) == 0);
	ASSERT_EQ(
	    run_prolog(text, "rig-alice", "45001", "45002", log, sizeof(log)),
	    0);
	ASSERT_STR_EQ(log,
	    "groupadd -g 45002 rig-alice\n"
	    "useradd -M -u 45001 -g 45002 -d /srv/homes/rig-alice -s "
	    "/bin/bash rig-alice\n");
	/* Known by name or uid, a system uid, a name or id it does not
	 * take: nothing, and still status 0. */
	ASSERT_EQ(run_prolog(text, "known", "45001", "45002", log, sizeof(log)),
	    0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_prolog(text, "bob", "1500", "1500", log, sizeof(log)), 0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_prolog(text, "daemon2", "999", "999", log, sizeof(log)),
	    0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_prolog(text, "a;b", "45001", "45001", log, sizeof(log)),
	    0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_prolog(text, "-r", "45001", "45001", log, sizeof(log)),
	    0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_prolog(text, "eve", "4x", "45001", log, sizeof(log)), 0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_prolog(text, "", "45001", "45001", log, sizeof(log)), 0);
	ASSERT_STR_EQ(log, "");
	free(text);
	free(conf);
	free(node.name);
	free(node.host);
	pool_release(&pl);
}

/* Runs 'text' (a prolog or epilog) with the environment words 'env', its
 * mkdir, rm, install, getent, groupadd and useradd stand-ins logging
 * their words to 'log'; its exit status. */
static int
run_job_sh(const char *text, const char *env, char *log, size_t len)
{
	return run_sourced(text, env,
	    "for c in mkdir rm install groupadd useradd; do "
	    "eval \"$c() { echo $c \\\"\\$@\\\" >>log; }\"; done; "
	    "getent() { return 0; }; ",
	    log, len);
}

/* The job's folder: the prolog makes it for the job's uid and gid under
 * a root folder, the epilog removes it; a job id that is not a number
 * makes and removes nothing, and neither ever fails. */
TEST(slurmconf_job_folder)
{
	struct pool      pl;
	struct pool_node node;
	char            *conf, *text, log[1024];

	pool_init(&pl);
	ASSERT_EQ(pool_set(&pl, "partition cpu", "hosts", "10.0.0.2"), 0);
	conf = one_node_conf(&pl, &node);
	ASSERT(strstr(conf, "\nEpilog=" SLURMCONF_EPILOG_PATH "\n") != NULL);
	text = slurmconf_prolog_text(&pl);
	ASSERT_EQ(run_job_sh(text,
	              "SLURM_JOB_ID=77 SLURM_JOB_USER=known "
	              "SLURM_JOB_UID=45001 SLURM_JOB_GID=45002",
	              log, sizeof(log)),
	    0);
	ASSERT_STR_EQ(log,
	    "mkdir -p -m 0755 /run/rig-jobs\n"
	    "rm -rf -- /run/rig-jobs/77\n"
	    "install -d -m 0700 -o 45001 -g 45002 /run/rig-jobs/77\n");
	ASSERT_EQ(run_job_sh(text,
	              "SLURM_JOB_ID=../77 SLURM_JOB_USER=known "
	              "SLURM_JOB_UID=45001 SLURM_JOB_GID=45002",
	              log, sizeof(log)),
	    0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_job_sh(text,
	              "SLURM_JOB_ID=77 SLURM_JOB_USER=known "
	              "SLURM_JOB_UID=0x1 SLURM_JOB_GID=45002",
	              log, sizeof(log)),
	    0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_job_sh(slurmconf_epilog_text(), "SLURM_JOB_ID=77", log,
	              sizeof(log)),
	    0);
	ASSERT_STR_EQ(log, "rm -rf -- /run/rig-jobs/77\n");
	ASSERT_EQ(run_job_sh(slurmconf_epilog_text(), "SLURM_JOB_ID='7 /'", log,
	              sizeof(log)),
	    0);
	ASSERT_STR_EQ(log, "");
	ASSERT_EQ(run_job_sh(slurmconf_epilog_text(), "", log, sizeof(log)), 0);
	ASSERT_STR_EQ(log, "");
	free(text);
	free(conf);
	free(node.name);
	free(node.host);
	pool_release(&pl);
}

/* server_ports: a range below the kernel's own ports; the nodes' nft
 * script lets the head alone reach it, and the jobs read it. */
TEST(slurmconf_server_ports)
{
	struct pool      pl;
	struct pool_head head = { .name = "head", .addr = "10.0.0.1" };
	struct pool_head head6 = { .name = "head", .addr = "fd00::1" };
	char            *text;
	int              lo, hi;

	ASSERT_EQ(pool_server_ports("20000-20999", &lo, &hi), 0);
	ASSERT_EQ(lo, 20000);
	ASSERT_EQ(hi, 20999);
	ASSERT_EQ(pool_server_ports("1024-1024", &lo, &hi), 0);
	ASSERT_EQ(pool_server_ports("", &lo, &hi), -1);
	ASSERT_EQ(pool_server_ports("20000", &lo, &hi), -1);
	ASSERT_EQ(pool_server_ports("-20000", &lo, &hi), -1);
	ASSERT_EQ(pool_server_ports("1000-2000", &lo, &hi), -1);
	ASSERT_EQ(pool_server_ports("30000-20000", &lo, &hi), -1);
	ASSERT_EQ(pool_server_ports("20000-40000", &lo, &hi), -1);
	ASSERT_EQ(pool_server_ports("2e4-3e4", &lo, &hi), -1);
	pool_init(&pl);
	ASSERT_EQ(pool_set(&pl, "pool", "server_ports", "20000-40000"), -1);
	ASSERT_EQ(pool_set(&pl, "pool", "server_ports", "21000-21099"), 0);
	text = slurmconf_ports_text(&pl);
	ASSERT_STR_EQ(text, "21000 21099\n");
	free(text);
	text = slurmconf_nft_text(&pl, &head);
	ASSERT(
	    strstr(text,
	        "\ntable inet rig_pool\ndelete table inet rig_pool\n") != NULL);
	ASSERT(
	    strstr(text,
	        "\t\ttcp dport 21000-21099 ip saddr 10.0.0.1 accept\n"
	        "\t\ttcp dport 21000-21099 reject with tcp reset\n") != NULL);
	free(text);
	text = slurmconf_nft_text(&pl, &head6);
	ASSERT(strstr(text, "tcp dport 21000-21099 ip6 saddr fd00::1 accept") !=
	    NULL);
	free(text);
	pool_release(&pl);
}
