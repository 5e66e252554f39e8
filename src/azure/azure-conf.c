/* SPDX-License-Identifier: MIT */
/*
 * The [azure] keys of rig.conf (azure-conf.h): defaults, checks, and the
 * commented section rig init writes.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arm.h"
#include "azure-auth.h"
#include "azure-conf.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"

static int set_str(char **, const char *);
static int set_endpoint(char **, const char *, const char *, int, int);
static int set_image(struct azure_conf *, const char *);
static int set_daily_stop(struct azure_conf *, const char *);
static int set_allow_from(struct azure_conf *, const char *);
static int name_chars_ok(const char *, const char *);

static int
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = (v != NULL && *v != '\0') ? xstrdup(v) : NULL;
	return 0;
}

void
azure_conf_init(struct azure_conf *a)
{
	memset(a, 0, sizeof(*a));
	a->location = xstrdup(AZURE_LOCATION_DEFAULT);
	a->size = xstrdup(AZURE_SIZE_DEFAULT);
	set_image(a, AZURE_IMAGE_DEFAULT);
	a->os_disk_gb = AZURE_DISK_GB_DEFAULT;
	a->os_disk_type = xstrdup(AZURE_DISK_TYPE_DEFAULT);
	a->allow_from = xstrdup("auto");
	a->idle_stop = AZURE_IDLE_STOP_DEFAULT;
	set_daily_stop(a, AZURE_DAILY_STOP_DEFAULT);
	a->arm_endpoint = xstrdup(AZURE_ARM_DEFAULT);
	a->login_endpoint = xstrdup(AZURE_LOGIN_DEFAULT);
	a->imds_endpoint = xstrdup(AZURE_IMDS_DEFAULT);
	a->prices_endpoint = xstrdup(AZURE_PRICES_DEFAULT);
	a->myip_endpoint = xstrdup(AZURE_MYIP_DEFAULT);
}

void
azure_conf_release(struct azure_conf *a)
{
	free(a->subscription);
	free(a->location);
	free(a->resource_group);
	free(a->size);
	free(a->image);
	free(a->publisher);
	free(a->offer);
	free(a->sku);
	free(a->version);
	free(a->os_disk_type);
	free(a->allow_from);
	free(a->daily_stop_tz);
	free(a->arm_endpoint);
	free(a->login_endpoint);
	free(a->imds_endpoint);
	free(a->prices_endpoint);
	free(a->myip_endpoint);
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

/* ARM, login and prices must be https (or http on loopback, for tests);
 * IMDS is plain http at a link-local address by design. */
/* Whether credentials may go to the host of 'url': Azure's clouds'
 * ARM and login hosts, loopback (tests), or anything when the user says
 * so in the environment: a rig.conf that came with a cloned project must
 * not be able to send someone's login elsewhere. */
int
azure_host_trusted(const char *url)
{
	static const char *const hosts[] = { "management.azure.com",
		"login.microsoftonline.com", "management.usgovcloudapi.net",
		"login.microsoftonline.us", "management.chinacloudapi.cn",
		"login.chinacloudapi.cn", "login.partner.microsoftonline.cn" };
	const char *h = strstr(url, "://");
	size_t      n;
	const char *any = getenv("RIG_AZURE_ANY_ENDPOINT");

	if (any != NULL && strcmp(any, "1") == 0)
		return 1;
	if (h == NULL)
		return 0;
	h += 3;
	n = strcspn(h, ":/?#");
	if ((n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    strncmp(h, "127.", 4) == 0 || strncmp(h, "[::1]", 5) == 0)
		return 1;
	for (size_t i = 0; i < nitems(hosts); i++)
		if (strlen(hosts[i]) == n && strncasecmp(h, hosts[i], n) == 0)
			return 1;
	return 0;
}

static int
set_endpoint(char **dst, const char *key, const char *v, int any_http,
    int secret)
{
	char   why[256];
	size_t n = strlen(v), scheme;

	scheme = strncmp(v, "http://", 7) == 0    ? 7
	    : strncmp(v, "https://", 8) == 0 ? 8
	                                     : 0;
	if (scheme == 0 || v[scheme] == '\0' || v[scheme] == '/')
		return error("[azure] %s: '%s' is not an http(s) URL", key, v);
	if (!any_http && arm_url_allowed(v, why, sizeof(why)) == -1)
		return error("[azure] %s: %s", key, why);
	if (secret && !azure_host_trusted(v))
		return error("[azure] %s: '%s' is not one of Azure's own hosts "
		             "(public, US Government or China cloud) nor "
		             "loopback, and it would get your Azure login: set "
		             "RIG_AZURE_ANY_ENDPOINT=1 if you mean it",
		    key, v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	free(*dst);
	*dst = xstrndup(v, n);
	return 0;
}

/* PUBLISHER:OFFER:SKU:VERSION, Azure's image URN. */
static int
set_image(struct azure_conf *a, const char *v)
{
	char *part[4], *copy = xstrdup(v), *p = copy;
	int   n = 0;

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
		return error("[azure] image: '%s' is not PUBLISHER:OFFER:SKU:"
		             "VERSION (e.g. %s)",
		    v, AZURE_IMAGE_DEFAULT);
	}
	set_str(&a->image, v);
	set_str(&a->publisher, part[0]);
	set_str(&a->offer, part[1]);
	set_str(&a->sku, part[2]);
	set_str(&a->version, part[3]);
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

/* "HH:MM [ZONE]" (zone: a Windows time zone id, default UTC) or "off". */
static int
set_daily_stop(struct azure_conf *a, const char *v)
{
	int         hh, mm, used = 0;
	char        zone[128];
	const char *p;

	if (strcasecmp(v, "off") == 0 || strcasecmp(v, "no") == 0) {
		a->daily_stop_hhmm = -1;
		return set_str(&a->daily_stop_tz, NULL);
	}
	/* H:MM or HH:MM, then nothing or a space and the zone. */
	if (!isdigit((unsigned char)v[0]))
		goto bad;
	used = isdigit((unsigned char)v[1]) ? 2 : 1;
	if (v[used] != ':' ||
	    !isdigit((unsigned char)v[used + 1]) ||
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
	return set_str(&a->daily_stop_tz, zone);
bad:
	return error("[azure] daily_stop: '%s' is not 'HH:MM [time zone]' or "
	             "'off' (e.g. '20:00 UTC', '19:30 W. Europe Standard "
	             "Time')",
	    v);
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
set_allow_from(struct azure_conf *a, const char *v)
{
	char *copy, *tok, *save = NULL;
	int   n = 0;

	if (strcmp(v, "auto") == 0)
		return set_str(&a->allow_from, v);
	copy = xstrdup(v);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save), n++) {
		if (azure_cidr_valid(tok) == -1) {
			error("[azure] allow_from: '%s' is not an address or "
			      "CIDR",
			    tok);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (n == 0 || n > 100)
		return error("[azure] allow_from: give 'auto' or 1-100 "
		             "addresses/CIDRs");
	return set_str(&a->allow_from, v);
}

int
parse_duration(const char *s, int64_t *out)
{
	long long n;
	char      num[32];
	size_t    len = strlen(s), digits;
	int64_t   unit = 1;

	digits = strspn(s, "0123456789");
	if (digits == 0 || digits >= sizeof(num) || len > digits + 1)
		return -1;
	if (len == digits + 1) {
		switch (s[digits]) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		default:
			return -1;
		}
	}
	memcpy(num, s, digits);
	num[digits] = '\0';
	if (parse_int(num, 0, 366LL * 86400, &n) == -1 ||
	    n * unit > 366LL * 86400)
		return -1;
	*out = n * unit;
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
	size_t len = strlen(name);

	if (len == 0 || len > 32 || !(name[0] >= 'a' && name[0] <= 'z'))
		return 0;
	if (!name_chars_ok(name, "_-"))
		return 0;
	for (size_t i = 0; i < nitems(reserved); i++)
		if (strcasecmp(reserved[i], name) == 0)
			return 0;
	return 1;
}

int
azure_conf_set(struct azure_conf *a, const char *key, const char *v)
{
	long long n;
	char     *end;

	if (strcmp(key, "subscription") == 0) {
		if (*v != '\0' && !name_chars_ok(v, "-"))
			return error("[azure] subscription: '%s' is not a "
			             "subscription id",
			    v);
		return set_str(&a->subscription, v);
	}
	if (strcmp(key, "location") == 0) {
		if (!name_chars_ok(v, ""))
			return error("[azure] location: '%s' is not a region "
			             "name (e.g. westeurope)",
			    v);
		return set_str(&a->location, v);
	}
	if (strcmp(key, "resource_group") == 0) {
		if (*v != '\0' &&
		    (!name_chars_ok(v, "-_.()") || strlen(v) > 90))
			return error("[azure] resource_group: '%s' is not a "
			             "group name",
			    v);
		return set_str(&a->resource_group, v);
	}
	if (strcmp(key, "size") == 0) {
		if (!name_chars_ok(v, "_-"))
			return error("[azure] size: '%s' is not a VM size "
			             "(e.g. %s)",
			    v, AZURE_SIZE_DEFAULT);
		return set_str(&a->size, v);
	}
	if (strcmp(key, "image") == 0)
		return set_image(a, v);
	if (strcmp(key, "os_disk_gb") == 0) {
		if (parse_int(v, 30, 4095, &n) == -1)
			return error("[azure] os_disk_gb: '%s' is not 30-4095",
			    v);
		a->os_disk_gb = (int)n;
		return 0;
	}
	if (strcmp(key, "os_disk_type") == 0) {
		if (strcmp(v, "Premium_LRS") != 0 &&
		    strcmp(v, "StandardSSD_LRS") != 0 &&
		    strcmp(v, "Standard_LRS") != 0)
			return error("[azure] os_disk_type: '%s' is not "
			             "Premium_LRS, StandardSSD_LRS or "
			             "Standard_LRS",
			    v);
		return set_str(&a->os_disk_type, v);
	}
	if (strcmp(key, "spot") == 0) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return error("[azure] spot: '%s' is not yes or no", v);
		a->spot = strcmp(v, "yes") == 0;
		return 0;
	}
	if (strcmp(key, "allow_from") == 0)
		return set_allow_from(a, v);
	if (strcmp(key, "hub_access") == 0) {
		if (strcmp(v, "public") != 0 && strcmp(v, "tunnel") != 0)
			return error("[azure] hub_access: '%s' is not public "
			             "or tunnel",
			    v);
		a->hub_tunnel = strcmp(v, "tunnel") == 0;
		return 0;
	}
	if (strcmp(key, "idle_stop") == 0) {
		if (parse_duration(v, &a->idle_stop) == -1)
			return error("[azure] idle_stop: '%s' is not a "
			             "duration (0, 90s, 60m, 2h)",
			    v);
		return 0;
	}
	if (strcmp(key, "daily_stop") == 0)
		return set_daily_stop(a, v);
	if (strcmp(key, "budget_month") == 0) {
		if (*v == '\0') {
			a->budget_month = 0;
			return 0;
		}
		double b;

		b = strspn(v, "0123456789.") == strlen(v) ? strtod(v, &end)
		                                           : -1;
		if (b == -1 || *end != '\0' || !(b > 0) || b > 1e9)
			return error("[azure] budget_month: '%s' is not an "
			             "amount",
			    v);
		a->budget_month = b;
		return 0;
	}
	if (strcmp(key, "arm_endpoint") == 0)
		return set_endpoint(&a->arm_endpoint, key, v, 0, 1);
	if (strcmp(key, "login_endpoint") == 0)
		return set_endpoint(&a->login_endpoint, key, v, 0, 1);
	if (strcmp(key, "prices_endpoint") == 0)
		return set_endpoint(&a->prices_endpoint, key, v, 0, 0);
	if (strcmp(key, "myip_endpoint") == 0)
		return set_endpoint(&a->myip_endpoint, key, v, 0, 0);
	if (strcmp(key, "imds_endpoint") == 0)
		return set_endpoint(&a->imds_endpoint, key, v, 1, 0);
	return error("unknown setting '%s' in [azure]", key);
}

char *
azure_conf_text(const struct azure_conf *a)
{
	struct buf b;
	char       idle[32], stop[160];

	if (a->idle_stop % 3600 == 0 && a->idle_stop > 0)
		snprintf(idle, sizeof(idle), "%lldh",
		    (long long)(a->idle_stop / 3600));
	else if (a->idle_stop % 60 == 0 && a->idle_stop > 0)
		snprintf(idle, sizeof(idle), "%lldm",
		    (long long)(a->idle_stop / 60));
	else
		snprintf(idle, sizeof(idle), "%lld", (long long)a->idle_stop);
	if (a->daily_stop_hhmm < 0)
		snprintf(stop, sizeof(stop), "off");
	else
		snprintf(stop, sizeof(stop), "%02d:%02d %s",
		    a->daily_stop_hhmm / 100, a->daily_stop_hhmm % 100,
		    a->daily_stop_tz);
	buf_init(&b, 64 * 1024);
	buf_adds(&b, "\n[azure]\n");
	buf_addf(&b, "subscription = %-12s ; default: AZURE_SUBSCRIPTION_ID, "
	             "or the az CLI's current one\n",
	    a->subscription != NULL ? a->subscription : "");
	buf_addf(&b, "location = %s\n", a->location);
	buf_addf(&b, "resource_group = %-10s ; default rig-NAME; rig deletes "
	             "only a group it created\n",
	    a->resource_group != NULL ? a->resource_group : "");
	buf_addf(&b, "size = %-18s ; any VM size, e.g. Standard_NC4as_T4_v3 "
	             "for a GPU\n",
	    a->size);
	buf_addf(&b, "image = %s\n", a->image);
	buf_addf(&b, "os_disk_gb = %d\n", a->os_disk_gb);
	buf_addf(&b, "os_disk_type = %-12s ; Premium_LRS, StandardSSD_LRS, "
	             "Standard_LRS\n",
	    a->os_disk_type);
	buf_addf(&b, "spot = %-18s ; yes: a Spot VM, deallocated on "
	             "eviction\n",
	    a->spot ? "yes" : "no");
	buf_addf(&b, "allow_from = %-12s ; CIDRs that may reach SSH and the "
	             "hub; auto: your public address\n",
	    a->allow_from);
	buf_addf(&b, "hub_access = %-12s ; public: the hub's port is open to "
	             "allow_from; tunnel: only SSH\n",
	    a->hub_tunnel ? "tunnel" : "public");
	buf_addf(&b, "idle_stop = %-13s ; deallocate after this long idle "
	             "(0 = never)\n",
	    idle);
	buf_addf(&b, "daily_stop = %-12s ; Azure-side backstop schedule "
	             "(off = none)\n",
	    stop);
	if (a->budget_month > 0)
		buf_addf(&b, "budget_month = %.2f\n", a->budget_month);
	else
		buf_adds(&b, "budget_month =          ; optional, in the price "
		             "list's currency: warn at 80 %, stop at 100 %\n");
	buf_adds(&b, "; endpoints (public cloud by default; sovereign clouds "
	             "and tests set them):\n");
	buf_addf(&b, "%sarm_endpoint = %s\n",
	    strcmp(a->arm_endpoint, AZURE_ARM_DEFAULT) == 0 ? "; " : "",
	    a->arm_endpoint);
	buf_addf(&b, "%slogin_endpoint = %s\n",
	    strcmp(a->login_endpoint, AZURE_LOGIN_DEFAULT) == 0 ? "; " : "",
	    a->login_endpoint);
	buf_addf(&b, "%simds_endpoint = %s\n",
	    strcmp(a->imds_endpoint, AZURE_IMDS_DEFAULT) == 0 ? "; " : "",
	    a->imds_endpoint);
	buf_addf(&b, "%sprices_endpoint = %s\n",
	    strcmp(a->prices_endpoint, AZURE_PRICES_DEFAULT) == 0 ? "; " : "",
	    a->prices_endpoint);
	buf_addf(&b, "%smyip_endpoint = %s   ; tells allow_from = auto your "
	             "public address\n",
	    strcmp(a->myip_endpoint, AZURE_MYIP_DEFAULT) == 0 ? "; " : "",
	    a->myip_endpoint);
	return buf_detach(&b, NULL);
}
