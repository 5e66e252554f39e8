/* SPDX-License-Identifier: MIT */
/*
 * cgroup.c and limits.c: which cgroup version and mounts a machine has,
 * from the text of /proc/cgroups, /proc/self/mountinfo and the unified
 * hierarchy's controllers (this project's machines: v1 plus a v2 with
 * only hugetlb; a pure v2 machine; co-mounted cpu,cpuacct; none), and
 * JupyterHub's units for mem_limit and cpu_limit.
 */
#include <stdint.h>
#include <string.h>

#include "hub/cgroup.h"
#include "hub/config.h"
#include "hub/server-limits.h"
#include "lib/settings.h"
#include "unit.h"

/* The machines' /proc/cgroups: every v1 controller but net_* and
 * hugetlb on its own hierarchy. */
static const char v1_cgroups[] =
    "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
    "cpuset\t3\t1\t1\ncpu\t1\t1\t1\ncpuacct\t2\t1\t1\nblkio\t7\t1\t1\n"
    "memory\t4\t61\t1\ndevices\t5\t1\t1\nfreezer\t6\t1\t1\n"
    "net_cls\t0\t1\t1\nperf_event\t0\t1\t1\nhugetlb\t0\t1\t1\n"
    "pids\t8\t1\t1\n";

static const char v1_mounts[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup "
    "rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup "
    "rw,memory\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup "
    "rw,freezer\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
    "rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 "
    "rw\n";

TEST(cgroup_v1_with_a_hugetlb_v2)
{
	struct cgroup_sys sys;

	cgroup_parse(&sys, v1_cgroups, v1_mounts, "hugetlb\n");
	ASSERT_EQ(sys.version, CGROUP_V1);
	ASSERT_STR_EQ(sys.memory, "/sys/fs/cgroup/memory");
	ASSERT_STR_EQ(sys.cpu, "/sys/fs/cgroup/cpu");
	ASSERT_STR_EQ(sys.cpuacct, "/sys/fs/cgroup/cpuacct");
	ASSERT_STR_EQ(sys.pids, "/sys/fs/cgroup/pids");
	ASSERT_STR_EQ(sys.freezer, "/sys/fs/cgroup/freezer");
	ASSERT_STR_EQ(sys.v2, "");
	ASSERT_STR_EQ(sys.unified, "/sys/fs/cgroup/unified");
}

TEST(cgroup_v2_with_controllers)
{
	static const char cg[] =
	    "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
	    "cpu\t0\t80\t1\nmemory\t0\t80\t1\npids\t0\t80\t1\n";
	static const char mi[] =
	    "25 30 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 "
	    "rw,nsdelegate\n";
	struct cgroup_sys sys;

	cgroup_parse(&sys, cg, mi, "cpuset cpu io memory hugetlb pids rdma\n");
	ASSERT_EQ(sys.version, CGROUP_V2);
	ASSERT_STR_EQ(sys.v2, "/sys/fs/cgroup");
	ASSERT_STR_EQ(sys.memory, "");
	/* The same machine, but the controllers not offered: nothing. */
	cgroup_parse(&sys, cg, mi, "hugetlb\n");
	ASSERT_EQ(sys.version, CGROUP_NONE);
	cgroup_parse(&sys, cg, mi, NULL);
	ASSERT_EQ(sys.version, CGROUP_NONE);
}

TEST(cgroup_v1_comounted_and_disabled)
{
	static const char cg[] =
	    "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
	    "cpu\t2\t1\t1\ncpuacct\t2\t1\t1\nmemory\t4\t1\t0\n"
	    "pids\t8\t1\t1\n";
	static const char mi[] =
	    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
	    "rw,cpu,cpuacct\n"
	    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "36 31 0:33 / /mnt/a\\040b rw - cgroup cgroup rw,pids\n";
	struct cgroup_sys sys;

	cgroup_parse(&sys, cg, mi, NULL);
	ASSERT_EQ(sys.version, CGROUP_V1);
	ASSERT_STR_EQ(sys.cpu, "/sys/fs/cgroup/cpu,cpuacct");
	ASSERT_STR_EQ(sys.cpuacct, "/sys/fs/cgroup/cpu,cpuacct");
	ASSERT_STR_EQ(sys.memory, ""); /* disabled in /proc/cgroups */
	ASSERT_STR_EQ(sys.pids, ""); /* a mount point with a space */
	ASSERT_STR_EQ(sys.freezer, "");
}

TEST(cgroup_none)
{
	struct cgroup_sys sys;

	cgroup_parse(&sys, NULL, NULL, NULL);
	ASSERT_EQ(sys.version, CGROUP_NONE);
	cgroup_parse(&sys, "garbage", "no mounts here\n- - -\n", "");
	ASSERT_EQ(sys.version, CGROUP_NONE);
}

TEST(cgroup_join_refuses_paths)
{
	ASSERT_EQ(cgroup_join("/tmp/x"), -1);
	ASSERT_EQ(cgroup_join("/sys/fs/cgroup/memory/rig/../../x"), -1);
	ASSERT_EQ(cgroup_join("sys/fs/cgroup/memory"), -1);
}

TEST(limits_sizes)
{
	uint64_t n;

	ASSERT_EQ(limits_parse_size("2G", &n), 0);
	ASSERT_EQ(n, 2ULL << 30);
	ASSERT_EQ(limits_parse_size("512M", &n), 0);
	ASSERT_EQ(n, 512ULL << 20);
	ASSERT_EQ(limits_parse_size("64k", &n), 0);
	ASSERT_EQ(n, 65536);
	ASSERT_EQ(limits_parse_size("1048576", &n), 0);
	ASSERT_EQ(n, 1048576);
	ASSERT_EQ(limits_parse_size("1T", &n), 0);
	ASSERT_EQ(n, 1ULL << 40);
	ASSERT_EQ(limits_parse_size("", &n), -1);
	ASSERT_EQ(limits_parse_size("G", &n), -1);
	ASSERT_EQ(limits_parse_size("2GB", &n), -1);
	ASSERT_EQ(limits_parse_size("-1", &n), -1);
	ASSERT_EQ(limits_parse_size("1.5G", &n), -1);
	ASSERT_EQ(limits_parse_size("99999999999999999999", &n), -1);
	ASSERT_EQ(limits_parse_size("2000T", &n), -1);
}

TEST(limits_cpus)
{
	unsigned m;

	ASSERT_EQ(limits_parse_cpu("1.5", &m), 0);
	ASSERT_EQ(m, 1500);
	ASSERT_EQ(limits_parse_cpu("2", &m), 0);
	ASSERT_EQ(m, 2000);
	ASSERT_EQ(limits_parse_cpu("0.25", &m), 0);
	ASSERT_EQ(m, 250);
	ASSERT_EQ(limits_parse_cpu(".5", &m), 0);
	ASSERT_EQ(m, 500);
	ASSERT_EQ(limits_parse_cpu("0.0015", &m), 0);
	ASSERT_EQ(m, 1);
	ASSERT_EQ(limits_parse_cpu("", &m), -1);
	ASSERT_EQ(limits_parse_cpu("1.", &m), -1);
	ASSERT_EQ(limits_parse_cpu("1,5", &m), -1);
	ASSERT_EQ(limits_parse_cpu("-1", &m), -1);
	ASSERT_EQ(limits_parse_cpu("2000", &m), -1);
}

TEST(limits_keys)
{
	struct limits_conf    l;
	const struct setting *t = limits_settings;

	memset(&l, 0, sizeof(l));
	settings_init(t, &l);
	ASSERT_EQ(l.mem_limit, 0);
	ASSERT_EQ(l.cpu_milli, 0);
	ASSERT_EQ(l.pids_limit, 4096);
	ASSERT_EQ(l.server_log_max, 10 * 1024 * 1024);
	ASSERT_EQ(settings_set(t, &l, "hub", "mem_limit", "2G"), 0);
	ASSERT_EQ(l.mem_limit, 2ULL << 30);
	ASSERT_EQ(settings_set(t, &l, "hub", "cpu_limit", "1.5"), 0);
	ASSERT_EQ(l.cpu_milli, 1500);
	ASSERT_EQ(settings_set(t, &l, "hub", "pids_limit", "100"), 0);
	ASSERT_EQ(l.pids_limit, 100);
	ASSERT_EQ(settings_set(t, &l, "hub", "server_log_max", "1M"), 0);
	ASSERT_EQ(l.server_log_max, 1 << 20);
	/* A refused value leaves the setting as it was. */
	ASSERT_EQ(settings_set(t, &l, "hub", "server_log_max", "1K"), -1);
	ASSERT_EQ(l.server_log_max, 1 << 20);
	ASSERT_EQ(settings_set(t, &l, "hub", "mem_limit", "lots"), -1);
	ASSERT_EQ(l.mem_limit, 2ULL << 30);
	ASSERT_EQ(settings_set(t, &l, "hub", "listen", "x"), 1);
	settings_release(t, &l);
}

TEST(limits_in_the_hub_config)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(c.limits.pids_limit, 4096);
	ASSERT_EQ(config_set(&c, "mem_limit", "512M"), 0);
	ASSERT_EQ(c.limits.mem_limit, 512ULL << 20);
	ASSERT_EQ(config_set(&c, "cpu_limit", "x"), -1);
	config_release(&c);
}
