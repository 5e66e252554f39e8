/* SPDX-License-Identifier: MIT */
/*
 * The [azure] keys of rig.conf (azure-conf.h): defaults, checks, and the
 * commented section rig init writes.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arm.h"
#include "azure-auth.h"
#include "azure-conf.h"
#include "lib/buf.h"
#include "machine/machine.h"
#include "provider-azure.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/util.h"

static int check_subscription(void *, const char *, char *, size_t);
static int check_location(void *, const char *, char *, size_t);
static int check_group(void *, const char *, char *, size_t);
static int check_size(void *, const char *, char *, size_t);
static int check_image(void *, const char *, char *, size_t);
static int check_allow_from(void *, const char *, char *, size_t);
static int check_daily_stop(void *, const char *, char *, size_t);
static int check_login_url(void *, const char *, char *, size_t);
static int check_imds_url(void *, const char *, char *, size_t);
static int name_chars_ok(const char *, const char *);

#define A(field) offsetof(struct azure_conf, field)

static const char *const disk_types[] = { "Premium_LRS", "StandardSSD_LRS",
	"Standard_LRS", NULL };
static const char *const no_yes[] = { "no", "yes", NULL };

/*
 * rig.conf's [azure], in the order rig init writes it. Values are
 * checked as they are read; what goes into an ARM path or name is
 * never escaped, so it must not need to be.
 */
/* clang-format off */
const struct setting azure_settings[] = {
	{ .section = "azure", .key = "subscription", .type = SETTING_STRING,
	    .off = A(subscription), .flags = SETTING_EMPTY_UNSET,
	    .check = check_subscription, .what = "a subscription id",
	    .help = "default: AZURE_SUBSCRIPTION_ID, or the az CLI's "
	            "current one" },
	{ .section = "azure", .key = "location", .type = SETTING_STRING,
	    .off = A(location), .def = AZURE_LOCATION_DEFAULT,
	    .check = check_location,
	    .what = "a region name (e.g. westeurope)",
	    .help = "the Azure region" },
	{ .section = "azure", .key = "resource_group", .type = SETTING_STRING,
	    .off = A(resource_group), .flags = SETTING_EMPTY_UNSET,
	    .check = check_group, .what = "a group name",
	    .help = "default rig-NAME; rig deletes only a group it created" },
	{ .section = "azure", .key = "size", .type = SETTING_STRING,
	    .off = A(size), .def = AZURE_SIZE_DEFAULT, .check = check_size,
	    .what = "a VM size (e.g. " AZURE_SIZE_DEFAULT ")",
	    .help = "any VM size, e.g. Standard_NC4as_T4_v3 for a GPU" },
	{ .section = "azure", .key = "image", .type = SETTING_STRING,
	    .off = A(image), .def = AZURE_IMAGE_DEFAULT, .check = check_image,
	    .help = "PUBLISHER:OFFER:SKU:VERSION" },
	{ .section = "azure", .key = "os_disk_gb", .type = SETTING_INT,
	    .off = A(os_disk_gb), .def = "128", .min = 30, .max = 4095,
	    .what = "30-4095", .help = "the OS disk's size in GB" },
	{ .section = "azure", .key = "os_disk_type", .type = SETTING_STRING,
	    .off = A(os_disk_type), .def = AZURE_DISK_TYPE_DEFAULT,
	    .words = disk_types,
	    .help = "Premium_LRS, StandardSSD_LRS, Standard_LRS" },
	{ .section = "azure", .key = "spot", .type = SETTING_ENUM,
	    .off = A(spot), .def = "no", .words = no_yes, .what = "yes or no",
	    .help = "yes: a Spot VM, deallocated on eviction" },
	{ .section = "azure", .key = "allow_from", .type = SETTING_STRING,
	    .off = A(allow_from), .def = "auto", .check = check_allow_from,
	    .help = "CIDRs that may reach SSH and the hub; auto: your "
	            "public address" },
	{ .section = "azure", .key = "idle_stop", .type = SETTING_DURATION,
	    .off = A(idle_stop), .def = "3600",
	    .help = "deallocate after this long idle (0 = never)" },
	{ .section = "azure", .key = "daily_stop", .type = SETTING_STRING,
	    .off = A(daily_stop), .def = AZURE_DAILY_STOP_DEFAULT,
	    .check = check_daily_stop,
	    .help = "Azure-side backstop schedule (off = none)" },
	{ .section = "azure", .key = "budget_month", .type = SETTING_AMOUNT,
	    .off = A(budget_month),
	    .flags = SETTING_EMPTY_UNSET | SETTING_POSITIVE,
	    .help = "optional, in the price list's currency: warn at 80 %, "
	            "stop at 100 %" },
	/* Endpoints: public cloud by default; sovereign clouds and tests
	 * set them. */
	{ .section = "azure", .key = "arm_endpoint", .type = SETTING_URL,
	    .off = A(arm_endpoint), .def = AZURE_ARM_DEFAULT,
	    .check = check_login_url, .flags = SETTING_DOC_OPTIONAL,
	    .help = "Azure Resource Manager" },
	{ .section = "azure", .key = "login_endpoint", .type = SETTING_URL,
	    .off = A(login_endpoint), .def = AZURE_LOGIN_DEFAULT,
	    .check = check_login_url, .flags = SETTING_DOC_OPTIONAL,
	    .help = "Microsoft Entra ID's token endpoint" },
	/* IMDS is plain http at a link-local address by design. */
	{ .section = "azure", .key = "imds_endpoint", .type = SETTING_URL,
	    .off = A(imds_endpoint), .def = AZURE_IMDS_DEFAULT,
	    .check = check_imds_url, .flags = SETTING_DOC_OPTIONAL,
	    .help = "the VM's instance metadata service" },
	{ .section = "azure", .key = "prices_endpoint", .type = SETTING_URL,
	    .off = A(prices_endpoint), .def = AZURE_PRICES_DEFAULT,
	    .check = check_login_url, .flags = SETTING_DOC_OPTIONAL,
	    .help = "the Retail Prices API" },
	{ .section = "azure", .key = "myip_endpoint", .type = SETTING_URL,
	    .off = A(myip_endpoint), .def = AZURE_MYIP_DEFAULT,
	    .check = check_login_url, .flags = SETTING_DOC_OPTIONAL,
	    .help = "tells allow_from = auto your public address" },
	{ .type = SETTING_END },
};
/* clang-format on */

void
azure_conf_init(struct azure_conf *a)
{
	memset(a, 0, sizeof(*a));
	settings_init(azure_settings, a);
}

void
azure_conf_release(struct azure_conf *a)
{
	settings_release(azure_settings, a);
	/* Derived from image and daily_stop by their checks. */
	free(a->publisher);
	free(a->offer);
	free(a->sku);
	free(a->version);
	free(a->daily_stop_tz);
	memset(a, 0, sizeof(*a));
}

/* Letters, digits and the characters in 'extra' only: what goes into an
 * ARM path or name is never escaped, so it must not need to be. */
static int
name_chars_ok(const char *v, const char *extra)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && strchr(extra, *v) == NULL)
			return 0;
	return 1;
}

/*
 * Whether rig may talk to the host of 'url' at all: Azure's own hosts
 * (ARM, login, prices, IMDS's link-local address; the public address
 * service allow_from = auto asks), loopback (tests: host_is_loopback(),
 * the whole host parsed, never a prefix), or anything when the user says
 * so in the environment. One rule for every endpoint key: a rig.conf that
 * came with a cloned project must not send someone's login, or the VM
 * identity's token, anywhere else.
 */
int
azure_host_trusted(const char *url)
{
	static const char *const hosts[] = { "management.azure.com",
		"login.microsoftonline.com", "management.usgovcloudapi.net",
		"login.microsoftonline.us", "management.chinacloudapi.cn",
		"login.chinacloudapi.cn", "login.partner.microsoftonline.cn",
		"prices.azure.com", "api.ipify.org", "169.254.169.254" };
	const char              *any = getenv("RIG_AZURE_ANY_ENDPOINT");
	char                     host[256];

	if (any != NULL && strcmp(any, "1") == 0)
		return 1;
	if (arm_url_host(url, host, sizeof(host)) == -1)
		return 0;
	if (host_is_loopback(host))
		return 1;
	for (size_t i = 0; i < nitems(hosts); i++)
		if (strcasecmp(host, hosts[i]) == 0)
			return 1;
	return 0;
}

int
azure_endpoint_check(const char *v, int allow_http, char *why, size_t len)
{
	const char *end;

	if (allow_http && strncasecmp(v, "http://", 7) == 0) {
		if (arm_url_origin(v, &end) == 0) {
			snprintf(why, len, "'%s' is not an absolute URL", v);
			return -1;
		}
	} else if (arm_url_allowed(v, why, len) == -1)
		return -1;
	if (!azure_host_trusted(v)) {
		snprintf(why, len,
		    "'%s' is not one of Azure's own hosts (public, US "
		    "Government or China cloud) nor loopback, and rig would "
		    "send it your Azure login or the VM's token: set "
		    "RIG_AZURE_ANY_ENDPOINT=1 if you mean it",
		    v);
		return -1;
	}
	return 0;
}

/* ARM, login, prices, the public address service: https (or http on
 * loopback, for tests) on one of Azure's own hosts. */
static int
check_login_url(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	return azure_endpoint_check(v, 0, why, len);
}

/* IMDS is plain http at a link-local address by design. */
static int
check_imds_url(void *obj, const char *v, char *why, size_t len)
{
	(void)obj;
	return azure_endpoint_check(v, 1, why, len);
}

/* PUBLISHER:OFFER:SKU:VERSION, Azure's image URN; sets its parts. */
static int
check_image(void *obj, const char *v, char *why, size_t len)
{
	struct azure_conf *a = obj;
	char              *part[4], *copy = xstrdup(v), *p = copy;
	int                n = 0;

	for (; n < 4; n++) {
		part[n] = p;
		p = strchr(p, ':');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (n != 3 || !name_chars_ok(part[0], "-_.") ||
	    !name_chars_ok(part[1], "-_.") || !name_chars_ok(part[2], "-_.") ||
	    !name_chars_ok(part[3], "-_.")) {
		free(copy);
		snprintf(why, len,
		    "'%s' is not PUBLISHER:OFFER:SKU:VERSION (e.g. %s)", v,
		    AZURE_IMAGE_DEFAULT);
		return -1;
	}
	settings_set_str(&a->publisher, part[0]);
	settings_set_str(&a->offer, part[1]);
	settings_set_str(&a->sku, part[2]);
	settings_set_str(&a->version, part[3]);
	free(copy);
	return 0;
}

/* The number the first 'n' digits of 's' spell. */
static int
atoi_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "HH:MM [ZONE]" (zone: a Windows time zone id, default UTC) or "off";
 * sets the time and zone. */
static int
check_daily_stop(void *obj, const char *v, char *why, size_t len)
{
	struct azure_conf *a = obj;
	int                hh, mm, used = 0;
	char               zone[128];
	const char        *p;

	if (strcasecmp(v, "off") == 0 || strcasecmp(v, "no") == 0) {
		a->daily_stop_hhmm = -1;
		settings_set_str(&a->daily_stop_tz, NULL);
		return 0;
	}
	/* H:MM or HH:MM, then nothing or a space and the zone. */
	if (!isdigit((unsigned char)v[0]))
		goto bad;
	used = isdigit((unsigned char)v[1]) ? 2 : 1;
	if (v[used] != ':' || !isdigit((unsigned char)v[used + 1]) ||
	    !isdigit((unsigned char)v[used + 2]) ||
	    (v[used + 3] != '\0' && v[used + 3] != ' '))
		goto bad;
	hh = atoi_digits(v, used);
	mm = atoi_digits(v + used + 1, 2);
	if (hh > 23 || mm > 59)
		goto bad;
	p = v + used + 3;
	while (*p == ' ')
		p++;
	snprintf(zone, sizeof(zone), "%s", *p != '\0' ? p : "UTC");
	if (!name_chars_ok(zone, " .-+()"))
		goto bad;
	a->daily_stop_hhmm = hh * 100 + mm;
	settings_set_str(&a->daily_stop_tz, zone);
	return 0;
bad:
	snprintf(why, len,
	    "'%s' is not 'HH:MM [time zone]' or 'off' (e.g. '20:00 UTC', "
	    "'19:30 W. Europe Standard Time')",
	    v);
	return -1;
}

/* "ADDR" or "ADDR/BITS" into the address's bytes, whether it is IPv6,
 * and its prefix length (the whole address without one); -1 if not. */
static int
cidr_parse(const char *v, unsigned char *net, int *v6, long long *bits)
{
	char        addr[64];
	const char *slash = strchr(v, '/');
	size_t      n = slash != NULL ? (size_t)(slash - v) : strlen(v);

	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, v, n);
	addr[n] = '\0';
	*v6 = strchr(addr, ':') != NULL;
	*bits = *v6 ? 128 : 32;
	if (inet_pton(*v6 ? AF_INET6 : AF_INET, addr, net) != 1)
		return -1;
	if (slash != NULL && parse_int(slash + 1, 0, *bits, bits) == -1)
		return -1;
	return 0;
}

int
azure_cidr_valid(const char *v)
{
	unsigned char net[16];
	long long     bits;
	int           v6;

	return cidr_parse(v, net, &v6, &bits);
}

/* 'ip' against one CIDR; 1 if inside. */
static int
cidr_has(const char *cidr, const unsigned char *ip, int v6)
{
	unsigned char net[16];
	long long     bits;
	int           nv6;

	if (cidr_parse(cidr, net, &nv6, &bits) == -1 || nv6 != v6)
		return 0;
	for (long long i = 0; i < bits; i++) {
		int m = 0x80 >> (i % 8);

		if ((ip[i / 8] & m) != (net[i / 8] & m))
			return 0;
	}
	return 1;
}

int
azure_cidr_contains(const char *list, const char *ip)
{
	unsigned char bin[16];
	char         *copy, *tok, *save = NULL;
	int           v6 = strchr(ip, ':') != NULL, in = 0;

	if (inet_pton(v6 ? AF_INET6 : AF_INET, ip, bin) != 1)
		return 0;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && !in;
	     tok = strtok_r(NULL, ", ", &save))
		in = cidr_has(tok, bin, v6);
	free(copy);
	return in;
}

/* "auto", or CIDRs separated by commas or spaces. */
static int
check_allow_from(void *obj, const char *v, char *why, size_t len)
{
	char *copy, *tok, *save = NULL;
	int   n = 0;

	(void)obj;
	if (strcmp(v, "auto") == 0)
		return 0;
	copy = xstrdup(v);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save), n++) {
		if (azure_cidr_valid(tok) == -1) {
			snprintf(why, len, "'%s' is not an address or CIDR",
			    tok);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (n == 0 || n > 100) {
		snprintf(why, len, "give 'auto' or 1-100 addresses/CIDRs");
		return -1;
	}
	return 0;
}

int
azure_admin_name_ok(const char *name)
{
	/* Azure's reserved admin names (VM osProfile.adminUsername). */
	static const char *const reserved[] = { "administrator", "admin",
		"user", "user1", "test", "user2", "test1", "user3", "admin1",
		"1", "123", "a", "actuser", "adm", "admin2", "aspnet", "backup",
		"console", "david", "guest", "john", "owner", "root", "server",
		"sql", "support", "support_388945a0", "sys", "test2", "test3",
		"user4", "user5" };
	size_t                   len = strlen(name);

	if (len == 0 || len > 32 || !(name[0] >= 'a' && name[0] <= 'z'))
		return 0;
	if (!name_chars_ok(name, "_-"))
		return 0;
	for (size_t i = 0; i < nitems(reserved); i++)
		if (strcasecmp(reserved[i], name) == 0)
			return 0;
	return 1;
}

static int
check_subscription(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	return *v != '\0' && !name_chars_ok(v, "-") ? -1 : 0;
}

static int
check_location(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	return name_chars_ok(v, "") ? 0 : -1;
}

static int
check_group(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	return *v != '\0' && (!name_chars_ok(v, "-_.()") || strlen(v) > 90) ? -1
	                                                                    : 0;
}

static int
check_size(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	return name_chars_ok(v, "_-") ? 0 : -1;
}

struct azure_conf *
azure_conf_of(const struct machine *m)
{
	struct azure_conf *c = machine_provider_conf(m, &provider_azure);

	if (c == NULL)
		fatalx("%s: the machine holds no [azure] settings", __func__);
	return c;
}

int
azure_conf_set(struct azure_conf *a, const char *key, const char *v)
{
	const struct setting *tabs[] = { azure_settings };
	int                   r;

	r = settings_set(azure_settings, a, "azure", key, v);
	if (r == 1)
		return settings_unknown(tabs, nitems(tabs), "azure", key);
	return r;
}

char *
azure_conf_text(const struct azure_conf *a)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	buf_adds(&b, "\n[azure]\n");
	settings_write(&b, azure_settings, a, "azure");
	return buf_detach(&b, NULL);
}
