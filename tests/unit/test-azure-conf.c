/* SPDX-License-Identifier: MIT */
/*
 * Tests of azure-conf.c: the [azure] defaults, every key with good and
 * bad values (a bad one must leave the setting as it was), durations,
 * CIDRs, Azure's reserved admin names, and the commented section rig
 * init writes read back through the real INI reader to the same values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/azure-auth.h"
#include "azure/azure-conf.h"
#include "lib/ini.h"
#include "machine/machine.h"
#include "unit.h"
#include "lib/util.h"

/* Both NULL, or the same text. */
static void
check_same_str(const char *what, const char *a, const char *b)
{
	if (a == NULL && b == NULL)
		return;
	if (a == NULL || b == NULL || strcmp(a, b) != 0)
		FAIL("%s: \"%s\" != \"%s\"", what, a ? a : "(null)",
		    b ? b : "(null)");
}

static void
check_same_conf(const struct azure_conf *a, const struct azure_conf *b)
{
	check_same_str("subscription", a->subscription, b->subscription);
	check_same_str("location", a->location, b->location);
	check_same_str("resource_group", a->resource_group, b->resource_group);
	check_same_str("size", a->size, b->size);
	check_same_str("image", a->image, b->image);
	check_same_str("publisher", a->publisher, b->publisher);
	check_same_str("offer", a->offer, b->offer);
	check_same_str("sku", a->sku, b->sku);
	check_same_str("version", a->version, b->version);
	ASSERT_EQ(a->os_disk_gb, b->os_disk_gb);
	check_same_str("os_disk_type", a->os_disk_type, b->os_disk_type);
	ASSERT_EQ(a->spot, b->spot);
	check_same_str("allow_from", a->allow_from, b->allow_from);
	ASSERT_EQ(a->idle_stop, b->idle_stop);
	ASSERT_EQ(a->daily_stop_hhmm, b->daily_stop_hhmm);
	check_same_str("daily_stop_tz", a->daily_stop_tz, b->daily_stop_tz);
	ASSERT(a->budget_month == b->budget_month);
	check_same_str("arm_endpoint", a->arm_endpoint, b->arm_endpoint);
	check_same_str("login_endpoint", a->login_endpoint, b->login_endpoint);
	check_same_str("imds_endpoint", a->imds_endpoint, b->imds_endpoint);
	check_same_str("prices_endpoint", a->prices_endpoint,
	    b->prices_endpoint);
	check_same_str("myip_endpoint", a->myip_endpoint, b->myip_endpoint);
}

/* Sets 'key' to a bad value and checks it is refused and changes nothing. */
static void
check_refused(const char *key, const char *value)
{
	struct azure_conf a, before;

	azure_conf_init(&a);
	azure_conf_init(&before);
	if (azure_conf_set(&a, key, value) != -1)
		FAIL("[azure] %s = '%s' was accepted", key, value);
	check_same_conf(&a, &before);
	azure_conf_release(&a);
	azure_conf_release(&before);
}

TEST(azure_conf_defaults)
{
	struct azure_conf a;

	azure_conf_init(&a);
	/* Unset means "find it": the subscription from the environment or
	 * az, the group from the machine's name. */
	ASSERT_NULL(a.subscription);
	ASSERT_NULL(a.resource_group);
	ASSERT_STR_EQ(a.location, "westeurope");
	ASSERT_STR_EQ(a.size, "Standard_D4s_v5");
	ASSERT_STR_EQ(a.image, AZURE_IMAGE_DEFAULT);
	/* The default image is split like any other. */
	ASSERT_STR_EQ(a.publisher, "microsoft-dsvm");
	ASSERT_STR_EQ(a.offer, "ubuntu-2204");
	ASSERT_STR_EQ(a.sku, "2204-gen2");
	ASSERT_STR_EQ(a.version, "latest");
	ASSERT_EQ(a.os_disk_gb, 128);
	ASSERT_STR_EQ(a.os_disk_type, "StandardSSD_LRS");
	ASSERT_EQ(a.spot, 0);
	ASSERT_STR_EQ(a.allow_from, "auto");
	ASSERT_EQ(a.idle_stop, 3600);
	ASSERT_EQ(a.daily_stop_hhmm, 2000);
	ASSERT_STR_EQ(a.daily_stop_tz, "UTC");
	ASSERT(a.budget_month == 0);
	ASSERT_STR_EQ(a.arm_endpoint, "https://management.azure.com");
	ASSERT_STR_EQ(a.login_endpoint, "https://login.microsoftonline.com");
	ASSERT_STR_EQ(a.imds_endpoint, "http://169.254.169.254");
	ASSERT_STR_EQ(a.prices_endpoint, "https://prices.azure.com");
	ASSERT_STR_EQ(a.myip_endpoint, "https://api.ipify.org");
	azure_conf_release(&a);
	/* Release leaves a zeroed struct: a second release is harmless. */
	ASSERT_NULL(a.location);
	azure_conf_release(&a);
}

TEST(azure_conf_names)
{
	struct azure_conf a;
	char              long_rg[92];

	azure_conf_init(&a);
	ASSERT_EQ(azure_conf_set(&a, "subscription",
	              "00000000-1111-2222-3333-444444444444"),
	    0);
	ASSERT_STR_EQ(a.subscription, "00000000-1111-2222-3333-444444444444");
	/* Empty means "not set" again, not an empty id in ARM paths. */
	ASSERT_EQ(azure_conf_set(&a, "subscription", ""), 0);
	ASSERT_NULL(a.subscription);
	ASSERT_EQ(azure_conf_set(&a, "location", "eastus2"), 0);
	ASSERT_STR_EQ(a.location, "eastus2");
	ASSERT_EQ(azure_conf_set(&a, "resource_group", "rig-my.proj_(1)"), 0);
	ASSERT_STR_EQ(a.resource_group, "rig-my.proj_(1)");
	ASSERT_EQ(azure_conf_set(&a, "resource_group", ""), 0);
	ASSERT_NULL(a.resource_group);
	/* 90 characters is Azure's limit for a group name. */
	memset(long_rg, 'g', 90);
	long_rg[90] = '\0';
	ASSERT_EQ(azure_conf_set(&a, "resource_group", long_rg), 0);
	ASSERT_EQ(strlen(a.resource_group), 90);
	ASSERT_EQ(azure_conf_set(&a, "size", "Standard_NC4as_T4_v3"), 0);
	ASSERT_STR_EQ(a.size, "Standard_NC4as_T4_v3");
	azure_conf_release(&a);

	/* These go into ARM paths unescaped, so '/', '?', spaces are out. */
	check_refused("subscription", "sub/../other");
	check_refused("subscription", "a b");
	check_refused("location", "");
	check_refused("location", "west europe");
	check_refused("location", "west-europe");
	check_refused("resource_group", "a/b");
	check_refused("resource_group", "a?b");
	memset(long_rg, 'g', 91);
	long_rg[91] = '\0';
	check_refused("resource_group", long_rg);
	check_refused("size", "");
	check_refused("size", "Standard D4s v5");
	check_refused("size", "Standard_D4s_v5/x");
}

TEST(azure_conf_image)
{
	struct azure_conf a;

	azure_conf_init(&a);
	ASSERT_EQ(azure_conf_set(&a, "image",
	              "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:"
	              "22.04.202311010"),
	    0);
	ASSERT_STR_EQ(a.image,
	    "Canonical:0001-com-ubuntu-server-jammy:"
	    "22_04-lts-gen2:22.04.202311010");
	ASSERT_STR_EQ(a.publisher, "Canonical");
	ASSERT_STR_EQ(a.offer, "0001-com-ubuntu-server-jammy");
	ASSERT_STR_EQ(a.sku, "22_04-lts-gen2");
	ASSERT_STR_EQ(a.version, "22.04.202311010");
	ASSERT_EQ(azure_conf_set(&a, "image", "p:o:s:latest"), 0);
	ASSERT_STR_EQ(a.publisher, "p");
	ASSERT_STR_EQ(a.offer, "o");
	ASSERT_STR_EQ(a.sku, "s");
	ASSERT_STR_EQ(a.version, "latest");
	azure_conf_release(&a);

	/* Exactly four parts, none empty. */
	check_refused("image", "a:b:c");
	check_refused("image", "a:b:c:d:e");
	check_refused("image", "a:b:c:d:");
	check_refused("image", "a::c:d");
	check_refused("image", ":b:c:d");
	check_refused("image", "a:b:c:");
	check_refused("image", "");
	check_refused("image", "abcd");
	/* Each part goes into an ARM URL path unescaped. */
	check_refused("image", "pub/x:offer:sku:latest");
	check_refused("image", "pub:offer:sku:latest?x=1");
	check_refused("image", "pub:off er:sku:latest");
}

TEST(azure_conf_disk_and_spot)
{
	struct azure_conf a;

	azure_conf_init(&a);
	/* The bounds themselves are allowed. */
	ASSERT_EQ(azure_conf_set(&a, "os_disk_gb", "30"), 0);
	ASSERT_EQ(a.os_disk_gb, 30);
	ASSERT_EQ(azure_conf_set(&a, "os_disk_gb", "4095"), 0);
	ASSERT_EQ(a.os_disk_gb, 4095);
	ASSERT_EQ(azure_conf_set(&a, "os_disk_type", "Premium_LRS"), 0);
	ASSERT_STR_EQ(a.os_disk_type, "Premium_LRS");
	ASSERT_EQ(azure_conf_set(&a, "os_disk_type", "Standard_LRS"), 0);
	ASSERT_STR_EQ(a.os_disk_type, "Standard_LRS");
	ASSERT_EQ(azure_conf_set(&a, "os_disk_type", "StandardSSD_LRS"), 0);
	ASSERT_STR_EQ(a.os_disk_type, "StandardSSD_LRS");
	ASSERT_EQ(azure_conf_set(&a, "spot", "yes"), 0);
	ASSERT_EQ(a.spot, 1);
	ASSERT_EQ(azure_conf_set(&a, "spot", "no"), 0);
	ASSERT_EQ(a.spot, 0);
	azure_conf_release(&a);

	check_refused("os_disk_gb", "29");
	check_refused("os_disk_gb", "4096");
	check_refused("os_disk_gb", "0");
	check_refused("os_disk_gb", "-30");
	check_refused("os_disk_gb", "128GB");
	check_refused("os_disk_gb", "");
	check_refused("os_disk_gb", "99999999999999999999999");
	/* Names are Azure's, case and all; ZRS and v2 are not offered. */
	check_refused("os_disk_type", "premium_lrs");
	check_refused("os_disk_type", "Premium_ZRS");
	check_refused("os_disk_type", "PremiumV2_LRS");
	check_refused("os_disk_type", "");
	check_refused("spot", "true");
	check_refused("spot", "YES");
	check_refused("spot", "1");
	check_refused("spot", "");
}

TEST(azure_conf_allow_from)
{
	struct azure_conf a;
	char              list[101 * 16];
	size_t            len = 0;

	azure_conf_init(&a);
	ASSERT_EQ(azure_conf_set(&a, "allow_from", "203.0.113.7"), 0);
	ASSERT_STR_EQ(a.allow_from, "203.0.113.7");
	/* Commas, spaces, or both separate; the text is kept as written. */
	ASSERT_EQ(azure_conf_set(&a, "allow_from", "10.0.0.0/8,192.168.0.0/16"),
	    0);
	ASSERT_STR_EQ(a.allow_from, "10.0.0.0/8,192.168.0.0/16");
	ASSERT_EQ(azure_conf_set(&a, "allow_from", "10.0.0.0/8 192.168.1.0/24"),
	    0);
	ASSERT_STR_EQ(a.allow_from, "10.0.0.0/8 192.168.1.0/24");
	ASSERT_EQ(
	    azure_conf_set(&a, "allow_from", "198.51.100.0/24, 2001:db8::/32"),
	    0);
	ASSERT_STR_EQ(a.allow_from, "198.51.100.0/24, 2001:db8::/32");
	ASSERT_EQ(azure_conf_set(&a, "allow_from", "auto"), 0);
	ASSERT_STR_EQ(a.allow_from, "auto");

	/* An NSG rule takes at most 100 prefixes. */
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
		    "%s10.0.%d.0/24", i ? "," : "", i);
	ASSERT_EQ(azure_conf_set(&a, "allow_from", list), 0);
	ASSERT_STR_EQ(a.allow_from, list);
	azure_conf_release(&a);
	snprintf(list + len, sizeof(list) - len, ",10.1.0.0/24");
	check_refused("allow_from", list);

	check_refused("allow_from", "10.0.0.0/33");
	check_refused("allow_from", "300.1.1.1");
	check_refused("allow_from", "");
	check_refused("allow_from", " , ,");
	/* One bad entry spoils the list. */
	check_refused("allow_from", "10.0.0.0/8,nope");
	check_refused("allow_from", "10.0.0.0/8;192.168.0.0/16");
	/* "auto" only alone, and only in lower case. */
	check_refused("allow_from", "auto,10.0.0.0/8");
	check_refused("allow_from", "AUTO");
	check_refused("allow_from", "*");
	check_refused("allow_from", "0.0.0.0/0/0");
}

static void
check_duration(const char *s, int64_t want)
{
	int64_t got = -12345;

	if (parse_duration(s, &got) != 0)
		FAIL("parse_duration(\"%s\") failed, want %lld", s,
		    (long long)want);
	if (got != want)
		FAIL("parse_duration(\"%s\") = %lld, want %lld", s,
		    (long long)got, (long long)want);
}

static void
check_bad_duration(const char *s)
{
	int64_t got = -12345;

	if (parse_duration(s, &got) != -1)
		FAIL("parse_duration(\"%s\") accepted (%lld)", s,
		    (long long)got);
	/* Nothing is written on failure. */
	ASSERT_EQ(got, -12345);
}

TEST(azure_parse_duration)
{
	check_duration("0", 0);
	check_duration("90", 90);
	check_duration("90s", 90);
	check_duration("60m", 3600);
	check_duration("2h", 7200);
	check_duration("1d", 86400);
	check_duration("0h", 0);
	/* A year (leap) is the most; more is surely a typo. */
	check_duration("366d", 366LL * 86400);
	check_duration("31622400", 366LL * 86400);
	check_bad_duration("367d");
	check_bad_duration("31622401");
	check_bad_duration("8785h");
	check_bad_duration("5x");
	check_bad_duration("-1");
	check_bad_duration("h");
	check_bad_duration("");
	check_bad_duration("1.5h");
	check_bad_duration("2H");
	check_bad_duration("2hh");
	check_bad_duration("2 h");
	check_bad_duration(" 2h");
	check_bad_duration("2h ");
	check_bad_duration("+5");
	/* Many digits must not overflow into a small number. */
	check_bad_duration("99999999999999999999999999999");
	check_bad_duration("18446744073709551617s");
}

TEST(azure_conf_idle_stop)
{
	struct azure_conf a;

	azure_conf_init(&a);
	ASSERT_EQ(azure_conf_set(&a, "idle_stop", "0"), 0);
	ASSERT_EQ(a.idle_stop, 0);
	ASSERT_EQ(azure_conf_set(&a, "idle_stop", "90"), 0);
	ASSERT_EQ(a.idle_stop, 90);
	ASSERT_EQ(azure_conf_set(&a, "idle_stop", "90s"), 0);
	ASSERT_EQ(a.idle_stop, 90);
	ASSERT_EQ(azure_conf_set(&a, "idle_stop", "60m"), 0);
	ASSERT_EQ(a.idle_stop, 3600);
	ASSERT_EQ(azure_conf_set(&a, "idle_stop", "2h"), 0);
	ASSERT_EQ(a.idle_stop, 7200);
	ASSERT_EQ(azure_conf_set(&a, "idle_stop", "1d"), 0);
	ASSERT_EQ(a.idle_stop, 86400);
	azure_conf_release(&a);
	check_refused("idle_stop", "5x");
	check_refused("idle_stop", "-1");
	check_refused("idle_stop", "h");
	check_refused("idle_stop", "");
	check_refused("idle_stop", "1 h");
	check_refused("idle_stop", "never");
}

TEST(azure_conf_daily_stop)
{
	struct azure_conf a;

	azure_conf_init(&a);
	ASSERT_EQ(
	    azure_conf_set(&a, "daily_stop", "19:30 W. Europe Standard Time"),
	    0);
	ASSERT_EQ(a.daily_stop_hhmm, 1930);
	ASSERT_STR_EQ(a.daily_stop_tz, "W. Europe Standard Time");
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "20:00 UTC"), 0);
	ASSERT_EQ(a.daily_stop_hhmm, 2000);
	ASSERT_STR_EQ(a.daily_stop_tz, "UTC");
	/* No zone means UTC. */
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "07:05"), 0);
	ASSERT_EQ(a.daily_stop_hhmm, 705);
	ASSERT_STR_EQ(a.daily_stop_tz, "UTC");
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "00:00 UTC"), 0);
	ASSERT_EQ(a.daily_stop_hhmm, 0);
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "23:59 UTC-11"), 0);
	ASSERT_EQ(a.daily_stop_hhmm, 2359);
	ASSERT_STR_EQ(a.daily_stop_tz, "UTC-11");
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "off"), 0);
	ASSERT_EQ(a.daily_stop_hhmm, -1);
	ASSERT_NULL(a.daily_stop_tz);
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "20:00 UTC"), 0);
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "no"), 0);
	ASSERT_EQ(a.daily_stop_hhmm, -1);
	azure_conf_release(&a);

	check_refused("daily_stop", "25:00");
	check_refused("daily_stop", "24:00 UTC");
	check_refused("daily_stop", "20:60");
	check_refused("daily_stop", "7pm");
	check_refused("daily_stop", "");
	check_refused("daily_stop", "-1:00");
	check_refused("daily_stop", " 20:00");
	check_refused("daily_stop", "2000");
	/* IANA names are not what the DevTest schedule takes, and '/' or
	 * ';' have no place in a Windows zone id. */
	check_refused("daily_stop", "20:00 Europe/Berlin");
	check_refused("daily_stop", "20:00 UTC;x");
}

TEST(azure_conf_budget)
{
	struct azure_conf a;

	azure_conf_init(&a);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "150"), 0);
	ASSERT(a.budget_month == 150);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "99.5"), 0);
	ASSERT(a.budget_month == 99.5);
	/* Empty is "no budget". */
	ASSERT_EQ(azure_conf_set(&a, "budget_month", ""), 0);
	ASSERT(a.budget_month == 0);

	/* Refused amounts. Only the result is checked: the value is parsed
	 * in place, so budget_month is not kept as it was on a refusal. */
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "0"), -1);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "-5"), -1);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "abc"), -1);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "5 EUR"), -1);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "2e9"), -1);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "nan"), -1);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "inf"), -1);
	azure_conf_release(&a);
}

struct endpoint_case {
	const char *value, *want; /* want NULL: refused */
};

static char **
endpoint_field(struct azure_conf *a, const char *key)
{
	if (strcmp(key, "arm_endpoint") == 0)
		return &a->arm_endpoint;
	if (strcmp(key, "login_endpoint") == 0)
		return &a->login_endpoint;
	if (strcmp(key, "prices_endpoint") == 0)
		return &a->prices_endpoint;
	if (strcmp(key, "myip_endpoint") == 0)
		return &a->myip_endpoint;
	if (strcmp(key, "imds_endpoint") == 0)
		return &a->imds_endpoint;
	FAIL("no endpoint '%s'", key);
}

static void
check_endpoint_cases(const char *key, const struct endpoint_case *cases,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct azure_conf a;

		if (cases[i].want == NULL) {
			check_refused(key, cases[i].value);
			continue;
		}
		azure_conf_init(&a);
		if (azure_conf_set(&a, key, cases[i].value) != 0)
			FAIL("[azure] %s = '%s' was refused", key,
			    cases[i].value);
		ASSERT_STR_EQ(*endpoint_field(&a, key), cases[i].want);
		azure_conf_release(&a);
	}
}

TEST(azure_conf_credential_endpoints)
{
	/* Tokens go to these: https anywhere, plain http only to this
	 * machine (the tests' doubles). */
	static const struct endpoint_case cases[] = {
		{ "https://management.usgovcloudapi.net",
		    "https://management.usgovcloudapi.net" },
		{ "https://arm.example/", "https://arm.example" },
		{ "https://arm.example///", "https://arm.example" },
		{ "https://arm.example:8443/base/",
		    "https://arm.example:8443/base" },
		{ "http://127.0.0.1:8080/", "http://127.0.0.1:8080" },
		{ "http://127.9.8.7:1", "http://127.9.8.7:1" },
		{ "http://localhost:9000", "http://localhost:9000" },
		{ "http://[::1]:9000/", "http://[::1]:9000" },
		{ "http://management.azure.com", NULL },
		{ "http://10.0.0.1:8080", NULL },
		{ "http://169.254.169.254", NULL },
		{ "http://localhost.evil.example", NULL },
		{ "https://user:pw@arm.example", NULL },
		{ "ftp://arm.example", NULL },
		{ "management.azure.com", NULL },
		{ "", NULL },
	};
	static const char *const keys[] = { "arm_endpoint", "login_endpoint",
		"prices_endpoint", "myip_endpoint" };

	/* With the user's say-so, any https host may get the login. */
	setenv("RIG_AZURE_ANY_ENDPOINT", "1", 1);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		check_endpoint_cases(keys[k], cases,
		    sizeof(cases) / sizeof(cases[0]));
	unsetenv("RIG_AZURE_ANY_ENDPOINT");
}

/* Without it, a rig.conf from a cloned project cannot send someone's
 * login to its own host: only Azure's clouds and loopback get it. */
TEST(azure_conf_login_only_to_azure)
{
	static const struct endpoint_case cases[] = {
		{ "https://management.azure.com",
		    "https://management.azure.com" },
		{ "https://management.usgovcloudapi.net/",
		    "https://management.usgovcloudapi.net" },
		{ "https://login.chinacloudapi.cn",
		    "https://login.chinacloudapi.cn" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
		{ "https://arm.example", NULL },
		{ "https://management.azure.com.evil.example", NULL },
		{ "https://evil.example/management.azure.com", NULL },
		/* Loopback is the whole host parsed, never a prefix. */
		{ "https://127.evil.test:8443", NULL },
		{ "http://127.evil.test:8443", NULL },
		{ "https://127.0.0.1.evil.test", NULL },
		{ "https://localhost.evil.test", NULL },
		{ "https://[::1]:8443", "https://[::1]:8443" },
		{ "https://LOCALHOST:8443", "https://LOCALHOST:8443" },
	};
	static const struct endpoint_case other_cases[] = {
		{ "https://prices.azure.com", "https://prices.azure.com" },
		{ "https://api.ipify.org", "https://api.ipify.org" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
		{ "https://prices.example", NULL },
		{ "https://127.evil.test:8443", NULL },
	};

	unsetenv("RIG_AZURE_ANY_ENDPOINT");
	check_endpoint_cases("arm_endpoint", cases,
	    sizeof(cases) / sizeof(cases[0]));
	check_endpoint_cases("login_endpoint", cases,
	    sizeof(cases) / sizeof(cases[0]));
	/* One rule for every endpoint: the price list and the address echo
	 * get no credentials, but what they answer is believed. */
	check_endpoint_cases("prices_endpoint", other_cases,
	    sizeof(other_cases) / sizeof(other_cases[0]));
	check_endpoint_cases("myip_endpoint", other_cases,
	    sizeof(other_cases) / sizeof(other_cases[0]));
}

TEST(azure_conf_imds_endpoint)
{
	/* IMDS is plain http at a link-local address by design. */
	static const struct endpoint_case cases[] = {
		{ "http://169.254.169.254", "http://169.254.169.254" },
		{ "http://169.254.169.254/", "http://169.254.169.254" },
		{ "http://127.0.0.1:9", "http://127.0.0.1:9" },
		{ "http://localhost:9//", "http://localhost:9" },
		/* Its token goes to ARM: Azure's own address or loopback. */
		{ "http://10.1.2.3:8080//", NULL },
		{ "https://imds.example/", NULL },
		{ "http://127.evil.test:9", NULL },
		{ "169.254.169.254", NULL },
		{ "ftp://169.254.169.254", NULL },
		{ "", NULL },
	};

	check_endpoint_cases("imds_endpoint", cases,
	    sizeof(cases) / sizeof(cases[0]));
}

TEST(azure_conf_unknown_key)
{
	check_refused("nope", "1");
	/* Keys are exact: no case folding, no stray space. */
	check_refused("Location", "westeurope");
	check_refused("location ", "westeurope");
	check_refused("", "x");
	/* [hub]'s and autostop's keys are not [azure]'s. */
	check_refused("autostop_after", "60");
	check_refused("idle_timeout", "60");
}

/* ---- azure_conf_text read back ---- */

struct readback {
	struct azure_conf *a;
	int                keys, in_azure;
};

static int
readback_cb(void *arg, const char *section, const char *key, const char *value,
    const char *path, int lineno)
{
	struct readback *r = arg;

	(void)path;
	if (strcmp(section, "azure") != 0)
		FAIL("line %d: key '%s' outside [azure]", lineno, key);
	r->keys++;
	if (azure_conf_set(r->a, key, value) != 0)
		FAIL("line %d: %s = '%s' does not read back", lineno, key,
		    value);
	return 0;
}

/* Writes azure_conf_text(a) to a file, reads it with the INI reader
 * into fresh defaults, and checks every value came back. */
static int
read_back(const struct azure_conf *a)
{
	struct azure_conf b;
	struct readback   r = { &b, 0, 0 };
	char             *text = azure_conf_text(a);
	char             *path = xasprintf("%s/azure.conf", unit_tmpdir());
	FILE             *f = fopen(path, "w");

	ASSERT_NOT_NULL(text);
	ASSERT_NOT_NULL(f);
	fputs(text, f);
	fclose(f);
	azure_conf_init(&b);
	ASSERT_EQ(ini_read(path, readback_cb, &r), 0);
	check_same_conf(a, &b);
	azure_conf_release(&b);
	free(text);
	free(path);
	return r.keys;
}

TEST(azure_conf_text_defaults)
{
	struct azure_conf a;
	char             *text;

	azure_conf_init(&a);
	text = azure_conf_text(&a);
	ASSERT_NOT_NULL(strstr(text, "\n[azure]\n"));
	/* Default endpoints are there to see but commented out, so a
	 * later change of default reaches old projects. */
	ASSERT_NOT_NULL(strstr(text,
	    "\n; arm_endpoint = "
	    "https://management.azure.com "));
	ASSERT_NOT_NULL(strstr(text,
	    "\n; imds_endpoint = "
	    "http://169.254.169.254 "));
	ASSERT_NOT_NULL(strstr(text, "\nidle_stop = 1h "));
	ASSERT_NOT_NULL(strstr(text, "\ndaily_stop = 20:00 UTC "));
	ASSERT_NOT_NULL(strstr(text, "\nimage = " AZURE_IMAGE_DEFAULT " "));
	free(text);
	/* The 12 uncommented keys; the five endpoints are commented out. */
	ASSERT_EQ(read_back(&a), 12);
	azure_conf_release(&a);
}

TEST(azure_conf_text_round_trip)
{
	struct azure_conf a;
	char             *text;

	azure_conf_init(&a);
	ASSERT_EQ(azure_conf_set(&a, "subscription",
	              "00000000-1111-2222-3333-444444444444"),
	    0);
	ASSERT_EQ(azure_conf_set(&a, "location", "northeurope"), 0);
	ASSERT_EQ(azure_conf_set(&a, "resource_group", "my-rg.(x)"), 0);
	ASSERT_EQ(azure_conf_set(&a, "size", "Standard_NC4as_T4_v3"), 0);
	ASSERT_EQ(azure_conf_set(&a, "image",
	              "Canonical:ubuntu-24_04-lts:"
	              "server:24.04.202404230"),
	    0);
	ASSERT_EQ(azure_conf_set(&a, "os_disk_gb", "4095"), 0);
	ASSERT_EQ(azure_conf_set(&a, "os_disk_type", "Premium_LRS"), 0);
	ASSERT_EQ(azure_conf_set(&a, "spot", "yes"), 0);
	/* Spaces inside a value survive the comment after it. */
	ASSERT_EQ(azure_conf_set(&a, "allow_from",
	              "203.0.113.0/24 2001:db8::/48, 198.51.100.7"),
	    0);
	ASSERT_EQ(azure_conf_set(&a, "idle_stop", "90m"), 0);
	ASSERT_EQ(
	    azure_conf_set(&a, "daily_stop", "19:30 W. Europe Standard Time"),
	    0);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "250.75"), 0);
	ASSERT_EQ(azure_conf_set(&a, "arm_endpoint", "http://127.0.0.1:8443/"),
	    0);
	ASSERT_EQ(azure_conf_set(&a, "login_endpoint", "http://localhost:8444"),
	    0);
	ASSERT_EQ(azure_conf_set(&a, "imds_endpoint", "http://127.0.0.1:8445"),
	    0);
	ASSERT_EQ(
	    azure_conf_set(&a, "prices_endpoint", "https://prices.azure.com/x"),
	    0);
	ASSERT_EQ(azure_conf_set(&a, "myip_endpoint", "http://[::1]:8446"), 0);
	text = azure_conf_text(&a);
	/* Changed endpoints are written as settings, not comments. */
	ASSERT_NOT_NULL(
	    strstr(text, "\narm_endpoint = http://127.0.0.1:8443\n"));
	ASSERT_NOT_NULL(strstr(text, "\nidle_stop = 90m\n"));
	ASSERT_NOT_NULL(strstr(text, "\nbudget_month = 250.75\n"));
	free(text);
	/* All 17 keys. */
	ASSERT_EQ(read_back(&a), 17);
	azure_conf_release(&a);
}

TEST(azure_conf_text_round_trip_edges)
{
	static const char *const idle[] = { "0", "90", "59s", "61", "2h", "1d",
		"3601", "366d" };
	struct azure_conf        a;

	/* Each idle_stop shape (seconds, minutes, hours, never). */
	for (size_t i = 0; i < sizeof(idle) / sizeof(idle[0]); i++) {
		azure_conf_init(&a);
		ASSERT_EQ(azure_conf_set(&a, "idle_stop", idle[i]), 0);
		read_back(&a);
		azure_conf_release(&a);
	}
	/* daily_stop off has no zone; the empty budget is "none". */
	azure_conf_init(&a);
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "off"), 0);
	ASSERT_EQ(azure_conf_set(&a, "allow_from", "10.0.0.0/8"), 0);
	ASSERT_EQ(azure_conf_set(&a, "os_disk_gb", "30"), 0);
	ASSERT_EQ(azure_conf_set(&a, "os_disk_type", "Standard_LRS"), 0);
	read_back(&a);
	azure_conf_release(&a);
}

TEST(azure_conf_through_machine_load)
{
	struct machine m;
	char          *path = xasprintf("%s/rig.conf", unit_tmpdir());
	FILE          *f = fopen(path, "w");

	/* rig.conf's [azure] reaches azure_conf_set with the INI rules. */
	ASSERT_NOT_NULL(f);
	fputs("[machine]\nname = p\nprovider = azure\n[azure]\n"
	      "location = uksouth ; London\nspot = yes\n"
	      "allow_from = 10.0.0.0/8, 192.168.0.0/16   # home and work\n"
	      "image = a:b:c:d\n",
	    f);
	fclose(f);
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), 0);
	ASSERT_STR_EQ(azure_conf_of(&m)->location, "uksouth");
	ASSERT_EQ(azure_conf_of(&m)->spot, 1);
	ASSERT_STR_EQ(azure_conf_of(&m)->allow_from,
	    "10.0.0.0/8, 192.168.0.0/16");
	ASSERT_STR_EQ(azure_conf_of(&m)->sku, "c");
	machine_release(&m);

	/* A bad [azure] value fails the load. */
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs("[machine]\nname = p\n[azure]\nos_disk_gb = 10\n", f);
	fclose(f);
	ASSERT_EQ(machine_load(&m, unit_tmpdir()), -1);
	machine_release(&m);
	free(path);
}

/* ---- admin names and CIDRs ---- */

TEST(azure_admin_names)
{
	char name[40];

	ASSERT_EQ(azure_admin_name_ok("azureuser"), 1);
	ASSERT_EQ(azure_admin_name_ok("alice"), 1);
	ASSERT_EQ(azure_admin_name_ok("bob_smith-2"), 1);
	/* Azure's reserved names, in any case. */
	ASSERT_EQ(azure_admin_name_ok("root"), 0);
	ASSERT_EQ(azure_admin_name_ok("admin"), 0);
	ASSERT_EQ(azure_admin_name_ok("Administrator"), 0);
	ASSERT_EQ(azure_admin_name_ok("administrator"), 0);
	ASSERT_EQ(azure_admin_name_ok("adMIN"), 0);
	ASSERT_EQ(azure_admin_name_ok("rOOT"), 0);
	ASSERT_EQ(azure_admin_name_ok("guest"), 0);
	ASSERT_EQ(azure_admin_name_ok("a"), 0);
	/* A Linux user name starts with a lower-case letter. */
	ASSERT_EQ(azure_admin_name_ok("Alice"), 0);
	ASSERT_EQ(azure_admin_name_ok("1alice"), 0);
	ASSERT_EQ(azure_admin_name_ok("_alice"), 0);
	ASSERT_EQ(azure_admin_name_ok("-alice"), 0);
	ASSERT_EQ(azure_admin_name_ok(""), 0);
	ASSERT_EQ(azure_admin_name_ok("al ice"), 0);
	ASSERT_EQ(azure_admin_name_ok("al/ice"), 0);
	ASSERT_EQ(azure_admin_name_ok("alice@x"), 0);
	/* 32 characters at most. */
	memset(name, 'u', 32);
	name[32] = '\0';
	ASSERT_EQ(azure_admin_name_ok(name), 1);
	name[32] = 'u';
	name[33] = '\0';
	ASSERT_EQ(azure_admin_name_ok(name), 0);
}

TEST(azure_cidr_checks)
{
	ASSERT_EQ(azure_cidr_valid("203.0.113.7"), 0);
	ASSERT_EQ(azure_cidr_valid("203.0.113.0/24"), 0);
	ASSERT_EQ(azure_cidr_valid("0.0.0.0/0"), 0);
	ASSERT_EQ(azure_cidr_valid("10.0.0.0/32"), 0);
	ASSERT_EQ(azure_cidr_valid("10.0.0.0/33"), -1);
	ASSERT_EQ(azure_cidr_valid("10.0.0.0/-1"), -1);
	ASSERT_EQ(azure_cidr_valid("10.0.0.0/"), -1);
	ASSERT_EQ(azure_cidr_valid("10.0.0.0/ 8"), -1);
	ASSERT_EQ(azure_cidr_valid("10.0.0.0/8/8"), -1);
	ASSERT_EQ(azure_cidr_valid("10.0.0.0/x"), -1);
	ASSERT_EQ(azure_cidr_valid("/8"), -1);
	ASSERT_EQ(azure_cidr_valid("300.1.1.1"), -1);
	ASSERT_EQ(azure_cidr_valid("10.0.0"), -1);
	ASSERT_EQ(azure_cidr_valid("10.0.0.0.0"), -1);
	ASSERT_EQ(azure_cidr_valid(" 10.0.0.1"), -1);
	ASSERT_EQ(azure_cidr_valid("example.com"), -1);
	ASSERT_EQ(azure_cidr_valid(""), -1);
	/* IPv6, whose prefix goes to 128. */
	ASSERT_EQ(azure_cidr_valid("::1"), 0);
	ASSERT_EQ(azure_cidr_valid("2001:db8::/32"), 0);
	ASSERT_EQ(azure_cidr_valid("2001:db8::1/128"), 0);
	ASSERT_EQ(azure_cidr_valid("::/0"), 0);
	ASSERT_EQ(azure_cidr_valid("::ffff:203.0.113.7"), 0);
	ASSERT_EQ(azure_cidr_valid("2001:db8::/129"), -1);
	ASSERT_EQ(azure_cidr_valid("2001:db8:::1"), -1);
	ASSERT_EQ(azure_cidr_valid("2001:db8::g"), -1);
	ASSERT_EQ(azure_cidr_valid("fe80::1%eth0"), -1);
	/* An address longer than any real one is refused, not cut. */
	ASSERT_EQ(azure_cidr_valid("0000:0000:0000:0000:0000:0000:0000:0000:"
	                           "0000:0000:0000:0000:0000:0000/64"),
	    -1);
}

/* Bugs found by the tests above, fixed: a refused value is not kept, an
 * endpoint needs a host, a time is HH:MM exactly. */
TEST(azure_conf_refused_values_are_not_kept)
{
	struct azure_conf a;

	azure_conf_init(&a);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "50"), 0);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "-5"), -1);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", "0x10"), -1);
	ASSERT_EQ(azure_conf_set(&a, "budget_month", " 5"), -1);
	ASSERT(a.budget_month == 50.0);
	ASSERT_EQ(azure_conf_set(&a, "imds_endpoint", "http://"), -1);
	ASSERT_EQ(azure_conf_set(&a, "imds_endpoint", "http:///"), -1);
	ASSERT_STR_EQ(a.imds_endpoint, "http://169.254.169.254");
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "20: 5"), -1);
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "20:00UTC"), -1);
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", ""), -1);
	ASSERT_EQ(azure_conf_set(&a, "daily_stop", "8:15 UTC"), 0);
	ASSERT_EQ(a.daily_stop_hhmm, 815);
	azure_conf_release(&a);
}
