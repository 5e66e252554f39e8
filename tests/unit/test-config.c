/* SPDX-License-Identifier: MIT */
/*
 * Tests of config.c (defaults, every [hub] key with good and bad values, the
 * INI reader with its comment rules, [service NAME] sections) and of the
 * small helpers the config and the pages lean on: parse_int, username rules,
 * ISO times, secret_equal, html_escape and struct buf.
 */
#include <stdint.h>
#include <limits.h>

#include "unit.h"
#include "lib/buf.h"
#include "hub/config.h"
#include "hub/html.h"
#include "lib/util.h"

/* Writes 'text' to a file in the test's directory; returns its path. */
static const char *
write_conf(const char *text)
{
	static char path[512];
	FILE       *f;

	snprintf(path, sizeof(path), "%s/rig.conf", unit_tmpdir());
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	ASSERT_EQ(fputs(text, f) >= 0, 1);
	ASSERT_EQ(fclose(f), 0);
	return path;
}

/* Loads 'text' into a fresh config; returns config_load()'s result. */
static int
load(struct config *c, const char *text)
{
	config_init(c);
	return config_load(c, write_conf(text));
}

static int
count_services(const struct config *c)
{
	int n = 0;

	for (const struct service *s = c->services; s != NULL; s = s->next)
		n++;
	return n;
}

TEST(config_defaults)
{
	struct config c;

	config_init(&c);
	ASSERT_NULL(c.state_dir);
	ASSERT_STR_EQ(c.listen, "0.0.0.0:8000");
	ASSERT_NULL(c.cert);
	ASSERT_NULL(c.key);
	ASSERT_EQ(c.tls, 1);
	/* No server_cmd: singleuser where installed, else notebook's. */
	ASSERT_NULL(c.server_cmd);
	ASSERT_EQ(c.server_protocol, PROTO_AUTO);
	if (strncmp(config_server_cmd(&c), "jupyterhub-singleuser ", 22) == 0) {
		ASSERT_EQ(config_server_protocol(&c), PROTO_JUPYTERHUB);
		/* On its socket as well. */
		ASSERT(strstr(config_server_cmd(&c), "--sock={sock}") != NULL);
		ASSERT(
		    strstr(config_server_cmd(&c), "--sock-mode=0660") != NULL);
	} else {
		/* A Unix socket, not a port another account could bind
		 * first. */
		ASSERT(strstr(config_server_cmd(&c),
		           "--NotebookApp.sock={sock}") != NULL);
		ASSERT(strstr(config_server_cmd(&c),
		           "--NotebookApp.sock_mode=0660") != NULL);
		ASSERT_NULL(strstr(config_server_cmd(&c), "{port}"));
		ASSERT(strstr(config_server_cmd(&c), "{base_url}") != NULL);
		ASSERT_EQ(config_server_protocol(&c), PROTO_TOKEN);
	}
	ASSERT_STR_EQ(c.user_prefix, "rig-");
	ASSERT_STR_EQ(c.first_admin, "admin");
	ASSERT_EQ(c.spawn_timeout, 60);
	ASSERT_EQ(c.idle_timeout, 3600);
	ASSERT_EQ(c.cull_interval, 60);
	ASSERT_EQ(c.header_timeout, 10);
	ASSERT_EQ(c.keepalive_timeout, 120);
	ASSERT_EQ(c.admin_access, 0);
	ASSERT_EQ(c.splice, 1);
	ASSERT_EQ(c.session_days, 14);
	ASSERT_EQ(c.max_body, 1024 * 1024);
	ASSERT_NULL(c.services);
	config_release(&c);
	ASSERT_NULL(c.listen);
	/* Releasing twice is harmless: release leaves an empty config. */
	config_release(&c);
}

TEST(config_set_strings)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(config_set(&c, "state_dir", "/var/lib/rig"), 0);
	ASSERT_STR_EQ(c.state_dir, "/var/lib/rig");
	ASSERT_EQ(config_set(&c, "listen", "127.0.0.1:9443"), 0);
	ASSERT_STR_EQ(c.listen, "127.0.0.1:9443");
	ASSERT_EQ(config_set(&c, "cert", "/etc/rig/cert.pem"), 0);
	ASSERT_STR_EQ(c.cert, "/etc/rig/cert.pem");
	ASSERT_EQ(config_set(&c, "key", "/etc/rig/key.pem"), 0);
	ASSERT_STR_EQ(c.key, "/etc/rig/key.pem");
	ASSERT_EQ(config_set(&c, "server_cmd", "jupyter lab --port={port}"), 0);
	ASSERT_STR_EQ(c.server_cmd, "jupyter lab --port={port}");
	/* Setting again replaces (ASan would see the old one leak). */
	ASSERT_EQ(config_set(&c, "listen", "[::1]:8000"), 0);
	ASSERT_STR_EQ(c.listen, "[::1]:8000");
	config_release(&c);
}

TEST(config_set_bools)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	static const char *const bad[] = { "", "maybe", "2", "yes ", "y" };
	struct config            c;

	config_init(&c);
	for (size_t i = 0; i < nitems(yes); i++) {
		c.tls = 0;
		c.admin_access = 0;
		ASSERT_EQ(config_set(&c, "tls", yes[i]), 0);
		ASSERT_EQ(config_set(&c, "admin_access", yes[i]), 0);
		ASSERT_EQ(c.tls, 1);
		ASSERT_EQ(c.admin_access, 1);
	}
	for (size_t i = 0; i < nitems(no); i++) {
		c.tls = 1;
		c.admin_access = 1;
		ASSERT_EQ(config_set(&c, "tls", no[i]), 0);
		ASSERT_EQ(config_set(&c, "admin_access", no[i]), 0);
		ASSERT_EQ(config_set(&c, "splice", no[i]), 0);
		ASSERT_EQ(c.tls, 0);
		ASSERT_EQ(c.admin_access, 0);
		ASSERT_EQ(c.splice, 0);
	}
	c.tls = 1;
	for (size_t i = 0; i < nitems(bad); i++) {
		ASSERT_EQ(config_set(&c, "tls", bad[i]), -1);
		ASSERT_EQ(config_set(&c, "admin_access", bad[i]), -1);
	}
	ASSERT_EQ(c.tls, 1);
	config_release(&c);
}

TEST(config_set_numbers)
{
	static const struct {
		const char *key;
		long long   min, max;
	} keys[] = {
		{ "spawn_timeout", 1, 86400 },
		{ "idle_timeout", 0, 365 * 86400 },
		{ "cull_interval", 1, 86400 },
		{ "header_timeout", 1, 3600 },
		{ "keepalive_timeout", 1, 86400 },
		{ "session_days", 1, 365 },
	};
	struct config c;
	char          v[64];

	config_init(&c);
	for (size_t i = 0; i < nitems(keys); i++) {
		int *field = NULL;

		if (strcmp(keys[i].key, "spawn_timeout") == 0)
			field = &c.spawn_timeout;
		else if (strcmp(keys[i].key, "idle_timeout") == 0)
			field = &c.idle_timeout;
		else if (strcmp(keys[i].key, "cull_interval") == 0)
			field = &c.cull_interval;
		else if (strcmp(keys[i].key, "header_timeout") == 0)
			field = &c.header_timeout;
		else if (strcmp(keys[i].key, "keepalive_timeout") == 0)
			field = &c.keepalive_timeout;
		else
			field = &c.session_days;

		snprintf(v, sizeof(v), "%lld", keys[i].min);
		ASSERT_EQ(config_set(&c, keys[i].key, v), 0);
		ASSERT_EQ(*field, keys[i].min);
		snprintf(v, sizeof(v), "%lld", keys[i].max);
		ASSERT_EQ(config_set(&c, keys[i].key, v), 0);
		ASSERT_EQ(*field, keys[i].max);
		/* Out of range or not a number: refused, value unchanged. */
		snprintf(v, sizeof(v), "%lld", keys[i].min - 1);
		ASSERT_EQ(config_set(&c, keys[i].key, v), -1);
		snprintf(v, sizeof(v), "%lld", keys[i].max + 1);
		ASSERT_EQ(config_set(&c, keys[i].key, v), -1);
		ASSERT_EQ(config_set(&c, keys[i].key, ""), -1);
		ASSERT_EQ(config_set(&c, keys[i].key, "10s"), -1);
		ASSERT_EQ(config_set(&c, keys[i].key, "abc"), -1);
		ASSERT_EQ(config_set(&c, keys[i].key, "1.5"), -1);
		ASSERT_EQ(config_set(&c, keys[i].key, "99999999999999999999"),
		    -1);
		ASSERT_EQ(*field, keys[i].max);
	}
	config_release(&c);
}

TEST(config_set_max_body)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(config_set(&c, "max_body", "1024"), 0);
	ASSERT_EQ(c.max_body, 1024);
	ASSERT_EQ(config_set(&c, "max_body", "1099511627776"), 0);
	ASSERT_EQ(c.max_body, 1ULL << 40);
	ASSERT_EQ(config_set(&c, "max_body", "1023"), -1);
	ASSERT_EQ(config_set(&c, "max_body", "1099511627777"), -1);
	ASSERT_EQ(config_set(&c, "max_body", "-1"), -1);
	ASSERT_EQ(config_set(&c, "max_body", "1M"), -1);
	ASSERT_EQ(c.max_body, 1ULL << 40);
	config_release(&c);
}

TEST(config_set_names)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(config_set(&c, "user_prefix", "jh-"), 0);
	ASSERT_STR_EQ(c.user_prefix, "jh-");
	ASSERT_EQ(config_set(&c, "user_prefix", ""), 0);
	ASSERT_STR_EQ(c.user_prefix, "");
	ASSERT_EQ(config_set(&c, "user_prefix", "abcdefghijklmnop"), 0);
	ASSERT_EQ(config_set(&c, "user_prefix", "abcdefghijklmnopq"), -1);
	ASSERT_EQ(config_set(&c, "user_prefix", "Rig-"), -1);
	ASSERT_EQ(config_set(&c, "user_prefix", "a/b"), -1);
	ASSERT_EQ(config_set(&c, "user_prefix", "-x"), -1);
	ASSERT_STR_EQ(c.user_prefix, "abcdefghijklmnop");
	ASSERT_EQ(config_set(&c, "first_admin", "root2"), 0);
	ASSERT_STR_EQ(c.first_admin, "root2");
	ASSERT_EQ(config_set(&c, "first_admin", ""), -1);
	ASSERT_EQ(config_set(&c, "first_admin", "Admin"), -1);
	ASSERT_EQ(config_set(&c, "first_admin", "a b"), -1);
	ASSERT_EQ(config_set(&c, "first_admin", "../x"), -1);
	ASSERT_STR_EQ(c.first_admin, "root2");
	config_release(&c);
}

TEST(config_set_unknown)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(config_set(&c, "no_such_key", "1"), -1);
	ASSERT_EQ(config_set(&c, "", "1"), -1);
	ASSERT_EQ(config_set(&c, "Listen", "127.0.0.1:1"), -1);
	ASSERT_EQ(config_set(&c, "listen ", "127.0.0.1:1"), -1);
	ASSERT_STR_EQ(c.listen, "0.0.0.0:8000");
	config_release(&c);
}

TEST(config_load_file)
{
	struct config         c;
	const struct service *s;

	ASSERT_EQ(load(&c,
	              "# a comment\n"
	              "; another comment\n"
	              "listen = 127.0.0.1:9443\n"
	              "\n"
	              "[hub]\n"
	              "state_dir = /var/lib/rig   ; where state lives\n"
	              "server_cmd = jupyter lab --x=a;b --y=c#d # trailing\n"
	              "  spawn_timeout=30\t\n"
	              "tls = no\r\n"
	              "admin_access\t=\tyes\n"
	              "\n"
	              "[service grafana]\n"
	              "url = http://127.0.0.1:9000\n"
	              "[other]\n"
	              "anything = goes here\n"
	              "no_such_key = 1\n"
	              "[ service   metrics ]\n"
	              "url = http://10.1.2.3:9100/ ; trailing slash is fine\n"
	              "[hub]\n"
	              "session_days = 3\n"),
	    0);
	ASSERT_STR_EQ(c.listen, "127.0.0.1:9443");
	ASSERT_STR_EQ(c.state_dir, "/var/lib/rig");
	/* A ';' or '#' without white space before it is part of the value. */
	ASSERT_STR_EQ(c.server_cmd, "jupyter lab --x=a;b --y=c#d");
	ASSERT_EQ(c.spawn_timeout, 30);
	ASSERT_EQ(c.tls, 0);
	ASSERT_EQ(c.admin_access, 1);
	ASSERT_EQ(c.session_days, 3);
	/* Untouched keys keep their defaults. */
	ASSERT_EQ(c.idle_timeout, 3600);
	ASSERT_STR_EQ(c.first_admin, "admin");
	ASSERT_EQ(count_services(&c), 2);

	s = config_service(&c, "grafana", 7);
	ASSERT_NOT_NULL(s);
	ASSERT_STR_EQ(s->name, "grafana");
	ASSERT_STR_EQ(s->url, "http://127.0.0.1:9000");
	ASSERT_STR_EQ(s->host, "127.0.0.1");
	ASSERT_EQ(s->port, 9000);
	s = config_service(&c, "metrics", 7);
	ASSERT_NOT_NULL(s);
	ASSERT_STR_EQ(s->host, "10.1.2.3");
	ASSERT_EQ(s->port, 9100);
	ASSERT_STR_EQ(s->url, "http://10.1.2.3:9100/");
	config_release(&c);
}

TEST(config_load_url_with_semicolon)
{
	struct config c;

	ASSERT_EQ(load(&c,
	              "[hub]\n"
	              "server_cmd = /opt/run?a=1;b=2#frag\n"
	              "listen = 127.0.0.1:1 # comment\n"),
	    0);
	ASSERT_STR_EQ(c.server_cmd, "/opt/run?a=1;b=2#frag");
	ASSERT_STR_EQ(c.listen, "127.0.0.1:1");
	config_release(&c);
}

TEST(config_managed_service)
{
	struct config         c;
	const struct service *s;

	ASSERT_EQ(load(&c,
	              "[service cull]\n"
	              "command = /usr/bin/python3 -m cull --idle=60\n"
	              "scopes = list:users,  read:users:activity\t"
	              "read:servers , delete:servers\n"
	              "environment = CULL_IDLE=60\n"
	              "environment = EMPTY=\n"
	              "[service board]\n"
	              "url = http://127.0.0.1:9000\n"
	              "command = board {port}\n"
	              "user = rig-board\n"
	              "roles = admin\n"
	              "oauth_no_confirm = yes\n"),
	    0);
	ASSERT_EQ(config_check_services(&c), 0);
	s = config_service(&c, "cull", 4);
	ASSERT_NOT_NULL(s);
	ASSERT_NULL(s->url);
	ASSERT_EQ(s->port, 0);
	ASSERT_STR_EQ(s->command, "/usr/bin/python3 -m cull --idle=60");
	/* Commas and blanks become single spaces. */
	ASSERT_STR_EQ(s->scopes,
	    "list:users read:users:activity read:servers delete:servers");
	ASSERT_EQ(s->nenv, 2);
	ASSERT_STR_EQ(s->env[0], "CULL_IDLE=60");
	ASSERT_STR_EQ(s->env[1], "EMPTY=");
	ASSERT_EQ(s->oauth_no_confirm, 0);
	ASSERT_NULL(s->user);
	s = config_service(&c, "board", 5);
	ASSERT_NOT_NULL(s);
	ASSERT_EQ(s->port, 9000);
	ASSERT_STR_EQ(s->user, "rig-board");
	ASSERT_STR_EQ(s->roles, "admin");
	ASSERT_EQ(s->oauth_no_confirm, 1);
	config_release(&c);

	/* A service neither routed nor run is a mistake. */
	ASSERT_EQ(load(&c, "[service x]\nenvironment = A=1\n"), 0);
	ASSERT_EQ(config_check_services(&c), -1);
	config_release(&c);
}

TEST(config_load_errors)
{
	static const char *const bad[] = {
		"[hub]\nno_such_key = 1\n",
		"[hub]\nspawn_timeout = 0\n",
		"[hub]\nspawn_timeout = ten\n",
		"[hub]\ntls = perhaps\n",
		"[hub]\nlisten\n",
		"[hub\nlisten = x\n",
		"[service grafana]\nurl = https://127.0.0.1:9000\n",
		"[service grafana]\nurl = http://127.0.0.1\n",
		"[service grafana]\nurl = http://127.0.0.1:99999\n",
		"[service grafana]\nurl = http://127.0.0.1:9000/x\n",
		"[service grafana]\nhost = 127.0.0.1\n",
		"[service Bad Name]\nurl = http://127.0.0.1:9000\n",
		"[service]\nurl = http://127.0.0.1:9000\n",
		"[service s]\ncommand =\n",
		"[service s]\ncommand = x\nuser = Root\n",
		"[service s]\ncommand = x\nroles = user\n",
		"[service s]\ncommand = x\nroles = admin, token\n",
		"[service s]\ncommand = x\nscopes = read:users, fly\n",
		"[service s]\ncommand = x\nscopes = read:users!bogus=1\n",
		"[service s]\ncommand = x\noauth_no_confirm = maybe\n",
		"[service s]\ncommand = x\nenvironment = NOEQUALS\n",
		"[service s]\ncommand = x\nenvironment = =1\n",
		"[service s]\ncommand = x\nenvironment = 1A=1\n",
		"[service s]\ncommand = x\nenvironment = A-B=1\n",
		"[service s]\ncommand = x\n"
		"environment = JUPYTERHUB_API_TOKEN=mine\n",
		"[service s]\ncommand = x\nenvironment = LD_PRELOAD=/x.so\n",
		"[service s]\ncommand = x\nenvironment = GCONV_PATH=/x\n",
	};
	struct config c;

	for (size_t i = 0; i < nitems(bad); i++) {
		if (load(&c, bad[i]) != -1)
			FAIL("config %zu accepted: %s", i, bad[i]);
		config_release(&c);
	}
	config_init(&c);
	ASSERT_EQ(config_load(&c, "/nonexistent/rig.conf"), -1);
	config_release(&c);
}

TEST(config_add_service)
{
	static const char *const bad_urls[] = {
		"https://127.0.0.1:9000",
		"127.0.0.1:9000",
		"http://127.0.0.1",
		"http://127.0.0.1:",
		"http://:9000",
		"http://127.0.0.1:0",
		"http://127.0.0.1:65536",
		"http://127.0.0.1:-1",
		"http://127.0.0.1:abc",
		"http://127.0.0.1:9000/path",
		"http://127.0.0.1:9000//",
		"",
	};
	static const char *const bad_names[] = { "", "Grafana", "a b", "a/b",
		"-x", ".x", "../x" };
	struct config            c;
	const struct service    *s;

	config_init(&c);
	ASSERT_EQ(config_add_service(&c, "grafana", "http://127.0.0.1:9000"),
	    0);
	ASSERT_EQ(config_add_service(&c, "prom", "http://127.0.0.1:65535/"), 0);
	ASSERT_EQ(count_services(&c), 2);
	/* The same name again replaces the entry in place. */
	ASSERT_EQ(config_add_service(&c, "grafana", "http://127.0.0.1:3000"),
	    0);
	ASSERT_EQ(count_services(&c), 2);
	s = config_service(&c, "grafana", 7);
	ASSERT_NOT_NULL(s);
	ASSERT_EQ(s->port, 3000);
	ASSERT_STR_EQ(s->url, "http://127.0.0.1:3000");
	s = config_service(&c, "prom", 4);
	ASSERT_NOT_NULL(s);
	ASSERT_EQ(s->port, 65535);
	/* Lookup by a counted name, as taken from a path. */
	s = config_service(&c, "grafana/api/x", 7);
	ASSERT_NOT_NULL(s);
	ASSERT_STR_EQ(s->name, "grafana");
	ASSERT_NULL(config_service(&c, "graf", 4));
	ASSERT_NULL(config_service(&c, "grafanax", 8));
	ASSERT_NULL(config_service(&c, "", 0));

	for (size_t i = 0; i < nitems(bad_urls); i++)
		if (config_add_service(&c, "x", bad_urls[i]) != -1)
			FAIL("service url '%s' accepted", bad_urls[i]);
	for (size_t i = 0; i < nitems(bad_names); i++)
		if (config_add_service(&c, bad_names[i],
		        "http://127.0.0.1:9000") != -1)
			FAIL("service name '%s' accepted", bad_names[i]);
	ASSERT_EQ(count_services(&c), 2);
	ASSERT_NULL(config_service(&c, "x", 1));
	config_release(&c);
}

TEST(util_parse_int)
{
	long long v = 42;

	ASSERT_EQ(parse_int("0", 0, 10, &v), 0);
	ASSERT_EQ(v, 0);
	ASSERT_EQ(parse_int("10", 0, 10, &v), 0);
	ASSERT_EQ(v, 10);
	ASSERT_EQ(parse_int("-5", -10, 10, &v), 0);
	ASSERT_EQ(v, -5);
	ASSERT_EQ(parse_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &v),
	    0);
	ASSERT_EQ(v, LLONG_MAX);
	ASSERT_EQ(parse_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v),
	    0);
	ASSERT_EQ(v, LLONG_MIN);
	v = 42;
	ASSERT_EQ(parse_int("11", 0, 10, &v), -1);
	ASSERT_EQ(parse_int("-1", 0, 10, &v), -1);
	ASSERT_EQ(parse_int("9223372036854775808", LLONG_MIN, LLONG_MAX, &v),
	    -1);
	ASSERT_EQ(parse_int("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v),
	    -1);
	ASSERT_EQ(parse_int("", 0, 10, &v), -1);
	ASSERT_EQ(parse_int(NULL, 0, 10, &v), -1);
	ASSERT_EQ(parse_int("1x", 0, 10, &v), -1);
	ASSERT_EQ(parse_int("x1", 0, 10, &v), -1);
	ASSERT_EQ(parse_int("1 ", 0, 10, &v), -1);
	ASSERT_EQ(parse_int("0x5", 0, 10, &v), -1);
	ASSERT_EQ(parse_int("5.0", 0, 10, &v), -1);
	ASSERT_EQ(parse_int("-", 0, 10, &v), -1);
	/* On error the output is left alone. */
	ASSERT_EQ(v, 42);
}

TEST(util_username_error)
{
	static const char *const ok[] = { "alice", "a", "bob.smith", "u_1",
		"x-y", "0day", "abcdefghijklmnopqrstuvwxyz012345" };
	static const char *const bad[] = { "", "Alice", "-x", ".x", "a b",
		"a/b", "a\n", "caf\xc3\xa9", "a:b", "a@b", "$(id)",
		"abcdefghijklmnopqrstuvwxyz0123456" };

	for (size_t i = 0; i < nitems(ok); i++)
		if (username_error(ok[i]) != NULL)
			FAIL("'%s' refused: %s", ok[i], username_error(ok[i]));
	for (size_t i = 0; i < nitems(bad); i++) {
		const char *e = username_error(bad[i]);

		if (e == NULL)
			FAIL("'%s' accepted", bad[i]);
		ASSERT(strlen(e) > 0);
	}
	ASSERT_STR_EQ(username_error(""), "a username cannot be empty");
}

TEST(util_iso_time)
{
	static const int64_t times[] = { 1, 86400, 951782400, 1700000000,
		1798761599, 4102444800LL };
	char                 s[32];

	iso_time(1700000000, s, sizeof(s));
	ASSERT_STR_EQ(s, "2023-11-14T22:13:20.000000Z");
	iso_time(0, s, sizeof(s));
	ASSERT_STR_EQ(s, "null");
	iso_time(-5, s, sizeof(s));
	ASSERT_STR_EQ(s, "null");
	for (size_t i = 0; i < nitems(times); i++) {
		iso_time(times[i], s, sizeof(s));
		ASSERT_EQ(strlen(s), 27);
		ASSERT_EQ(iso_parse(s), times[i]);
	}
	ASSERT_EQ(iso_parse("2026-11-25T12:00:00Z"), 1795608000LL);
	ASSERT_EQ(iso_parse("2026-11-25T12:00:00.123456Z"), 1795608000LL);
	ASSERT_EQ(iso_parse("1970-01-01T00:00:00Z"), 0);
	ASSERT_EQ(iso_parse(NULL), -1);
	ASSERT_EQ(iso_parse(""), -1);
	ASSERT_EQ(iso_parse("null"), -1);
	ASSERT_EQ(iso_parse("2026-11-25"), -1);
	ASSERT_EQ(iso_parse("yesterday"), -1);
	/* Found by fuzz-json: strptime() took these. */
	ASSERT_EQ(iso_parse("6-12-07T0:28:24.2Z"), -1);
	ASSERT_EQ(iso_parse("1013-12-07T04:28:24Z"), -1);
	ASSERT_EQ(iso_parse("2026-02-30T12:00:00Z"), -1);
	ASSERT_EQ(iso_parse("2026-12-07T04:28:24.Z"), -1);
	ASSERT_EQ(iso_parse("2024-02-29T23:59:59.1234567+00:00"), 1709251199LL);
}

TEST(util_secret_equal)
{
	ASSERT_EQ(secret_equal("abc", "abc"), 1);
	ASSERT_EQ(secret_equal("", ""), 1);
	ASSERT_EQ(secret_equal("abc", "abd"), 0);
	ASSERT_EQ(secret_equal("abc", "ab"), 0);
	ASSERT_EQ(secret_equal("ab", "abc"), 0);
	ASSERT_EQ(secret_equal("", "a"), 0);
	ASSERT_EQ(secret_equal("Abc", "abc"), 0);
}

TEST(util_html_escape)
{
	char *s;

	s = html_escape("<script>alert(\"x\" + 'y' & 1)</script>");
	ASSERT_STR_EQ(s,
	    "&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39; "
	    "&amp; 1)&lt;/script&gt;");
	free(s);
	s = html_escape("plain text, caf\xc3\xa9");
	ASSERT_STR_EQ(s, "plain text, caf\xc3\xa9");
	free(s);
	s = html_escape("&amp;");
	ASSERT_STR_EQ(s, "&amp;amp;");
	free(s);
	s = html_escape("");
	ASSERT_STR_EQ(s, "");
	free(s);
	s = html_escape(NULL);
	ASSERT_STR_EQ(s, "");
	free(s);
}

TEST(buf_limits)
{
	struct buf b;
	char      *p;
	size_t     n;

	buf_init(&b, 8);
	ASSERT_STR_EQ(buf_str(&b), "");
	ASSERT_EQ(buf_add(&b, "abcd", 4), 0);
	ASSERT_EQ(buf_adds(&b, "efgh"), 0);
	ASSERT_EQ(b.len, 8);
	ASSERT_STR_EQ(buf_str(&b), "abcdefgh");
	/* One byte over the ceiling fails and changes nothing. */
	ASSERT_EQ(buf_add(&b, "i", 1), -1);
	ASSERT_EQ(buf_addf(&b, "%d", 1), -1);
	ASSERT_EQ(b.len, 8);
	ASSERT_EQ(buf_add(&b, "", 0), 0);
	buf_consume(&b, 3);
	ASSERT_STR_EQ(buf_str(&b), "defgh");
	ASSERT_EQ(buf_addf(&b, "%03d", 7), 0);
	ASSERT_STR_EQ(buf_str(&b), "defgh007");
	buf_consume(&b, 100);
	ASSERT_EQ(b.len, 0);
	ASSERT_STR_EQ(buf_str(&b), "");
	ASSERT_EQ(buf_add(&b, "a\0b", 3), 0);
	p = buf_detach(&b, &n);
	ASSERT_EQ(n, 3);
	ASSERT(memcmp(p, "a\0b", 4) == 0);
	ASSERT_NULL(b.data);
	ASSERT_EQ(b.len, 0);
	free(p);
	p = buf_detach(&b, &n);
	ASSERT_STR_EQ(p, "");
	ASSERT_EQ(n, 0);
	free(p);
	buf_release(&b);
}

/* A secret buffer grows with its bytes intact and leaves none of them
 * behind where it let go: past what is left after buf_consume(), all of
 * it after buf_reset(). (What free() gets cannot be read back here.) */
TEST(buf_secret_wiped)
{
	struct buf b;
	char       key[600];

	memset(key, 'k', sizeof(key));
	buf_init(&b, 1 << 20);
	buf_secret(&b);
	ASSERT_EQ(buf_add(&b, key, 100), 0);
	ASSERT_EQ(buf_add(&b, key, sizeof(key)), 0); /* grown */
	ASSERT_EQ(b.len, 700);
	ASSERT_EQ(b.data[699], 'k');
	buf_consume(&b, 650);
	ASSERT_EQ(b.len, 50);
	for (size_t i = 50; i < 700; i++)
		ASSERT_EQ(b.data[i], '\0');
	buf_reset(&b);
	for (size_t i = 0; i < b.cap; i++)
		ASSERT_EQ(b.data[i], '\0');
	buf_release(&b);
	ASSERT(b.secret); /* still, if used again */
	buf_release(&b);
}

TEST(buf_addf_large)
{
	struct buf b;
	char       big[2000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 1 << 20);
	ASSERT_EQ(buf_addf(&b, "<%s>", big), 0);
	ASSERT_EQ(b.len, sizeof(big) + 1);
	ASSERT_EQ(b.data[0], '<');
	ASSERT_EQ(b.data[b.len - 1], '>');
	buf_reset(&b);
	ASSERT_EQ(b.len, 0);
	ASSERT_STR_EQ(buf_str(&b), "");
	buf_release(&b);
	buf_init(&b, 100);
	ASSERT_EQ(buf_addf(&b, "%s", big), -1);
	ASSERT_EQ(b.len, 0);
	buf_release(&b);
}

/* auto is jupyterhub for jupyterhub-singleuser as the program, by name
 * or path, quoted or not, and token for anything else. */
TEST(config_server_protocol_auto)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(config_set(&c, "server_cmd", "jupyterhub-singleuser"), 0);
	ASSERT_EQ(config_server_protocol(&c), PROTO_JUPYTERHUB);
	ASSERT_EQ(config_set(&c, "server_cmd",
	              "'/opt/x/bin/jupyterhub-singleuser' --debug"),
	    0);
	ASSERT_EQ(config_server_protocol(&c), PROTO_JUPYTERHUB);
	ASSERT_EQ(config_set(&c, "server_cmd", "jupyter notebook"), 0);
	ASSERT_EQ(config_server_protocol(&c), PROTO_TOKEN);
	ASSERT_EQ(config_set(&c, "server_cmd",
	              "/bin/sh -c 'exec jupyterhub-singleuser'"),
	    0);
	ASSERT_EQ(config_server_protocol(&c), PROTO_TOKEN);
	ASSERT_EQ(config_set(&c, "server_cmd", "jupyterhub-singleuserx"), 0);
	ASSERT_EQ(config_server_protocol(&c), PROTO_TOKEN);
	ASSERT_EQ(config_set(&c, "server_protocol", "jupyterhub"), 0);
	ASSERT_EQ(config_server_protocol(&c), PROTO_JUPYTERHUB);
	ASSERT_EQ(config_set(&c, "server_protocol", "oauth"), -1);
	config_release(&c);
}

/* authenticator and its keys: the words taken, PAM service names, group
 * lists; admin_groups' default by authenticator; config_check(): pam
 * needs root, and then has no account prefix. */
TEST(config_authenticator)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(c.authenticator, AUTH_LOCAL);
	ASSERT_STR_EQ(c.pam_service, "login");
	ASSERT_NULL(c.admin_groups);
	ASSERT_NULL(c.allowed_groups);
	ASSERT_NULL(config_admin_groups(&c));
	ASSERT_EQ(config_check(&c, 0), 0);
	ASSERT_STR_EQ(c.user_prefix, "rig-");
	ASSERT_EQ(config_set(&c, "authenticator", "LDAP"), -1);
	ASSERT_EQ(config_set(&c, "authenticator", "PAM"), -1);
	ASSERT_EQ(config_set(&c, "authenticator", ""), -1);
	ASSERT_EQ(c.authenticator, AUTH_LOCAL);
	ASSERT_EQ(config_set(&c, "authenticator", "pam"), 0);
	ASSERT_EQ(c.authenticator, AUTH_PAM);
	ASSERT_STR_EQ(config_admin_groups(&c), "sudo");
	/* Without root: refused, and nothing changed. */
	ASSERT_EQ(config_check(&c, 0), -1);
	ASSERT_STR_EQ(c.user_prefix, "rig-");
	ASSERT_EQ(config_check(&c, 1), 0);
	ASSERT_STR_EQ(c.user_prefix, "");

	ASSERT_EQ(config_set(&c, "pam_service", "rig"), 0);
	ASSERT_EQ(config_set(&c, "pam_service", "common-auth.d_x"), 0);
	ASSERT_EQ(config_set(&c, "pam_service", ""), -1);
	ASSERT_EQ(config_set(&c, "pam_service", "../shadow"), -1);
	ASSERT_EQ(config_set(&c, "pam_service", "a/b"), -1);
	ASSERT_EQ(config_set(&c, "pam_service", ".hidden"), -1);
	ASSERT_EQ(config_set(&c, "pam_service", "two words"), -1);
	ASSERT_STR_EQ(c.pam_service, "common-auth.d_x");

	ASSERT_EQ(config_set(&c, "admin_groups", "wheel, sudo adm"), 0);
	ASSERT_STR_EQ(config_admin_groups(&c), "wheel, sudo adm");
	ASSERT_EQ(config_set(&c, "admin_groups", "ok -bad"), -1);
	ASSERT_EQ(config_set(&c, "admin_groups", "a/b"), -1);
	ASSERT_STR_EQ(c.admin_groups, "wheel, sudo adm");
	/* Set empty: no admins by group, not the default. */
	ASSERT_EQ(config_set(&c, "admin_groups", ""), 0);
	ASSERT_STR_EQ(config_admin_groups(&c), "");
	ASSERT_EQ(config_set(&c, "allowed_groups", "Data_Sci.1"), 0);
	ASSERT_STR_EQ(c.allowed_groups, "Data_Sci.1");
	ASSERT_EQ(config_set(&c, "allowed_groups", "x;y"), -1);
	ASSERT_EQ(config_set(&c, "allowed_groups", ""), 0);
	ASSERT_NULL(c.allowed_groups);
	config_release(&c);
}

TEST(util_group_name)
{
	ASSERT_EQ(group_name_valid("sudo"), 1);
	ASSERT_EQ(group_name_valid("Domain_Users"), 1);
	ASSERT_EQ(group_name_valid("a.b-c_1"), 1);
	ASSERT_EQ(group_name_valid("0day"), 1);
	ASSERT_EQ(group_name_valid(""), 0);
	ASSERT_EQ(group_name_valid("-x"), 0);
	ASSERT_EQ(group_name_valid(".x"), 0);
	ASSERT_EQ(group_name_valid("a b"), 0);
	ASSERT_EQ(group_name_valid("a:b"), 0);
	ASSERT_EQ(group_name_valid("a/b"), 0);
	ASSERT_EQ(group_name_valid("abcdefghijklmnopqrstuvwxyz012345"), 1);
	ASSERT_EQ(group_name_valid("abcdefghijklmnopqrstuvwxyz0123456"), 0);
}

/* spawner slurm: its default command listens on {port} on every address
 * (the node fills it in), with the token protocol; a command on {sock},
 * or without {port}, or JupyterHub's protocol is refused at start. */
TEST(config_spawner_slurm)
{
	struct config c;

	config_init(&c);
	ASSERT_EQ(c.spawner, CONFIG_SPAWNER_LOCAL);
	ASSERT_EQ(config_check_spawner(&c), 0);
	ASSERT_EQ(config_set(&c, "spawner", "slurm"), 0);
	ASSERT_EQ(c.spawner, CONFIG_SPAWNER_SLURM);
	ASSERT(
	    strstr(config_server_cmd(&c), "--NotebookApp.port={port}") != NULL);
	ASSERT(
	    strstr(config_server_cmd(&c), "--NotebookApp.ip=0.0.0.0") != NULL);
	ASSERT_EQ(config_server_protocol(&c), PROTO_TOKEN);
	ASSERT_EQ(config_check_spawner(&c), 0);
	ASSERT_EQ(
	    config_set(&c, "server_cmd", "jupyter notebook --sock={sock}"), 0);
	ASSERT_EQ(config_check_spawner(&c), -1);
	ASSERT_EQ(config_set(&c, "server_cmd", "jupyter notebook"), 0);
	ASSERT_EQ(config_check_spawner(&c), -1);
	ASSERT_EQ(config_set(&c, "server_cmd", "jupyter lab --port={port}"), 0);
	ASSERT_EQ(config_check_spawner(&c), 0);
	ASSERT_EQ(config_set(&c, "server_protocol", "jupyterhub"), 0);
	/* JupyterHub's protocol: the hub's API where the nodes reach it. */
	ASSERT_EQ(config_check_spawner(&c), -1);
	ASSERT_EQ(config_set(&c, "api_address", "127.0.0.1"), 0);
	ASSERT_EQ(config_check_spawner(&c), -1);
	ASSERT_EQ(config_set(&c, "api_address", "10.0.0.1"), 0);
	ASSERT_EQ(config_check_spawner(&c), 0);
	ASSERT_EQ(config_set(&c, "api_address", "head.example"), -1);
	ASSERT_EQ(config_set(&c, "api_address", "fd00::1"), -1);
	ASSERT_STR_EQ(c.api_address, "10.0.0.1");
	ASSERT_EQ(config_set(&c, "spawner", "kubernetes"), -1);
	ASSERT_EQ(config_set(&c, "slurm_partition", "gpu-a100.big"), 0);
	ASSERT_STR_EQ(c.slurm_partition, "gpu-a100.big");
	ASSERT_EQ(config_set(&c, "slurm_partition", "gpu;reboot"), -1);
	ASSERT_EQ(config_set(&c, "slurm_partition", "-p"), -1);
	ASSERT_EQ(config_set(&c, "slurm_partition", "a b"), -1);
	ASSERT_STR_EQ(c.slurm_partition, "gpu-a100.big");
	config_release(&c);
}
