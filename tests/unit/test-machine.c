/* SPDX-License-Identifier: MIT */
/*
 * Tests of machine.c and ini.c: rig.conf's keys and defaults, its errors
 * (naming file and line), the remote path, machine names, .rig/state.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "machine/remote.h"
#include "lib/util.h"

static void
write_conf(const char *text)
{
	char *path = xasprintf("%s/rig.conf", unit_tmpdir());
	FILE *f = fopen(path, "w");

	ASSERT_NOT_NULL(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

TEST(machine_load_keys)
{
	struct machine m;
	char          *sub, *rp;

	write_conf(
	    "; a comment\n[machine]\nname = proj\nprovider = ssh   "
	    "; inline\nhost = 203.0.113.7\nuser = alice\nport = 2222\n"
	    "identity = ~/.ssh/k # too\n[hub]\nport = 8443\nidle_timeout = 60\n"
	    "[sync]\nremote_dir = ~/work/x/\n[other]\nanything = goes\n");
	sub = xasprintf("%s/a/b", unit_tmpdir());
	ASSERT_EQ(mkdir_p(sub, 0755), 0);
	ASSERT_EQ(machine_load(&m, sub), 0);
	ASSERT_STR_EQ(m.name, "proj");
	ASSERT_STR_EQ(m.provider->name, "ssh");
	ASSERT_STR_EQ(m.host, "203.0.113.7");
	ASSERT_STR_EQ(machine_user(&m), "alice");
	ASSERT_EQ(m.port, 2222);
	ASSERT_STR_EQ(m.identity, "~/.ssh/k");
	ASSERT_EQ(m.hub_port, 8443);
	ASSERT_NOT_NULL(m.hub_extra);
	ASSERT_STR_EQ(m.hub_extra->key, "idle_timeout");
	ASSERT_STR_EQ(m.hub_extra->value, "60");
	rp = machine_remote_path(&m);
	ASSERT_STR_EQ(rp, "work/x");
	free(rp);
	ASSERT_EQ(machine_check(&m), 0);
	machine_release(&m);
	free(sub);
}

TEST(machine_defaults)
{
	struct machine m;
	char          *d;

	write_conf("[machine]\nhost = h\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), 0);
	ASSERT_EQ(m.port, 22);
	ASSERT_EQ(m.hub_port, 8000);
	ASSERT_EQ(m.connect_timeout, 10);
	d = machine_remote_dir(&m);
	ASSERT(strncmp(d, "~/work/rig-unit-", 16) == 0);
	free(d);
	machine_release(&m);
}

TEST(machine_errors)
{
	struct machine m;

	write_conf("[machine]\nport = 0\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	write_conf("[machine]\nnope = 1\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	write_conf("[machine]\nprovider = azure9\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	write_conf("[hub]\nlisten = 0.0.0.0:1\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	write_conf("[sync]\nremote_dir = ~bob/x\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	write_conf("[machine]\nname = x\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), 0);
	ASSERT_EQ(machine_check(&m), -1); /* ssh without a host */
	machine_release(&m);
	write_conf("[machine\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
}

/* rig.conf's [hub] keys go to the machine's hub: they must be the hub's,
 * with values the hub takes, or loading says so now. */
TEST(machine_hub_keys_are_the_hubs)
{
	struct machine m;

	write_conf("[machine]\nhost = h\n[hub]\nidle_timeout = 60\n"
	           "autostop_warn = 8\nserver_cmd = a b ; c\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), 0);
	ASSERT_STR_EQ(m.hub_extra->key, "idle_timeout");
	ASSERT_STR_EQ(m.hub_extra->next->key, "autostop_warn");
	ASSERT_STR_EQ(m.hub_extra->next->next->value, "a b");
	machine_release(&m);
	write_conf("[hub]\nidle_timout = 60\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	write_conf("[hub]\nidle_timeout = soon\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	write_conf("[hub]\nstate_dir = /x\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
}

/* A provider's own section is read whatever the provider (a flag may
 * change it), into settings the machine holds for it. */
TEST(machine_provider_sections)
{
	struct machine m;
	char          *text, head[64];
	int            sections = 0;

	for (size_t i = 0; providers[i] != NULL; i++) {
		const struct provider *p = providers[i];

		if (p->section == NULL) {
			machine_init(&m);
			ASSERT_NULL(machine_provider_conf(&m, p));
			machine_release(&m);
			continue;
		}
		sections++;
		snprintf(head, sizeof(head), "\n[%s]\n", p->section);
		text = xasprintf("[machine]\nhost = h\n[%s]\nnope = 1\n",
		    p->section);
		write_conf(text);
		free(text);
		ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
		machine_release(&m);
		machine_init(&m);
		ASSERT_NOT_NULL(machine_provider_conf(&m, p));
		/* rig init writes the section only for its own machines. */
		text = machine_conf_text(&m);
		ASSERT_NULL(strstr(text, head));
		free(text);
		ASSERT_EQ(machine_set(&m, "machine", "provider", p->name), 0);
		text = machine_conf_text(&m);
		ASSERT_NOT_NULL(strstr(text, head));
		free(text);
		machine_release(&m);
	}
	ASSERT(sections > 0);
}

TEST(machine_names_and_paths)
{
	struct machine m;
	char          *s;

	s = machine_default_name("/x/My Project.v2");
	ASSERT_STR_EQ(s, "my-project.v2");
	free(s);
	s = machine_default_name("/x/---");
	ASSERT_STR_EQ(s, "machine");
	free(s);
	ASSERT(machine_name_valid("a-b_c.d"));
	ASSERT(!machine_name_valid("-a"));
	ASSERT(!machine_name_valid("a b"));
	machine_init(&m);
	m.name = xstrdup("n");
	m.remote_dir = xstrdup("~");
	s = machine_remote_path(&m);
	ASSERT_STR_EQ(s, ".");
	free(s);
	free(m.remote_dir);
	m.remote_dir = xstrdup("/srv/data//");
	s = machine_remote_path(&m);
	ASSERT_STR_EQ(s, "/srv/data");
	free(s);
	machine_release(&m);
}

TEST(machine_state_file)
{
	struct machine m;
	char          *v;

	machine_init(&m);
	m.state_dir = xasprintf("%s/.rig", unit_tmpdir());
	ASSERT_NULL(machine_state_get(&m, "a"));
	ASSERT_EQ(machine_state_set(&m, "a", "1"), 0);
	ASSERT_EQ(machine_state_set(&m, "b", "two words"), 0);
	ASSERT_EQ(machine_state_set(&m, "a", "3"), 0);
	v = machine_state_get(&m, "a");
	ASSERT_STR_EQ(v, "3");
	free(v);
	v = machine_state_get(&m, "b");
	ASSERT_STR_EQ(v, "two words");
	free(v);
	ASSERT_EQ(machine_state_set(&m, "a", NULL), 0);
	ASSERT_NULL(machine_state_get(&m, "a"));
	ASSERT_EQ(machine_state_set(&m, "c", "new\nline"), -1);
	machine_release(&m);
}

/* packages = takes Debian package names only: nothing apt-get reads as
 * an option, a removal, a version or an architecture (issue 16). */
TEST(machine_packages_names_only)
{
	static const char *const good[] = { "htop", "g++ libstdc++6",
		"python3.11  r-base-core", "0ad", "" };
	static const char *const bad[] = { "--allow-unauthenticated", "htop -y",
		"openssh-server-", "a", "Htop", "htop=1.0", "htop/bookworm",
		"htop:amd64", "htop;reboot", "-", "+x" };
	struct machine           m;

	for (size_t i = 0; i < nitems(good); i++) {
		machine_init(&m);
		if (machine_set(&m, "machine", "packages", good[i]) != 0)
			FAIL("packages = '%s' refused", good[i]);
		machine_release(&m);
	}
	for (size_t i = 0; i < nitems(bad); i++) {
		machine_init(&m);
		if (machine_set(&m, "machine", "packages", bad[i]) != -1)
			FAIL("packages = '%s' taken", bad[i]);
		machine_release(&m);
	}
}

/* rig.conf names no program rig runs; the user's own config does. */
TEST(machine_program_paths)
{
	struct machine m;
	char          *dir = xasprintf("%s/cfg", unit_tmpdir());
	char          *path = xasprintf("%s/rig/config", dir);
	FILE          *f;

	machine_init(&m);
	ASSERT_EQ(machine_set(&m, "machine", "ssh", "/tmp/x"), -1);
	ASSERT_EQ(machine_set(&m, "sync", "rsync", "/tmp/x"), -1);
	ASSERT_NULL(m.ssh);
	ASSERT_NULL(m.rsync);
	machine_release(&m);
	ASSERT_EQ(mkdir_p(path, 0755), 0);
	ASSERT_EQ(rmdir(path), 0);
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs("[machine]\nssh = /opt/ssh\n[sync]\nrsync = /opt/rsync\n", f);
	fclose(f);
	setenv("XDG_CONFIG_HOME", dir, 1);
	write_conf("[machine]\nhost = h\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), 0);
	ASSERT_STR_EQ(m.ssh, "/opt/ssh");
	ASSERT_STR_EQ(m.rsync, "/opt/rsync");
	machine_release(&m);
	unsetenv("XDG_CONFIG_HOME");
	free(dir);
	free(path);
}

/* hub_access: public by default, tunnel for every provider; where the
 * hub answers says so (issue 16, item 9). */
TEST(machine_hub_access)
{
	struct machine m;
	struct remote  rm;
	char          *w;

	write_conf("[machine]\nhost = 203.0.113.7\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), 0);
	ASSERT_EQ(m.hub_tunnel, 0);
	memset(&rm, 0, sizeof(rm));
	rm.m = &m;
	rm.host = m.host;
	w = remote_hub_where(&rm);
	ASSERT_STR_EQ(w, "https://203.0.113.7:8000/");
	free(w);
	machine_release(&m);

	write_conf("[machine]\nhost = h\nhub_access = tunnel\n[hub]\n"
	           "port = 8443\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), 0);
	ASSERT_EQ(m.hub_tunnel, 1);
	rm.m = &m;
	rm.host = m.host;
	w = remote_hub_where(&rm);
	ASSERT(
	    strncmp(w, "https://127.0.0.1:8443/ on the machine only", 43) == 0);
	ASSERT_NOT_NULL(strstr(w, "'rig tunnel'"));
	free(w);
	/* The local provider: the hub is here, on loopback. */
	rm.host = NULL;
	w = remote_hub_where(&rm);
	ASSERT_STR_EQ(w, "https://127.0.0.1:8443/");
	free(w);
	machine_release(&m);

	write_conf("[machine]\nhub_access = private\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	write_conf("[azure]\nhub_access = tunnel\n");
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
}
